package distributed

import (
	"fmt"
	"reflect"
	"sort"
	"strconv"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

var arrayType = reflect.TypeOf((*mlx.Array)(nil))

// setParameters is module.update(tree) for shard_inplace: unlike nn.Update it
// accepts new shapes (a shard is smaller than the parameter it replaces),
// but every path must name a parameter of the module. Replaced arrays are
// freed, as nn.Update frees them. The walk follows nn's parameter tree
// (exported fields, `mlx` tags, snake_case names, slices as lists).
func setParameters(module any, params map[string]*mlx.Array) error {
	slots := map[string]reflect.Value{}
	walk(reflect.ValueOf(module), "", slots)
	var unknown []string
	for path := range params {
		if _, ok := slots[path]; !ok {
			unknown = append(unknown, path)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return fmt.Errorf("shard_inplace: the module has no parameters %v", unknown)
	}
	for path, w := range params {
		slot := slots[path]
		old := slot.Interface().(*mlx.Array)
		slot.Set(reflect.ValueOf(w))
		if old != w {
			old.Free()
		}
	}
	return nil
}

func walk(v reflect.Value, prefix string, slots map[string]reflect.Value) {
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
				walkChild(f.Index(j), join(path, strconv.Itoa(j)), slots)
			}
			continue
		}
		walkChild(f, path, slots)
	}
}

func walkChild(f reflect.Value, path string, slots map[string]reflect.Value) {
	if f.Type() == arrayType {
		if !f.IsNil() && f.CanSet() {
			slots[path] = f
		}
		return
	}
	if f.Kind() == reflect.Pointer || f.Kind() == reflect.Interface {
		walk(f, path, slots)
	}
}

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
	return nn.SnakeCase(f.Name)
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}
