package upstream

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

type tarEntry struct {
	name, body, link string
	typ              byte
	size             int64 // header size override (0: len(body))
}

func makeTarGz(t *testing.T, commit string, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	// GitHub archives open with a pax global header carrying the commit.
	tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": commit}})
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typ, Linkname: e.link, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if h.Typeflag == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func goodEntries(commit string) []tarEntry {
	top := "mlx-lm-" + commit + "/"
	return []tarEntry{
		{name: top, typ: tar.TypeDir},
		{name: top + "mlx_lm/", typ: tar.TypeDir},
		{name: top + "mlx_lm/_version.py", body: `__version__ = "0.30.4"` + "\n"},
		{name: top + "mlx_lm/utils.py", body: "u\n"},
		{name: top + "mlx_lm/models/", typ: tar.TypeDir},
		{name: top + "mlx_lm/models/llama.py", body: "class Model: pass\n"},
		{name: top + "mlx_lm/models/alias.py", typ: tar.TypeSymlink, link: "llama.py"},
	}
}

// archiveServer serves <commit>.tar.gz from a map the test can change, and
// counts requests.
type archiveServer struct {
	srv   *httptest.Server
	files atomic.Pointer[map[string][]byte]
	hits  atomic.Int32
}

func newArchiveServer(t *testing.T, files map[string][]byte) *archiveServer {
	s := &archiveServer{}
	s.files.Store(&files)
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		b, ok := (*s.files.Load())[strings.TrimPrefix(r.URL.Path, "/archive/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func TestArchiveFetchAndCache(t *testing.T) {
	commit := strings.Repeat("c", 40)
	srv := newArchiveServer(t, map[string][]byte{commit + ".tar.gz": makeTarGz(t, commit, goodEntries(commit))})
	cache := t.TempDir()
	a := &Archive{BaseURL: srv.srv.URL + "/archive", CacheDir: cache, Client: srv.srv.Client()}
	ctx := context.Background()

	d, err := a.Fetch(ctx, commit)
	if err != nil {
		t.Fatal(err)
	}
	if r := d.Revision(); r.Commit != commit || r.Version != "0.30.4" {
		t.Errorf("revision = %+v", r)
	}
	if b, err := d.ReadFile("mlx_lm/models/llama.py"); err != nil || string(b) != "class Model: pass\n" {
		t.Errorf("llama.py = %q, %v", b, err)
	}
	if b, err := d.ReadFile("mlx_lm/models/alias.py"); err != nil || string(b) != "class Model: pass\n" {
		t.Errorf("in-tree symlink: %q, %v", b, err)
	}
	if srv.hits.Load() != 1 {
		t.Fatalf("hits = %d", srv.hits.Load())
	}
	// Second fetch: served from the unpacked tree, no request.
	if _, err := a.Fetch(ctx, commit); err != nil || srv.hits.Load() != 1 {
		t.Errorf("second fetch: err %v, hits %d (want 1)", err, srv.hits.Load())
	}
	// Lock verification: a lock pinning this commit with other blobs fails.
	lock := &Lock{Upstream: LockUpstream{Repo: RepoURL, Commit: commit, Version: "0.30.4"}, Files: map[string]*LockFile{
		"mlx_lm/models/llama.py": {Blob: BlobHash([]byte("other")), Derived: []string{}},
		"mlx_lm/utils.py":        {Blob: BlobHash([]byte("u\n")), Derived: []string{}},
	}}
	a.Lock = lock
	if _, err := a.Fetch(ctx, commit); err == nil || !strings.Contains(err.Error(), "mlx_lm/models/llama.py: blob") {
		t.Errorf("lock mismatch not reported: %v", err)
	}
	lock.Files["mlx_lm/models/llama.py"].Blob = BlobHash([]byte("class Model: pass\n"))
	if _, err := a.Fetch(ctx, commit); err != nil {
		t.Errorf("matching lock: %v", err)
	}
	a.Lock = nil

	// The archive changes upstream (or is tampered with): the recorded sha256
	// no longer matches and the fetch fails.
	os.RemoveAll(filepath.Join(cache, "trees", commit))
	os.Remove(filepath.Join(cache, "archives", commit+".tar.gz"))
	other := goodEntries(commit)
	other[5].body = "class Evil: pass\n"
	srv.files.Store(&map[string][]byte{commit + ".tar.gz": makeTarGz(t, commit, other)})
	if _, err := a.Fetch(ctx, commit); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("tampered archive: err = %v, want sha256 mismatch", err)
	}
}

func TestArchiveRejectsUnsafe(t *testing.T) {
	commit := strings.Repeat("d", 40)
	top := "mlx-lm-" + commit + "/"
	cases := []struct {
		name  string
		extra []tarEntry
		limit int64
		want  string
	}{
		{"dotdot", []tarEntry{{name: top + "../../escape.py", body: "x"}}, 0, "unsafe archive entry"},
		{"absolute", []tarEntry{{name: "/tmp/escape.py", body: "x"}}, 0, "unsafe archive entry"},
		{"symlink-absolute", []tarEntry{{name: top + "mlx_lm/evil", typ: tar.TypeSymlink, link: "/etc"}}, 0, "points outside"},
		{"symlink-up", []tarEntry{{name: top + "mlx_lm/evil", typ: tar.TypeSymlink, link: "../../.."}}, 0, "points outside"},
		// Each link looks in-tree lexically, but up2 = up/.. resolves to the
		// parent of the tree; writing through it must be stopped by os.Root.
		{"write-through-symlink-chain", []tarEntry{
			{name: top + "mlx_lm/up", typ: tar.TypeSymlink, link: ".."},
			{name: top + "mlx_lm/up2", typ: tar.TypeSymlink, link: "up/.."},
			{name: top + "mlx_lm/up2/escape.py", body: "x"},
		}, 0, ""},
		{"hardlink", []tarEntry{{name: top + "mlx_lm/h", typ: tar.TypeLink, link: "/etc/passwd"}}, 0, "not allowed"},
		{"fifo", []tarEntry{{name: top + "mlx_lm/f", typ: tar.TypeFifo}}, 0, "not allowed"},
		{"oversize-file", []tarEntry{{name: top + "mlx_lm/big.py", body: strings.Repeat("x", 2000)}}, 1000, "per-file limit"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			entries := append(goodEntries(commit), tc.extra...)
			srv := newArchiveServer(t, map[string][]byte{commit + ".tar.gz": makeTarGz(t, commit, entries)})
			parent := t.TempDir()
			cache := filepath.Join(parent, "cache")
			a := &Archive{BaseURL: srv.srv.URL + "/archive", CacheDir: cache, Client: srv.srv.Client(), MaxFile: tc.limit}
			_, err := a.Fetch(context.Background(), commit)
			if err == nil {
				t.Fatal("unsafe archive accepted")
			}
			t.Logf("rejected: %v", err)
			if tc.want != "" && !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
			// Nothing escaped into the parent, and no tree was put in place.
			ents, _ := os.ReadDir(parent)
			if len(ents) != 1 || ents[0].Name() != "cache" {
				t.Errorf("files written outside the cache: %v", ents)
			}
			if _, err := os.Stat(filepath.Join(cache, "trees", commit)); err == nil {
				t.Error("a tree was installed from an unsafe archive")
			}
			leftovers, _ := filepath.Glob(filepath.Join(cache, "trees", ".unpack-*"))
			if len(leftovers) != 0 {
				t.Errorf("temp trees left: %v", leftovers)
			}
		})
	}
}

func TestArchiveLimitsAndErrors(t *testing.T) {
	commit := strings.Repeat("e", 40)
	top := "mlx-lm-" + commit + "/"
	entries := goodEntries(commit)
	for i := 0; i < 5; i++ {
		entries = append(entries, tarEntry{name: top + "mlx_lm/f" + string(rune('a'+i)) + ".py", body: strings.Repeat("y", 600)})
	}
	srv := newArchiveServer(t, map[string][]byte{commit + ".tar.gz": makeTarGz(t, commit, entries)})
	ctx := context.Background()
	a := &Archive{BaseURL: srv.srv.URL + "/archive", CacheDir: t.TempDir(), Client: srv.srv.Client(), MaxTotal: 2000}
	if _, err := a.Fetch(ctx, commit); err == nil || !strings.Contains(err.Error(), "total size limit") {
		t.Errorf("total limit: %v", err)
	}
	a = &Archive{BaseURL: srv.srv.URL + "/archive", CacheDir: t.TempDir(), Client: srv.srv.Client(), MaxEntries: 4}
	if _, err := a.Fetch(ctx, commit); err == nil || !strings.Contains(err.Error(), "entries") {
		t.Errorf("entry limit: %v", err)
	}
	a = &Archive{BaseURL: srv.srv.URL + "/archive", CacheDir: t.TempDir(), Client: srv.srv.Client()}
	if _, err := a.Fetch(ctx, strings.Repeat("f", 40)); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("missing archive: %v", err)
	}
	if _, err := a.Fetch(ctx, "v0.30.4"); err == nil {
		t.Error("non-commit accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.Fetch(cctx, commit); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("canceled context: %v", err)
	}
	// A non-gzip body fails cleanly.
	srv.files.Store(&map[string][]byte{commit + ".tar.gz": []byte("<html>not a tarball</html>")})
	if _, err := a.Fetch(ctx, commit); err == nil {
		t.Error("garbage archive accepted")
	}
}
