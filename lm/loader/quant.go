package loader

import (
	"fmt"

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
	case "compressed-tensors":
		q = nn.QuantParams{GroupSize: 32, Bits: 4, Mode: "affine"}
	case "bitnet", "awq", "gptq":
		return nil, fmt.Errorf("config quantization_config.quant_method %q is not supported by hf2go yet", method)
	default:
		// load_model does nothing for other methods; the strict load then
		// reports whatever the checkpoint holds that the model does not.
		return nil, nil
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
	return func(path string, _ any) *nn.QuantParams {
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
		if _, ok := weights[path+".scales"]; ok {
			p := q.global
			return &p
		}
		return nil
	}
}
