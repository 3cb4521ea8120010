package names

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/syntax"
)

// TestRelativeImportsAcrossPackages checks that a relative import resolves
// against the importing file's package, as Python does: two dots from a
// model file reach mlx_lm/kernels (a package, loaded as its __init__.py),
// one dot inside mlx_lm/kernels stays there, and model files keep their
// plain sibling and helper names.
func TestRelativeImportsAcrossPackages(t *testing.T) {
	cases := []struct {
		path, src string
		want      string // name=kind:file:target, in import order
	}{
		{"mlx_lm/models/muse_spark.py",
			"from ..kernels import qk_norm, pre_norm as pn\nfrom .llama import Model\nfrom .base import BaseModelArgs\nfrom . import gemma3_text\nfrom ..models.cache import KVCache\n",
			"qk_norm=sibling:../kernels:qk_norm pn=sibling:../kernels:pre_norm Model=sibling:llama:Model " +
				"BaseModelArgs=helper:base.BaseModelArgs: gemma3_text=sibling module:gemma3_text: KVCache=helper:cache.KVCache:"},
		{"mlx_lm/kernels/__init__.py",
			"from .qk_norm import qk_norm\nfrom ._common import scalar\nfrom . import expert_routing\nfrom ..models.base import BaseModelArgs\n",
			"qk_norm=sibling:../kernels/qk_norm:qk_norm scalar=sibling:../kernels/_common:scalar " +
				"expert_routing=sibling module:../kernels/expert_routing: BaseModelArgs=helper:base.BaseModelArgs:"},
		// A snippet outside mlx_lm (a test's t.py) is a model file.
		{"t.py", "from ..kernels import qk_norm\nfrom .llama import Model\n",
			"qk_norm=sibling:../kernels:qk_norm Model=sibling:llama:Model"},
		// Dots that climb above mlx_lm/ are not a module the translator loads.
		{"mlx_lm/models/x.py", "from ...other import thing\n", "thing=helper:other.thing:"},
	}
	for _, c := range cases {
		f, diags := syntax.Parse(c.path, []byte(c.src))
		if len(diags) > 0 {
			t.Fatal(diags)
		}
		mod, _ := Resolve(f)
		var got []string
		for _, st := range f.Body {
			for _, a := range st.(*syntax.ImportFrom).Names {
				name := a.AsName
				if name == "" {
					name = a.Name
				}
				s := mod.Symbols[name]
				detail := s.File + ":" + s.Target
				if s.Kind == Helper {
					detail = s.Qual + ":"
				}
				got = append(got, fmt.Sprintf("%s=%s:%s", name, s.Kind, detail))
			}
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.path, g, c.want)
		}
	}
}

// TestFilePath checks that a nested scope reports its module's file.
func TestFilePath(t *testing.T) {
	f, _ := syntax.Parse("mlx_lm/kernels/qk_norm.py", []byte("def f(x):\n    return [y for y in x]\n"))
	mod, _ := Resolve(f)
	fd := f.Body[0].(*syntax.FuncDef)
	if p := mod.Of(fd).FilePath(); p != "mlx_lm/kernels/qk_norm.py" {
		t.Errorf("FilePath of a function scope = %q", p)
	}
}
