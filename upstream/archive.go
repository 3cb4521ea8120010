package upstream

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// Archive fetches the GitHub source archive of one commit
// (<BaseURL>/<commit>.tar.gz), keeps it in the cache and unpacks it safely:
// no entry may leave the destination (absolute names, "..", symlinks or hard
// links pointing out), only regular files, directories and in-tree symlinks
// are created, and per-file, total and entry-count limits apply. The tree is
// unpacked into a temp directory and renamed into place, so a half-unpacked
// tree is never seen.
//
// Integrity: the sha256 of the first download is recorded beside it
// (<commit>.tar.gz.sha256) and every later download or reuse must match it.
// When Lock is set and pins the same commit, every tracked file's blob hash
// must also match the lock.
type Archive struct {
	BaseURL    string       // default https://github.com/ml-explore/mlx-lm/archive
	CacheDir   string       // default DefaultCacheDir()
	Client     *http.Client // default http.DefaultClient
	Lock       *Lock        // optional: verify blobs against it
	MaxFile    int64        // default DefaultMaxFile
	MaxTotal   int64        // default DefaultMaxTotal
	MaxEntries int          // default DefaultMaxEntries
}

// Fetch returns a Dir source over the unpacked archive of commit (40 hex).
func (a *Archive) Fetch(ctx context.Context, commit string) (*Dir, error) {
	if !IsFullCommit(commit) {
		return nil, fmt.Errorf("archive: %q is not a full 40-hex commit id", commit)
	}
	cache := a.CacheDir
	if cache == "" {
		var err error
		if cache, err = DefaultCacheDir(); err != nil {
			return nil, err
		}
	}
	archDir := filepath.Join(cache, "archives")
	treeDir := filepath.Join(cache, "trees")
	tgz := filepath.Join(archDir, commit+".tar.gz")
	sumFile := tgz + ".sha256"
	tree := filepath.Join(treeDir, commit)

	if _, err := os.Stat(filepath.Join(tree, "mlx_lm")); err == nil {
		return a.open(tree, commit)
	}

	recorded := ""
	if b, err := os.ReadFile(sumFile); err == nil {
		recorded = strings.TrimSpace(string(b))
	}
	have, err := fileSHA256(tgz)
	if err != nil || (recorded != "" && have != recorded) {
		base := a.BaseURL
		if base == "" {
			base = RepoURL + "/archive"
		}
		tmp, got, err := download(ctx, a.Client, strings.TrimRight(base, "/")+"/"+commit+".tar.gz", archDir, DefaultMaxDownload)
		if err != nil {
			return nil, err
		}
		if recorded != "" && got != recorded {
			os.Remove(tmp)
			return nil, errSHA256("archive "+commit, got, recorded)
		}
		if err := os.Rename(tmp, tgz); err != nil {
			os.Remove(tmp)
			return nil, err
		}
		have = got
	}
	if recorded == "" {
		if err := WriteFileAtomic(sumFile, []byte(have+"\n"), 0o644); err != nil {
			return nil, err
		}
	}

	if err := os.MkdirAll(treeDir, 0o755); err != nil {
		return nil, err
	}
	tmpTree, err := os.MkdirTemp(treeDir, ".unpack-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmpTree) // no-op after a successful rename
	if err := a.unpack(tgz, tmpTree); err != nil {
		return nil, fmt.Errorf("archive %s: %w", commit, err)
	}
	if _, err := os.Stat(filepath.Join(tmpTree, "mlx_lm")); err != nil {
		return nil, fmt.Errorf("archive %s: no mlx_lm/ directory inside", commit)
	}
	if err := os.Rename(tmpTree, tree); err != nil {
		// Another process may have won the race; use its tree.
		if _, serr := os.Stat(filepath.Join(tree, "mlx_lm")); serr != nil {
			return nil, err
		}
	}
	return a.open(tree, commit)
}

func (a *Archive) open(tree, commit string) (*Dir, error) {
	d, err := NewDir(tree, commit)
	if err != nil {
		return nil, err
	}
	d.name = "archive " + commit
	if a.Lock != nil && a.Lock.Upstream.Commit == commit {
		diff, err := a.Lock.CompareSource(d)
		if err != nil {
			return nil, err
		}
		if !diff.OK() {
			return nil, fmt.Errorf("archive %s does not match %s: %w", commit, LockFileName, diff.Err())
		}
	}
	return d, nil
}

// unpack extracts the gzipped tar tgz into dst (which must exist), dropping
// the single top-level directory GitHub puts in its archives.
func (a *Archive) unpack(tgz, dst string) error {
	maxFile, maxTotal, maxEntries := a.MaxFile, a.MaxTotal, a.MaxEntries
	if maxFile <= 0 {
		maxFile = DefaultMaxFile
	}
	if maxTotal <= 0 {
		maxTotal = DefaultMaxTotal
	}
	if maxEntries <= 0 {
		maxEntries = DefaultMaxEntries
	}
	f, err := os.Open(tgz)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	defer zr.Close()
	root, err := os.OpenRoot(dst)
	if err != nil {
		return err
	}
	defer root.Close()

	tr := tar.NewReader(zr)
	var total int64
	for n := 0; ; n++ {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if n >= maxEntries {
			return fmt.Errorf("more than %d entries", maxEntries)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader || hdr.Typeflag == tar.TypeXHeader {
			continue // pax metadata (GitHub records the commit id this way)
		}
		name, err := entryName(hdr.Name)
		if err != nil {
			return err
		}
		if name == "" {
			continue // the top-level directory itself
		}
		local := filepath.FromSlash(name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := root.MkdirAll(local, 0o755); err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
		case tar.TypeReg:
			if hdr.Size < 0 || hdr.Size > maxFile {
				return fmt.Errorf("%s: %d bytes is over the per-file limit of %d", hdr.Name, hdr.Size, maxFile)
			}
			total += hdr.Size
			if total > maxTotal {
				return fmt.Errorf("over the total size limit of %d bytes", maxTotal)
			}
			if err := root.MkdirAll(filepath.Dir(local), 0o755); err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
			out, err := root.OpenFile(local, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
			_, err = io.Copy(out, io.LimitReader(tr, hdr.Size))
			if cerr := out.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
		case tar.TypeSymlink:
			target := hdr.Linkname
			if target == "" || path.IsAbs(target) || strings.Contains(target, "\\") {
				return fmt.Errorf("%s: symlink to %q points outside the tree", hdr.Name, target)
			}
			if resolved := path.Join(path.Dir(name), target); resolved == ".." || strings.HasPrefix(resolved, "../") {
				return fmt.Errorf("%s: symlink to %q points outside the tree", hdr.Name, target)
			}
			if err := root.MkdirAll(filepath.Dir(local), 0o755); err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
			if err := root.Symlink(target, local); err != nil {
				return fmt.Errorf("%s: %w", hdr.Name, err)
			}
		default:
			return fmt.Errorf("%s: entry type %q is not allowed", hdr.Name, hdr.Typeflag)
		}
	}
}

// entryName strips the archive's top-level directory and rejects names that
// could leave the destination. "" means the top-level directory itself.
func entryName(raw string) (string, error) {
	bad := func() (string, error) { return "", fmt.Errorf("unsafe archive entry %q", raw) }
	if raw == "" || strings.HasPrefix(raw, "/") || strings.Contains(raw, "\\") || strings.ContainsRune(raw, 0) {
		return bad()
	}
	for _, el := range strings.Split(strings.TrimSuffix(raw, "/"), "/") {
		if el == ".." {
			return bad()
		}
	}
	clean := path.Clean(raw)
	_, rest, found := strings.Cut(clean, "/")
	if !found {
		return "", nil
	}
	if rest == "" || rest == "." {
		return "", nil
	}
	if !fs.ValidPath(rest) {
		return bad()
	}
	return rest, nil
}
