package hub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultTimeout is huggingface_hub's DEFAULT_ETAG_TIMEOUT and
// DEFAULT_DOWNLOAD_TIMEOUT (10 s).
const DefaultTimeout = 10 * time.Second

// Limits on what a Hub answer may contain.
const (
	maxListing   = 64 << 20 // the JSON of /api/models/<repo>/revision/<rev>
	maxSiblings  = 200_000  // files in that listing
	maxWanted    = 10_100   // files a model may need (loader.MaxWeightFiles shards + the small files)
	maxErrorBody = 4096     // bytes of an error response read for its message
)

// envTimeout reads HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT as
// huggingface_hub does (`int(value) or default`: whole seconds, 0 means the
// default); a value that is not an integer, or a negative one, is an error
// here (huggingface_hub fails on it at import or at the first request).
func envTimeout(name string) (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<31 {
		return 0, fmt.Errorf("%s=%q: expected a whole number of seconds", name, v)
	}
	return time.Duration(n) * time.Second, nil
}

var (
	// repoPartRe is one part of a repository id, as huggingface_hub's
	// REPO_ID_REGEX (ASCII word characters, '-', '.', 1 to 96 of them, a word
	// character at each end).
	repoPartRe = regexp.MustCompile(`^[A-Za-z0-9_]([A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$`)
	// etagRe: an ETag becomes a file name under blobs/.
	etagRe = regexp.MustCompile(`^[0-9A-Za-z][0-9A-Za-z._-]{0,127}$`)
)

// CheckRepoID is huggingface_hub's validate_repo_id for "namespace/name":
// each part 1–96 ASCII word characters, '-' or '.', starting and ending with
// a word character; no "--" or ".." (the cache folder joins parts with "--",
// so "a--b/c" and "a/b--c" would share one); not ending in ".git".
func CheckRepoID(id string) error {
	ns, name, ok := strings.Cut(id, "/")
	switch {
	case !ok || strings.Contains(name, "/"):
		return fmt.Errorf("%q is not a Hugging Face repository id (expected namespace/name)", id)
	case !repoPartRe.MatchString(ns) || !repoPartRe.MatchString(name):
		return fmt.Errorf("%q is not a Hugging Face repository id: each part has 1 to 96 of A-Z a-z 0-9 _ - ., and starts and ends with a letter, digit or _", id)
	case strings.Contains(id, "--") || strings.Contains(id, ".."):
		return fmt.Errorf("%q is not a Hugging Face repository id: it cannot contain -- or ..", id)
	case strings.HasSuffix(id, ".git"):
		return fmt.Errorf("%q is not a Hugging Face repository id: it cannot end in .git", id)
	}
	return nil
}

// CheckRevision accepts a revision the Hub can have: a commit sha, or a
// branch, tag or ref name by git's check-ref-format rules (which the Hub
// enforces when refs are created, e.g. "main", "v1.0", "refs/pr/3"). It is
// checked before anything is sent or written: the revision becomes a path
// under refs/, so "../../x" must never reach the file system.
// huggingface_hub relies on the Hub to refuse such names; a mirror may not.
func CheckRevision(rev string) error {
	bad := func(why string) error {
		return fmt.Errorf("revision %q is not a valid branch, tag or commit: %s", rev, why)
	}
	switch {
	case rev == "":
		return bad("it is empty")
	case len(rev) > 255:
		return bad("it is longer than 255 bytes")
	case !utf8.ValidString(rev):
		return bad("it is not valid UTF-8")
	case strings.Contains(rev, ".."):
		return bad(`it contains ".."`)
	case strings.Contains(rev, "@{"):
		return bad(`it contains "@{"`)
	case strings.HasPrefix(rev, "/") || strings.HasSuffix(rev, "/") || strings.Contains(rev, "//"):
		return bad("it has an empty path component")
	case strings.HasSuffix(rev, "."):
		return bad(`it ends with "."`)
	}
	for _, r := range rev {
		if r < 0x20 || r == 0x7f || unicode.IsControl(r) || strings.ContainsRune(" ~^:?*[\\", r) {
			return bad(fmt.Sprintf("it contains %q", r))
		}
	}
	for _, part := range strings.Split(rev, "/") {
		if strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return bad(`a component starts with "." or ends with ".lock"`)
		}
	}
	return nil
}

// checkETag: the ETag names a file under blobs/ (and its .incomplete and
// .lock siblings), so it must be a plain name.
func checkETag(e string) error {
	if !etagRe.MatchString(e) || strings.HasSuffix(e, ".incomplete") || strings.HasSuffix(e, ".lock") {
		return fmt.Errorf("unusable ETag %q", e)
	}
	return nil
}

// origin is a URL's (scheme, host, port), the default port made explicit:
// the token goes only to the endpoint's exact origin, so not to another port
// of the same host, and not over http to an https endpoint's host.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	return scheme + "://" + strings.ToLower(u.Hostname()) + ":" + port
}

// cleanText makes server-supplied text safe to show on a terminal: control
// characters (ESC starting an escape sequence, CR, BEL, …) and bidi
// overrides become '?', and it is cut to n runes.
func cleanText(s string, n int) string {
	var b strings.Builder
	i := 0
	for _, r := range s {
		if i == n {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\t':
			b.WriteRune(' ')
		case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
			b.WriteRune('?')
		default:
			b.WriteRune(r)
		}
		i++
	}
	return b.String()
}

// stallGuard cancels a request when it makes no progress for d: connecting,
// waiting for the response headers, or between two reads of the body. This
// is huggingface_hub's httpx timeout (connect, read: "the time between two
// bytes") rather than a limit on the whole transfer, so a slow but steady
// download of a large file is never cut.
type stallGuard struct {
	d      time.Duration
	env    string // the variable that sets d, for the message
	cancel context.CancelFunc
	mu     sync.Mutex
	timer  *time.Timer
	fired  bool
}

func newStallGuard(parent context.Context, d time.Duration, env string) (context.Context, *stallGuard) {
	ctx, cancel := context.WithCancel(parent)
	g := &stallGuard{d: d, env: env, cancel: cancel}
	g.timer = time.AfterFunc(d, func() {
		g.mu.Lock()
		g.fired = true
		g.mu.Unlock()
		cancel()
	})
	return ctx, g
}

// progress restarts the clock.
func (g *stallGuard) progress() {
	g.mu.Lock()
	if !g.fired {
		g.timer.Reset(g.d)
	}
	g.mu.Unlock()
}

func (g *stallGuard) stop() {
	g.timer.Stop()
	g.cancel()
}

// wrap names the timeout when it caused err.
func (g *stallGuard) wrap(err error) error {
	g.mu.Lock()
	fired := g.fired
	g.mu.Unlock()
	if fired && err != nil {
		return &timeoutError{d: g.d, env: g.env, err: err}
	}
	return err
}

type timeoutError struct {
	d   time.Duration
	env string
	err error
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no response for %v (the limit set by %s; default 10)", e.d, e.env)
}
func (e *timeoutError) Unwrap() error { return e.err }

// guardedBody restarts the guard on every read that returns data and stops
// it on Close.
type guardedBody struct {
	io.ReadCloser
	g *stallGuard
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.g.progress()
	}
	return n, b.g.wrap(err)
}

func (b *guardedBody) Close() error {
	err := b.ReadCloser.Close()
	b.g.stop()
	return err
}

// errTooManyRedirects is what a client gives up with after 10 redirects.
var errTooManyRedirects = errors.New("stopped after 10 redirects")

// checkedReader fails once more than limit bytes come: a body that runs
// past its declared size, or past the limit for a file without one, is never
// stored whole.
type checkedReader struct {
	r    io.Reader
	left int64
	over func() error
}

func (c *checkedReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, c.over()
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return 0, c.over()
	}
	return n, err
}
