package mlx_test

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// seen is how safetensors_reference.py describes a file's content.
type seen struct {
	Arrays map[string]struct {
		Dtype string `json:"dtype"`
		Shape []int  `json:"shape"`
		Hex   string `json:"hex"`
	} `json:"arrays"`
	Metadata map[string]string `json:"metadata"`
}

func readSeen(t *testing.T, path string) seen {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s seen
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

// checkSeen compares a file's content as one side saw it with the arrays and
// metadata the other side holds: names, dtypes, shapes, raw bytes, metadata.
func checkSeen(t *testing.T, who string, s seen, arrays map[string]*mlx.Array, meta map[string]string) {
	t.Helper()
	if len(s.Arrays) != len(arrays) {
		t.Errorf("%s saw %d tensors, want %d", who, len(s.Arrays), len(arrays))
	}
	for name, a := range arrays {
		got, ok := s.Arrays[name]
		if !ok {
			t.Errorf("%s did not see tensor %q", who, name)
			continue
		}
		if got.Dtype != a.Dtype().String() {
			t.Errorf("%s: %s saw dtype %s, want %s", name, who, got.Dtype, a.Dtype())
		}
		if want := a.Shape(); !reflect.DeepEqual(got.Shape, want) && !(len(got.Shape) == 0 && len(want) == 0) {
			t.Errorf("%s: %s saw shape %v, want %v", name, who, got.Shape, want)
		}
		raw, err := a.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		if got.Hex != hex.EncodeToString(raw) {
			t.Errorf("%s: %s saw bytes %s, want %s", name, who, got.Hex, hex.EncodeToString(raw))
		}
	}
	if !reflect.DeepEqual(s.Metadata, meta) && !(len(s.Metadata) == 0 && len(meta) == 0) {
		t.Errorf("%s saw metadata %v, want %v", who, s.Metadata, meta)
	}
}

func bf16Bytes(v ...float32) []byte {
	out := make([]byte, 0, 2*len(v))
	for _, f := range v {
		b := math.Float32bits(f) >> 16 // truncation: exact for these values
		out = append(out, byte(b), byte(b>>8))
	}
	return out
}

// TestSafetensorsBothWays writes a file from Go that Python's mx.load reads
// back (dtype, shape, bytes and metadata as Python sees them must equal what
// Go wrote), and reads with Go a file Python's mx.save_safetensors wrote
// (dtype, shape, bytes and metadata equal what Python reports it wrote).
func TestSafetensorsBothWays(t *testing.T) {
	dir := t.TempDir()
	goArrays := map[string]*mlx.Array{
		"f32":                                    mlx.FromSlice([]float32{1.5, -2, float32(math.Inf(1)), 3.25e-8, 0, -0.0}, 2, 3),
		"bf16":                                   mlx.FromBytes(bf16Bytes(1, -2.5, 0.15625, 65536, -0.0, 3), mlx.Bfloat16, 3, 2),
		"f16":                                    mlx.FromSlice([]float32{0.5, -1.25, 65504, 6e-5}).Astype(mlx.Float16),
		"u32":                                    mlx.FromSlice([]uint32{0, 1, 0xdeadbeef, 0xffffffff}, 2, 2),
		"i32":                                    mlx.FromSlice([]int32{-7, 1 << 30}),
		"i64":                                    mlx.FromSlice([]int64{-(1 << 50), 42}),
		"u8":                                     mlx.FromSlice([]uint8{0, 255, 17}, 1, 3),
		"i8":                                     mlx.FromSlice([]int8{-128, 127}),
		"u16":                                    mlx.FromSlice([]uint16{65535, 1}),
		"i16":                                    mlx.FromSlice([]int16{-32768, 5}),
		"u64":                                    mlx.FromSlice([]uint64{1<<63 + 9}),
		"bool":                                   mlx.FromSlice([]bool{true, false, false, true, true, false}, 2, 3),
		"scalar":                                 mlx.Scalar(-4.5, mlx.Float32),
		"model.layers.3.self_attn.q_proj.weight": mlx.FromSlice([]float32{1, 2, 3, 4}, 2, 2).Astype(mlx.Bfloat16),
	}
	goMeta := map[string]string{"format": "mlx", "writer": "hf2go", "json": `{"a": [1, 2]}`, "unicode": "ünïcode ✓"}
	if err := mlx.SaveSafetensors(filepath.Join(dir, "go.safetensors"), goArrays, goMeta); err != nil {
		t.Fatal(err)
	}

	// MLX has no float64 in safetensors (Python's mx.save_safetensors raises
	// "received invalid dtype" too): an error, and no file left behind.
	f64 := filepath.Join(dir, "f64.safetensors")
	if err := mlx.SaveSafetensors(f64, map[string]*mlx.Array{"x": mlx.FromSlice([]float64{1})}, nil); err == nil {
		t.Error("saving float64: want an error, as in Python")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "*f64*")); len(left) > 0 {
		t.Errorf("a failed save left %v", left)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*")); len(left) > 0 {
		t.Errorf("a failed save left %v", left)
	}

	pyref.Run(t, "testdata/safetensors_reference.py", dir)

	checkSeen(t, "Python reading Go's file", readSeen(t, filepath.Join(dir, "go_seen.json")), goArrays, goMeta)

	ref := readSeen(t, filepath.Join(dir, "py.json"))
	got, err := mlx.LoadSafetensors(filepath.Join(dir, "py.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	defer got.Free()
	checkSeen(t, "Go reading Python's file", ref, got.Arrays, got.Metadata)
	for _, dt := range []string{"bfloat16", "float16", "uint32", "bool", "uint64", "int8"} {
		found := false
		for _, a := range ref.Arrays {
			found = found || a.Dtype == dt
		}
		if !found {
			t.Errorf("Python's file has no %s tensor", dt)
		}
	}
	t.Logf("Go->Python %d tensors, Python->Go %d tensors, all equal", len(goArrays), len(ref.Arrays))
}
