package rope

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
)

type ropeCase struct {
	Name        string         `json:"name"`
	Dims        int            `json:"dims"`
	Base        float64        `json:"base"`
	Traditional bool           `json:"traditional"`
	Scaling     map[string]any `json:"scaling"`
	MaxPos      *int           `json:"max_pos"`
	Class       string         `json:"class"`
}

type badCase struct {
	Name         string         `json:"name"`
	Scaling      map[string]any `json:"scaling"`
	PythonRaises bool           `json:"python_raises"`
}

type ropeCases struct {
	IntOffsets   []int      `json:"int_offsets"`
	Cases        []ropeCase `json:"cases"`
	Bad          []badCase  `json:"bad"`
	BatchOffsets []int32    `json:"batch_offsets"`
	ScalarOffset int        `json:"scalar_offset"`
}

// TestParity builds every rope type with InitializeRope from the same
// configurations mlx-lm was given and compares frequencies and outputs at
// int offsets, a scalar array offset and a per-batch array offset.
func TestParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_rope.py")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs ropeCases
	if err := json.Unmarshal(raw, &cs); err != nil {
		t.Fatal(err)
	}
	ts := paritytest.Load(t, filepath.Join(dir, "rope.safetensors"))
	chk := &paritytest.Checker{T: t, Tol: 1e-5}
	classes := map[string]bool{}
	for _, c := range cs.Cases {
		maxPos := 0
		if c.MaxPos != nil {
			maxPos = *c.MaxPos
		}
		layer, err := InitializeRope(c.Dims, c.Base, c.Traditional, c.Scaling, maxPos)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if got := fmt.Sprintf("%T", layer); got != "*rope."+c.Class {
			t.Errorf("%s: InitializeRope gave %s, Python gave %s", c.Name, got, c.Class)
		}
		classes[c.Class] = true
		x := paritytest.Get(t, ts, c.Name+"/x")
		if want, ok := ts.Arrays[c.Name+"/freqs"]; ok {
			f, ok := layer.(interface{ Freqs() *mlx.Array })
			if !ok {
				t.Errorf("%s: Python has _freqs, the port does not", c.Name)
			} else {
				chk.Close(c.Name+"/freqs", f.Freqs(), want)
			}
		}
		for _, off := range cs.IntOffsets {
			chk.Close(fmt.Sprintf("%s/int/%d", c.Name, off), layer.Forward(x, off),
				paritytest.Get(t, ts, fmt.Sprintf("%s/int/%d", c.Name, off)))
		}
		scalar := mlx.Scalar(float64(cs.ScalarOffset), mlx.Int32)
		chk.Close(c.Name+"/arr_scalar", layer.ForwardArray(x, scalar), paritytest.Get(t, ts, c.Name+"/arr_scalar"))
		batch := mlx.FromSlice(cs.BatchOffsets)
		chk.Close(c.Name+"/arr_batch", layer.ForwardArray(x, batch), paritytest.Get(t, ts, c.Name+"/arr_batch"))
		// The input must be left alone (Python mutates it; the port does not).
		chk.Close(c.Name+"/x_unchanged", x, paritytest.Get(t, ts, c.Name+"/x"))
	}
	for _, want := range []string{"RoPE", "Llama3RoPE", "YarnRoPE", "SuScaledRoPE"} {
		if !classes[want] {
			t.Errorf("no case exercised %s", want)
		}
	}
	for _, b := range cs.Bad {
		_, err := InitializeRope(16, 10000, false, b.Scaling, 4096)
		if (err != nil) != b.PythonRaises {
			t.Errorf("%s: Go error %v, Python raised %v", b.Name, err, b.PythonRaises)
		}
	}
	chk.Report(len(cs.Cases) * (len(cs.IntOffsets) + 3))
}

func TestNilOffsetArrayIsError(t *testing.T) {
	l, err := InitializeRope(8, 10000, false, map[string]any{"rope_type": "yarn", "factor": 4.0}, 4096)
	if err != nil {
		t.Fatal(err)
	}
	x := mlx.Zeros(mlx.Float32, 1, 1, 2, 8)
	if out := l.ForwardArray(x, nil); out.Err() == nil {
		t.Fatal("nil offset array gave no error")
	}
}
