package upstream

import (
	"archive/zip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Wheel is a Source over a PyPI wheel of mlx-lm (a zip with mlx_lm/... inside),
// read into memory. Only regular files under mlx_lm/ are kept.
type Wheel struct {
	name   string
	file   string // base name of the wheel file
	sha256 string // sha256 of the wheel file's bytes
	rev    Revision
	files  map[string][]byte
}

// WheelFile returns the wheel's file name and the sha256 of its bytes (for a
// wheel from PyPI, checked against the digest PyPI publishes). upstream.lock
// records both for a release pinned without a commit.
func (w *Wheel) WheelFile() (name, sha256 string) { return w.file, w.sha256 }

// Size limits for reading archives and wheels.
const (
	DefaultMaxFile     = 16 << 20  // one file
	DefaultMaxTotal    = 256 << 20 // all files unpacked
	DefaultMaxDownload = 128 << 20 // one download
	DefaultMaxEntries  = 20000
)

// OpenWheel reads the wheel file at file.
func OpenWheel(file string) (*Wheel, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %w", file, err)
	}
	defer zr.Close()
	sum, err := fileSHA256(file)
	if err != nil {
		return nil, fmt.Errorf("wheel %s: %w", file, err)
	}
	w := &Wheel{name: "wheel " + filepath.Base(file), file: filepath.Base(file), sha256: sum, files: map[string][]byte{}}
	if len(zr.File) > DefaultMaxEntries {
		return nil, fmt.Errorf("%s: %d entries is over the limit", w.name, len(zr.File))
	}
	var total int64
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, "mlx_lm/") || !f.Mode().IsRegular() {
			continue
		}
		p, err := CleanPath(f.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", w.name, err)
		}
		if f.UncompressedSize64 > DefaultMaxFile {
			return nil, fmt.Errorf("%s: %s: %d bytes is over the per-file limit", w.name, p, f.UncompressedSize64)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", w.name, p, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, DefaultMaxFile+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", w.name, p, err)
		}
		if int64(len(b)) > DefaultMaxFile {
			return nil, fmt.Errorf("%s: %s: over the per-file limit", w.name, p)
		}
		total += int64(len(b))
		if total > DefaultMaxTotal {
			return nil, fmt.Errorf("%s: over the total size limit", w.name)
		}
		w.files[p] = b
	}
	if len(w.files) == 0 {
		return nil, fmt.Errorf("%s: no mlx_lm/ files: not an mlx-lm wheel", w.name)
	}
	w.rev.Version = readVersion(w.ReadFile)
	return w, nil
}

func (w *Wheel) Name() string       { return w.name }
func (w *Wheel) Revision() Revision { return w.rev }

func (w *Wheel) ReadFile(p string) ([]byte, error) {
	p, err := CleanPath(p)
	if err != nil {
		return nil, err
	}
	b, ok := w.files[p]
	if !ok {
		return nil, notExist(w.name, p)
	}
	return append([]byte(nil), b...), nil
}

func (w *Wheel) List(dir string) ([]string, error) {
	dir, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for p := range w.files {
		if path.Dir(p) == dir {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out, nil
}

// PyPI fetches mlx-lm release wheels through PyPI's JSON API
// (<BaseURL>/mlx-lm/json), verifying each
// wheel against the sha256 digest PyPI publishes, and caches them in
// CacheDir/pypi/.
type PyPI struct {
	BaseURL  string       // default https://pypi.org/pypi
	CacheDir string       // default DefaultCacheDir()
	Client   *http.Client // default http.DefaultClient
}

type pypiFile struct {
	Filename    string            `json:"filename"`
	PackageType string            `json:"packagetype"`
	URL         string            `json:"url"`
	Digests     map[string]string `json:"digests"`
}

type pypiDoc struct {
	Info struct {
		Version string `json:"version"`
	} `json:"info"`
	Releases map[string][]pypiFile `json:"releases"`
	URLs     []pypiFile            `json:"urls"`
}

func (p *PyPI) base() string {
	if p.BaseURL != "" {
		return strings.TrimRight(p.BaseURL, "/")
	}
	return "https://pypi.org/pypi"
}

func (p *PyPI) getJSON(ctx context.Context, u string) (*pypiDoc, error) {
	client := p.Client
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("pypi: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("pypi: GET %s: %s", u, resp.Status)
	}
	var doc pypiDoc
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<20)).Decode(&doc); err != nil {
		return nil, fmt.Errorf("pypi: GET %s: %w", u, err)
	}
	return &doc, nil
}

// Versions lists the released versions that have a wheel, oldest first.
func (p *PyPI) Versions(ctx context.Context) ([]string, error) {
	doc, err := p.getJSON(ctx, p.base()+"/"+Project+"/json")
	if err != nil {
		return nil, err
	}
	var vs []string
	for v, files := range doc.Releases {
		for _, f := range files {
			if f.PackageType == "bdist_wheel" {
				vs = append(vs, v)
				break
			}
		}
	}
	sort.Slice(vs, func(i, j int) bool { return CompareVersions(vs[i], vs[j]) < 0 })
	return vs, nil
}

// Latest is the newest release PyPI reports (info.version).
func (p *PyPI) Latest(ctx context.Context) (string, error) {
	doc, err := p.getJSON(ctx, p.base()+"/"+Project+"/json")
	if err != nil {
		return "", err
	}
	if !IsVersion(doc.Info.Version) {
		return "", fmt.Errorf("pypi: latest version %q is not a version", doc.Info.Version)
	}
	return doc.Info.Version, nil
}

var wheelNameRE = regexp.MustCompile(`^mlx_lm-[0-9A-Za-z.+_-]+\.whl$`)

// releaseWheel finds version's pure-Python wheel in PyPI's JSON document.
func (p *PyPI) releaseWheel(ctx context.Context, version string) (*pypiFile, string, error) {
	if !IsVersion(version) {
		return nil, "", fmt.Errorf("pypi: %q is not a release version", version)
	}
	// The project document lists every release's files (mirrors may not
	// serve the per-version documents).
	jsonURL := p.base() + "/" + Project + "/json"
	doc, err := p.getJSON(ctx, jsonURL)
	if err != nil {
		return nil, "", err
	}
	files, ok := doc.Releases[version]
	if !ok {
		return nil, "", fmt.Errorf("pypi: mlx-lm has no release %s", version)
	}
	var wf *pypiFile
	for i, f := range files {
		if f.PackageType == "bdist_wheel" && strings.HasSuffix(f.Filename, "-py3-none-any.whl") {
			wf = &files[i]
			break
		}
	}
	if wf == nil {
		return nil, "", fmt.Errorf("pypi: mlx-lm %s has no pure-Python wheel", version)
	}
	if !wheelNameRE.MatchString(wf.Filename) || strings.Contains(wf.Filename, "..") {
		return nil, "", fmt.Errorf("pypi: odd wheel file name %q", wf.Filename)
	}
	if !sha256RE.MatchString(wf.Digests["sha256"]) {
		return nil, "", fmt.Errorf("pypi: %s: no sha256 digest", wf.Filename)
	}
	return wf, jsonURL, nil
}

// WheelDigest is the file name and sha256 PyPI publishes for version's
// pure-Python wheel (the JSON document only; nothing is downloaded).
func (p *PyPI) WheelDigest(ctx context.Context, version string) (name, sha256 string, err error) {
	wf, _, err := p.releaseWheel(ctx, version)
	if err != nil {
		return "", "", err
	}
	return wf.Filename, wf.Digests["sha256"], nil
}

// CachedWheelSHA256 returns the sha256 of the wheel file name in the
// download cache; an error wrapping fs.ErrNotExist when it was never
// downloaded.
func (p *PyPI) CachedWheelSHA256(name string) (string, error) {
	if !wheelNameRE.MatchString(name) || strings.Contains(name, "..") {
		return "", fmt.Errorf("pypi: odd wheel file name %q", name)
	}
	cache := p.CacheDir
	if cache == "" {
		var err error
		if cache, err = DefaultCacheDir(); err != nil {
			return "", err
		}
	}
	return fileSHA256(filepath.Join(cache, "pypi", name))
}

// Wheel downloads (or finds in the cache) the wheel of version and opens it.
func (p *PyPI) Wheel(ctx context.Context, version string) (*Wheel, error) {
	wf, jsonURL, err := p.releaseWheel(ctx, version)
	if err != nil {
		return nil, err
	}
	want := wf.Digests["sha256"]
	cache := p.CacheDir
	if cache == "" {
		if cache, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	dir := filepath.Join(cache, "pypi")
	dst := filepath.Join(dir, wf.Filename)
	if got, err := fileSHA256(dst); err == nil && got == want {
		return p.open(dst, version)
	}
	// Mirrors serve relative URLs; resolve against the JSON document's URL.
	base, err := url.Parse(jsonURL)
	if err != nil {
		return nil, err
	}
	ref, err := url.Parse(wf.URL)
	if err != nil {
		return nil, fmt.Errorf("pypi: bad wheel URL %q: %w", wf.URL, err)
	}
	tmp, got, err := download(ctx, p.Client, base.ResolveReference(ref).String(), dir, DefaultMaxDownload)
	if err != nil {
		return nil, err
	}
	if got != want {
		os.Remove(tmp)
		return nil, errSHA256(wf.Filename, got, want)
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	return p.open(dst, version)
}

func (p *PyPI) open(file, version string) (*Wheel, error) {
	w, err := OpenWheel(file)
	if err != nil {
		return nil, err
	}
	if w.rev.Version != version {
		return nil, fmt.Errorf("%s: _version.py says %q, PyPI says %q", w.name, w.rev.Version, version)
	}
	w.name = "PyPI mlx-lm " + version
	return w, nil
}
