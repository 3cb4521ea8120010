package portcheck

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/hf2go/hf2go/upstream"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	r, err := upstream.FindRepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func venv(t *testing.T) *upstream.Dir {
	t.Helper()
	d, err := upstream.Venv(repoRoot(t))
	if err != nil {
		t.Fatalf("no venv: run `make setup` (the pinned mlx-lm is the reference these tests compare against): %v", err)
	}
	return d
}

func venvModels(t *testing.T) string {
	return filepath.Join(venv(t).Root(), "mlx_lm", "models")
}

func realLock(t *testing.T) *upstream.Lock {
	t.Helper()
	l, err := upstream.ReadLock(filepath.Join(repoRoot(t), upstream.LockFileName))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// The 0.30.4 fixture, laid out as a venv (see its README): the pin before
// the move to 0.32.2, for tests of a pin older than the candidate.
const (
	venv030    = "testdata/venv-0.30.4"
	commit030  = "02228601cd125282125fffa93d36c912acba1c41" // tag v0.30.4
	fixture032 = "testdata/mlx_lm-0.32.2"
)

// source030 is the 0.30.4 fixture as a source, with its commit.
func source030(t *testing.T) *upstream.Dir {
	t.Helper()
	abs, err := filepath.Abs(venv030)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HF2GO_VENV", abs)
	d, err := upstream.Venv(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return d.WithCommit(commit030)
}

// lock030 is a lock of the 0.30.4 fixture's files at 0.30.4, derived lists
// empty. It also points HF2GO_VENV at the fixture for the test, so that the
// pinned source matches it.
func lock030(t *testing.T) *upstream.Lock {
	t.Helper()
	src := source030(t)
	l, err := upstream.NewLock(src, src.Revision(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// pinLock is the repository's lock with every derived list emptied, so
// tests do not depend on which ports exist yet.
func pinLock(t *testing.T) *upstream.Lock {
	t.Helper()
	l := realLock(t)
	for _, f := range l.Files {
		f.Derived = []string{}
	}
	return l
}

func writeFile(t *testing.T, root, rel, content string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// writeWheel zips the files of an unpacked tree into a wheel file.
func writeWheel(t *testing.T, file, tree string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	err := filepath.WalkDir(filepath.Join(tree, "mlx_lm"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(tree, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = os.WriteFile(file, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// fakePyPIJSON serves PyPI's JSON API for mlx-lm with one release, 0.32.2,
// whose wheel has the given name and digest.
func fakePyPIJSON(t *testing.T, wheel, sha string) *httptest.Server {
	t.Helper()
	doc := map[string]any{
		"info": map[string]any{"version": "0.32.2"},
		"releases": map[string]any{"0.32.2": []map[string]any{{
			"filename": wheel, "packagetype": "bdist_wheel", "url": "../../files/" + wheel,
			"digests": map[string]string{"sha256": sha},
		}}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pypi/mlx-lm/json" {
			http.NotFound(w, r)
			return
		}
		json.NewEncoder(w).Encode(doc)
	}))
	t.Cleanup(srv.Close)
	return srv
}
