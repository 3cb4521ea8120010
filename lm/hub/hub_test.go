package hub

import (
	"bytes"
	"context"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

const testCommit = "0123456789abcdef0123456789abcdef01234567"

type fakeFile struct {
	data []byte
	lfs  bool
}

func (f fakeFile) etag() string {
	if f.lfs {
		s := sha256.Sum256(f.data)
		return hex.EncodeToString(s[:])
	}
	s := sha1.Sum(f.data) // stands in for the git blob id
	return hex.EncodeToString(s[:])
}

// fakeHub imitates the Hub endpoints Snapshot uses.
type fakeHub struct {
	t      *testing.T
	srv    *httptest.Server
	cdn    *httptest.Server // LFS bodies, on another host
	cdnURL string
	repo   string
	commit string
	files  map[string]fakeFile

	mu        sync.Mutex
	gets      map[string]int // body GETs by file name (LFS bodies by their name too)
	ranges    []string       // Range headers seen on body GETs
	auths     []string       // Authorization headers seen by the Hub host
	cdnAuths  int            // requests to the CDN host that carried Authorization
	dropOnce  map[string]bool
	apiStatus int    // non-zero: the API answers with this status
	errorCode string // X-Error-Code with apiStatus
	token     string // required bearer token, if set
	slow      time.Duration
	apiCalls  int  // file-list requests served
	waitAPI   int  // body GETs wait (up to 5s) until this many file-list requests came
	overlap   bool // a body GET saw waitAPI file-list requests while it was held
}

func tinyRepo() map[string]fakeFile {
	big := make([]byte, 64<<10)
	for i := range big {
		big[i] = byte(i*7 + i/251)
	}
	return map[string]fakeFile{
		"config.json":       {data: []byte(`{"model_type": "llama"}`)},
		"tokenizer.json":    {data: []byte(`{"version": "1.0"}`)},
		"README.md":         {data: []byte("# not needed")},
		"model.safetensors": {data: big, lfs: true},
	}
}

func newFakeHub(t *testing.T, files map[string]fakeFile) *fakeHub {
	h := &fakeHub{t: t, repo: "org/tiny", commit: testCommit, files: files,
		gets: map[string]int{}, dropOnce: map[string]bool{}}
	h.cdn = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.cdn.Close)
	// Another host name for the same loopback: huggingface_hub follows
	// redirects to the same host name for metadata, the Hub's CDN is elsewhere.
	h.set(func() { h.cdnURL = strings.Replace(h.cdn.URL, "127.0.0.1", "localhost", 1) })
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

// set changes the server's behaviour under its lock.
func (h *fakeHub) set(f func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f()
}

func (h *fakeHub) count(name string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.gets[name]
}

func (h *fakeHub) totalGets() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, v := range h.gets {
		n += v
	}
	return n
}

func (h *fakeHub) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	onCDN := "http://"+r.Host == h.cdnURL
	if onCDN {
		if r.Header.Get("Authorization") != "" {
			h.cdnAuths++
		}
	} else {
		h.auths = append(h.auths, r.Header.Get("Authorization"))
	}
	status, code, token, cdnURL := h.apiStatus, h.errorCode, h.token, h.cdnURL
	h.mu.Unlock()
	if token != "" && !onCDN && r.Header.Get("Authorization") != "Bearer "+token {
		http.Error(w, `{"error":"Invalid credentials"}`, http.StatusUnauthorized)
		return
	}
	p := r.URL.Path
	if strings.Contains(p, "/org/renamed/") { // a renamed repository: the Hub redirects within itself
		http.Redirect(w, r, strings.Replace(p, "/org/renamed/", "/"+h.repo+"/", 1), http.StatusTemporaryRedirect)
		return
	}
	switch {
	case strings.HasPrefix(p, "/api/models/"+h.repo+"/revision/"):
		if status != 0 {
			w.Header().Set("X-Error-Code", code)
			http.Error(w, `{"error":"Access to model org/tiny is restricted. You must have access to it and be authenticated; gated"}`, status)
			return
		}
		rev := strings.TrimPrefix(p, "/api/models/"+h.repo+"/revision/")
		if rev != "main" && rev != h.commit {
			w.Header().Set("X-Error-Code", "RevisionNotFound")
			http.Error(w, `{"error":"Invalid rev id"}`, http.StatusNotFound)
			return
		}
		h.set(func() { h.apiCalls++ })
		var sib []map[string]string
		for name := range h.files {
			sib = append(sib, map[string]string{"rfilename": name})
		}
		json.NewEncoder(w).Encode(map[string]any{"id": h.repo, "sha": h.commit, "siblings": sib})
	case strings.HasPrefix(p, "/api/models/"):
		w.Header().Set("X-Error-Code", "RepoNotFound")
		http.Error(w, `{"error":"Repository not found"}`, http.StatusNotFound)
	case strings.HasPrefix(p, "/"+h.repo+"/resolve/"):
		rest := strings.TrimPrefix(p, "/"+h.repo+"/resolve/")
		rev, name, _ := strings.Cut(rest, "/")
		f, ok := h.files[name]
		if !ok || (rev != "main" && rev != h.commit) {
			w.Header().Set("X-Error-Code", "EntryNotFound")
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		w.Header().Set("X-Repo-Commit", h.commit)
		if f.lfs {
			w.Header().Set("X-Linked-Etag", `"`+f.etag()+`"`)
			w.Header().Set("X-Linked-Size", strconv.Itoa(len(f.data)))
			w.Header().Set("ETag", `"`+f.etag()+`"`)
			// To another host, as the Hub's CDN redirects are (clients
			// follow only redirects within the Hub for metadata).
			http.Redirect(w, r, cdnURL+"/cdn/"+name, http.StatusFound)
			return
		}
		w.Header().Set("ETag", `"`+f.etag()+`"`)
		h.body(w, r, name, f)
	case strings.HasPrefix(p, "/cdn/"):
		name := strings.TrimPrefix(p, "/cdn/")
		h.body(w, r, name, h.files[name])
	default:
		http.NotFound(w, r)
	}
}

func (h *fakeHub) body(w http.ResponseWriter, r *http.Request, name string, f fakeFile) {
	if r.Method == http.MethodHead {
		w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
		return
	}
	h.mu.Lock()
	h.gets[name]++
	if rg := r.Header.Get("Range"); rg != "" {
		h.ranges = append(h.ranges, rg)
	}
	drop := h.dropOnce[name]
	delete(h.dropOnce, name)
	slow := h.slow
	h.mu.Unlock()
	if drop {
		w.Header().Set("Content-Length", strconv.Itoa(len(f.data)))
		w.WriteHeader(http.StatusOK)
		w.Write(f.data[:len(f.data)/3])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-file
	}
	if slow > 0 {
		time.Sleep(slow)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		h.mu.Lock()
		n, want := h.apiCalls, h.waitAPI
		if want > 0 && n >= want {
			h.overlap = true
		}
		h.mu.Unlock()
		if want == 0 || n >= want {
			break
		}
	}
	http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(f.data))
}

// isolate points every huggingface_hub variable at a fresh temporary home.
func isolate(t *testing.T) string {
	home := t.TempDir()
	t.Setenv("HF_HOME", home)
	t.Setenv("HF_HUB_CACHE", "")
	t.Setenv("HF_TOKEN", "")
	t.Setenv("HF_ENDPOINT", "")
	t.Setenv("HF_HUB_OFFLINE", "")
	return home
}

func (h *fakeHub) opts(cache string) Options {
	return Options{Endpoint: h.srv.URL, CacheDir: cache}
}

// checkLayout verifies the huggingface_hub layout and every wanted file's content.
func checkLayout(t *testing.T, h *fakeHub, cache, dir string) {
	t.Helper()
	repoDir := filepath.Join(cache, "models--org--tiny")
	if want := filepath.Join(repoDir, "snapshots", h.commit); dir != want {
		t.Fatalf("snapshot dir %s, want %s", dir, want)
	}
	ref, err := os.ReadFile(filepath.Join(repoDir, "refs", "main"))
	if err != nil || string(ref) != h.commit {
		t.Fatalf("refs/main = %q, %v; want %s", ref, err, h.commit)
	}
	for name, f := range h.files {
		link := filepath.Join(dir, name)
		if !Wanted(name) {
			if _, err := os.Lstat(link); err == nil {
				t.Errorf("%s downloaded but not needed", name)
			}
			continue
		}
		target, err := os.Readlink(link)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := "../../blobs/" + f.etag(); target != want {
			t.Errorf("%s -> %s, want %s", name, target, want)
		}
		got, err := os.ReadFile(link)
		if err != nil || !bytes.Equal(got, f.data) {
			t.Errorf("%s: content differs (%d bytes, %v)", name, len(got), err)
		}
	}
	left, _ := filepath.Glob(filepath.Join(repoDir, "blobs", "*.incomplete"))
	if len(left) > 0 {
		t.Errorf("leftover partial files: %v", left)
	}
}

func TestFreshDownloadThenCached(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	cache := filepath.Join(home, "hub")
	dir, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: h.srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, h, cache, dir)
	if n := h.count("README.md"); n != 0 {
		t.Errorf("README.md fetched %d times", n)
	}
	if _, err := os.Stat(filepath.Join(cache, ".locks", "models--org--tiny", h.files["model.safetensors"].etag()+".lock")); err != nil {
		t.Errorf("lock file: %v", err)
	}
	before := h.totalGets()
	dir2, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: h.srv.URL})
	if err != nil || dir2 != dir {
		t.Fatalf("second call: %s, %v", dir2, err)
	}
	if after := h.totalGets(); after != before {
		t.Errorf("second call fetched %d file bodies", after-before)
	}
}

// TestPythonCacheReused lays out the cache as huggingface_hub does and checks
// that nothing is fetched again, also when the snapshot links are missing.
func TestPythonCacheReused(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	cache := filepath.Join(home, "hub")
	repoDir := filepath.Join(cache, "models--org--tiny")
	snap := filepath.Join(repoDir, "snapshots", h.commit)
	for _, d := range []string{filepath.Join(repoDir, "blobs"), filepath.Join(repoDir, "refs"), snap} {
		os.MkdirAll(d, 0o755)
	}
	os.WriteFile(filepath.Join(repoDir, "refs", "main"), []byte(h.commit), 0o644)
	for name, f := range h.files {
		if !Wanted(name) {
			continue
		}
		os.WriteFile(filepath.Join(repoDir, "blobs", f.etag()), f.data, 0o644)
		if name != "config.json" { // one link missing: the blob is still reused
			os.Symlink("../../blobs/"+f.etag(), filepath.Join(snap, name))
		}
	}
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, h, cache, dir)
	if n := h.totalGets(); n != 0 {
		t.Errorf("%d file bodies fetched from a complete cache", n)
	}
}

func TestResumeAfterDroppedConnection(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	h.set(func() { h.dropOnce["model.safetensors"] = true })
	cache := filepath.Join(home, "hub")
	_, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err == nil {
		t.Fatal("first call succeeded although the connection dropped")
	}
	if !strings.Contains(err.Error(), "/cdn/model.safetensors") {
		t.Errorf("error does not name the URL: %v", err)
	}
	f := h.files["model.safetensors"]
	inc := filepath.Join(cache, "models--org--tiny", "blobs", f.etag()+".incomplete")
	fi, err2 := os.Stat(inc)
	if err2 != nil || fi.Size() == 0 {
		t.Fatalf("no partial file kept: %v", err2)
	}
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, h, cache, dir)
	want := fmt.Sprintf("bytes=%d-", fi.Size())
	h.set(func() {
		if len(h.ranges) != 1 || h.ranges[0] != want {
			t.Errorf("Range headers %v, want [%s]", h.ranges, want)
		}
	})
}

func TestCorruptPartialRejected(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	cache := filepath.Join(home, "hub")
	f := h.files["model.safetensors"]
	blobs := filepath.Join(cache, "models--org--tiny", "blobs")
	os.MkdirAll(blobs, 0o755)
	// A partial file with wrong bytes: the resumed file fails the sha256 check.
	os.WriteFile(filepath.Join(blobs, f.etag()+".incomplete"), bytes.Repeat([]byte{0xff}, 100), 0o644)
	_, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("want a sha256 error, got %v", err)
	}
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	checkLayout(t, h, cache, dir)
}

func TestShardedIndexOnlyItsShards(t *testing.T) {
	home := isolate(t)
	files := tinyRepo()
	delete(files, "model.safetensors")
	files["model-00001-of-00002.safetensors"] = fakeFile{data: []byte("shard one"), lfs: true}
	files["model-00002-of-00002.safetensors"] = fakeFile{data: []byte("shard two"), lfs: true}
	files["consolidated.safetensors"] = fakeFile{data: []byte("not in the index"), lfs: true}
	files["model.safetensors.index.json"] = fakeFile{data: []byte(`{"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}`)}
	h := newFakeHub(t, files)
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(filepath.Join(home, "hub")))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Error(err)
		}
	}
	if h.count("consolidated.safetensors") != 0 {
		t.Error("a safetensors file outside the index was downloaded")
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		repo   string
		rev    string
		status int
		code   string
		token  string
		want   string
	}{
		{name: "401", repo: "org/tiny", token: "secret", want: "authentication required for org/tiny (set HF_TOKEN)"},
		{name: "gated", repo: "org/tiny", status: 403, code: "GatedRepo", want: "gated"},
		{name: "404 repo", repo: "org/missing", want: "repository org/missing not found (or revision main)"},
		{name: "404 revision", repo: "org/tiny", rev: "v9", want: "repository org/tiny not found (or revision v9)"},
		{name: "not a repo id", repo: "../etc", want: "not a Hugging Face repository id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := isolate(t)
			h := newFakeHub(t, tinyRepo())
			h.set(func() { h.apiStatus, h.errorCode, h.token = tc.status, tc.code, tc.token })
			o := h.opts(filepath.Join(home, "hub"))
			o.Revision = tc.rev
			_, err := Snapshot(context.Background(), tc.repo, o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want it to contain %q", err, tc.want)
			}
			if tc.name == "gated" && !strings.Contains(err.Error(), "accept") {
				t.Errorf("gated error does not say to accept the terms: %v", err)
			}
		})
	}
}

func TestNetworkErrorNamesURL(t *testing.T) {
	home := isolate(t)
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	_, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: u, CacheDir: filepath.Join(home, "hub")})
	if err == nil || !strings.Contains(err.Error(), u+"/api/models/org/tiny/revision/main") {
		t.Fatalf("error %v does not name the URL", err)
	}
}

func TestOffline(t *testing.T) {
	home := isolate(t)
	cache := filepath.Join(home, "hub")
	t.Setenv("HF_HUB_OFFLINE", "1")
	_, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), filepath.Join(cache, "models--org--tiny")) || !strings.Contains(err.Error(), "offline") {
		t.Fatalf("offline miss: %v", err)
	}
	t.Setenv("HF_HUB_OFFLINE", "")
	h := newFakeHub(t, tinyRepo())
	dir, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
	if err != nil {
		t.Fatal(err)
	}
	h.srv.Close()
	// The Hub unreachable: the cached snapshot is used, as huggingface_hub does.
	got, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: h.srv.URL})
	if err != nil || got != dir {
		t.Fatalf("unreachable hub with a cache: %s, %v; want %s", got, err, dir)
	}
	t.Setenv("HF_HUB_OFFLINE", "1")
	got, err = Snapshot(context.Background(), "org/tiny", Options{Endpoint: h.srv.URL})
	if err != nil || got != dir {
		t.Fatalf("offline hit: %s, %v; want %s", got, err, dir)
	}
	got, err = Snapshot(context.Background(), "org/tiny", Options{Revision: testCommit})
	if err != nil || got != dir {
		t.Fatalf("offline by commit: %s, %v", got, err)
	}
}

func TestEnvEndpointAndToken(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	h.set(func() { h.token = "hf_env" })
	t.Setenv("HF_ENDPOINT", h.srv.URL)
	t.Setenv("HF_TOKEN", "hf_env")
	if _, err := Snapshot(context.Background(), "org/tiny", Options{}); err != nil {
		t.Fatal(err)
	}
	h.set(func() {
		for _, a := range h.auths {
			if a != "Bearer hf_env" {
				t.Errorf("Authorization %q", a)
			}
		}
		if h.cdnAuths != 0 {
			t.Errorf("the token was sent to the CDN host %d times", h.cdnAuths)
		}
	})
	// The token file under HF_HOME.
	t.Setenv("HF_TOKEN", "")
	h.set(func() { h.token = "hf_file" })
	os.WriteFile(filepath.Join(home, "token"), []byte("hf_file\n"), 0o600)
	t.Setenv("HF_HUB_CACHE", filepath.Join(home, "other"))
	if _, err := Snapshot(context.Background(), "org/tiny", Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(home, "other", "models--org--tiny", "refs", "main")); err != nil {
		t.Errorf("HF_HUB_CACHE not honoured: %v", err)
	}
}

func TestLooksLikeRepoID(t *testing.T) {
	for s, want := range map[string]bool{
		"mlx-community/Qwen3-0.6B-4bit": true, "org/name": true, "./org/name": false, "/abs/dir": false,
		"a/b/c": false, "name": false, "../x": false, "": false,
	} {
		if got := LooksLikeRepoID(s); got != want {
			t.Errorf("LooksLikeRepoID(%q) = %v", s, got)
		}
	}
}

// TestConcurrentProcesses downloads the same repository from two processes
// (this test binary, re-executed) at once.
func TestConcurrentProcesses(t *testing.T) {
	if os.Getenv("HUB_TEST_CHILD") != "" {
		t.Skip("child")
	}
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	// Every body is held until both processes have asked for the file list,
	// so both are running while the blobs are being written.
	h.set(func() { h.slow, h.waitAPI = 50*time.Millisecond, 2 })
	cache := filepath.Join(home, "hub")
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildSnapshot$", "-test.v")
			cmd.Env = append(os.Environ(), "HUB_TEST_CHILD=1", "HF_ENDPOINT="+h.srv.URL, "HF_HUB_CACHE="+cache)
			outs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil || !bytes.Contains(outs[i], []byte("CHILD OK")) {
			t.Fatalf("child %d: %v\n%s", i, errs[i], outs[i])
		}
	}
	checkLayout(t, h, cache, filepath.Join(cache, "models--org--tiny", "snapshots", h.commit))
	h.set(func() {
		if !h.overlap {
			t.Error("the two processes did not overlap")
		}
	})
	for name := range h.files {
		want := 1
		if !Wanted(name) {
			want = 0
		}
		if n := h.count(name); n != want {
			t.Errorf("%s downloaded %d times, want %d", name, n, want)
		}
	}
}

func TestChildSnapshot(t *testing.T) {
	if os.Getenv("HUB_TEST_CHILD") == "" {
		t.Skip("run by TestConcurrentProcesses")
	}
	dir, err := Snapshot(context.Background(), "org/tiny", Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "model.safetensors"))
	if err != nil || len(b) != 64<<10 {
		t.Fatalf("model.safetensors: %d bytes, %v", len(b), err)
	}
	fmt.Println("CHILD OK")
}

// TestRenamedRepoRedirect: the Hub redirects a renamed repository within its
// own host; metadata requests follow that redirect (not the CDN's).
func TestRenamedRepoRedirect(t *testing.T) {
	home := isolate(t)
	h := newFakeHub(t, tinyRepo())
	h.set(func() { h.token = "tok" })
	o := h.opts(filepath.Join(home, "hub"))
	o.Token = "tok"
	dir, err := Snapshot(context.Background(), "org/renamed", o)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"config.json", "model.safetensors"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(b, h.files[name].data) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if !strings.Contains(dir, "models--org--renamed") {
		t.Errorf("snapshot %s not under the requested id", dir)
	}
}
