package distributed

import (
	"fmt"
	"reflect"
	"sort"

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
	nn.EachSlot(v, prefix, func(f reflect.Value, path string) { walkChild(f, path, slots) })
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
