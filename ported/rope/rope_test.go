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
	BatchRaises bool           `json:"batch_raises"`
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
	Mscale       []struct {
		Scale   float64        `json:"scale"`
		Scaling map[string]any `json:"scaling"`
		Out     float64        `json:"out"`
	} `json:"mscale"`
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
	tol := 0.0 // the same libmlx on the CPU: bit-exact
	if mlx.OnGPU() {
		tol = 1e-5
	}
	chk := &paritytest.Checker{T: t, Tol: tol}
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
		if c.BatchRaises {
			if out := layer.ForwardArray(x, batch); out.Err() == nil {
				t.Errorf("%s: a per-batch offset gave no error; Python raises", c.Name)
			}
			chk.Count++ // the refusal is the comparison
		} else {
			chk.Close(c.Name+"/arr_batch", layer.ForwardArray(x, batch), paritytest.Get(t, ts, c.Name+"/arr_batch"))
		}
		if y, ok := layer.(*YarnRoPE); ok {
			scaled := y.ForwardScaled(x, 7, nil, 0.5, false)
			chk.Close(c.Name+"/scaled", scaled, paritytest.Get(t, ts, c.Name+"/scaled"))
			chk.Close(c.Name+"/inverse", y.ForwardScaled(paritytest.Get(t, ts, c.Name+"/scaled"), 7, nil, 0.5, true), paritytest.Get(t, ts, c.Name+"/inverse"))
			chk.Close(c.Name+"/inverse_arr", y.ForwardScaled(x, 0, batch, 1.0, true), paritytest.Get(t, ts, c.Name+"/inverse_arr"))
		}
		// The input must be left alone (Python mutates it; the port does not).
		chk.Close(c.Name+"/x_unchanged", x, paritytest.Get(t, ts, c.Name+"/x"))
	}
	for _, want := range []string{"RoPE", "Llama3RoPE", "YarnRoPE", "SuScaledRoPE", "DynamicNTKScalingRoPE", "ProportionalRoPE"} {
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
	for i, m := range cs.Mscale {
		got, err := ApplyYarnMscale(m.Scale, m.Scaling)
		if err != nil || got != m.Out {
			t.Errorf("apply_yarn_mscale case %d (%v, %v) = %v, %v; Python %v", i, m.Scale, m.Scaling, got, err, m.Out)
		}
	}
	if len(cs.Mscale) < 8 {
		t.Errorf("only %d apply_yarn_mscale cases", len(cs.Mscale))
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
