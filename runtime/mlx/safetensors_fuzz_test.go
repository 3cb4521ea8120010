package mlx_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// fuzzSeeds are the hostile files of TestSafetensorsHostileAsMLX, split into
// header and data.
func addSafetensorsSeeds(f *testing.F) {
	for _, c := range hostileCases() {
		if len(c.file) < 8 {
			continue
		}
		f.Add(c.file[8:], int64(len(c.file)-8))
	}
	f.Add([]byte(`{"w": {"dtype": "F32", "shape": [2, 2], "data_offsets": [0, 16]}, "__metadata__": {"format": "mlx"}}`), int64(16))
}

// FuzzSafetensorsHeader: any bytes as a header, against any data length,
// give an error or a header whose every tensor fits the data exactly; never
// a panic.
func FuzzSafetensorsHeader(f *testing.F) {
	addSafetensorsSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte, dataLen int64) {
		if dataLen < 0 {
			dataLen = -dataLen
		}
		h, err := mlx.ParseSafetensorsHeader(raw, dataLen)
		if err != nil {
			return
		}
		for _, e := range h.Tensors {
			n := int64(1)
			for _, d := range e.Shape {
				if d < 0 || d > 1<<31-1 {
					t.Fatalf("%q: dimension %d accepted", e.Name, d)
				}
				n *= int64(d)
			}
			if e.Begin < 0 || e.End < e.Begin || e.End > dataLen {
				t.Fatalf("%q: offsets [%d, %d] accepted for %d bytes of data", e.Name, e.Begin, e.End, dataLen)
			}
			if n < 0 || e.End-e.Begin != n*int64(mlxItemSize(e.Dtype)) {
				t.Fatalf("%q: %v of %s accepted with %d bytes", e.Name, e.Shape, e.Dtype, e.End-e.Begin)
			}
		}
	})
}

// FuzzSafetensorsLoad: whatever file passes the check, MLX itself loads it
// (no crash, no C++ error) to the checked names, dtypes and shapes, and its
// arrays evaluate.
func FuzzSafetensorsLoad(f *testing.F) {
	addSafetensorsSeeds(f)
	f.Fuzz(func(t *testing.T, raw []byte, dataLen int64) {
		if dataLen < 0 || dataLen > 1<<20 {
			return // keep files small
		}
		h, err := mlx.ParseSafetensorsHeader(raw, dataLen)
		if err != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "f.safetensors")
		file := append(stBytes(string(raw), nil, 0), make([]byte, dataLen)...)
		if err := os.WriteFile(p, file, 0o644); err != nil {
			t.Fatal(err)
		}
		ts, err := mlx.LoadSafetensors(p)
		if err != nil {
			t.Fatalf("the checked header %q fails to load: %v", raw, err)
		}
		defer ts.Free()
		arrays := make([]*mlx.Array, 0, len(ts.Arrays))
		for _, e := range h.Tensors {
			a := ts.Arrays[e.Name]
			if a == nil || !slices.Equal(a.Shape(), e.Shape) {
				t.Fatalf("%q: MLX loaded %v, the header says %v", e.Name, a, e.Shape)
			}
			arrays = append(arrays, a)
		}
		if err := mlx.Eval(arrays...); err != nil {
			t.Fatalf("evaluating the loaded arrays: %v", err)
		}
	})
}

func mlxItemSize(dtype string) int {
	switch dtype {
	case "BOOL", "U8", "I8", "F8_E4M3", "F8_E8M0":
		return 1
	case "U16", "I16", "F16", "BF16":
		return 2
	case "U32", "I32", "F32":
		return 4
	}
	return 8
}
