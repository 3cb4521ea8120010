// Package hub downloads model repositories from the Hugging Face Hub into the
// standard huggingface_hub cache layout, so that files fetched by Python tools
// are reused here and files fetched here are reused by them:
//
//	<cache>/models--org--name/blobs/<etag>
//	<cache>/models--org--name/refs/<revision>          (holds the commit sha)
//	<cache>/models--org--name/snapshots/<commit>/<file> -> ../../blobs/<etag>
//	<cache>/.locks/models--org--name/<etag>.lock
//
// It is pure Go (net/http); it does not need MLX.
package hub

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hf2go/hf2go/lm/modelfs"
)

// Options configure Snapshot. Zero values take the huggingface_hub defaults
// and environment variables.
type Options struct {
	Revision string       // default "main"
	Endpoint string       // default $HF_ENDPOINT or https://huggingface.co
	Token    string       // default $HF_TOKEN or the $HF_HOME/token file
	CacheDir string       // default $HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub
	Offline  bool         // also set by HF_HUB_OFFLINE=1
	Progress io.Writer    // progress bars (only drawn when it is a terminal); nil: silent
	Client   *http.Client // default: a plain client (the timeouts below bound every request)
	// ETagTimeout bounds each metadata request (HEAD): connecting, and
	// waiting for its headers. Default $HF_HUB_ETAG_TIMEOUT, else 10 s.
	ETagTimeout time.Duration
	// DownloadTimeout bounds the file-list request and every download:
	// connecting, waiting for the headers, and any pause between two reads
	// of the body (not the whole transfer). Default $HF_HUB_DOWNLOAD_TIMEOUT,
	// else 10 s.
	DownloadTimeout time.Duration
}

// LooksLikeRepoID reports whether s is a Hub repository id "namespace/name"
// (CheckRepoID) rather than a filesystem path.
func LooksLikeRepoID(s string) bool { return CheckRepoID(s) == nil }

// hfHome is $HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface.
func hfHome() string {
	if h := os.Getenv("HF_HOME"); h != "" {
		return h
	}
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "huggingface")
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "huggingface")
}

// DefaultCacheDir is the hub cache huggingface_hub uses.
func DefaultCacheDir() string {
	if c := os.Getenv("HF_HUB_CACHE"); c != "" {
		return c
	}
	return filepath.Join(hfHome(), "hub")
}

func envTrue(k string) bool {
	switch strings.ToLower(os.Getenv(k)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func (o *Options) fill() error {
	if o.Revision == "" {
		o.Revision = "main"
	}
	if o.Endpoint == "" {
		o.Endpoint = os.Getenv("HF_ENDPOINT")
	}
	if o.Endpoint == "" {
		o.Endpoint = "https://huggingface.co"
	}
	o.Endpoint = strings.TrimRight(o.Endpoint, "/")
	if o.Token == "" {
		o.Token = os.Getenv("HF_TOKEN")
	}
	if o.Token == "" {
		if b, err := os.ReadFile(filepath.Join(hfHome(), "token")); err == nil {
			o.Token = strings.TrimSpace(string(b))
		}
	}
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	if envTrue("HF_HUB_OFFLINE") {
		o.Offline = true
	}
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	for _, t := range []struct {
		d   *time.Duration
		env string
	}{{&o.ETagTimeout, "HF_HUB_ETAG_TIMEOUT"}, {&o.DownloadTimeout, "HF_HUB_DOWNLOAD_TIMEOUT"}} {
		if *t.d > 0 {
			continue
		}
		d, err := envTimeout(t.env)
		if err != nil {
			return err
		}
		if d == 0 {
			d = DefaultTimeout
		}
		*t.d = d
	}
	u, err := url.Parse(o.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("HF_ENDPOINT %q is not an http(s) URL", o.Endpoint)
	}
	return nil
}

// repoFolder is "models--org--name".
func repoFolder(repoID string) string {
	return "models--" + strings.ReplaceAll(repoID, "/", "--")
}

// Wanted reports whether a repository file is one a model needs.
func Wanted(name string) bool {
	if strings.Contains(name, "/") {
		return false
	}
	switch name {
	case "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json",
		"special_tokens_map.json", "tokenizer.model", "chat_template.json", "chat_template.jinja",
		"model.safetensors.index.json":
		return true
	}
	return strings.HasSuffix(name, ".safetensors")
}

var commitRe = regexp.MustCompile(`^[0-9a-f]{40}$`)

// checkCommit validates a commit sha read from a ref file or the Hub: it
// becomes a directory under snapshots/.
func checkCommit(where, c string) (string, error) {
	if !commitRe.MatchString(c) {
		return "", fmt.Errorf("%s holds %q, not a commit sha (40 lowercase hex digits)", where, cleanText(c, 80))
	}
	return c, nil
}

var sha256Re = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Snapshot makes sure the files a model needs from repoID at opts.Revision are
// in the cache and returns the snapshot directory holding them.
func Snapshot(ctx context.Context, repoID string, opts Options) (string, error) {
	if err := CheckRepoID(repoID); err != nil {
		return "", err
	}
	if err := opts.fill(); err != nil {
		return "", err
	}
	if err := CheckRevision(opts.Revision); err != nil {
		return "", err
	}
	repoDir := filepath.Join(opts.CacheDir, repoFolder(repoID))
	if opts.Offline {
		return offlineSnapshot(repoID, repoDir, opts.Revision)
	}
	eu, _ := url.Parse(opts.Endpoint)
	c := &client{opts: opts, repoID: repoID, repoDir: repoDir, endpointOrigin: origin(eu),
		lockDir: filepath.Join(opts.CacheDir, ".locks", repoFolder(repoID))}
	commit, files, err := c.listFiles(ctx)
	if err != nil {
		// As huggingface_hub does: when the Hub cannot be reached at all
		// (not an HTTP error), a cached snapshot of the revision is used.
		var ne *netError
		if errors.As(err, &ne) {
			if snap, cerr := offlineSnapshot(repoID, repoDir, opts.Revision); cerr == nil {
				return snap, nil
			}
		}
		return "", err
	}
	if err := c.writeRef(commit); err != nil {
		return "", err
	}
	snap := filepath.Join(repoDir, "snapshots", commit)
	files, err = c.selectFiles(ctx, commit, snap, files)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if err := c.fetch(ctx, commit, snap, f); err != nil {
			return "", err
		}
	}
	return snap, nil
}

// offlineSnapshot resolves refs/<rev> (or a commit sha) to a cached snapshot.
func offlineSnapshot(repoID, repoDir, rev string) (string, error) {
	commit := rev
	if !commitRe.MatchString(rev) {
		ref := filepath.Join(repoDir, "refs", filepath.FromSlash(rev))
		b, err := readSmall(ref)
		if err != nil {
			return "", fmt.Errorf("offline mode (HF_HUB_OFFLINE): %s at revision %q is not in the cache %s", repoID, rev, repoDir)
		}
		if commit, err = checkCommit(ref, strings.TrimSpace(string(b))); err != nil {
			return "", err
		}
	}
	snap := filepath.Join(repoDir, "snapshots", commit)
	if _, err := os.Stat(filepath.Join(snap, "config.json")); err != nil {
		return "", fmt.Errorf("offline mode (HF_HUB_OFFLINE): %s at revision %q is not in the cache %s (no config.json in %s)", repoID, rev, repoDir, snap)
	}
	return snap, nil
}

// readSmall reads a ref file: a regular file, at most 4 KB.
func readSmall(p string) ([]byte, error) {
	f, _, err := modelfs.OpenRegular(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 4096))
}

// netError is a failure to reach the Hub at all.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

type client struct {
	opts             Options
	repoID           string
	repoDir, lockDir string
	endpointOrigin   string
}

func (c *client) newRequest(ctx context.Context, method, u string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, nil)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("%s: not an http(s) URL", cleanText(u, 200))
	}
	c.authorize(req)
	req.Header.Set("User-Agent", "hf2go-hub/0.1")
	return req, nil
}

// authorize sets the token on a request to the endpoint's exact origin and
// removes it from any other (net/http keeps it on a redirect to another port
// of the same host).
func (c *client) authorize(r *http.Request) {
	if c.opts.Token != "" && origin(r.URL) == c.endpointOrigin {
		r.Header.Set("Authorization", "Bearer "+c.opts.Token)
	} else {
		r.Header.Del("Authorization")
	}
}

// do sends req with a stall guard of d (env names its variable); metadata
// requests (stopAtOtherOrigin) do not follow a redirect to another origin,
// whose response carries the file's metadata, as huggingface_hub's HEAD.
func (c *client) do(req *http.Request, d time.Duration, env string, stopAtOtherOrigin bool) (*http.Response, error) {
	ctx, g := newStallGuard(req.Context(), d, env)
	cl := *c.opts.Client
	cl.CheckRedirect = func(r *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errTooManyRedirects
		}
		if stopAtOtherOrigin && origin(r.URL) != origin(via[len(via)-1].URL) {
			return http.ErrUseLastResponse
		}
		c.authorize(r)
		return nil
	}
	resp, err := cl.Do(req.WithContext(ctx))
	if err != nil {
		g.stop()
		return nil, g.wrap(err)
	}
	g.progress() // the headers came: the body gets its own d
	resp.Body = &guardedBody{ReadCloser: resp.Body, g: g}
	return resp, nil
}

// statusError turns an HTTP error status into a message a user can act on.
func (c *client) statusError(resp *http.Response, u string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	msg := strings.TrimSpace(string(body))
	var j struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &j) == nil && j.Error != "" {
		msg = j.Error
	}
	// The body is the server's text: no terminal escape sequences, one line.
	msg = cleanText(msg, 300)
	ec := resp.Header.Get("X-Error-Code")
	switch {
	case resp.StatusCode == http.StatusUnauthorized && (ec == "RepoNotFound" || ec == "RevisionNotFound"):
		return c.notFound(ec)
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("authentication required for %s (set HF_TOKEN): %s returned 401", c.repoID, u)
	case resp.StatusCode == http.StatusForbidden && (ec == "GatedRepo" || strings.Contains(strings.ToLower(msg), "gated")):
		return fmt.Errorf("%s is a gated repository: accept its terms at %s/%s and set HF_TOKEN to a token of that account", c.repoID, c.opts.Endpoint, c.repoID)
	case resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("access to %s forbidden (403) at %s: %s", c.repoID, u, msg)
	case resp.StatusCode == http.StatusNotFound:
		return c.notFound(ec)
	}
	return fmt.Errorf("%s: HTTP %d: %s", u, resp.StatusCode, msg)
}

func (c *client) notFound(ec string) error {
	if ec == "EntryNotFound" {
		return fmt.Errorf("a file of %s at revision %s was not found", c.repoID, c.opts.Revision)
	}
	return fmt.Errorf("repository %s not found (or revision %s)", c.repoID, c.opts.Revision)
}

type sibling struct {
	Name string `json:"rfilename"`
}

// listFiles reads the repository's commit and file list.
func (c *client) listFiles(ctx context.Context) (string, []string, error) {
	u := fmt.Sprintf("%s/api/models/%s/revision/%s", c.opts.Endpoint, c.repoID, url.PathEscape(c.opts.Revision))
	req, err := c.newRequest(ctx, http.MethodGet, u)
	if err != nil {
		return "", nil, err
	}
	resp, err := c.do(req, c.opts.DownloadTimeout, "HF_HUB_DOWNLOAD_TIMEOUT", false)
	if err != nil {
		return "", nil, &netError{fmt.Errorf("fetching %s: %w (set HF_HUB_OFFLINE=1 to use the cache only)", u, err)}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, c.statusError(resp, u)
	}
	var info struct {
		SHA      string    `json:"sha"`
		Siblings []sibling `json:"siblings"`
	}
	body := &checkedReader{r: resp.Body, left: maxListing, over: func() error {
		return fmt.Errorf("the file list is larger than %d MiB", maxListing>>20)
	}}
	if err := json.NewDecoder(body).Decode(&info); err != nil {
		var te *timeoutError
		if errors.As(err, &te) {
			return "", nil, &netError{fmt.Errorf("fetching %s: %w", u, err)}
		}
		return "", nil, fmt.Errorf("%s: invalid answer: %w", u, err)
	}
	if len(info.Siblings) > maxSiblings {
		return "", nil, fmt.Errorf("%s: %d files listed, more than %d", u, len(info.Siblings), maxSiblings)
	}
	if _, err := checkCommit(u+": the answer's sha", info.SHA); err != nil {
		return "", nil, err
	}
	var names []string
	for _, s := range info.Siblings {
		names = append(names, s.Name)
	}
	return info.SHA, names, nil
}

func (c *client) writeRef(commit string) error {
	if c.opts.Revision == commit {
		return nil
	}
	p := filepath.Join(c.repoDir, "refs", filepath.FromSlash(c.opts.Revision))
	if rel, err := filepath.Rel(filepath.Join(c.repoDir, "refs"), p); err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("revision %q would be written outside %s", c.opts.Revision, c.repoDir) // CheckRevision rules this out
	}
	if b, err := readSmall(p); err == nil && strings.TrimSpace(string(b)) == commit {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return writeAtomic(p, []byte(commit))
}

func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-"+filepath.Base(p))
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}

// selectFiles keeps the files a model needs; when the safetensors index is
// present only its shards are kept (the index is fetched first to read them).
func (c *client) selectFiles(ctx context.Context, commit, snap string, all []string) ([]string, error) {
	var out []string
	hasIndex := false
	for _, f := range all {
		if Wanted(f) {
			if err := modelfs.CheckName(f); err != nil {
				return nil, fmt.Errorf("%s: the Hub lists a file that cannot be stored: %v", c.repoID, err)
			}
			out = append(out, f)
		}
		if f == "model.safetensors.index.json" {
			hasIndex = true
		}
	}
	if len(out) > maxWanted {
		return nil, fmt.Errorf("%s: %d model files listed, more than any model needs (%d)", c.repoID, len(out), maxWanted)
	}
	if !hasIndex {
		sort.Strings(out)
		return out, nil
	}
	if err := c.fetch(ctx, commit, snap, "model.safetensors.index.json"); err != nil {
		return nil, err
	}
	b, err := modelfs.ReadFile(snap, "model.safetensors.index.json")
	if err != nil {
		return nil, err
	}
	var idx struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: model.safetensors.index.json: %w", c.repoID, err)
	}
	shards := map[string]bool{}
	for _, f := range idx.WeightMap {
		shards[f] = true
	}
	var kept []string
	for _, f := range out {
		if strings.HasSuffix(f, ".safetensors") && !shards[f] {
			continue
		}
		if f == "model.safetensors.index.json" {
			continue
		}
		kept = append(kept, f)
	}
	sort.Strings(kept)
	return kept, nil
}

// fileMeta is what a HEAD on resolve/ tells.
type fileMeta struct {
	etag   string
	size   int64
	commit string
	url    string // where to GET the body (the redirect target when there is one)
}

func (c *client) resolveURL(commit, file string) string {
	return fmt.Sprintf("%s/%s/resolve/%s/%s", c.opts.Endpoint, c.repoID, commit, escapePath(file))
}

func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = url.PathEscape(s)
	}
	return strings.Join(parts, "/")
}

// head reads a file's metadata without following redirects.
func (c *client) head(ctx context.Context, u string) (fileMeta, error) {
	req, err := c.newRequest(ctx, http.MethodHead, u)
	if err != nil {
		return fileMeta{}, err
	}
	req.Header.Set("Accept-Encoding", "identity")
	// As huggingface_hub: redirects within the same origin (a renamed
	// repository) are followed; one to another origin (the CDN) is not, its
	// response carries the file's metadata.
	resp, err := c.do(req, c.opts.ETagTimeout, "HF_HUB_ETAG_TIMEOUT", true)
	if err != nil {
		return fileMeta{}, fmt.Errorf("fetching %s: %w (set HF_HUB_OFFLINE=1 to use the cache only)", u, err)
	}
	defer resp.Body.Close()
	m := fileMeta{url: resp.Request.URL.String()}
	redirect := resp.StatusCode >= 300 && resp.StatusCode < 400
	switch {
	case redirect:
		if loc := resp.Header.Get("Location"); loc != "" {
			if lu, err := resp.Request.URL.Parse(loc); err == nil {
				m.url = lu.String()
			}
		}
	case resp.StatusCode != http.StatusOK:
		return fileMeta{}, c.statusError(resp, u)
	}
	m.commit = resp.Header.Get("X-Repo-Commit")
	m.etag = resp.Header.Get("X-Linked-Etag")
	if m.etag == "" {
		m.etag = resp.Header.Get("ETag")
	}
	m.etag = normalizeEtag(m.etag)
	sz := resp.Header.Get("X-Linked-Size")
	if sz == "" && !redirect {
		sz = resp.Header.Get("Content-Length")
	}
	m.size = -1
	if sz != "" {
		if n, err := strconv.ParseInt(sz, 10, 64); err == nil {
			m.size = n
		}
	}
	if m.etag == "" {
		return fileMeta{}, fmt.Errorf("%s: the server sent no ETag, so the file cannot be cached", u)
	}
	if err := checkETag(m.etag); err != nil {
		return fileMeta{}, fmt.Errorf("%s: %w", u, err)
	}
	if sz != "" && m.size < 0 {
		return fileMeta{}, fmt.Errorf("%s: unusable size %q", u, cleanText(sz, 40))
	}
	return m, nil
}

func normalizeEtag(e string) string {
	e = strings.TrimPrefix(e, "W/")
	return strings.Trim(e, `"`)
}

// fetch makes snapshots/<commit>/<file> a link to a complete blob.
func (c *client) fetch(ctx context.Context, commit, snap, file string) error {
	link := filepath.Join(snap, filepath.FromSlash(file))
	if fi, err := os.Stat(link); err == nil && fi.Mode().IsRegular() {
		return nil // complete (the link resolves): nothing to do
	}
	u := c.resolveURL(commit, file)
	m, err := c.head(ctx, u)
	if err != nil {
		return err
	}
	if limit := modelfs.Limit(file); m.size > limit {
		return fmt.Errorf("%s: the server declares %d bytes, more than the %d-byte limit for %s", u, m.size, limit, path.Base(file))
	}
	blob := filepath.Join(c.repoDir, "blobs", m.etag)
	if err := os.MkdirAll(filepath.Dir(blob), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(blob); err != nil {
		if err := c.download(ctx, file, m, blob); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		return err
	}
	rel, err := filepath.Rel(filepath.Dir(link), blob)
	if err != nil {
		return err
	}
	tmp := link + ".tmp-" + strconv.Itoa(os.Getpid())
	os.Remove(tmp)
	if err := os.Symlink(rel, tmp); err != nil {
		return err
	}
	return os.Rename(tmp, link)
}

// lock takes an exclusive flock on <cache>/.locks/<repo>/<etag>.lock.
func (c *client) lock(ctx context.Context, etag string) (func(), error) {
	if err := os.MkdirAll(c.lockDir, 0o755); err != nil {
		return nil, err
	}
	p := filepath.Join(c.lockDir, etag+".lock")
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return func() { syscall.Flock(int(f.Fd()), syscall.LOCK_UN); f.Close() }, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("locking %s: %w", p, err)
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// download writes the blob for m, resuming <blob>.incomplete, under the lock.
func (c *client) download(ctx context.Context, file string, m fileMeta, blob string) error {
	unlock, err := c.lock(ctx, m.etag)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(blob); err == nil {
		return nil // another process finished it while we waited
	}
	inc := blob + ".incomplete"
	f, err := os.OpenFile(inc, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	have, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if m.size >= 0 && have > m.size {
		if err := f.Truncate(0); err != nil {
			return err
		}
		have, _ = f.Seek(0, io.SeekStart)
	}
	if m.size < 0 || have < m.size {
		req, err := c.newRequest(ctx, http.MethodGet, m.url)
		if err != nil {
			return err
		}
		req.Header.Set("Accept-Encoding", "identity")
		if have > 0 {
			req.Header.Set("Range", fmt.Sprintf("bytes=%d-", have))
		}
		resp, err := c.do(req, c.opts.DownloadTimeout, "HF_HUB_DOWNLOAD_TIMEOUT", false)
		if err != nil {
			return fmt.Errorf("downloading %s: %w", m.url, err)
		}
		defer resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusPartialContent:
		case http.StatusOK:
			if have > 0 { // the server ignored Range: start over
				if err := f.Truncate(0); err != nil {
					return err
				}
				if have, err = f.Seek(0, io.SeekStart); err != nil {
					return err
				}
			}
		case http.StatusRequestedRangeNotSatisfiable:
		default:
			return c.statusError(resp, m.url)
		}
		var dst io.Writer = f
		if pb := newBar(c.opts.Progress, file, m.size, have); pb != nil {
			dst = io.MultiWriter(f, pb)
			defer pb.finish()
		}
		// At most the declared size, or the file's limit when none is
		// declared: a body that runs past it is discarded, never stored.
		left, over := m.size-have, func() error {
			return fmt.Errorf("the server sent more than the declared %d bytes", m.size)
		}
		if m.size < 0 {
			limit := modelfs.Limit(file)
			left, over = limit-have, func() error {
				return fmt.Errorf("the file is larger than the %d-byte limit for %s (and the server declared no size)", limit, path.Base(file))
			}
		}
		body := &checkedReader{r: resp.Body, left: left, over: over}
		n, err := io.Copy(dst, body)
		if body.left < 0 {
			f.Close()
			os.Remove(inc)
			return fmt.Errorf("downloading %s: %w", m.url, err)
		}
		if err != nil {
			return fmt.Errorf("downloading %s: %w (run again to resume from byte %d)", m.url, err, have+n)
		}
	}
	if err := f.Sync(); err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if m.size >= 0 && fi.Size() != m.size {
		return fmt.Errorf("downloading %s: got %d bytes, expected %d (run again to resume)", m.url, fi.Size(), m.size)
	}
	if sha256Re.MatchString(m.etag) {
		if err := checkSHA256(inc, m.etag); err != nil {
			os.Remove(inc)
			return fmt.Errorf("downloading %s: %w", m.url, err)
		}
	}
	return os.Rename(inc, blob)
}

func checkSHA256(p, want string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != want {
		return fmt.Errorf("sha256 mismatch: got %s, expected %s (the partial file was removed)", got, want)
	}
	return nil
}

// bar draws a one-line progress bar on a terminal.
type bar struct {
	w        io.Writer
	name     string
	total, n int64
	last     time.Time
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func newBar(w io.Writer, name string, total, have int64) *bar {
	if w == nil || !isTerminal(w) {
		return nil
	}
	return &bar{w: w, name: path.Base(name), total: total, n: have}
}

func (b *bar) Write(p []byte) (int, error) {
	b.n += int64(len(p))
	if time.Since(b.last) > 100*time.Millisecond {
		b.draw()
	}
	return len(p), nil
}

func (b *bar) draw() {
	b.last = time.Now()
	if b.total <= 0 {
		fmt.Fprintf(b.w, "\r%-32s %s", b.name, human(b.n))
		return
	}
	const width = 30
	k := int(b.n * width / b.total)
	if k > width {
		k = width
	}
	fmt.Fprintf(b.w, "\r%-32s [%s%s] %s / %s", b.name, strings.Repeat("=", k), strings.Repeat(" ", width-k), human(b.n), human(b.total))
}

func (b *bar) finish() {
	b.draw()
	fmt.Fprintln(b.w)
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
