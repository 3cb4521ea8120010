// Not ported from mlx-lm: mlx_lm.convert writes into --mlx-path directly; the locked temporary
// directory, its removal on SIGINT/SIGTERM and the cleanup of dead runs' are hf2go's (issue 18).

package convert

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"syscall"
	"time"
)

// lockName is the file inside a conversion's temporary directory that marks
// it as ours and is flock'ed for as long as the conversion runs. The kernel
// drops the lock when the process ends however it ends (kill -9 included),
// so a marked directory whose lock can be taken belongs to no live run.
const lockName = ".hf2go-convert.lock"

// workRe is the name os.MkdirTemp gives a work directory: "." + the
// --mlx-path base + ".tmp-" + digits.
var workRe = regexp.MustCompile(`^\..+\.tmp-[0-9]+$`)

var errAborted = errors.New("conversion aborted")

// workDir is a conversion's temporary output directory beside --mlx-path.
// create, finish and abort are safe to race: after abort, nothing is
// created and nothing is renamed into place.
type workDir struct {
	parent, base string

	mu       sync.Mutex
	dir      string
	lock     *os.File
	aborted  bool
	finished bool
}

func (w *workDir) path() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.dir
}

// create makes the directory with its lock file, already locked when it
// appears under its name (it is locked under a temporary name and renamed),
// so that a cleanup running beside us never sees it unlocked.
func (w *workDir) create() (string, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.aborted {
		return "", errAborted
	}
	dir, err := os.MkdirTemp(w.parent, "."+w.base+".tmp-")
	if err != nil {
		return "", err
	}
	f, err := os.CreateTemp(dir, ".lock-*")
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			fmt.Fprintf(f, "pid %d, started %s\n", os.Getpid(), time.Now().UTC().Format(time.RFC3339))
			err = os.Rename(f.Name(), filepath.Join(dir, lockName))
		}
	}
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(dir)
		return "", fmt.Errorf("creating the temporary output directory: %w", err)
	}
	w.dir, w.lock = dir, f
	return dir, nil
}

// finish renames the directory to dst (without its lock file).
func (w *workDir) finish(dst string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.aborted {
		return errAborted
	}
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("cannot save to the path %s: it appeared while converting", dst)
	}
	// The lock stays held through the open descriptor until the rename.
	if err := os.Remove(filepath.Join(w.dir, lockName)); err != nil {
		return err
	}
	if err := os.Chmod(w.dir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(w.dir, dst); err != nil {
		return err
	}
	w.finished = true
	w.lock.Close()
	return nil
}

// abort removes the directory unless it was already renamed into place.
func (w *workDir) abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.finished || w.aborted {
		return
	}
	w.aborted = true
	if w.dir != "" {
		os.RemoveAll(w.dir)
		w.lock.Close()
	}
}

// removeStaleWorkDirs removes, in parent, the work directories of
// conversions that died without cleaning up: named as ours, a real
// directory (not a link), holding our lock file (a regular file owned by
// this user), and that lock free. Anything else is left alone.
func removeStaleWorkDirs(parent string, log io.Writer) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || e.Type()&os.ModeSymlink != 0 || !workRe.MatchString(e.Name()) {
			continue
		}
		dir := filepath.Join(parent, e.Name())
		if removeIfStale(dir) && log != nil {
			fmt.Fprintf(log, "[INFO] Removed %s, left by an interrupted conversion\n", dir)
		}
	}
}

func removeIfStale(dir string) bool {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false // not ours (or not readable): leave it
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || int(sys.Uid) != os.Getuid() {
		return false
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		return false // a live conversion holds it
	}
	return os.RemoveAll(dir) == nil
}
