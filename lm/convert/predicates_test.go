package convert

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
	"github.com/hf2go/hf2go/upstream"
)

// TestPredicateTablesMatchUpstream compares the hand-ported predicate tables
// with the pinned mlx-lm sources (the venv's, which upstream.lock checks):
// every generated architecture whose model file defines quant_predicate or
// cast_predicate has an entry, every entry belongs to such an architecture,
// and each entry's path test and numbers are the ones its Python body has.
// When upstream changes a predicate, or a newly generated architecture brings
// one, this fails instead of converting with a stale rule.
func TestPredicateTablesMatchUpstream(t *testing.T) {
	root := paritytest.RepoRoot(t)
	src, err := upstream.Venv(root)
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(root, "generated", "models"))
	if err != nil {
		t.Fatal(err)
	}
	var (
		// The condition of the `if` (one line, or parenthesized over several):
		// path.endswith("…") / path == "…" alternatives joined by or, or
		// "…" in path.
		ifCond    = regexp.MustCompile(`(?s)if (\(.*?\)|[^\n]*?):\n`)
		endswith  = regexp.MustCompile(`path\.endswith\("([^"]+)"\)`)
		equals    = regexp.MustCompile(`path == "([^"]+)"`)
		inPath    = regexp.MustCompile(`^"([^"]+)" in path$`)
		override  = regexp.MustCompile(`return \{"group_size": (\d+), "bits": (\d+)\}`)
		notIn     = regexp.MustCompile(`return "([^"]+)" not in k`)
		delegates = regexp.MustCompile(`return self\.(\w+)\.quant_predicate`)
	)
	seenQuant, seenCast := map[string]bool{}, map[string]bool{}
	for _, e := range entries {
		arch := e.Name()
		if !e.IsDir() || arch == "all" {
			continue
		}
		file := "mlx_lm/models/" + arch + ".py"
		b, err := src.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		py := string(b)
		if body, ok := pyMethod(py, "quant_predicate"); ok {
			seenQuant[arch] = true
			got, have := quantPredicates[arch]
			if !have {
				t.Errorf("%s defines quant_predicate; lm/convert/predicates.go has no port of it", file)
				continue
			}
			var want quantOverride
			if m := delegates.FindStringSubmatch(body); m != nil {
				// A wrapper handing over to the module it builds its
				// attribute from, e.g. self.language_model = qwen3_moe.Model(…).
				mod := regexp.MustCompile(`self\.` + m[1] + ` = (\w+)\.Model\(`).FindStringSubmatch(py)
				if mod == nil {
					t.Errorf("%s: quant_predicate delegates to self.%s, whose module is not found", file, m[1])
					continue
				}
				want = quantPredicates[mod[1]]
			} else {
				if c := ifCond.FindStringSubmatch(body); c != nil {
					cond := strings.TrimSpace(c[1])
					if m := inPath.FindStringSubmatch(cond); m != nil {
						want.substr = m[1]
					}
					for _, m := range endswith.FindAllStringSubmatch(cond, -1) {
						want.suffixes = append(want.suffixes, m[1])
					}
					for _, m := range equals.FindAllStringSubmatch(cond, -1) {
						want.equals = append(want.equals, m[1])
					}
				}
				if m := override.FindStringSubmatch(body); m != nil {
					want.groupSize, _ = strconv.Atoi(m[1])
					want.bits, _ = strconv.Atoi(m[2])
				}
				if reflect.DeepEqual(want, quantOverride{}) {
					t.Errorf("%s: quant_predicate has a form this port does not know:\n%s", file, body)
					continue
				}
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: quant_predicate ported as %+v, upstream says %+v", file, got, want)
			}
		}
		if body, ok := pyMethod(py, "cast_predicate"); ok {
			seenCast[arch] = true
			got, have := castExclusions[arch]
			m := notIn.FindStringSubmatch(body)
			switch {
			case !have:
				t.Errorf("%s defines cast_predicate; lm/convert/predicates.go has no port of it", file)
			case m == nil:
				t.Errorf("%s: cast_predicate has a form this port does not know:\n%s", file, body)
			case got != m[1]:
				t.Errorf("%s: cast_predicate ported as %q, upstream says %q", file, got, m[1])
			}
		}
	}
	for arch := range quantPredicates {
		if !seenQuant[arch] {
			t.Errorf("quantPredicates[%q]: not a generated architecture defining quant_predicate", arch)
		}
	}
	for arch := range castExclusions {
		if !seenCast[arch] {
			t.Errorf("castExclusions[%q]: not a generated architecture defining cast_predicate", arch)
		}
	}
	// predicates.go's provenance header names exactly those model files.
	b, err := os.ReadFile(filepath.Join(root, "lm", "convert", "predicates.go"))
	if err != nil {
		t.Fatal(err)
	}
	prov, err := upstream.ParseProvenance(b)
	if err != nil {
		t.Fatal(err)
	}
	var named, want []string
	for _, o := range prov.Origins {
		named = append(named, o.Path)
	}
	for arch := range seenQuant {
		want = append(want, "mlx_lm/models/"+arch+".py")
	}
	for arch := range seenCast {
		if !seenQuant[arch] {
			want = append(want, "mlx_lm/models/"+arch+".py")
		}
	}
	sort.Strings(named)
	sort.Strings(want)
	if !reflect.DeepEqual(named, want) {
		t.Errorf("predicates.go's header names %v; the architectures with predicates are %v", named, want)
	}
	t.Logf("%d quant_predicate and %d cast_predicate ports checked against %s", len(seenQuant), len(seenCast), src.Name())
}

// pyMethod returns the text of a class method `def name(self):` up to the
// next definition at the same indentation.
func pyMethod(py, name string) (string, bool) {
	loc := regexp.MustCompile(`(?m)^    def ` + name + `\(self\):\n`).FindStringIndex(py)
	if loc == nil {
		return "", false
	}
	rest := py[loc[1]:]
	if end := regexp.MustCompile(`(?m)^    (?:@|def )|^\S`).FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	return rest, true
}
