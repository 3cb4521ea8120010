package upstream

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path"
	"sort"
	"strings"
)

// Git is a Source reading one commit of a git repository through the git CLI
// (`git cat-file`, `git ls-tree`); the working tree is not looked at.
type Git struct {
	ctx    context.Context
	dir    string
	commit string
	rev    Revision
}

// NewGit resolves rev (a commit, tag or branch) in the repository at dir.
func NewGit(ctx context.Context, dir, rev string) (*Git, error) {
	if rev == "" {
		rev = "HEAD"
	}
	if strings.HasPrefix(rev, "-") || strings.ContainsAny(rev, " \t\n:") {
		return nil, fmt.Errorf("invalid git revision %q", rev)
	}
	g := &Git{ctx: ctx, dir: dir}
	out, err := g.git("rev-parse", "--verify", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("git %s: cannot resolve %q: %w", dir, rev, err)
	}
	g.commit = strings.TrimSpace(string(out))
	g.rev = Revision{Commit: g.commit, Version: readVersion(g.ReadFile)}
	return g, nil
}

func (g *Git) git(args ...string) ([]byte, error) {
	cmd := exec.CommandContext(g.ctx, "git", append([]string{"-C", g.dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return nil, err
		}
		return nil, errors.New(msg)
	}
	return out, nil
}

func (g *Git) Name() string       { return fmt.Sprintf("git %s@%s", g.dir, g.commit) }
func (g *Git) Revision() Revision { return g.rev }

func (g *Git) ReadFile(p string) ([]byte, error) {
	p, err := CleanPath(p)
	if err != nil {
		return nil, err
	}
	// ls-tree first: it tells a missing path apart from a git failure.
	out, err := g.git("ls-tree", "-z", g.commit, "--", p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", g.Name(), err)
	}
	if len(out) == 0 {
		return nil, notExist(g.Name(), p)
	}
	mode, typ, _, _, ok := parseLsTree(string(bytes.TrimRight(out, "\x00")))
	if !ok || typ != "blob" || mode == "120000" {
		return nil, fmt.Errorf("%s: %s is not a regular file", g.Name(), p)
	}
	b, err := g.git("cat-file", "blob", g.commit+":"+p)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", g.Name(), p, err)
	}
	return b, nil
}

func (g *Git) List(dir string) ([]string, error) {
	dir, err := CleanPath(dir)
	if err != nil {
		return nil, err
	}
	out, err := g.git("ls-tree", "-z", g.commit, "--", dir+"/")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", g.Name(), err)
	}
	var files []string
	for _, rec := range strings.Split(string(out), "\x00") {
		mode, typ, _, name, ok := parseLsTree(rec)
		if ok && typ == "blob" && mode != "120000" && path.Dir(name) == dir {
			files = append(files, name)
		}
	}
	sort.Strings(files)
	return files, nil
}

// parseLsTree splits "<mode> SP <type> SP <object> TAB <path>".
func parseLsTree(rec string) (mode, typ, obj, name string, ok bool) {
	meta, name, found := strings.Cut(rec, "\t")
	if !found {
		return "", "", "", "", false
	}
	f := strings.Fields(meta)
	if len(f) != 3 {
		return "", "", "", "", false
	}
	return f[0], f[1], f[2], name, true
}
