package modelfs

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// bounded fails the test if f blocks (a FIFO open, an endless device).
func bounded(t *testing.T, f func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- f() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("still blocked after 10s")
		return nil
	}
}

// TestReadFile: what may and may not be read from a model directory, each
// refusal naming the file and the reason.
func TestReadFile(t *testing.T) {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	secret := filepath.Join(root, "secret.txt")
	write(t, secret, []byte("hf_token"))
	write(t, filepath.Join(model, "config.json"), []byte(`{}`))
	write(t, filepath.Join(model, "sub", "inner.json"), []byte(`{"inner": 1}`))
	os.Symlink("sub/inner.json", filepath.Join(model, "inside.json"))
	os.Symlink(secret, filepath.Join(model, "chat_template.jinja"))
	os.Symlink("../secret.txt", filepath.Join(model, "relative_out.json"))
	os.Symlink("/dev/zero", filepath.Join(model, "tokenizer.json"))
	os.Symlink("nowhere", filepath.Join(model, "dangling.json"))
	if err := syscall.Mkfifo(filepath.Join(model, "generation_config.json"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(model, "special_tokens_map.json"), 0o755)
	write(t, filepath.Join(model, "big.json"), bytes.Repeat([]byte(" "), 2000))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(bytes.Repeat([]byte("a"), 1<<20))
	zw.Close()
	write(t, filepath.Join(model, "bomb.json.gz"), gz.Bytes())

	for _, tc := range []struct {
		name  string
		limit int64
		want  string // "" means it is read
	}{
		{"config.json", 100, ""},
		{"inside.json", 100, ""},
		{"chat_template.jinja", 100, "outside the model directory"},
		{"relative_out.json", 100, "outside the model directory"},
		{"tokenizer.json", 100, "outside the model directory"},
		{"dangling.json", 100, "does not resolve"},
		{"generation_config.json", 100, "named pipe"},
		{"special_tokens_map.json", 100, "directory"},
		{"big.json", 1000, "more than the 1000 bytes limit"},
		{"bomb.json.gz", 1000, "decompresses to more than"},
		{"missing.json", 100, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			err := bounded(t, func() (err error) { b, err = ReadFileLimit(model, tc.name, tc.limit); return })
			if tc.want == "" {
				if err != nil || len(b) == 0 {
					t.Fatalf("%q, %v", b, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.name) {
				t.Fatalf("error %v, want one naming %s and containing %q", err, tc.name, tc.want)
			}
			if tc.name == "missing.json" && !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a missing file must be fs.ErrNotExist: %v", err)
			}
		})
	}
}

// TestHubSnapshotLinks: a Hub cache snapshot's files are links into the
// repository's blobs/, which is allowed; a link from the snapshot to another
// repository's blobs or anywhere else is not.
func TestHubSnapshotLinks(t *testing.T) {
	cache := t.TempDir()
	repo := filepath.Join(cache, "models--org--name")
	snap := filepath.Join(repo, "snapshots", strings.Repeat("a", 40))
	write(t, filepath.Join(repo, "blobs", "e1"), []byte(`{"ok": true}`))
	write(t, filepath.Join(cache, "models--other--repo", "blobs", "e2"), []byte(`{"other": true}`))
	os.MkdirAll(snap, 0o755)
	os.Symlink("../../blobs/e1", filepath.Join(snap, "config.json"))
	os.Symlink("../../../models--other--repo/blobs/e2", filepath.Join(snap, "tokenizer.json"))
	if b, err := ReadFile(snap, "config.json"); err != nil || string(b) != `{"ok": true}` {
		t.Fatalf("snapshot link into its blobs: %q, %v", b, err)
	}
	if _, err := ReadFile(snap, "tokenizer.json"); err == nil || !errors.Is(err, ErrOutside) {
		t.Fatalf("link into another repository's blobs: %v", err)
	}
	// The same layout outside a models--* folder is an ordinary directory.
	plain := filepath.Join(cache, "x", "snapshots", "c")
	os.MkdirAll(plain, 0o755)
	write(t, filepath.Join(cache, "x", "blobs", "e"), []byte(`{}`))
	os.Symlink("../../blobs/e", filepath.Join(plain, "config.json"))
	if _, err := ReadFile(plain, "config.json"); !errors.Is(err, ErrOutside) {
		t.Fatalf("not a Hub repository folder: %v", err)
	}
}

// TestModelDirIsALink: a model directory reached through a symbolic link
// reads as the directory it points to.
func TestModelDirIsALink(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "real", "config.json"), []byte(`{}`))
	os.Symlink("real", filepath.Join(root, "alias"))
	if _, err := ReadFile(filepath.Join(root, "alias"), "config.json"); err != nil {
		t.Fatal(err)
	}
}

func TestCheckName(t *testing.T) {
	for name, ok := range map[string]bool{
		"model-00001-of-00002.safetensors": true, "model.safetensors": true, "ünï.safetensors": true,
		"": false, ".": false, "..": false, "../x.safetensors": false, "a/b.safetensors": false, `a\b`: false,
		"a\x00b": false, "a\x1b[31mb": false, "\xff.safetensors": false,
	} {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestLimit(t *testing.T) {
	for name, want := range map[string]int64{
		"config.json": MaxConfigSize, "tokenizer.json.gz": MaxTokenizerSize, "chat_template.jinja": MaxTemplateSize,
		"model-00001-of-00009.safetensors": MaxWeightsSize, "modeling_x.py": MaxOtherSize,
	} {
		if got := Limit(name); got != want {
			t.Errorf("Limit(%s) = %d, want %d", name, got, want)
		}
	}
}
