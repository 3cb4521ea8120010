// Package nn holds the layers of mlx.nn that mlx-lm models use, and the
// parameter tree that gives every weight the dotted path mlx gives it
// (layers.0.mlp.gate_proj.weight), so checkpoints load by name.
//
// A module is a pointer to a struct. Its exported fields form the tree:
//
//   - a *mlx.Array field is a parameter (nil means the module has no such
//     parameter, as Python's Linear(bias=False) has no "bias");
//   - a pointer-to-struct or interface field is a child module;
//   - a slice of those is a list of modules (path "layers.3").
//
// The path segment is the `mlx:"name"` tag, or the field name in snake_case.
// `mlx:"-"` hides a field (configuration, caches).
package nn

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/hf2go/hf2go/runtime/mlx"
)

var arrayType = reflect.TypeOf((*mlx.Array)(nil))

// fieldName is the path segment of a struct field, or "" to skip it.
func fieldName(f reflect.StructField) string {
	if !f.IsExported() {
		return ""
	}
	if tag, ok := f.Tag.Lookup("mlx"); ok {
		if tag == "-" {
			return ""
		}
		return tag
	}
	return SnakeCase(f.Name)
}

// SnakeCase turns a Go field name into Python's spelling: GateProj →
// gate_proj, QProj → q_proj, LayerNorm1 → layer_norm1.
func SnakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		if unicode.IsUpper(r) {
			if i > 0 && (unicode.IsLower(rs[i-1]) || (i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1]))) {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// EachSlot calls fn for every slot of the module v (the struct behind any
// pointers and interfaces): each field the parameter tree names (exported,
// `mlx` tags, snake_case) and each element of a field that is a slice (a
// Python list of modules, "layers.0"), with its dotted path under prefix.
// It is the one walk of the module tree that parameters, quantization,
// named_modules and shard_inplace share; what a slot holds (an array, a
// module, nil) is for fn to decide.
func EachSlot(v reflect.Value, prefix string, fn func(slot reflect.Value, path string)) {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() || v.Type() == arrayType {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := range t.NumField() {
		name := fieldName(t.Field(i))
		if name == "" {
			continue
		}
		f := v.Field(i)
		path := join(prefix, name)
		if f.Kind() == reflect.Slice {
			for j := range f.Len() {
				fn(f.Index(j), join(path, strconv.Itoa(j)))
			}
			continue
		}
		fn(f, path)
	}
}

// visit walks the module tree; fn sees every parameter slot (a settable
// reflect.Value of type *mlx.Array, possibly holding nil) with its path.
func visit(v reflect.Value, prefix string, fn func(path string, slot reflect.Value)) {
	EachSlot(v, prefix, func(f reflect.Value, path string) { visitChild(f, path, fn) })
}

func visitChild(f reflect.Value, path string, fn func(string, reflect.Value)) {
	if f.Type() == arrayType {
		fn(path, f)
		return
	}
	switch f.Kind() {
	case reflect.Pointer, reflect.Interface:
		visit(f, path, fn)
	}
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// Parameters returns the module's parameters by dotted path (the flattened
// tree mlx's tree_flatten(model.parameters()) gives). Absent ones are omitted.
func Parameters(m any) map[string]*mlx.Array {
	out := map[string]*mlx.Array{}
	visit(reflect.ValueOf(m), "", func(path string, slot reflect.Value) {
		if !slot.IsNil() {
			out[path] = slot.Interface().(*mlx.Array)
		}
	})
	return out
}

// ParameterNames returns the sorted dotted paths of the module's parameters.
func ParameterNames(m any) []string {
	p := Parameters(m)
	names := make([]string, 0, len(p))
	for n := range p {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// UpdateError lists everything a strict update found wrong, by name.
type UpdateError struct {
	Missing    []string // parameters of the module the weights did not give
	Unexpected []string // weights the module has no parameter for
	Mismatched []string // "path: module has [a b], weights have [c d]"
}

func (e *UpdateError) Error() string {
	var parts []string
	add := func(what string, names []string) {
		if len(names) == 0 {
			return
		}
		shown := names
		if len(shown) > 20 {
			shown = append(append([]string{}, names[:20]...), fmt.Sprintf("... and %d more", len(names)-20))
		}
		parts = append(parts, fmt.Sprintf("%d %s: %s", len(names), what, strings.Join(shown, ", ")))
	}
	add("missing parameters", e.Missing)
	add("unexpected weights", e.Unexpected)
	add("shape mismatches", e.Mismatched)
	return "weights do not match the model: " + strings.Join(parts, "; ")
}

// Update sets the module's parameters from weights, strictly: every weight
// must name a parameter, every parameter must be given, and shapes must be
// equal (mlx's model.update(tree_unflatten(...)) after load_weights(strict=True)
// checks the same). On error nothing is changed. Replaced arrays are freed.
func Update(m any, weights map[string]*mlx.Array) error {
	slots := map[string]reflect.Value{}
	visit(reflect.ValueOf(m), "", func(path string, slot reflect.Value) {
		if !slot.IsNil() {
			slots[path] = slot
		}
	})
	ue := &UpdateError{}
	for path, w := range weights {
		slot, ok := slots[path]
		if !ok {
			ue.Unexpected = append(ue.Unexpected, path)
			continue
		}
		if err := w.Err(); err != nil {
			return fmt.Errorf("weight %s: %w", path, err)
		}
		have := slot.Interface().(*mlx.Array).Shape()
		if got := w.Shape(); !equalInts(have, got) {
			ue.Mismatched = append(ue.Mismatched, fmt.Sprintf("%s: module has %v, weights have %v", path, have, got))
		}
	}
	for path := range slots {
		if _, ok := weights[path]; !ok {
			ue.Missing = append(ue.Missing, path)
		}
	}
	if len(ue.Missing)+len(ue.Unexpected)+len(ue.Mismatched) > 0 {
		sort.Strings(ue.Missing)
		sort.Strings(ue.Unexpected)
		sort.Strings(ue.Mismatched)
		return ue
	}
	for path, w := range weights {
		slot := slots[path]
		old := slot.Interface().(*mlx.Array)
		slot.Set(reflect.ValueOf(w))
		if old != w {
			old.Free()
		}
	}
	return nil
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// QuantParams are the settings of one quantized layer.
type QuantParams struct {
	GroupSize int
	Bits      int
	Mode      string // "affine" unless the checkpoint says otherwise
	// GlobalScale is to_quantized's global_scale=True (mlx-lm 0.32): one
	// nvfp4 tensor scale per expert. Only the switch layers take it.
	GlobalScale bool
}

// Quantizable is a layer that has a quantized counterpart (Linear,
// Embedding, SwitchLinear, ...). ToQuantized quantizes the layer's current
// weights; when loading a quantized checkpoint they are placeholders and the
// checkpoint's packed weights replace them.
type Quantizable interface {
	ToQuantized(q QuantParams) (any, error)
}

// Quantize replaces, in place, every quantizable layer for which predicate
// returns non-nil params by its quantized counterpart (mlx's nn.quantize with
// a class_predicate). The layer must sit in an interface-typed field or slice
// element that can hold the quantized type.
func Quantize(m any, predicate func(path string, layer any) *QuantParams) error {
	var errs []error
	quantizeWalk(reflect.ValueOf(m), "", predicate, &errs)
	return errors.Join(errs...)
}

func quantizeWalk(v reflect.Value, prefix string, pred func(string, any) *QuantParams, errs *[]error) {
	EachSlot(v, prefix, func(f reflect.Value, path string) { quantizeSlot(f, path, pred, errs) })
}

func quantizeSlot(f reflect.Value, path string, pred func(string, any) *QuantParams, errs *[]error) {
	if f.Type() == arrayType || (f.Kind() != reflect.Pointer && f.Kind() != reflect.Interface) || f.IsNil() {
		return
	}
	layer := f.Interface()
	if q, ok := layer.(Quantizable); ok {
		if p := pred(path, layer); p != nil {
			ql, err := q.ToQuantized(*p)
			if err != nil {
				*errs = append(*errs, fmt.Errorf("%s: %w", path, err))
				return
			}
			qv := reflect.ValueOf(ql)
			if !f.CanSet() || !qv.Type().AssignableTo(f.Type()) {
				*errs = append(*errs, fmt.Errorf("%s: field of type %s cannot hold the quantized %s", path, f.Type(), qv.Type()))
				return
			}
			f.Set(qv)
			return
		}
	}
	quantizeWalk(f, path, pred, errs)
}
