// Package modelfs reads the files that come with a model — an untrusted
// directory (a git clone, an archive, a Hub snapshot) — so that no model can
// make the reader hang, exhaust memory or read a file outside the model:
//
//   - a file is opened only if it resolves inside the model directory, or,
//     for a Hub cache snapshot (…/models--org--name/snapshots/<commit>), inside
//     that repository's blobs/ directory (the snapshot's files are links there);
//   - only regular files are read: a FIFO (which would block the open), a
//     device such as /dev/zero (which never ends), a socket or a directory is
//     refused before any byte is read;
//   - a file read whole is read up to a limit that depends on what it is
//     (Limit), which the Hub client also uses for files whose size the server
//     does not declare.
//
// It does not need MLX.
package modelfs

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"
)

// Size limits of the files read whole. Real files are far smaller: the
// largest config.json of a released model is ~100 KB, the largest
// tokenizer.json ~35 MB (Gemma 3), index files a few MB, chat templates tens
// of KB.
const (
	MaxConfigSize    = 16 << 20  // config.json, generation_config.json, special_tokens_map.json, added_tokens.json
	MaxIndexSize     = 64 << 20  // model.safetensors.index.json
	MaxTokenizerSize = 256 << 20 // tokenizer.json (also after gunzip), tokenizer.model, vocab/merges files
	MaxTokConfigSize = 64 << 20  // tokenizer_config.json (added_tokens_decoder can be large)
	MaxTemplateSize  = 16 << 20  // chat_template.jinja / chat_template.json
	MaxOtherSize     = 64 << 20  // anything else read whole (e.g. *.py copied by convert)
	// MaxWeightsSize caps a weights file whose size is not declared by a Hub
	// mirror: huggingface_hub's MAX_HTTP_DOWNLOAD_SIZE (50 GB).
	MaxWeightsSize = 50_000_000_000
)

// Limit is the size limit for a file of the given base name.
func Limit(name string) int64 {
	name = strings.TrimSuffix(filepath.Base(name), ".gz")
	switch name {
	case "config.json", "generation_config.json", "special_tokens_map.json", "added_tokens.json":
		return MaxConfigSize
	case "model.safetensors.index.json":
		return MaxIndexSize
	case "tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt", "merges.txt":
		return MaxTokenizerSize
	case "tokenizer_config.json":
		return MaxTokConfigSize
	case "chat_template.jinja", "chat_template.json":
		return MaxTemplateSize
	}
	if strings.HasSuffix(name, ".safetensors") || strings.HasSuffix(name, ".gguf") {
		return MaxWeightsSize
	}
	return MaxOtherSize
}

// CheckName rejects a file name taken from untrusted data (an index's
// weight_map, a Hub file list) that is not a plain name of a file in one
// directory: empty, ".", "..", containing a path separator, NUL, a control
// character or invalid UTF-8.
func CheckName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("%q is not a file name", name)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("%q is not a plain file name (it has a path separator)", name)
	case !utf8.ValidString(name):
		return fmt.Errorf("%q is not valid UTF-8", name)
	}
	for _, r := range name {
		if unicode.IsControl(r) {
			return fmt.Errorf("%q contains a control character", name)
		}
	}
	return nil
}

// ErrOutside is wrapped by the errors of files that resolve outside the model.
var ErrOutside = errors.New("outside the model directory")

// Resolve returns dir/name after checking that it resolves (following every
// symbolic link) inside dir, or inside the blobs/ of the Hub repository dir
// is a snapshot of. A missing file is an error wrapping fs.ErrNotExist.
func Resolve(dir, name string) (string, error) {
	p := filepath.Join(dir, name)
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if _, lerr := os.Lstat(p); lerr == nil {
			// The link itself exists but does not resolve.
			return "", fmt.Errorf("%s: a symbolic link that does not resolve: %w", p, err)
		}
		return "", err
	}
	roots, err := allowedRoots(dir)
	if err != nil {
		return "", err
	}
	for _, r := range roots {
		if within(real, r) {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s resolves to %s, %w (copy the file into the model directory)", p, real, ErrOutside)
}

// allowedRoots are the resolved model directory and, for a Hub snapshot, the
// resolved blobs/ directory beside snapshots/.
func allowedRoots(dir string) ([]string, error) {
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("model directory: %w", err)
	}
	roots := []string{root}
	for _, d := range []string{dir, root} {
		abs, err := filepath.Abs(d)
		if err != nil {
			continue
		}
		snaps := filepath.Dir(abs)
		if filepath.Base(snaps) != "snapshots" || !strings.HasPrefix(filepath.Base(filepath.Dir(snaps)), "models--") {
			continue
		}
		if blobs, err := filepath.EvalSymlinks(filepath.Join(filepath.Dir(snaps), "blobs")); err == nil {
			roots = append(roots, blobs)
		}
	}
	return roots, nil
}

func within(p, root string) bool {
	rel, err := filepath.Rel(root, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Open opens dir/name for reading after Resolve, refusing anything but a
// regular file without blocking on it.
func Open(dir, name string) (*os.File, os.FileInfo, error) {
	p, err := Resolve(dir, name)
	if err != nil {
		return nil, nil, err
	}
	return OpenRegular(p)
}

// OpenRegular opens path (no containment check) only if it is a regular
// file. O_NONBLOCK keeps the open of a FIFO from blocking; it changes nothing
// for a regular file.
func OpenRegular(path string) (*os.File, os.FileInfo, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a regular file (%s)", path, Kind(st.Mode()))
	}
	return f, st, nil
}

// Kind names a file mode for an error message.
func Kind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a " + m.Type().String() + " file"
}

// Check is Open without reading: for files handed to another reader by path
// (safetensors files, which MLX reads).
func Check(dir, name string) (string, error) {
	f, _, err := Open(dir, name)
	if err != nil {
		return "", err
	}
	f.Close()
	return filepath.Join(dir, name), nil
}

// ReadFile reads dir/name whole, up to Limit(name) bytes. A name ending in
// ".gz" is decompressed, and the limit applies to the decompressed bytes.
func ReadFile(dir, name string) ([]byte, error) {
	return ReadFileLimit(dir, name, Limit(name))
}

// ReadFileLimit is ReadFile with an explicit limit.
func ReadFileLimit(dir, name string, limit int64) ([]byte, error) {
	f, st, err := Open(dir, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p := filepath.Join(dir, name)
	var r io.Reader = f
	gz := strings.HasSuffix(name, ".gz")
	if gz {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		defer zr.Close()
		r = zr
	} else if st.Size() > limit {
		return nil, tooLarge(p, st.Size(), limit)
	}
	// Read one byte past the limit: a file that grows while being read, or
	// a gzip stream that inflates past it, is refused too.
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if int64(len(b)) > limit {
		what := "more than"
		if gz {
			what = "decompresses to more than"
		}
		return nil, fmt.Errorf("%s: %s the %s limit for %s", p, what, human(limit), strings.TrimSuffix(filepath.Base(name), ".gz"))
	}
	return b, nil
}

func tooLarge(p string, size, limit int64) error {
	return fmt.Errorf("%s: %s, more than the %s limit for %s", p, human(size), human(limit), filepath.Base(p))
}

func human(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d bytes", n)
}
