package nn

import (
	"fmt"
	"reflect"
	"strconv"
)

// NamedModules is mlx's Module.named_modules(): every module of the tree
// with its dotted path, the root as "" — as (path, module) pairs, each a
// two-element []any (the Go of a Python tuple of mixed types).
// Lists of modules are not modules themselves; their elements are
// ("layers.0"). The order is the tree's, depth first, parents first.
func NamedModules(m any) []any {
	out := []any{[]any{"", m}}
	var walk func(v reflect.Value, prefix string)
	walk = func(v reflect.Value, prefix string) {
		EachSlot(v, prefix, func(f reflect.Value, path string) { child(f, path, &out, walk) })
	}
	walk(reflect.ValueOf(m), "")
	return out
}

func child(f reflect.Value, path string, out *[]any, walk func(reflect.Value, string)) {
	if f.Type() == arrayType || (f.Kind() != reflect.Pointer && f.Kind() != reflect.Interface) || f.IsNil() {
		return
	}
	e := f
	for e.Kind() == reflect.Interface {
		e = e.Elem()
	}
	if e.Kind() != reflect.Pointer || e.Elem().Kind() != reflect.Struct {
		return
	}
	*out = append(*out, []any{path, f.Interface()})
	walk(f, path)
}

// UpdateModules is mlx's Module.update_modules(tree, strict=True): tree is
// what mlx.utils.tree_unflatten makes of (path, module) pairs — maps by
// field name, lists by index (a list, or a map keyed "0", "1", ...; an
// empty map leaves that element as it is) —
// and each module in it replaces the module at its place. A name the
// module does not have, or a field whose type cannot hold the new module,
// is an error naming the path (mlx raises ValueError).
func UpdateModules(m any, tree any) error {
	return updateModules(reflect.ValueOf(m), tree, "")
}

func updateModules(v reflect.Value, tree any, prefix string) error {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return fmt.Errorf("%s: no module there", prefix)
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return fmt.Errorf("%s: not a module", prefix)
	}
	d, ok := tree.(map[string]any)
	if !ok {
		return fmt.Errorf("%s: expected a dict of modules, got %T", prefix, tree)
	}
	fields := map[string]int{}
	t := v.Type()
	for i := range t.NumField() {
		if name := fieldName(t.Field(i)); name != "" {
			fields[name] = i
		}
	}
	for k, sub := range d {
		i, ok := fields[k]
		path := join(prefix, k)
		if !ok {
			return fmt.Errorf("module does not have sub-module named %q", path)
		}
		f := v.Field(i)
		if f.Kind() == reflect.Slice {
			// A list of modules: a list, or a dict keyed by index ("0", "1").
			elems := map[int]any{}
			switch l := sub.(type) {
			case []any:
				for j, x := range l {
					elems[j] = x
				}
			case map[string]any:
				for ks, x := range l {
					j, err := strconv.Atoi(ks)
					if err != nil || strconv.Itoa(j) != ks {
						return fmt.Errorf("%s: %q is not an index of a list of modules", path, ks)
					}
					elems[j] = x
				}
			default:
				return fmt.Errorf("%s: expected a list of modules, got %T", path, sub)
			}
			for j, x := range elems {
				if j < 0 || j >= f.Len() {
					return fmt.Errorf("%s: index %d of a list of %d modules", path, j, f.Len())
				}
				if err := setModule(f.Index(j), x, join(path, strconv.Itoa(j))); err != nil {
					return err
				}
			}
			continue
		}
		if err := setModule(f, sub, path); err != nil {
			return err
		}
	}
	return nil
}

// setModule puts x (a module, or a dict/list going deeper) at slot f.
func setModule(f reflect.Value, x any, path string) error {
	switch x.(type) {
	case map[string]any:
		if f.Kind() == reflect.Slice {
			return fmt.Errorf("%s: a list of modules where a module is", path)
		}
		return updateModules(f, x, path)
	case []any:
		return fmt.Errorf("%s: a list of modules where a module is", path)
	}
	xv := reflect.ValueOf(x)
	if !xv.IsValid() || !f.CanSet() || !xv.Type().AssignableTo(f.Type()) {
		return fmt.Errorf("%s: a field of type %s cannot hold %T", path, f.Type(), x)
	}
	f.Set(xv)
	return nil
}
