package arch_test

import (
	"testing"

	"github.com/hf2go/hf2go/lm/arch"
)

// TestLookupConfig checks the lookup mlx-lm's _get_classes does: a
// (model_type, architecture) pair of MODEL_ARCHITECTURE_REMAPPING picks
// its file (the first listed architecture that has one, given as a list
// or a string), a config whose architectures have none falls back to the
// model_type through MODEL_REMAPPING, and a pair naming a file that is not
// registered is an error.
func TestLookupConfig(t *testing.T) {
	arch.Register(arch.Arch{ModelType: "lc_hybrid", File: "lc_hybrid.py"})
	arch.Register(arch.Arch{ModelType: "lc_v3", File: "lc_v3.py"})
	arch.Remap("lc_alias", "lc_hybrid")
	arch.RemapArchitecture(arch.ArchitectureAlias{ModelType: "lc_hybrid", Architecture: "V3ForCausalLM"}, "lc_v3")
	arch.RemapArchitecture(arch.ArchitectureAlias{ModelType: "lc_hybrid", Architecture: "Gone"}, "lc_missing")
	for _, c := range []struct {
		config map[string]any
		want   string
	}{
		{map[string]any{"model_type": "lc_hybrid"}, "lc_hybrid.py"},
		{map[string]any{"model_type": "lc_hybrid", "architectures": []any{"HybridForCausalLM"}}, "lc_hybrid.py"},
		{map[string]any{"model_type": "lc_hybrid", "architectures": []any{"Other", "V3ForCausalLM"}}, "lc_v3.py"},
		{map[string]any{"model_type": "lc_hybrid", "architectures": "V3ForCausalLM"}, "lc_v3.py"},
		{map[string]any{"model_type": "lc_alias", "architectures": []any{"V3ForCausalLM"}}, "lc_hybrid.py"},
		{map[string]any{"model_type": "lc_hybrid", "architectures": []any{"Gone"}}, ""},
		{map[string]any{"model_type": 3}, ""},
	} {
		a, err := arch.LookupConfig(c.config)
		if c.want == "" {
			if err == nil {
				t.Errorf("%v: got %s, want an error", c.config, a.File)
			}
			continue
		}
		if err != nil || a.File != c.want {
			t.Errorf("%v: got %q, %v; want %q", c.config, a.File, err, c.want)
		}
	}
}
