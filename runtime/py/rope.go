package py

import "github.com/hf2go/hf2go/ported/rope"

// YarnRoPE is rope_utils.YarnRoPE(dims, traditional, max_position_embeddings,
// base, scaling_factor, original_max_position_embeddings, beta_fast,
// beta_slow, mscale, mscale_all_dim) with every keyword given (the table
// fills Python's defaults); an invalid configuration raises ValueError.
func YarnRoPE(dims int, traditional bool, maxPositionEmbeddings int, base, scalingFactor, originalMaxPositionEmbeddings,
	betaFast, betaSlow, mscale, mscaleAllDim float64) *rope.YarnRoPE {
	r, err := rope.NewYarnRoPE(dims, rope.YarnOpts{Traditional: traditional, MaxPositionEmbeddings: maxPositionEmbeddings,
		Base: base, ScalingFactor: scalingFactor, OriginalMaxPositionEmbeddings: originalMaxPositionEmbeddings,
		BetaFast: betaFast, BetaSlow: betaSlow, Mscale: mscale, MscaleAllDim: mscaleAllDim})
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return r
}
