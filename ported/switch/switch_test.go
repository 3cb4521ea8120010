package switchlayers

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

type switchCase struct {
	Kind         string `json:"kind"`
	Bias         bool   `json:"bias"`
	Quant        string `json:"quant"`
	Mode         string `json:"mode"`
	GroupSize    int    `json:"group_size"`
	Bits         int    `json:"bits"`
	GlobalScale  bool   `json:"global_scale"`
	Prefix       string `json:"prefix"`
	Params       string `json:"params"`
	Sorted       bool   `json:"sorted"`
	ForwardError string `json:"forward_error"`
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
	var ref struct {
		Cases             []switchCase `json:"cases"`
		AffineGlobalError string       `json:"affine_global_error"`
	}
	if err := json.Unmarshal(raw, &ref); err != nil {
		t.Fatal(err)
	}
	cases := ref.Cases
	ts := paritytest.Load(t, filepath.Join(dir, "switch.safetensors"))
	tol := 0.0 // the same libmlx on the CPU: bit-exact
	if mlx.OnGPU() {
		tol = 1e-5
	}
	chk := &paritytest.Checker{T: t, Tol: tol}
	seen := map[string]bool{}
	for _, c := range cases {
		var m forwarder
		switch c.Kind {
		case "glu":
			m = NewSwitchGLU(in, hid, experts, nil, c.Bias)
		case "glu_gptoss":
			m = NewSwitchGLU(in, hid, experts, base.NewSwigluOAI(1.702, 7.0), c.Bias)
		case "mlp":
			m = NewSwitchMLP(in, hid, experts, nil, c.Bias)
		}
		if c.Mode == "" {
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
				return &nn.QuantParams{GroupSize: c.GroupSize, Bits: c.Bits, Mode: c.Mode, GlobalScale: c.GlobalScale}
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
		if c.ForwardError != "" {
			// MLX refuses (on the CPU) what Python's call raised on; the
			// message is MLX's own.
			if err := out.Err(); err == nil || !strings.Contains(err.Error(), c.ForwardError[strings.Index(c.ForwardError, "]")+1:]) {
				t.Errorf("%s: Python raised %q, Go: %v", c.Prefix, c.ForwardError, err)
			}
			chk.Count++
		} else {
			chk.Close(c.Prefix, out, paritytest.Get(t, ts, c.Prefix+"/out"))
		}
		seen[fmt.Sprintf("%s/%v", c.Quant, c.Sorted)] = true
	}
	for _, q := range []string{"0", "4", "8", "mxfp4", "nvfp4", "mxfp8", "nvfp4g"} {
		for _, s := range []bool{false, true} {
			if !seen[fmt.Sprintf("%s/%v", q, s)] {
				t.Errorf("no case with quantization %s sorted=%v", q, s)
			}
		}
	}
	// _quantize_experts needs nvfp4, as in Python.
	_, err = NewSwitchLinear(in, hid, experts, false).ToQuantized(nn.QuantParams{GroupSize: 64, Bits: 4, Mode: "affine", GlobalScale: true})
	if ref.AffineGlobalError == "" || err == nil || err.Error() != ref.AffineGlobalError {
		t.Errorf("affine with a global scale: Go %v, Python %q", err, ref.AffineGlobalError)
	}

	xs, is, inv := GatherSort(paritytest.Get(t, ts, "gs/x"), paritytest.Get(t, ts, "gs/idx"))
	chk.Close("gather_sort/x", xs, paritytest.Get(t, ts, "gs/xs"))
	chk.Close("gather_sort/idx", is, paritytest.Get(t, ts, "gs/isorted"))
	chk.Close("gather_sort/inv", inv, paritytest.Get(t, ts, "gs/inv"))
	chk.Close("scatter_unsort", ScatterUnsort(xs, inv, paritytest.Get(t, ts, "gs/idx").Shape()), paritytest.Get(t, ts, "gs/unsort"))
	chk.Report(len(cases) + 4)
}

func TestParameterNames(t *testing.T) {
	m := NewSwitchGLU(8, 16, 4, nil, true)
	names := nn.ParameterNames(m)
	want := []string{"down_proj.bias", "down_proj.weight", "gate_proj.bias", "gate_proj.weight", "up_proj.bias", "up_proj.weight"}
	if strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("parameter names %v, want %v", names, want)
	}
}
