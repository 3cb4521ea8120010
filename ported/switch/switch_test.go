package switchlayers

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

type switchCase struct {
	Kind   string `json:"kind"`
	Bias   bool   `json:"bias"`
	Bits   int    `json:"bits"`
	Prefix string `json:"prefix"`
	Params string `json:"params"`
	Sorted bool   `json:"sorted"`
}

const in, hid, experts = 64, 128, 8

// params collects the tensors under prefix+"/p/" as a parameter map.
func params(ts *mlx.Tensors, prefix string) map[string]*mlx.Array {
	out := map[string]*mlx.Array{}
	for name, a := range ts.Arrays {
		if rest, ok := strings.CutPrefix(name, prefix+"/p/"); ok {
			out[rest] = a
		}
	}
	return out
}

type forwarder interface {
	Forward(x, indices *mlx.Array) *mlx.Array
}

func TestParity(t *testing.T) {
	dir := paritytest.Generate(t, "gen_switch.py")
	raw, err := os.ReadFile(filepath.Join(dir, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []switchCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	ts := paritytest.Load(t, filepath.Join(dir, "switch.safetensors"))
	chk := &paritytest.Checker{T: t, Tol: 1e-5}
	seen := map[[2]int]bool{}
	for _, c := range cases {
		var m forwarder
		switch c.Kind {
		case "glu":
			m = NewSwitchGLU(in, hid, experts, nil, c.Bias)
		case "glu_gptoss":
			m = NewSwitchGLU(in, hid, experts, GptOssSwiGLU{}, c.Bias)
		case "mlp":
			m = NewSwitchMLP(in, hid, experts, nil, c.Bias)
		}
		if c.Bits == 0 {
			if err := nn.Update(m, params(ts, c.Params)); err != nil {
				t.Fatalf("%s: %v", c.Prefix, err)
			}
		} else {
			// Load the float weights and quantize in Go (to_quantized); the
			// packed weights must equal Python's.
			if err := nn.Update(m, params(ts, c.Params+"/float")); err != nil {
				t.Fatalf("%s: %v", c.Prefix, err)
			}
			if err := nn.Quantize(m, func(string, any) *nn.QuantParams {
				return &nn.QuantParams{GroupSize: 64, Bits: c.Bits}
			}); err != nil {
				t.Fatalf("%s: %v", c.Prefix, err)
			}
			got := nn.Parameters(m)
			want := params(ts, c.Params)
			if len(got) != len(want) {
				t.Errorf("%s: %d parameters, Python has %d", c.Prefix, len(got), len(want))
			}
			for k, w := range want {
				chk.Close(c.Params+"/"+k, got[k], w)
			}
		}
		out := m.Forward(paritytest.Get(t, ts, c.Prefix+"/x"), paritytest.Get(t, ts, c.Prefix+"/idx"))
		chk.Close(c.Prefix, out, paritytest.Get(t, ts, c.Prefix+"/out"))
		sorted := 0
		if c.Sorted {
			sorted = 1
		}
		seen[[2]int{c.Bits, sorted}] = true
	}
	for _, bits := range []int{0, 4, 8} {
		for _, s := range []int{0, 1} {
			if !seen[[2]int{bits, s}] {
				t.Errorf("no case with bits=%d sorted=%d", bits, s)
			}
		}
	}

	xs, is, inv := GatherSort(paritytest.Get(t, ts, "gs/x"), paritytest.Get(t, ts, "gs/idx"))
	chk.Close("gather_sort/x", xs, paritytest.Get(t, ts, "gs/xs"))
	chk.Close("gather_sort/idx", is, paritytest.Get(t, ts, "gs/isorted"))
	chk.Close("gather_sort/inv", inv, paritytest.Get(t, ts, "gs/inv"))
	chk.Close("scatter_unsort", ScatterUnsort(xs, inv, paritytest.Get(t, ts, "gs/idx").Shape()), paritytest.Get(t, ts, "gs/unsort"))
	chk.Close("gpt_oss.swiglu", ClippedSwiglu(paritytest.Get(t, ts, "clip/a"), paritytest.Get(t, ts, "clip/b"), 1.702, 7.0),
		paritytest.Get(t, ts, "clip/out"))
	chk.Report(len(cases) + 5)
}

func TestParameterNames(t *testing.T) {
	m := NewSwitchGLU(8, 16, 4, nil, true)
	names := nn.ParameterNames(m)
	want := []string{"down_proj.bias", "down_proj.weight", "gate_proj.bias", "gate_proj.weight", "up_proj.bias", "up_proj.weight"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("parameter names %v, want %v", names, want)
	}
}
