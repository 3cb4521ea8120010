package py

import "github.com/hf2go/hf2go/ported/rope"

// ApplyYarnMscale is rope_utils.apply_yarn_mscale(scale, scaling_config):
// the attention scale with the yarn mscale_all_dim factor folded in
// (mistral4). A malformed scaling config is Python's TypeError.
func ApplyYarnMscale(scale float64, scalingConfig map[string]any) float64 {
	s, err := rope.ApplyYarnMscale(scale, scalingConfig)
	if err != nil {
		Raise("TypeError", "%v", err)
	}
	return s
}
