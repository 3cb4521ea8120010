package upstream

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
)

func makeWheel(t *testing.T, version string, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	files["mlx_lm/_version.py"] = `__version__ = "` + version + `"` + "\n"
	files["mlx_lm-"+version+".dist-info/RECORD"] = ""
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	zw.Close()
	return buf.Bytes()
}

// fakePyPI serves PyPI's JSON API for mlx-lm with wheels the test built; like
// the mirror this project uses, file URLs are relative.
func fakePyPI(t *testing.T, wheels map[string][]byte, badDigest bool) (*httptest.Server, *atomic.Int32) {
	var downloads atomic.Int32
	mux := http.NewServeMux()
	type file struct {
		Filename    string            `json:"filename"`
		PackageType string            `json:"packagetype"`
		URL         string            `json:"url"`
		Digests     map[string]string `json:"digests"`
	}
	entry := func(v string) []file {
		sum := sha256.Sum256(wheels[v])
		d := hex.EncodeToString(sum[:])
		if badDigest {
			d = strings.Repeat("0", 64)
		}
		name := "mlx_lm-" + v + "-py3-none-any.whl"
		return []file{
			{Filename: "mlx_lm-" + v + ".tar.gz", PackageType: "sdist", URL: "../../files/sdist", Digests: map[string]string{"sha256": d}},
			{Filename: name, PackageType: "bdist_wheel", URL: "../../files/" + name, Digests: map[string]string{"sha256": d}},
		}
	}
	mux.HandleFunc("/pypi/mlx-lm/json", func(w http.ResponseWriter, r *http.Request) {
		rel := map[string][]file{"0.0.1": {}}
		latest := ""
		for v := range wheels {
			rel[v] = entry(v)
			if latest == "" || CompareVersions(v, latest) > 0 {
				latest = v
			}
		}
		json.NewEncoder(w).Encode(map[string]any{"info": map[string]string{"version": latest}, "releases": rel, "urls": entry(latest)})
	})
	mux.HandleFunc("/files/{name}", func(w http.ResponseWriter, r *http.Request) {
		downloads.Add(1)
		v := strings.TrimSuffix(strings.TrimPrefix(r.PathValue("name"), "mlx_lm-"), "-py3-none-any.whl")
		w.Write(wheels[v])
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &downloads
}

func TestPyPIWheel(t *testing.T) {
	wheels := map[string][]byte{
		"0.30.4":  makeWheel(t, "0.30.4", map[string]string{"mlx_lm/models/llama.py": "a\n", "mlx_lm/utils.py": "u\n", "mlx_lm/models/sub/x.py": "x"}),
		"0.30.10": makeWheel(t, "0.30.10", map[string]string{"mlx_lm/models/llama.py": "b\n"}),
		"0.30.9":  makeWheel(t, "0.30.9", map[string]string{"mlx_lm/models/llama.py": "c\n"}),
	}
	srv, downloads := fakePyPI(t, wheels, false)
	p := &PyPI{BaseURL: srv.URL + "/pypi", CacheDir: t.TempDir(), Client: srv.Client()}
	ctx := context.Background()

	latest, err := p.Latest(ctx)
	if err != nil || latest != "0.30.10" {
		t.Errorf("Latest = %q, %v", latest, err)
	}
	vs, err := p.Versions(ctx)
	if err != nil || !reflect.DeepEqual(vs, []string{"0.30.4", "0.30.9", "0.30.10"}) {
		t.Errorf("Versions = %v, %v (releases without a wheel are left out; numeric order)", vs, err)
	}
	w, err := p.Wheel(ctx, "0.30.4")
	if err != nil {
		t.Fatal(err)
	}
	if w.Revision().Version != "0.30.4" {
		t.Errorf("version %q", w.Revision().Version)
	}
	files, err := TrackedFiles(w)
	if err != nil || !reflect.DeepEqual(files, []string{"mlx_lm/models/llama.py", "mlx_lm/utils.py"}) {
		t.Errorf("TrackedFiles = %v, %v", files, err)
	}
	if _, err := p.Wheel(ctx, "0.30.4"); err != nil || downloads.Load() != 1 {
		t.Errorf("cached wheel re-downloaded: downloads = %d, err %v", downloads.Load(), err)
	}
	if _, err := p.Wheel(ctx, "9.9.9"); err == nil || !strings.Contains(err.Error(), "no release 9.9.9") {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := p.Wheel(ctx, "../../etc"); err == nil {
		t.Error("non-version accepted")
	}

	bad, _ := fakePyPI(t, wheels, true)
	pb := &PyPI{BaseURL: bad.URL + "/pypi", CacheDir: t.TempDir(), Client: bad.Client()}
	if _, err := pb.Wheel(ctx, "0.30.9"); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("digest mismatch not caught: %v", err)
	}
	if ents, _ := filepath.Glob(filepath.Join(pb.CacheDir, "pypi", "*")); len(ents) != 0 {
		t.Errorf("rejected download left in cache: %v", ents)
	}
}

func TestOpenWheelRejects(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "x.whl")
	os.WriteFile(f, makeWheel(t, "1.0", map[string]string{"mlx_lm/../../evil.py": "x"}), 0o644)
	if _, err := OpenWheel(f); err == nil {
		t.Error("wheel entry with .. accepted")
	}
	os.WriteFile(f, []byte("not a zip"), 0o644)
	if _, err := OpenWheel(f); err == nil {
		t.Error("garbage accepted")
	}
}
