package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestModelFromHub serves the tiny llama through a local imitation of the
// Hub and runs `mlxlm generate --model org/tiny-llama` with HF_ENDPOINT and
// HF_HOME set: the tokens equal those of the local directory, the files land
// in the standard cache, and a second run with HF_HUB_OFFLINE=1 and the
// server gone works from the cache.
func TestModelFromHub(t *testing.T) {
	const commit = "89abcdef0123456789abcdef0123456789abcdef"
	src := filepath.Join(fixture, "tiny-llama")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range entries {
		if e.Name() == "reference.safetensors" || e.IsDir() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	var mu sync.Mutex
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/api/models/org/tiny-llama/revision/main":
			var sib []map[string]string
			for name := range files {
				sib = append(sib, map[string]string{"rfilename": name})
			}
			json.NewEncoder(w).Encode(map[string]any{"sha": commit, "siblings": sib})
		case strings.HasPrefix(p, "/org/tiny-llama/resolve/"+commit+"/"):
			name := strings.TrimPrefix(p, "/org/tiny-llama/resolve/"+commit+"/")
			b, ok := files[name]
			if !ok {
				http.NotFound(w, r)
				return
			}
			sum := sha256.Sum256(b)
			w.Header().Set("X-Repo-Commit", commit)
			w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:])+`"`)
			w.Header().Set("Content-Length", strconv.Itoa(len(b)))
			if r.Method == http.MethodGet {
				mu.Lock()
				gets++
				mu.Unlock()
				http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(b))
			}
		default:
			w.Header().Set("X-Error-Code", "RepoNotFound")
			http.Error(w, `{"error":"Repository not found"}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	home := t.TempDir()
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	t.Setenv("HF_ENDPOINT", srv.URL)

	args := []string{"--prompt-tokens", refTokens, "--max-tokens", "4", "--temp", "0", "--json"}
	tokens := func(what string, r result) []int {
		t.Helper()
		if r.code != 0 {
			t.Fatalf("%s: exit %d: %s", what, r.code, r.stderr)
		}
		var res struct {
			Tokens []int `json:"tokens"`
		}
		if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &res); err != nil || len(res.Tokens) == 0 {
			t.Fatalf("%s: stdout: %v\n%s", what, err, r.stdout)
		}
		return res.Tokens
	}
	want := tokens("local", mlxlm(t, append([]string{"generate", "--model", src}, args...)...))
	if got := tokens("hub", mlxlm(t, append([]string{"generate", "--model", "org/tiny-llama"}, args...)...)); !slices.Equal(got, want) {
		t.Errorf("tokens from the hub %v, from the local directory %v", got, want)
	}
	snap := filepath.Join(home, "hub", "models--org--tiny-llama", "snapshots", commit)
	if target, err := os.Readlink(filepath.Join(snap, "config.json")); err != nil || !strings.HasPrefix(target, "../../blobs/") {
		t.Errorf("config.json in the cache: %q, %v", target, err)
	}
	if ref, err := os.ReadFile(filepath.Join(home, "hub", "models--org--tiny-llama", "refs", "main")); err != nil || string(ref) != commit {
		t.Errorf("refs/main: %q, %v", ref, err)
	}
	mu.Lock()
	n := gets
	mu.Unlock()
	if n != len(files) {
		t.Errorf("%d files downloaded, want %d", n, len(files))
	}

	r := mlxlm(t, "generate", "--model", "org/no-such-model", "--prompt-tokens", "1,2", "--max-tokens", "1", "--json")
	checkCleanFailure(t, r, []string{"repository org/no-such-model not found"})

	srv.Close()
	t.Setenv("HF_HUB_OFFLINE", "1")
	if got := tokens("offline", mlxlm(t, append([]string{"generate", "--model", "org/tiny-llama"}, args...)...)); !slices.Equal(got, want) {
		t.Errorf("tokens offline %v, want %v", got, want)
	}
	r = mlxlm(t, "generate", "--model", "org/other", "--prompt-tokens", "1,2", "--max-tokens", "1", "--json")
	checkCleanFailure(t, r, []string{"offline", filepath.Join(home, "hub", "models--org--other")})
}
