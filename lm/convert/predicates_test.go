package convert

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	_ "github.com/hf2go/hf2go/generated/models/all"
	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/parity/pyref"
)

// TestPredicatesMatchUpstream builds every generated architecture that
// defines quant_predicate or cast_predicate in mlx-lm (from its first parity
// config), asks mlx-lm's predicate about every module path (quant) and
// every parameter path (cast), and requires the translated predicate —
// what convert now calls — to answer the same.
func TestPredicatesMatchUpstream(t *testing.T) {
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	var cases [][2]any
	for _, mt := range arch.Registered() {
		b, err := os.ReadFile(filepath.Join(root, "parity", "configs", mt+".json"))
		if err != nil {
			continue
		}
		// {"hf_layouts": …, "cases": [{"config": …}, …]} (parity/README.md).
		var spec struct {
			Cases []struct {
				Config map[string]any `json:"config"`
			} `json:"cases"`
		}
		if err := json.Unmarshal(b, &spec); err != nil || len(spec.Cases) == 0 {
			t.Fatalf("%s: parity configs: no cases (%v)", mt, err)
		}
		cases = append(cases, [2]any{mt, spec.Cases[0].Config})
	}
	python, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(python, filepath.Join(root, "lm", "convert", "testdata", "predicates_ref.py"))
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("predicates_ref.py: %v", err)
	}
	var want map[string]struct {
		Quant map[string]any  `json:"quant"`
		Cast  map[string]bool `json:"cast"`
	}
	if err := json.Unmarshal(outb, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) == 0 {
		t.Fatal("no architecture defines a predicate: the reference found nothing to compare")
	}
	var archs []string
	for mt := range want {
		archs = append(archs, mt)
	}
	sort.Strings(archs)
	for _, mt := range archs {
		w := want[mt]
		a, _ := arch.Lookup(mt)
		var cfg map[string]any
		for _, c := range cases {
			if c[0] == mt {
				cfg = c[1].(map[string]any)
			}
		}
		m, err := a.New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", mt, err)
		}
		c, ok := m.(arch.Converter)
		if !ok {
			t.Fatalf("%s: the generated model is no arch.Converter", mt)
		}
		overrides := 0
		for path, ans := range w.Quant {
			got, err := c.QuantPredicate(path, nil)
			if err != nil {
				t.Errorf("%s: quant_predicate(%q): %v", mt, path, err)
				continue
			}
			gj, _ := json.Marshal(got)
			var g any
			_ = json.Unmarshal(gj, &g)
			if !reflect.DeepEqual(g, ans) {
				t.Errorf("%s: quant_predicate(%q) = %s, mlx-lm says %v", mt, path, gj, ans)
			}
			if _, ok := ans.(map[string]any); ok {
				overrides++
			}
		}
		kept := 0
		for key, ans := range w.Cast {
			got, err := c.CastPredicate(key)
			if err != nil || got != ans {
				t.Errorf("%s: cast_predicate(%q) = %v (%v), mlx-lm says %v", mt, key, got, err, ans)
			}
			if !ans {
				kept++
			}
		}
		t.Logf("%s: %d module paths (%d with their own quantization), %d parameter paths (%d not cast) agree",
			mt, len(w.Quant), overrides, len(w.Cast), kept)
	}
}
