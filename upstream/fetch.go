package upstream

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// DefaultCacheDir is os.UserCacheDir()/hf2go/upstream, where downloaded
// archives and wheels are kept.
func DefaultCacheDir() (string, error) {
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no user cache dir: %w", err)
	}
	return filepath.Join(c, "hf2go", "upstream"), nil
}

// download GETs url into a temp file in dir, at most max bytes, and returns
// the temp file's path and the sha256 of what was written. The caller renames
// or removes the file.
func download(ctx context.Context, client *http.Client, url, dir string, max int64) (tmp, sum string, err error) {
	if client == nil {
		client = http.DefaultClient
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return "", "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("download %s: %s", url, resp.Status)
	}
	if resp.ContentLength > max {
		return "", "", fmt.Errorf("download %s: %d bytes is over the %d-byte limit", url, resp.ContentLength, max)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	f, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return "", "", err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			tmp = ""
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(resp.Body, max+1))
	if err != nil {
		return "", "", fmt.Errorf("download %s: %w", url, err)
	}
	if n > max {
		return "", "", fmt.Errorf("download %s: over the %d-byte limit", url, max)
	}
	return f.Name(), hex.EncodeToString(h.Sum(nil)), nil
}

// fileSHA256 hashes a file on disk.
func fileSHA256(file string) (string, error) {
	f, err := os.Open(file)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// errSHA256 reports a download whose sha256 is not the expected one.
func errSHA256(what, got, want string) error {
	return fmt.Errorf("%s: sha256 %s does not match the expected %s", what, got, want)
}
