package hub

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hf2go/hf2go/parity/pyref"
)

// finish runs f and fails the test if it does not return within limit.
func finish[T any](t *testing.T, limit time.Duration, f func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- f() }()
	select {
	case v := <-done:
		return v
	case <-time.After(limit):
		t.Fatalf("still running after %v", limit)
		var zero T
		return zero
	}
}

// miniHub serves one repository of one file, config.json, with a body and
// headers each test can replace. It counts requests.
type miniHub struct {
	srv       *httptest.Server
	mu        sync.Mutex
	requests  int
	gets      int
	auths     []string
	listing   func(w http.ResponseWriter, r *http.Request)
	head      func(w http.ResponseWriter, r *http.Request)
	get       func(w http.ResponseWriter, r *http.Request)
	fileNames []string
}

var miniData = []byte(`{"model_type": "llama"}`)

func miniEtag() string { s := sha1.Sum(miniData); return hex.EncodeToString(s[:]) }

func newMiniHub(t *testing.T) *miniHub {
	h := &miniHub{fileNames: []string{"config.json"}}
	h.listing = func(w http.ResponseWriter, r *http.Request) {
		var sib []map[string]string
		for _, n := range h.fileNames {
			sib = append(sib, map[string]string{"rfilename": n})
		}
		json.NewEncoder(w).Encode(map[string]any{"sha": testCommit, "siblings": sib})
	}
	h.head = func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+miniEtag()+`"`)
		w.Header().Set("Content-Length", strconv.Itoa(len(miniData)))
	}
	h.get = func(w http.ResponseWriter, r *http.Request) { w.Write(miniData) }
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		h.requests++
		h.auths = append(h.auths, r.Header.Get("Authorization"))
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/resolve/") {
			h.gets++
		}
		listing, head, get := h.listing, h.head, h.get
		h.mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/models/org/tiny/revision/"):
			listing(w, r)
		case strings.HasPrefix(r.URL.Path, "/org/tiny/resolve/") && r.Method == http.MethodHead:
			head(w, r)
		case strings.HasPrefix(r.URL.Path, "/org/tiny/resolve/"):
			get(w, r)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *miniHub) set(f func()) { h.mu.Lock(); defer h.mu.Unlock(); f() }

func (h *miniHub) counts() (int, int) { h.mu.Lock(); defer h.mu.Unlock(); return h.requests, h.gets }

func (h *miniHub) opts(cache string) Options {
	return Options{Endpoint: h.srv.URL, CacheDir: cache, ETagTimeout: 5 * time.Second, DownloadTimeout: 5 * time.Second}
}

// block holds a handler until the test ends (a stalled server).
func block(t *testing.T) func() {
	ch := make(chan struct{})
	var once sync.Once
	stop := func() { once.Do(func() { close(ch) }) }
	t.Cleanup(stop)
	return func() {
		select {
		case <-ch:
		case <-time.After(30 * time.Second):
		}
	}
}

// TestRevisionValidated: a revision that is not a valid git ref name (as
// `git check-ref-format` decides) is refused before any request is sent or
// anything is written; valid ones pass the check.
func TestRevisionValidated(t *testing.T) {
	isolate(t)
	git, err := exec.LookPath("git")
	if err != nil {
		t.Fatal("git is needed to check ref names against git check-ref-format")
	}
	revs := []string{
		"main", "v1.0", "refs/pr/3", "refs/convert/parquet", "feature/x-1", "ünïcode", testCommit, "release_2024.1",
		"../../x", "../../../../tmp/pwned", "a/../b", "/abs", "a//b", "trailing/", "x.", "main.lock", ".hidden", "a/.b",
		"a b", "a~1", "a^", "a:b", "a?", "a*", "a[", `a\b`, "x\x1b[2J", "x\x00y", "@", "a@{1}", "",
	}
	cache := filepath.Join(t.TempDir(), "hub")
	for _, rev := range revs {
		err := CheckRevision(rev)
		cmd := exec.Command(git, "check-ref-format", "refs/heads/"+rev)
		gitOK := !strings.ContainsRune(rev, 0) && rev != "" && cmd.Run() == nil
		if (err == nil) != gitOK {
			t.Errorf("CheckRevision(%q) = %v; git check-ref-format says ok=%v", rev, err, gitOK)
		}
		if err == nil {
			continue
		}
		for _, offline := range []bool{false, true} {
			h := newMiniHub(t)
			o := h.opts(cache)
			o.Revision, o.Offline = rev, offline
			if rev == "" {
				continue // "" is the default revision, main
			}
			_, serr := Snapshot(context.Background(), "org/tiny", o)
			if serr == nil || !strings.Contains(serr.Error(), "revision") {
				t.Errorf("Snapshot at revision %q (offline %v): %v", rev, offline, serr)
			}
			if n, _ := h.counts(); n != 0 {
				t.Errorf("revision %q: %d requests sent", rev, n)
			}
		}
	}
	if _, err := os.Stat(cache); err == nil {
		entries, _ := os.ReadDir(cache)
		t.Errorf("the cache was written for invalid revisions: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cache), "pwned")); err == nil {
		t.Error("a file was written outside the cache")
	}
}

// TestRefReadBackValidated: a refs/<rev> file that does not hold a commit
// sha (a tampered cache pointing snapshots/ elsewhere) is an error, offline
// and when the Hub cannot be reached.
func TestRefReadBackValidated(t *testing.T) {
	home := isolate(t)
	cache := filepath.Join(home, "hub")
	repo := filepath.Join(cache, "models--org--tiny")
	os.MkdirAll(filepath.Join(repo, "refs"), 0o755)
	os.WriteFile(filepath.Join(repo, "refs", "main"), []byte("../../../../../etc"), 0o644)
	os.MkdirAll(filepath.Join(home, "etc"), 0o755)
	os.WriteFile(filepath.Join(home, "etc", "config.json"), []byte(`{}`), 0o644)
	_, err := Snapshot(context.Background(), "org/tiny", Options{CacheDir: cache, Offline: true})
	if err == nil || !strings.Contains(err.Error(), "not a commit sha") {
		t.Fatalf("offline with a bad ref: %v", err)
	}
	// The Hub unreachable: the cache fallback must not follow the bad ref.
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	if snap, err := Snapshot(context.Background(), "org/tiny", Options{CacheDir: cache, Endpoint: srv.URL}); err == nil {
		t.Fatalf("unreachable Hub with a bad ref: used %s", snap)
	}
}

// TestTimeouts: every phase of a request that stalls ends in an error
// naming the variable that bounds it, within a second of the limit; a slow
// transfer that keeps making progress is not cut.
func TestTimeouts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, h *miniHub)
		env   string
	}{
		{"listing headers", func(t *testing.T, h *miniHub) {
			wait := block(t)
			h.set(func() { h.listing = func(w http.ResponseWriter, r *http.Request) { wait() } })
		}, "HF_HUB_DOWNLOAD_TIMEOUT"},
		{"listing body", func(t *testing.T, h *miniHub) {
			wait := block(t)
			h.set(func() {
				h.listing = func(w http.ResponseWriter, r *http.Request) {
					w.Write([]byte(`{"sha": "`))
					w.(http.Flusher).Flush()
					wait()
				}
			})
		}, "HF_HUB_DOWNLOAD_TIMEOUT"},
		{"metadata headers", func(t *testing.T, h *miniHub) {
			wait := block(t)
			h.set(func() { h.head = func(w http.ResponseWriter, r *http.Request) { wait() } })
		}, "HF_HUB_ETAG_TIMEOUT"},
		{"download headers", func(t *testing.T, h *miniHub) {
			wait := block(t)
			h.set(func() { h.get = func(w http.ResponseWriter, r *http.Request) { wait() } })
		}, "HF_HUB_DOWNLOAD_TIMEOUT"},
		{"download body", func(t *testing.T, h *miniHub) {
			wait := block(t)
			h.set(func() {
				h.get = func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Content-Length", strconv.Itoa(len(miniData)))
					w.Write(miniData[:5])
					w.(http.Flusher).Flush()
					wait()
				}
			})
		}, "HF_HUB_DOWNLOAD_TIMEOUT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := isolate(t)
			h := newMiniHub(t)
			tc.setup(t, h)
			o := h.opts(filepath.Join(home, "hub"))
			o.ETagTimeout, o.DownloadTimeout = 300*time.Millisecond, 300*time.Millisecond
			start := time.Now()
			err := finish(t, 10*time.Second, func() error {
				_, err := Snapshot(context.Background(), "org/tiny", o)
				return err
			})
			d := time.Since(start)
			if err == nil || !strings.Contains(err.Error(), tc.env) {
				t.Fatalf("error %v, want one naming %s", err, tc.env)
			}
			var te *timeoutError
			if !errors.As(err, &te) {
				t.Errorf("not a timeout error: %v", err)
			}
			if d < 250*time.Millisecond || d > 5*time.Second {
				t.Errorf("gave up after %v with a 300ms limit", d)
			}
		})
	}
	t.Run("slow but steady", func(t *testing.T) {
		home := isolate(t)
		h := newMiniHub(t)
		h.set(func() {
			h.get = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(miniData)))
				for i := range miniData {
					w.Write(miniData[i : i+1])
					w.(http.Flusher).Flush()
					time.Sleep(60 * time.Millisecond) // 23 bytes: ~1.4 s in all, never 300 ms idle
				}
			}
		})
		o := h.opts(filepath.Join(home, "hub"))
		o.DownloadTimeout = 300 * time.Millisecond
		dir, err := Snapshot(context.Background(), "org/tiny", o)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); !bytes.Equal(b, miniData) {
			t.Errorf("config.json = %q", b)
		}
	})
	t.Run("TLS handshake that never completes", func(t *testing.T) {
		isolate(t)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		go func() {
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close() // accept, then say nothing
			}
		}()
		err = finish(t, 10*time.Second, func() error {
			_, err := Snapshot(context.Background(), "org/tiny", Options{Endpoint: "https://" + ln.Addr().String(), DownloadTimeout: 300 * time.Millisecond})
			return err
		})
		if err == nil || !strings.Contains(err.Error(), "HF_HUB_DOWNLOAD_TIMEOUT") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("environment", func(t *testing.T) {
		isolate(t)
		t.Setenv("HF_HUB_ETAG_TIMEOUT", "3")
		t.Setenv("HF_HUB_DOWNLOAD_TIMEOUT", "0") // as huggingface_hub: 0 means the default
		o := Options{}
		if err := o.fill(); err != nil || o.ETagTimeout != 3*time.Second || o.DownloadTimeout != DefaultTimeout {
			t.Errorf("fill: %v, %v, %v", err, o.ETagTimeout, o.DownloadTimeout)
		}
		for _, bad := range []string{"ten", "1.5", "-1"} {
			t.Setenv("HF_HUB_DOWNLOAD_TIMEOUT", bad)
			if _, err := Snapshot(context.Background(), "org/tiny", Options{}); err == nil || !strings.Contains(err.Error(), "HF_HUB_DOWNLOAD_TIMEOUT") {
				t.Errorf("HF_HUB_DOWNLOAD_TIMEOUT=%s: %v", bad, err)
			}
		}
	})
}

var megabyte = bytes.Repeat([]byte(" "), 1<<20)

// TestBodyCaps: a body larger than its declared size, or than the file's
// limit when no size is declared, is refused and not stored; a declared size
// over the limit is refused before the body is requested.
func TestBodyCaps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(h *miniHub)
		want    string
		maxGets int
	}{
		{"60 MB after declaring 23 bytes", func(h *miniHub) {
			h.get = func(w http.ResponseWriter, r *http.Request) {
				for range 60 {
					if _, err := w.Write(megabyte); err != nil {
						return
					}
				}
			}
		}, "more than the declared 23 bytes", 1},
		{"no declared size, endless", func(h *miniHub) {
			h.head = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"`+miniEtag()+`"`)
				w.Header()["Content-Length"] = nil
				w.WriteHeader(http.StatusOK)
			}
			h.get = func(w http.ResponseWriter, r *http.Request) {
				for range 64 {
					if _, err := w.Write(megabyte); err != nil {
						return
					}
				}
			}
		}, "larger than the 16777216-byte limit for config.json", 1},
		{"declared 1 TB", func(h *miniHub) {
			h.head = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"`+miniEtag()+`"`)
				w.Header().Set("X-Linked-Size", "1000000000000")
			}
		}, "declares 1000000000000 bytes", 0},
		{"negative size", func(h *miniHub) {
			h.head = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"`+miniEtag()+`"`)
				w.Header().Set("X-Linked-Size", "-5")
			}
		}, "unusable size", 0},
		{"ETag escaping blobs/", func(h *miniHub) {
			h.head = func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("ETag", `"../../../x"`)
				w.Header().Set("Content-Length", "23")
			}
		}, "unusable ETag", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			home := isolate(t)
			h := newMiniHub(t)
			h.set(func() { tc.setup(h) })
			cache := filepath.Join(home, "hub")
			err := finish(t, 60*time.Second, func() error {
				_, err := Snapshot(context.Background(), "org/tiny", h.opts(cache))
				return err
			})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if _, gets := h.counts(); gets > tc.maxGets {
				t.Errorf("%d body requests, want at most %d", gets, tc.maxGets)
			}
			blobs, _ := filepath.Glob(filepath.Join(cache, "models--org--tiny", "blobs", "*"))
			if len(blobs) > 0 {
				t.Errorf("stored: %v", blobs)
			}
		})
	}
}

// TestTokenOnlyToEndpointOrigin: the token reaches the endpoint's exact
// origin only — not another port of the same host, whether a metadata or a
// download request is redirected there.
func TestTokenOnlyToEndpointOrigin(t *testing.T) {
	for _, kind := range []string{"metadata", "download"} {
		t.Run(kind, func(t *testing.T) {
			home := isolate(t)
			other := newMiniHub(t) // same host (127.0.0.1), another port
			h := newMiniHub(t)
			h.set(func() {
				if kind == "metadata" {
					h.head = func(w http.ResponseWriter, r *http.Request) {
						w.Header().Set("ETag", `"`+miniEtag()+`"`)
						w.Header().Set("X-Linked-Size", strconv.Itoa(len(miniData)))
						http.Redirect(w, r, other.srv.URL+r.URL.Path, http.StatusFound)
					}
				} else {
					h.get = func(w http.ResponseWriter, r *http.Request) {
						http.Redirect(w, r, other.srv.URL+r.URL.Path, http.StatusFound)
					}
				}
			})
			o := h.opts(filepath.Join(home, "hub"))
			o.Token = "hf_secret"
			if _, err := Snapshot(context.Background(), "org/tiny", o); err != nil {
				t.Fatal(err)
			}
			h.set(func() {
				for _, a := range h.auths {
					if a != "Bearer hf_secret" {
						t.Errorf("the endpoint got Authorization %q", a)
					}
				}
			})
			other.set(func() {
				if len(other.auths) == 0 {
					t.Fatal("the redirect target was never asked")
				}
				for _, a := range other.auths {
					if a != "" {
						t.Errorf("another port of the same host got the token (%q)", a)
					}
				}
			})
		})
	}
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"http://h/x", "http://h:80/y", true}, {"https://H.example/x", "https://h.example:443/", true},
		{"https://h/x", "http://h:443/x", false}, {"https://h/", "http://h/", false}, {"http://h:8080/", "http://h:8081/", false},
		{"http://h/", "http://h.evil/", false},
	} {
		ua, _ := url.Parse(tc.a)
		ub, _ := url.Parse(tc.b)
		if got := origin(ua) == origin(ub); got != tc.same {
			t.Errorf("origin(%s) == origin(%s): %v", tc.a, tc.b, got)
		}
	}
}

// TestServerTextSanitized: what a server says (an error body, a file name)
// reaches the message without terminal control characters.
func TestServerTextSanitized(t *testing.T) {
	home := isolate(t)
	h := newMiniHub(t)
	h.set(func() {
		h.listing = func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "\x1b]0;owned\x07\x1b[2Jbad things\r\n\u202eevil", http.StatusInternalServerError)
		}
	})
	_, err := Snapshot(context.Background(), "org/tiny", h.opts(filepath.Join(home, "hub")))
	if err == nil || !strings.Contains(err.Error(), "bad things") {
		t.Fatalf("error %v", err)
	}
	if strings.ContainsAny(err.Error(), "\x1b\x07\r\n\u202e") {
		t.Errorf("control characters in %q", err)
	}
	h.set(func() {
		h.listing = func(w http.ResponseWriter, r *http.Request) {
			json.NewEncoder(w).Encode(map[string]any{"sha": testCommit, "siblings": []map[string]string{{"rfilename": "model\x1b[2J.safetensors"}}})
		}
	})
	_, err = Snapshot(context.Background(), "org/tiny", h.opts(filepath.Join(home, "hub")))
	if err == nil || !strings.Contains(err.Error(), "control character") || strings.Contains(err.Error(), "\x1b") {
		t.Fatalf("hostile file name: %v", err)
	}
	// A listing with one file too many, encoded before the request so that
	// only its size is under test.
	var big strings.Builder
	big.WriteString(`{"sha": "` + testCommit + `", "siblings": [`)
	for i := range maxSiblings + 1 {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"rfilename": "f%d"}`, i)
	}
	big.WriteString("]}")
	h.set(func() {
		h.listing = func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, big.String()) }
	})
	o := h.opts(filepath.Join(home, "hub"))
	o.DownloadTimeout = 30 * time.Second
	_, err = Snapshot(context.Background(), "org/tiny", o)
	if err == nil || !strings.Contains(err.Error(), "files listed") {
		t.Fatalf("huge listing: %v", err)
	}
}

// TestRepoIDAsHuggingfaceHub: CheckRepoID accepts a namespace/name id
// exactly when huggingface_hub's validate_repo_id does.
func TestRepoIDAsHuggingfaceHub(t *testing.T) {
	ids := []string{"org/name", "mlx-community/Qwen3-0.6B-4bit", "a/b", "_x/y_", "org/name.v2", "Org_1/N-a.m_e",
		"org/-name", "org/name-", "org/.name", "org/name.", "org--x/name", "org/na--me", "org/na..me", "org/name.git",
		"org/" + strings.Repeat("a", 96), "org/" + strings.Repeat("a", 97), "org/café", "org/na me", "org/", "/name", "o/r/g"}
	dir := t.TempDir()
	in := filepath.Join(dir, "ids.json")
	b, _ := json.Marshal(ids)
	os.WriteFile(in, b, 0o644)
	out := filepath.Join(dir, "out.json")
	pyref.Run(t, "testdata/repo_id_verdicts.py", in, out)
	var verdicts map[string]bool
	b, _ = os.ReadFile(out)
	if err := json.Unmarshal(b, &verdicts); err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		want := verdicts[id] && strings.Count(id, "/") == 1 // a bare name is a path to us
		if got := CheckRepoID(id) == nil; got != want {
			t.Errorf("CheckRepoID(%q): %v, huggingface_hub: %v", id, got, verdicts[id])
		}
	}
}
