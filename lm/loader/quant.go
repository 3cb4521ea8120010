// Ported from mlx_lm/utils.py
// Upstream: mlx-lm 0.32.2
// Blob: aff825e8092b0452ea6f97fc8feca4d414ab1d2b

package loader

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// quantization is the resolved config["quantization"] of load_model: the
// global parameters and the raw dict (per-layer entries live beside them).
type quantization struct {
	global nn.QuantParams
	dict   map[string]any
}

// resolveQuantization follows load_model: config["quantization"] when present,
// else the legacy quantization_config by quant_method. It returns nil when the
// checkpoint is not quantized.
func resolveQuantization(config map[string]any) (*quantization, error) {
	if q, ok := config["quantization"]; ok && q != nil {
		dict, ok := q.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("config quantization: expected an object, found %s", jsonKind(q))
		}
		gs, err := intField(dict, "group_size", "quantization", 0, true)
		if err != nil {
			return nil, err
		}
		bits, err := intField(dict, "bits", "quantization", 0, true)
		if err != nil {
			return nil, err
		}
		mode := "affine"
		if m, ok := dict["mode"]; ok {
			s, ok := m.(string)
			if !ok {
				return nil, fmt.Errorf("config quantization.mode: expected a string, found %s", jsonKind(m))
			}
			mode = s
		}
		if err := CheckQuantParams(mode, gs, bits); err != nil {
			return nil, fmt.Errorf("config quantization: %w", err)
		}
		return &quantization{global: nn.QuantParams{GroupSize: gs, Bits: bits, Mode: mode}, dict: dict}, nil
	}
	qc, ok := config["quantization_config"]
	if !ok || !truthy(qc) {
		return nil, nil
	}
	dict, ok := qc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("config quantization_config: expected an object, found %s", jsonKind(qc))
	}
	method, ok := dict["quant_method"].(string)
	if !ok {
		return nil, fmt.Errorf("config quantization_config.quant_method: missing or not a string")
	}
	var q nn.QuantParams
	switch method {
	case "mxfp4":
		q = nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "mxfp4"}
	case "mxfp8":
		q = nn.QuantParams{GroupSize: 32, Bits: 8, Mode: "mxfp8"}
	case "fp8":
		// Power-of-two scales over 32x32 blocks are mxfp8, so the weights
		// stay packed. Other fp8 checkpoints dequantize in their sanitize.
		bs, _ := dict["weight_block_size"].([]any)
		if dict["scale_fmt"] != "ue8m0" || len(bs) != 2 || bs[0] != 32.0 || bs[1] != 32.0 {
			return nil, nil
		}
		q = nn.QuantParams{GroupSize: 32, Bits: 8, Mode: "mxfp8"}
	case "compressed-tensors":
		// _compressed_tensors_quantization: only the packed formats MLX has.
		switch f := dict["format"]; f {
		case "nvfp4-pack-quantized":
			q = nn.QuantParams{GroupSize: 16, Bits: 4, Mode: "nvfp4"}
		case "mxfp4-pack-quantized":
			q = nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "mxfp4"}
		case "pack-quantized":
			q = nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "affine"}
		default:
			return nil, fmt.Errorf("config quantization_config: unsupported compressed-tensors format %s; dequantize to bf16 before converting", pyRepr(f))
		}
	case "modelopt":
		// NVIDIA ModelOpt; hf_quant_config.json nests the settings.
		settings := dict
		if n, ok := dict["quantization"].(map[string]any); ok {
			settings = n
		}
		algo, ok := settings["quant_algo"].(string)
		if !ok {
			return nil, fmt.Errorf("config quantization_config: modelopt without quant_algo")
		}
		if algo != "NVFP4" {
			return nil, fmt.Errorf("config quantization_config: Unsupported modelopt quant_algo: %s", algo)
		}
		gs, err := intField(settings, "group_size", "quantization_config", 16, false)
		if err != nil {
			return nil, err
		}
		q = nn.QuantParams{GroupSize: gs, Bits: 4, Mode: "nvfp4"}
	case "bitnet", "awq", "gptq":
		return nil, fmt.Errorf("config quantization_config.quant_method %q is not supported by hf2go yet", method)
	default:
		// load_model does nothing for other methods; the strict load then
		// reports whatever the checkpoint holds that the model does not.
		return nil, nil
	}
	if err := CheckQuantParams(q.Mode, q.GroupSize, q.Bits); err != nil {
		return nil, fmt.Errorf("config quantization_config: %w", err)
	}
	dict = map[string]any{"group_size": float64(q.GroupSize), "bits": float64(q.Bits), "mode": q.Mode}
	config["quantization"] = dict
	config["quantization_config"] = dict
	return &quantization{global: q, dict: dict}, nil
}

func intField(m map[string]any, key, where string, def int, required bool) (int, error) {
	v, ok := m[key]
	if !ok {
		if required {
			return 0, fmt.Errorf("config %s.%s is missing", where, key)
		}
		return def, nil
	}
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) || f <= 0 {
		return 0, fmt.Errorf("config %s.%s: expected a positive integer, found %v", where, key, v)
	}
	return int(f), nil
}

// predicate is load_model's class_predicate: a per-layer entry in
// config["quantization"] decides first (false leaves the layer as is, a dict
// gives its own parameters); otherwise a layer is quantized exactly when the
// checkpoint has its "{path}.scales".
func (q *quantization) predicate(weights map[string]*mlx.Array, errs *[]error) func(string, any) *nn.QuantParams {
	return func(path string, layer any) *nn.QuantParams {
		if v, ok := q.dict[path]; ok {
			switch x := v.(type) {
			case bool:
				if !x {
					return nil
				}
				p := q.global
				return &p
			case map[string]any:
				if len(x) == 0 {
					return nil
				}
				where := "quantization." + path
				gs, err := intField(x, "group_size", where, 64, false)
				if err != nil {
					*errs = append(*errs, err)
					return nil
				}
				bits, err := intField(x, "bits", where, 4, false)
				if err != nil {
					*errs = append(*errs, err)
					return nil
				}
				mode := "affine"
				if m, ok := x["mode"].(string); ok {
					mode = m
				}
				if err := CheckQuantParams(mode, gs, bits); err != nil {
					*errs = append(*errs, fmt.Errorf("config %s: %w", where, err))
					return nil
				}
				return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: mode}
			default:
				*errs = append(*errs, fmt.Errorf("config quantization.%s: expected false or an object, found %s", path, jsonKind(v)))
				return nil
			}
		}
		if _, ok := weights[path+".scales"]; !ok {
			return nil
		}
		// 0.32: the layer's own group size, bits and mode, read off the
		// saved shapes (the global ones can be wrong for unnamed layers).
		p, err := inferQuantConfig(path, layer, weights)
		if err != nil {
			*errs = append(*errs, err)
			return nil
		}
		// The shapes come from the file: what they imply must be something
		// MLX can quantize with (a group size of 0 is a SIGFPE inside MLX).
		if err := CheckQuantParams(p.Mode, p.GroupSize, p.Bits); err != nil {
			*errs = append(*errs, fmt.Errorf("%s: the saved shapes imply %w", path, err))
			return nil
		}
		if _, ok := weights[path+".global_scale"]; ok {
			if g, ok := layer.(interface{ TakesGlobalScale() bool }); ok && g.TakesGlobalScale() {
				p.GlobalScale = true
			}
		}
		return p
	}
}

// inferQuantConfig is infer_quant_config(path, module, weights): group_size
// from the scales' width, bits from the packed weight's, and the mode from
// the scales' dtype (only affine keeps them in the weight dtype; each other
// mode has one (bits, group_size) pair).
func inferQuantConfig(path string, layer any, weights map[string]*mlx.Array) (*nn.QuantParams, error) {
	w := nn.Parameters(layer)["weight"]
	scales, packed := weights[path+".scales"], weights[path+".weight"]
	if w == nil || w.Ndim() == 0 || scales.Ndim() == 0 || packed == nil || packed.Ndim() == 0 {
		return nil, fmt.Errorf("%s: cannot infer its quantization from the saved weights", path)
	}
	inDims := w.Dim(-1)
	if scales.Dim(-1) == 0 || inDims == 0 {
		return nil, fmt.Errorf("%s: cannot infer its quantization: scales %v for %d input dims", path, scales.Shape(), inDims)
	}
	gs := inDims / scales.Dim(-1)
	bits := packed.Dim(-1) * 32 / inDims
	if scales.Dtype() != mlx.Uint8 {
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: "affine"}, nil
	}
	switch [2]int{bits, gs} {
	case [2]int{4, 16}:
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: "nvfp4"}, nil
	case [2]int{4, 32}:
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: "mxfp4"}, nil
	case [2]int{8, 32}:
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: "mxfp8"}, nil
	}
	return nil, fmt.Errorf("Cannot infer the quantization mode of %s: %d bits with group size %d.", path, bits, gs)
}

// legacyQuantizationConfig is load_model's search for a quantization_config
// (0.32) when config.json has none: its text_config's, else NVIDIA
// ModelOpt's hf_quant_config.json beside it.
func legacyQuantizationConfig(dir string, config map[string]any) error {
	if _, ok := config["quantization_config"]; ok {
		return nil
	}
	if tc, ok := config["text_config"].(map[string]any); ok {
		if qc, ok := tc["quantization_config"]; ok {
			config["quantization_config"] = qc
			return nil
		}
	}
	if _, err := os.Lstat(filepath.Join(dir, "hf_quant_config.json")); err != nil {
		return nil
	}
	qc, _, err := readJSONObject(dir, "hf_quant_config.json")
	if err != nil {
		return err
	}
	config["quantization_config"] = qc
	return nil
}

// pyRepr is Python's repr of a decoded JSON scalar, for messages.
func pyRepr(v any) string {
	switch x := v.(type) {
	case nil:
		return "None"
	case string:
		return "'" + x + "'"
	}
	return fmt.Sprint(v)
}
