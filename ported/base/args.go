// Ported from mlx_lm/models/base.py
// Upstream: mlx-lm 0.32.2
// Blob: 1ef51e7497ac5cfed17850aebe30008de048ba50

package base

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
)

// PostIniter is a model-args struct with a __post_init__; FromDict calls it
// after filling the fields.
type PostIniter interface {
	PostInit() error
}

// FromDict is BaseModelArgs.from_dict: it fills the struct dst points to from
// a config map (as decoded from config.json), keeping only keys that name a
// field and ignoring the rest, then runs PostInit if dst has one.
//
// A field's key is its `json:"name"` tag (or the field name when untagged).
// Defaults are whatever dst holds before the call, so construct it with the
// dataclass defaults first. A field tagged `json:"name,required"` is a
// dataclass field without a default: a missing key is an error, as Python's
// constructor raises TypeError.
//
// Values convert as Python would hold them, within Go's types: JSON numbers
// into any int or float kind (an int field rejects a fractional number), bool,
// string, slices, maps, nested structs (recursively, unknown keys ignored),
// pointers (JSON null is nil, Python's None), and any. JSON null into a field
// that cannot be nil is an error instead of silently becoming zero.
func FromDict(dst any, params map[string]any) error {
	v := reflect.ValueOf(dst)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("from_dict: destination must be a non-nil pointer to a struct, got %T", dst)
	}
	if err := fillStruct(v.Elem(), params); err != nil {
		return fmt.Errorf("from_dict %s: %w", v.Elem().Type().Name(), err)
	}
	if p, ok := dst.(PostIniter); ok {
		if err := p.PostInit(); err != nil {
			return fmt.Errorf("%s.__post_init__: %w", v.Elem().Type().Name(), err)
		}
	}
	return nil
}

// Assign stores one config value into dst, converting as FromDict does
// (runtime/py's dataclass constructor, py.Dataclass, builds from it).
func Assign(dst reflect.Value, raw any) error { return assign(dst, raw) }

// FieldKey is the config key of a struct field (its json tag), whether the
// field is required, and whether it is no config field at all.
func FieldKey(f reflect.StructField) (name string, required, skip bool) { return fieldKey(f) }

func fieldKey(f reflect.StructField) (name string, required, skip bool) {
	if !f.IsExported() {
		return "", false, true
	}
	tag, ok := f.Tag.Lookup("json")
	if !ok {
		return f.Name, false, false
	}
	parts := strings.Split(tag, ",")
	if parts[0] == "-" {
		return "", false, true
	}
	name = parts[0]
	if name == "" {
		name = f.Name
	}
	for _, p := range parts[1:] {
		if p == "required" {
			required = true
		}
	}
	return name, required, false
}

func fillStruct(v reflect.Value, params map[string]any) error {
	t := v.Type()
	var errs []error
	for i := range t.NumField() {
		name, required, skip := fieldKey(t.Field(i))
		if skip {
			continue
		}
		raw, ok := params[name]
		if !ok {
			if required {
				errs = append(errs, fmt.Errorf("missing required argument %q", name))
			}
			continue
		}
		if err := assign(v.Field(i), raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}

func assign(dst reflect.Value, raw any) error {
	if raw == nil {
		switch dst.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			dst.Set(reflect.Zero(dst.Type()))
			return nil
		}
		return fmt.Errorf("null (None) for a field of type %s, which cannot be nil", dst.Type())
	}
	switch dst.Kind() {
	case reflect.Interface:
		rv := reflect.ValueOf(raw)
		if !rv.Type().AssignableTo(dst.Type()) {
			return fmt.Errorf("%T does not fit %s", raw, dst.Type())
		}
		dst.Set(rv)
		return nil
	case reflect.Pointer:
		nv := reflect.New(dst.Type().Elem())
		if err := assign(nv.Elem(), raw); err != nil {
			return err
		}
		dst.Set(nv)
		return nil
	case reflect.Bool:
		b, ok := raw.(bool)
		if !ok {
			return fmt.Errorf("%T (%v) is not a bool", raw, raw)
		}
		dst.SetBool(b)
		return nil
	case reflect.String:
		s, ok := raw.(string)
		if !ok {
			return fmt.Errorf("%T (%v) is not a string", raw, raw)
		}
		dst.SetString(s)
		return nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		f, ok := number(raw)
		if !ok || f != math.Trunc(f) {
			return fmt.Errorf("%T (%v) is not an integer", raw, raw)
		}
		if dst.OverflowInt(int64(f)) {
			return fmt.Errorf("%v overflows %s", f, dst.Type())
		}
		dst.SetInt(int64(f))
		return nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		f, ok := number(raw)
		if !ok || f != math.Trunc(f) || f < 0 {
			return fmt.Errorf("%T (%v) is not a non-negative integer", raw, raw)
		}
		dst.SetUint(uint64(f))
		return nil
	case reflect.Float32, reflect.Float64:
		f, ok := number(raw)
		if !ok {
			return fmt.Errorf("%T (%v) is not a number", raw, raw)
		}
		dst.SetFloat(f)
		return nil
	case reflect.Slice:
		if s, ok := raw.(string); ok && dst.Type().Elem().Kind() == reflect.String {
			// A str where List[str] is annotated (nemotron_h's
			// hybrid_override_pattern "M-M*"): Python iterates, indexes and
			// measures it by character, as the list of its characters.
			out := reflect.MakeSlice(dst.Type(), 0, len(s))
			for _, r := range s {
				out = reflect.Append(out, reflect.ValueOf(string(r)).Convert(dst.Type().Elem()))
			}
			dst.Set(out)
			return nil
		}
		rv := reflect.ValueOf(raw)
		if rv.Kind() != reflect.Slice {
			return fmt.Errorf("%T is not a list", raw)
		}
		out := reflect.MakeSlice(dst.Type(), rv.Len(), rv.Len())
		for i := range rv.Len() {
			if err := assign(out.Index(i), rv.Index(i).Interface()); err != nil {
				return fmt.Errorf("[%d]: %w", i, err)
			}
		}
		dst.Set(out)
		return nil
	case reflect.Map:
		rv := reflect.ValueOf(raw)
		if rv.Kind() != reflect.Map || dst.Type().Key().Kind() != reflect.String {
			return fmt.Errorf("%T does not fit %s", raw, dst.Type())
		}
		out := reflect.MakeMapWithSize(dst.Type(), rv.Len())
		iter := rv.MapRange()
		for iter.Next() {
			ev := reflect.New(dst.Type().Elem()).Elem()
			if err := assign(ev, iter.Value().Interface()); err != nil {
				return fmt.Errorf("[%v]: %w", iter.Key(), err)
			}
			out.SetMapIndex(iter.Key().Convert(dst.Type().Key()), ev)
		}
		dst.Set(out)
		return nil
	case reflect.Struct:
		m, ok := raw.(map[string]any)
		if !ok {
			return fmt.Errorf("%T is not an object", raw)
		}
		return fillStruct(dst, m)
	}
	return fmt.Errorf("unsupported field type %s", dst.Type())
}

// number accepts the numeric types a decoded config holds. Python's bool is
// an int, but a config that puts true where a number belongs is a mistake
// worth reporting, so bools are rejected.
func number(raw any) (float64, bool) {
	switch x := raw.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case int32:
		return float64(x), true
	}
	return 0, false
}
