package convert

import "strings"

// The translator leaves out Model.quant_predicate and Model.cast_predicate
// (they matter only to mlx_lm.convert). These are hand ports of every one
// defined by a generated architecture at the pinned mlx-lm (0.30.4); the
// file and line are upstream's. Every one of them is a path test.
// TestPredicateTablesMatchUpstream reads the upstream sources and fails when
// an architecture defines a predicate missing here, or when an entry's path
// test or numbers are not what its upstream body says.

// quantOverride is a quant_predicate that returns {"group_size": G,
// "bits": B} for the layers whose path ends with suffix (path.endswith) or
// contains substr ("…" in path), and True for the others.
type quantOverride struct {
	suffix, substr string
	groupSize      int
	bits           int
}

func (q quantOverride) match(path string) bool {
	if q.suffix != "" {
		return strings.HasSuffix(path, q.suffix)
	}
	return strings.Contains(path, q.substr)
}

var quantPredicates = map[string]quantOverride{
	"Klear":        {suffix: "mlp.gate", groupSize: 64, bits: 8},                      // models/Klear.py:250
	"afmoe":        {substr: "router.gate", groupSize: 64, bits: 8},                   // models/afmoe.py:399
	"gpt_oss":      {suffix: "router", groupSize: 64, bits: 8},                        // models/gpt_oss.py:328
	"granitemoe":   {suffix: "block_sparse_moe.router.layer", groupSize: 64, bits: 8}, // models/granitemoe.py:225
	"minimax":      {suffix: "block_sparse_moe.gate", groupSize: 64, bits: 8},         // models/minimax.py:338
	"qwen3_moe":    {suffix: "mlp.gate", groupSize: 64, bits: 8},                      // models/qwen3_moe.py:239
	"qwen3_vl_moe": {suffix: "mlp.gate", groupSize: 64, bits: 8},                      // models/qwen3_vl_moe.py:72 (delegates to its qwen3_moe language model)
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
