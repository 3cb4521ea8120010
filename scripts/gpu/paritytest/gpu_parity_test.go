//go:build hf2go_gpu

package paritytest

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	_ "github.com/hf2go/hf2go/generated/models/all"
	"github.com/hf2go/hf2go/parity/modelparity"
	"github.com/hf2go/hf2go/parity/pyref"
)

var runCall = regexp.MustCompile(`modelparity\.Run\(t, "([^"]+)"\)`)

// TestGeneratedParity is `go test ./generated/...` in one binary: one subtest
// per generated package, named after its directory.
func TestGeneratedParity(t *testing.T) {
	root, err := pyref.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(root, "generated", "models", "*", "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("no generated test files under generated/models")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m := runCall.FindAllSubmatch(b, -1)
		pkg := filepath.Base(filepath.Dir(f))
		if len(m) != 1 {
			t.Errorf("%s: expected exactly one modelparity.Run call, found %d: this runner no longer mirrors it", f, len(m))
			continue
		}
		modelType := string(m[0][1])
		t.Run(pkg, func(t *testing.T) { modelparity.Run(t, modelType) })
	}
}
