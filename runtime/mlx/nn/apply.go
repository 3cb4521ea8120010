package nn

import (
	"fmt"
	"reflect"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// Apply is mlx's Module.apply(map_fn): every parameter of the module tree
// (the ones Parameters lists) replaced by fn(parameter), in place. Unlike
// Update it takes new shapes, as Python's update does (mlx-lm's shard()
// slices heads this way). fn's results are checked before any is set: an
// error array leaves the module unchanged and is returned. A parameter
// shared by several slots is mapped once; replaced arrays are freed.
func Apply(m any, fn func(*mlx.Array) *mlx.Array) error {
	type slot struct {
		path string
		v    reflect.Value
	}
	var slots []slot
	visit(reflect.ValueOf(m), "", func(path string, v reflect.Value) {
		if !v.IsNil() {
			slots = append(slots, slot{path, v})
		}
	})
	mapped := map[*mlx.Array]*mlx.Array{}
	for _, s := range slots {
		old := s.v.Interface().(*mlx.Array)
		if _, ok := mapped[old]; ok {
			continue
		}
		w := fn(old)
		if w == nil {
			return fmt.Errorf("apply: %s: the function returned nil", s.path)
		}
		if err := w.Err(); err != nil {
			return fmt.Errorf("apply: %s: %w", s.path, err)
		}
		mapped[old] = w
	}
	for _, s := range slots {
		s.v.Set(reflect.ValueOf(mapped[s.v.Interface().(*mlx.Array)]))
	}
	for old, w := range mapped {
		if old != w {
			old.Free()
		}
	}
	return nil
}
