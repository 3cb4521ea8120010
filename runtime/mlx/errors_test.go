package mlx_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// TestErrorsAreReturned checks that inputs MLX rejects come back as errors
// naming the op, never as a crash, and that errors are sticky.
func TestErrorsAreReturned(t *testing.T) {
	a := mlx.FromSlice([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	freed := mlx.FromSlice([]float32{1, 2}, 2)
	freed.Free()
	cases := []struct {
		name   string
		result *mlx.Array
		op     string // the op the error must name
		msg    string // a fragment of the message
	}{
		{"shape mismatch", mlx.Matmul(a, a), "matmul", "dimension"},
		{"broadcast mismatch", mlx.Add(a, mlx.FromSlice([]float32{1, 2}, 2)), "add", "broadcast"},
		{"bad axis", mlx.Sum(a, false, 5), "sum", "axis"},
		{"bad reshape", a.Reshape(4, 4), "reshape", "reshape"},
		{"freed array", mlx.Exp(freed), "exp", "after Free"},
		{"nil array", mlx.Exp(nil), "exp", "nil"},
		{"bad quantize bits", mlx.QuantizedMatmul(a, a, a, a, true, 64, 7, "affine"), "quantized_matmul", ""},
		{"wrong dtype for rope", mlx.Rope(mlx.FromSlice([]int32{1, 2, 3, 4}, 1, 1, 1, 4), mlx.RopeOpts{Dims: 4, Base: 10000, Scale: 1}, 0), "fast.rope", ""},
		{"index out of range", a.Index(5), "getitem", "out of bounds"},
		{"too many indices", a.Index(0, 0, 0), "getitem", "too many"},
		{"bad split", mlx.Concatenate(nil, 0), "concatenate", "no arrays"},
		{"bad shape", mlx.FromSlice([]float32{1, 2, 3}, 2, 2), "array", "cannot have shape"},
		// libmlx itself raises SIGFPE here (n_heads % n_kv_heads); the shim rejects it.
		{"zero kv heads", mlx.ScaledDotProductAttention(mlx.Zeros(mlx.Float32, 1, 2, 3, 4), mlx.Zeros(mlx.Float32, 1, 0, 3, 4), mlx.Zeros(mlx.Float32, 1, 0, 3, 4), 1, mlx.AttentionMask{}, nil), "fast.scaled_dot_product_attention", "must be positive"},
		{"zero heads", mlx.ScaledDotProductAttention(mlx.Zeros(mlx.Float32, 1, 0, 3, 4), mlx.Zeros(mlx.Float32, 1, 0, 3, 4), mlx.Zeros(mlx.Float32, 1, 0, 3, 4), 1, mlx.AttentionMask{}, nil), "fast.scaled_dot_product_attention", "must be positive"},
		{"sticky", mlx.Add(mlx.Matmul(a, a), a), "matmul", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.result.Err()
			if err == nil {
				// Some rejections surface only at evaluation.
				err = mlx.Eval(c.result)
			}
			var me *mlx.Error
			if !errors.As(err, &me) {
				t.Fatalf("want an *mlx.Error, got %v", err)
			}
			if me.Op != c.op {
				t.Errorf("error names op %q, want %q (%v)", me.Op, c.op, err)
			}
			if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(c.msg)) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
		})
	}
	if _, err := mlx.ToSlice[int32](a); err == nil {
		t.Error("ToSlice[int32] of a float32 array: want an error")
	}
	if _, err := mlx.Split(a, 4, 1); err == nil {
		t.Error("split of 3 columns into 4: want an error")
	}
}

// TestConcurrentGoroutines drives MLX from many goroutines at once; the
// binding must hide MLX's per-thread streams (run with -race).
func TestConcurrentGoroutines(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			x := mlx.Full(mlx.Float(float64(g)), mlx.Float32, 8, 8)
			for range 50 {
				y := mlx.Add(mlx.Matmul(x, mlx.Ones(mlx.Float32, 8, 8)), mlx.Int(1))
				x.Free()
				x = mlx.Divide(y, mlx.Int(8))
				y.Free()
			}
			v, err := mlx.Sum(x, false).Item()
			if err != nil {
				errs <- err
				return
			}
			if v <= 0 {
				errs <- errors.New("unexpected value")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestScopeFreesIntermediates checks that a scope frees what it does not keep.
func TestScopeFreesIntermediates(t *testing.T) {
	outer := mlx.NewScope()
	defer outer.Close()
	s := mlx.NewScope()
	x := mlx.Ones(mlx.Float32, 4)
	y := mlx.Multiply(x, mlx.Int(3))
	z := mlx.Add(y, x)
	s.Keep(z)
	if n := s.Len(); n != 2 {
		t.Errorf("scope manages %d arrays, want 2 (x, y)", n)
	}
	s.Close()
	if x.Valid() || y.Valid() {
		t.Error("intermediates survived the scope")
	}
	v, err := mlx.ToSlice[float32](z)
	if err != nil || v[0] != 4 {
		t.Fatalf("kept array: %v %v", v, err)
	}
	if outer.Len() != 2 { // z and the ToSlice-free readback leave z (+ nothing else)
		t.Logf("outer scope holds %d arrays", outer.Len())
	}
	outer.Close()
	if z.Valid() {
		t.Error("kept array should move to the enclosing scope and be freed with it")
	}
}

// TestSafetensorsCorruptFiles checks that broken files are reported, not crashed on.
func TestSafetensorsCorruptFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := mlx.SaveSafetensors(good, map[string]*mlx.Array{"w": mlx.Ones(mlx.Float32, 4, 4)}, map[string]string{"format": "mlx"}); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	absurd := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0}, raw[8:]...)
	notJSON := append([]byte{4, 0, 0, 0, 0, 0, 0, 0}, []byte("abcd")...)
	cases := map[string]string{
		"truncated":     write("truncated.safetensors", raw[:len(raw)-10]),
		"absurd header": write("absurd.safetensors", absurd),
		"not json":      write("notjson.safetensors", notJSON),
		"tiny":          write("tiny.safetensors", []byte{1, 2}),
		"missing":       filepath.Join(dir, "nope.safetensors"),
	}
	for name, p := range cases {
		if _, err := mlx.LoadSafetensors(p); err == nil {
			t.Errorf("%s: want an error", name)
		} else if !strings.Contains(err.Error(), filepath.Base(p)) {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	got, err := mlx.LoadSafetensors(good)
	if err != nil {
		t.Fatal(err)
	}
	if got.Metadata["format"] != "mlx" || len(got.Arrays) != 1 {
		t.Errorf("round trip lost data: %v %v", got.Metadata, got.Names())
	}
}
