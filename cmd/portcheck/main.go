// Command portcheck keeps hf2go's ports honest against mlx-lm upstream.
//
//	portcheck [--to latest|<version>|<commit>|<dir>@<rev>|<dir>|<wheel>] [--format table|json|github|markdown]
//	portcheck verify [--online]
//	portcheck bump --to <spec> [--commit <sha>] [--force]
//	portcheck lock [--commit <sha>]
//
// Exit status: 0 nothing we depend on drifted / verify passed; 1 drift or
// verify failed; 2 usage or runtime error. See docs/portcheck.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"

	"github.com/hf2go/hf2go/portcheck"
	"github.com/hf2go/hf2go/upstream"
	"github.com/spf13/cobra"
)

// exitError carries an exit status; a nil message prints nothing.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

type globals struct {
	repo       string
	cacheDir   string
	pypiURL    string
	archiveURL string
}

func (g *globals) env() (portcheck.Env, error) {
	root := g.repo
	if root == "" {
		r, err := upstream.FindRepoRoot(".")
		if err != nil {
			return portcheck.Env{}, err
		}
		root = r
	}
	lock, err := upstream.ReadLock(portcheck.LockPath(root))
	if err != nil {
		return portcheck.Env{}, err
	}
	return portcheck.Env{RepoRoot: root, Lock: lock, CacheDir: g.cacheDir, PyPIURL: g.pypiURL, ArchiveURL: g.archiveURL}, nil
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err == nil {
		return
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(os.Stderr, "portcheck: "+ee.msg)
		}
		os.Exit(ee.code)
	}
	fmt.Fprintln(os.Stderr, "portcheck: "+oneLine(err.Error()))
	os.Exit(2)
}

// oneLine keeps the first line of a long error and says how many follow.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) <= 1 {
		return s
	}
	if len(lines) <= 20 {
		return strings.Join(lines, "\n  ")
	}
	return strings.Join(lines[:20], "\n  ") + fmt.Sprintf("\n  … %d more", len(lines)-20)
}

func newRoot() *cobra.Command {
	g := &globals{}
	var to, from, format string
	var asJSON bool
	root := &cobra.Command{
		Use:   "portcheck",
		Short: "Compare the pinned mlx-lm revision with a candidate, verify provenance, bump upstream.lock",
		Long: `portcheck compares the pinned mlx-lm revision (upstream.lock, read from the project venv)
with a candidate and reports, per tracked upstream file (mlx_lm/models/*.py and the ported
top-level modules: utils.py, generate.py, sample_utils.py, tokenizer_utils.py, convert.py),
whether it is unchanged, reformatted, modified, added or removed; for modified files, which
top-level functions, classes and methods changed (syntax trees compared without positions,
comments or docstrings) and which Go files derive from them.

--to / --from take:
  latest             newest mlx-lm release on PyPI (default for --to)
  pinned             the venv's mlx-lm (default for --from; checked against upstream.lock)
  0.31.2             a PyPI release (wheel downloaded into the cache, not installed)
  <40-hex commit>    the GitHub archive of that commit
  /path/repo@<rev>   a git repository at a commit, tag or branch
  /path/file.whl     a wheel file
  /path/dir          an unpacked tree containing mlx_lm/

Exit status: 0 nothing hf2go derives code from drifted; 1 something did; 2 error.`,
		Args:          cobra.NoArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if asJSON {
				format = "json"
			}
			if !validFormat(format) {
				return &exitError{2, fmt.Sprintf("unknown --format %q (want %s)", format, strings.Join(portcheck.Formats, ", "))}
			}
			env, err := g.env()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			fromSrc, err := portcheck.Resolve(ctx, from, env)
			if err != nil {
				return err
			}
			if from == "pinned" {
				d, err := env.Lock.CompareSource(fromSrc)
				if err != nil {
					return err
				}
				if !d.OK() {
					return fmt.Errorf("the pinned source %s does not match %s:\n%w", fromSrc.Name(), upstream.LockFileName, d.Err())
				}
			}
			toSrc, err := portcheck.Resolve(ctx, to, env)
			if err != nil {
				return err
			}
			rep, err := portcheck.Compare(fromSrc, toSrc, env.Lock)
			if err != nil {
				return err
			}
			if err := portcheck.Render(cmd.OutOrStdout(), rep, format); err != nil {
				return err
			}
			if rep.Drifted() {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	pf := root.PersistentFlags()
	pf.StringVar(&g.repo, "repo", "", "hf2go repository root (default: found above the working directory)")
	pf.StringVar(&g.cacheDir, "cache-dir", "", "download cache (default: <user cache dir>/hf2go/upstream)")
	pf.StringVar(&g.pypiURL, "pypi-url", "", "PyPI JSON API base (default https://pypi.org/pypi)")
	pf.StringVar(&g.archiveURL, "archive-url", "", "GitHub archive base (default https://github.com/ml-explore/mlx-lm/archive)")
	f := root.Flags()
	f.StringVar(&to, "to", "latest", "candidate revision (see above)")
	f.StringVar(&from, "from", "pinned", "base revision (see above)")
	f.StringVar(&format, "format", "table", "output: table, json, github (workflow annotations), markdown")
	f.BoolVar(&asJSON, "json", false, "same as --format json")

	root.AddCommand(newVerify(g), newBump(g), newLock(g))
	return root
}

func validFormat(f string) bool {
	for _, x := range portcheck.Formats {
		if f == x {
			return true
		}
	}
	return false
}

func newVerify(g *globals) *cobra.Command {
	var asJSON, noGen, online bool
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check provenance headers, derived lists, the upstream source and generated files against upstream.lock",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			env, err := g.env()
			if err != nil {
				return err
			}
			opt := portcheck.VerifyOptions{RepoRoot: env.RepoRoot, Lock: env.Lock, GenerateCheck: !noGen,
				Wheels: &upstream.PyPI{BaseURL: env.PyPIURL, CacheDir: env.CacheDir}, Online: online}
			src, err := portcheck.Pinned(env)
			if err != nil {
				return err
			}
			opt.Source = src
			res, err := portcheck.Verify(cmd.Context(), opt)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				portcheck.WriteVerify(cmd.OutOrStdout(), res)
			}
			if !res.OK() {
				return &exitError{1, fmt.Sprintf("verify failed: %d problem(s)", len(res.Problems()))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the steps as JSON")
	cmd.Flags().BoolVar(&noGen, "no-generate-check", false, "skip `go run ./cmd/hf2go generate --check`")
	cmd.Flags().BoolVar(&online, "online", false, "check the lock's wheel sha256 against PyPI (default: against the download cache, when the wheel is there)")
	return cmd
}

func newBump(g *globals) *cobra.Command {
	var to, commit string
	var force bool
	cmd := &cobra.Command{
		Use:   "bump --to <spec> [--commit <sha>]",
		Short: "Rewrite upstream.lock for a candidate revision (refuses if verify would then fail, unless --force)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if to == "" {
				return &exitError{2, "bump needs --to"}
			}
			env, err := g.env()
			if err != nil {
				return err
			}
			src, err := portcheck.Resolve(cmd.Context(), to, env)
			if err != nil {
				return err
			}
			rev := src.Revision()
			if commit != "" {
				if rev.Commit != "" && rev.Commit != commit {
					return &exitError{2, fmt.Sprintf("--commit %s contradicts the source's commit %s", commit, rev.Commit)}
				}
				rev.Commit = commit
			}
			res, err := portcheck.Bump(env.RepoRoot, portcheck.LockPath(env.RepoRoot), src, rev, force)
			var refused *portcheck.RefusedError
			if errors.As(err, &refused) {
				return &exitError{1, refused.Error()}
			}
			if err != nil {
				return err
			}
			for _, f := range res.Restamped {
				fmt.Fprintln(cmd.ErrOrStderr(), "restamped (upstream unchanged): "+f)
			}
			for _, p := range res.Problems {
				fmt.Fprintln(cmd.ErrOrStderr(), "warning (forced): "+p)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: mlx-lm %s, %d files\n", upstream.LockFileName, res.Lock.Revision(), len(res.Lock.Files))
			return nil
		},
	}
	cmd.Flags().StringVar(&to, "to", "", "candidate revision (same forms as the root command's --to)")
	cmd.Flags().StringVar(&commit, "commit", "", "upstream commit of the candidate (a PyPI wheel has none; the lock then names the release by version and wheel sha256)")
	cmd.Flags().BoolVar(&force, "force", false, "write the lock even if verify would fail")
	return cmd
}

func newLock(g *globals) *cobra.Command {
	var commit string
	cmd := &cobra.Command{
		Use:   "lock",
		Short: "Regenerate upstream.lock for the pinned revision from the venv (hashes) and the provenance headers (derived)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			root := g.repo
			if root == "" {
				r, err := upstream.FindRepoRoot(".")
				if err != nil {
					return err
				}
				root = r
			}
			src, err := upstream.Venv(root)
			if err != nil {
				return err
			}
			rev := src.Revision()
			var wheel, sum string
			old, err := upstream.ReadLock(portcheck.LockPath(root))
			switch {
			case err == nil && old.Upstream.Version != rev.Version:
				return &exitError{2, fmt.Sprintf("venv has mlx-lm %s but %s pins %s: use `portcheck bump`", rev.Version, upstream.LockFileName, old.Upstream.Version)}
			case err == nil:
				rev.Commit = old.Upstream.Commit
				wheel, sum = old.Upstream.Wheel, old.Upstream.SHA256
			case !errors.Is(err, os.ErrNotExist):
				return err
			}
			if commit != "" {
				rev.Commit = commit
			}
			l, _, err := portcheck.BuildLock(root, src, rev, wheel, sum)
			if err != nil {
				return err
			}
			if err := l.WriteFile(portcheck.LockPath(root)); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: mlx-lm %s, %d files\n", upstream.LockFileName, l.Revision(), len(l.Files))
			return nil
		},
	}
	cmd.Flags().StringVar(&commit, "commit", "", "commit of the venv's release (needed only when there is no lock yet)")
	return cmd
}
