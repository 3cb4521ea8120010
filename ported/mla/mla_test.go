package mla

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// TestParity loads mlx-lm's float MultiLinear weights, quantizes them in Go
// (to_quantized) and compares the packed weights, scales and biases and both
// forward directions with mlx-lm 0.32.2's, plain and in every mode.
func TestParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_mla.py")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name      string `json:"name"`
		Mode      string `json:"mode"`
		GroupSize int    `json:"group_size"`
		Bits      int    `json:"bits"`
	}
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	ts := paritytest.Load(t, filepath.Join(dir, "mla.safetensors"))
	tol := 0.0 // the same libmlx on the CPU: bit-exact
	if mlx.OnGPU() {
		tol = 1e-5
	}
	chk := &paritytest.Checker{T: t, Tol: tol}
	get := func(n string) *mlx.Array { return paritytest.Get(t, ts, n) }
	for _, c := range cases {
		var l Layer = &MultiLinear{Weight: get(c.Name + "/float/weight")}
		if c.Mode != "" {
			q, err := l.(nn.Quantizable).ToQuantized(nn.QuantParams{GroupSize: c.GroupSize, Bits: c.Bits, Mode: c.Mode})
			if err != nil {
				t.Fatalf("%s: %v", c.Name, err)
			}
			ql := q.(*QuantizedMultiLinear)
			chk.Close(c.Name+"/weight", ql.Weight, get(c.Name+"/q/weight"))
			chk.Close(c.Name+"/scales", ql.Scales, get(c.Name+"/q/scales"))
			if want, ok := ts.Arrays[c.Name+"/q/biases"]; ok {
				chk.Close(c.Name+"/biases", ql.Biases, want)
			} else if ql.Biases != nil {
				t.Errorf("%s: Go has biases, Python none", c.Name)
			}
			l = ql
		}
		chk.Close(c.Name+"/out", l.Forward(get(c.Name+"/x"), true), get(c.Name+"/out"))
		chk.Close(c.Name+"/out_nt", l.Forward(get(c.Name+"/xt"), false), get(c.Name+"/out_nt"))
	}
	chk.Report(6*2 + 5*2)
}

func TestParameterNames(t *testing.T) {
	if got := nn.ParameterNames(NewMultiLinear(8, 4, 2)); len(got) != 1 || got[0] != "weight" {
		t.Fatalf("parameter names %v", got)
	}
}
