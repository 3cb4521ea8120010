// The quant_predicate and cast_predicate of each generated architecture
// that has one, ported from its model file:
//
// Ported from mlx_lm/models/Klear.py
// Upstream: mlx-lm 0.32.2
// Blob: aa85088a83e811c6dcb356769df2b6eb8073a4d7
//
// Ported from mlx_lm/models/afmoe.py
// Upstream: mlx-lm 0.32.2
// Blob: 9dc3a7147fc767c7859f4e95c2e65b87b58df88b
//
// Ported from mlx_lm/models/deepseek_v3.py
// Upstream: mlx-lm 0.32.2
// Blob: ca3e86f2f182ac764f46bf9e8676a4f74a074450
//
// Ported from mlx_lm/models/exaone_moe.py
// Upstream: mlx-lm 0.32.2
// Blob: 6566bbcffa2c5446cc0eae28108aae006b5a918a
//
// Ported from mlx_lm/models/glm4_moe.py
// Upstream: mlx-lm 0.32.2
// Blob: 129934e71d5e9550cf5bca39a162531be14092b0
//
// Ported from mlx_lm/models/glm4_moe_lite.py
// Upstream: mlx-lm 0.32.2
// Blob: aef963a897ec7a6b67af994c7124ce517845aa93
//
// Ported from mlx_lm/models/gpt_oss.py
// Upstream: mlx-lm 0.32.2
// Blob: e9298ae1730ca27d0dc64052d648624801b9e779
//
// Ported from mlx_lm/models/granite.py
// Upstream: mlx-lm 0.32.2
// Blob: b20dbd761c71ec5cbf6de38a4fe6ec993801afcd
//
// Ported from mlx_lm/models/granitemoe.py
// Upstream: mlx-lm 0.32.2
// Blob: ea2e70e4486706a034a7991f3fa6deb7cacaad1e
//
// Ported from mlx_lm/models/mimo_v2_flash.py
// Upstream: mlx-lm 0.32.2
// Blob: 574d7b1a18c86680dd172e9f2966c1d10143c4c2
//
// Ported from mlx_lm/models/minimax.py
// Upstream: mlx-lm 0.32.2
// Blob: eef839f2b09a13054846ec08693d04ee07ba3a40
//
// Ported from mlx_lm/models/qwen3_moe.py
// Upstream: mlx-lm 0.32.2
// Blob: b1c3240600f516d5b1049c354cca5bdff5c85ec2
//
// Ported from mlx_lm/models/qwen3_vl_moe.py
// Upstream: mlx-lm 0.32.2
// Blob: 4aec556170140cf30750cc30ce6fc6e56fa1ece2

package convert

import "strings"

// The translator leaves out Model.quant_predicate and Model.cast_predicate
// (they matter only to mlx_lm.convert). These are hand ports of every one
// defined by a generated architecture at the pinned mlx-lm (0.32.2); the
// file and line are upstream's. Every one of them is a path test.
// TestPredicateTablesMatchUpstream reads the upstream sources and fails when
// an architecture defines a predicate missing here, or when an entry's path
// test or numbers are not what its upstream body says.

// quantOverride is a quant_predicate that returns {"group_size": G,
// "bits": B} for the layers whose path ends with one of suffixes
// (path.endswith(…) or …), is one of equals (path == …) or contains substr
// ("…" in path), and True for the others.
type quantOverride struct {
	suffixes  []string
	equals    []string
	substr    string
	groupSize int
	bits      int
}

func (q quantOverride) match(path string) bool {
	for _, s := range q.suffixes {
		if strings.HasSuffix(path, s) {
			return true
		}
	}
	for _, s := range q.equals {
		if path == s {
			return true
		}
	}
	return q.substr != "" && strings.Contains(path, q.substr)
}

var quantPredicates = map[string]quantOverride{
	"Klear":   {suffixes: []string{"mlp.gate"}, groupSize: 64, bits: 8},                                                       // models/Klear.py:257
	"afmoe":   {substr: "router.gate", groupSize: 64, bits: 8},                                                                // models/afmoe.py
	"gpt_oss": {suffixes: []string{"router"}, groupSize: 64, bits: 8},                                                         // models/gpt_oss.py
	"granite": {suffixes: []string{"self_attn.o_proj", "mlp.down_proj"}, equals: []string{"lm_head"}, groupSize: 64, bits: 8}, // models/granite.py:201 (new in 0.32)
	"granitemoe": {suffixes: []string{"block_sparse_moe.router.layer", "self_attn.o_proj", "mlp.down_proj"}, equals: []string{"lm_head"},
		groupSize: 64, bits: 8}, // models/granitemoe.py (0.32 added o_proj, down_proj, lm_head)
	"minimax":      {suffixes: []string{"block_sparse_moe.gate"}, groupSize: 64, bits: 8}, // models/minimax.py
	"qwen3_moe":    {suffixes: []string{"mlp.gate"}, groupSize: 64, bits: 8},              // models/qwen3_moe.py
	"qwen3_vl_moe": {suffixes: []string{"mlp.gate"}, groupSize: 64, bits: 8},              // models/qwen3_vl_moe.py (delegates to its qwen3_moe language model)
}

// castExclusions are cast_predicate's: parameters whose path contains the
// string keep their dtype.
var castExclusions = map[string]string{
	"Klear":         "expert_bias",             // models/Klear.py:259
	"afmoe":         "expert_bias",             // models/afmoe.py:392
	"deepseek_v3":   "e_score_correction_bias", // models/deepseek_v3.py:495
	"exaone_moe":    "e_score_correction_bias", // models/exaone_moe.py:368
	"glm4_moe":      "e_score_correction_bias", // models/glm4_moe.py:399
	"glm4_moe_lite": "e_score_correction_bias", // models/glm4_moe_lite.py:469
	"mimo_v2_flash": "e_score_correction_bias", // models/mimo_v2_flash.py:371
	"minimax":       "e_score_correction_bias", // models/minimax.py:331
}
