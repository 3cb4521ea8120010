package convert

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestStaleWorkDirs: only a work directory that is ours (name, a real
// directory, our lock file) and whose lock no live process holds is removed.
func TestStaleWorkDirs(t *testing.T) {
	parent := t.TempDir()
	mk := func(name string, lock func(dir string)) string {
		d := filepath.Join(parent, name)
		if err := os.Mkdir(d, 0o700); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, "model.safetensors"), []byte("partial"), 0o644)
		if lock != nil {
			lock(d)
		}
		return d
	}
	plainLock := func(d string) { os.WriteFile(filepath.Join(d, lockName), []byte("pid 1\n"), 0o600) }
	stale := mk(".out.tmp-123", plainLock)
	// Held by a live process: a child that takes the lock and waits.
	live := mk(".out.tmp-456", plainLock)
	child := exec.Command("flock", "-x", filepath.Join(live, lockName), "sleep", "30")
	if _, err := exec.LookPath("flock"); err != nil {
		// No flock(1): hold it from this process through another open file
		// description, which conflicts just the same.
		f, err := os.Open(filepath.Join(live, lockName))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			t.Fatal(err)
		}
	} else {
		var out bytes.Buffer
		child.Stderr = &out
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		defer child.Process.Kill()
		for i := 0; ; i++ { // wait until the child holds it
			f, _ := os.Open(filepath.Join(live, lockName))
			err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
			if err == nil {
				syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
			}
			f.Close()
			if err != nil {
				break
			}
			if i > 500 {
				t.Fatalf("flock child never took the lock: %s", out.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	noLock := mk(".out.tmp-789", nil)
	linkLock := mk(".out.tmp-321", func(d string) { os.Symlink("/etc/hostname", filepath.Join(d, lockName)) })
	other := mk("out.tmp-111", plainLock) // not hidden: not a name we make
	notDigits := mk(".out.tmp-abc", plainLock)
	target := mk("elsewhere", plainLock)
	os.Symlink(target, filepath.Join(parent, ".out.tmp-999"))

	var log bytes.Buffer
	removeStaleWorkDirs(parent, &log)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale directory was kept: %v", err)
	}
	if !strings.Contains(log.String(), stale) {
		t.Errorf("no message about %s: %q", stale, log.String())
	}
	for _, d := range []string{live, noLock, linkLock, other, notDigits, target, filepath.Join(parent, ".out.tmp-999")} {
		if _, err := os.Lstat(d); err != nil {
			t.Errorf("%s was removed: %v", d, err)
		}
	}
}

// TestWorkDirAbortWins: after abort nothing is created or renamed into place;
// a finished directory survives a late abort.
func TestWorkDirAbortWins(t *testing.T) {
	parent := t.TempDir()
	w := &workDir{parent: parent, base: "out"}
	dir, err := w.create()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, lockName)); err != nil {
		t.Fatalf("no lock file: %v", err)
	}
	if removeIfStale(dir) {
		t.Fatal("a live work directory was judged stale")
	}
	w.abort()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("abort left %s", dir)
	}
	if _, err := w.create(); err != errAborted {
		t.Errorf("create after abort: %v", err)
	}
	if err := w.finish(filepath.Join(parent, "out")); err != errAborted {
		t.Errorf("finish after abort: %v", err)
	}
	w2 := &workDir{parent: parent, base: "out"}
	if _, err := w2.create(); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(parent, "out")
	if err := w2.finish(dst); err != nil {
		t.Fatal(err)
	}
	w2.abort()
	if _, err := os.Stat(dst); err != nil {
		t.Errorf("a late abort removed the finished output: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dst, lockName)); !os.IsNotExist(err) {
		t.Errorf("the lock file is in the output: %v", err)
	}
}

// TestCheckOptions: impossible values are refused before anything is read;
// what mx.quantize refuses is refused when quantizing; mode defaults fill in.
func TestCheckOptions(t *testing.T) {
	for _, tc := range []struct {
		o      Options
		want   string
		gs, bi int
	}{
		{o: Options{HFPath: "x"}, gs: 64, bi: 4},
		{o: Options{HFPath: "x", Quantize: true, Mode: "mxfp4"}, gs: 32, bi: 4},
		{o: Options{HFPath: "x", Quantize: true, Mode: "nvfp4"}, gs: 16, bi: 4},
		{o: Options{HFPath: "x", Quantize: true, GroupSize: 128, Bits: 8}, gs: 128, bi: 8},
		{o: Options{HFPath: "x", GroupSize: 7}, gs: 7, bi: 4}, // unused without -q, as mlx_lm
		{o: Options{}, want: "--hf-path is required"},
		{o: Options{HFPath: "x", GroupSize: -64}, want: "--q-group-size -64"},
		{o: Options{HFPath: "x", Quantize: true, GroupSize: -64}, want: "--q-group-size -64"},
		{o: Options{HFPath: "x", Bits: -4}, want: "--q-bits -4"},
		{o: Options{HFPath: "x", Quantize: true, GroupSize: 16}, want: "group size 16 is not supported"},
		{o: Options{HFPath: "x", Quantize: true, Bits: 7}, want: "7 bits are not supported"},
		{o: Options{HFPath: "x", Quantize: true, Mode: "mxfp4", GroupSize: 64}, want: "mxfp4 quantization requires group size 32"},
		{o: Options{HFPath: "x", Quantize: true, Mode: "mxfp8", Bits: 4}, want: "mxfp8 quantization requires 8 bits"},
		{o: Options{HFPath: "x", Mode: "int4"}, want: "--q-mode"},
		{o: Options{HFPath: "x", Dtype: "float64"}, want: "--dtype"},
	} {
		o := tc.o
		err := CheckOptions(&o)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%+v: %v", tc.o, err)
		case tc.want == "" && (o.GroupSize != tc.gs || o.Bits != tc.bi):
			t.Errorf("%+v: group %d bits %d, want %d %d", tc.o, o.GroupSize, o.Bits, tc.gs, tc.bi)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%+v: error %v, want %q", tc.o, err, tc.want)
		}
	}
}
