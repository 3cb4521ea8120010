package portcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/upstream"
)

const fixture = fixture032

// realDiff compares the 0.30.4 fixture with the 0.32.2 fixture: the files of
// the real move hf2go made (gptj.py is new in 0.32.x).
func realDiff(t *testing.T, lock *upstream.Lock) *Report {
	t.Helper()
	to, err := upstream.NewDir(fixture, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(source030(t), to, lock)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func fileReport(t *testing.T, r *Report, p string) FileReport {
	t.Helper()
	for _, f := range r.Files {
		if f.Path == p {
			return f
		}
	}
	t.Fatalf("%s not in report", p)
	return FileReport{}
}

func changesOf(f FileReport, change string) []string {
	var out []string
	for _, s := range f.Symbols {
		if s.Change == change {
			out = append(out, s.Name)
		}
	}
	sort.Strings(out)
	return out
}

// TestRealDrift030To032 pins what portcheck says about real upstream changes
// between mlx-lm 0.30.4 and 0.32.2 (each checked by reading the diff).
func TestRealDrift030To032(t *testing.T) {
	lock := lock030(t)
	r := realDiff(t, lock)
	if r.From.Version != "0.30.4" || r.From.Commit != lock.Upstream.Commit || r.To.Version != "0.32.2" {
		t.Errorf("from %+v to %+v", r.From, r.To)
	}
	want := map[string]string{
		"mlx_lm/models/activations.py":   Modified,
		"mlx_lm/models/base.py":          Modified,
		"mlx_lm/models/cache.py":         Modified,
		"mlx_lm/models/gemma3_text.py":   Unchanged,
		"mlx_lm/models/gptj.py":          Added,
		"mlx_lm/models/llama.py":         Reformatted, // only the copyright comment changed
		"mlx_lm/models/qwen3.py":         Modified,
		"mlx_lm/models/rope_utils.py":    Modified,
		"mlx_lm/models/switch_layers.py": Modified,
	}
	got := map[string]string{}
	for _, f := range r.Files {
		got[f.Path] = f.Status
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statuses:\n got %v\nwant %v", got, want)
	}
	// qwen3: rope_theta became Optional and __post_init__ was added.
	q := fileReport(t, r, "mlx_lm/models/qwen3.py")
	if !reflect.DeepEqual(q.Symbols, []SymbolChange{{"ModelArgs", SymChanged}, {"ModelArgs.__post_init__", SymAdded}}) {
		t.Errorf("qwen3 symbols = %v", q.Symbols)
	}
	// cache.py: MambaCache was removed, KVCache.update_and_fetch changed.
	c := fileReport(t, r, "mlx_lm/models/cache.py")
	if rm := changesOf(c, SymRemoved); !contains(rm, "MambaCache") {
		t.Errorf("cache.py removed = %v, want MambaCache among them", rm)
	}
	if ch := changesOf(c, SymChanged); !contains(ch, "KVCache.update_and_fetch") {
		t.Errorf("cache.py changed = %v", ch)
	}
	rope := fileReport(t, r, "mlx_lm/models/rope_utils.py")
	if ch := changesOf(rope, SymChanged); !contains(ch, "YarnRoPE.__call__") || !contains(ch, "initialize_rope") {
		t.Errorf("rope_utils changed = %v", ch)
	}
	if len(fileReport(t, r, "mlx_lm/models/gptj.py").Symbols) == 0 {
		t.Error("added gptj.py lists no symbols")
	}
	if r.Drifted() {
		t.Error("drift reported with no derived files in the lock")
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestAffectsAndFormats: with Go files recorded as derived from cache.py and
// llama.py, cache.py's change is drift (re-port by hand), llama.py's
// reformatting is not; each output format says so.
func TestAffectsAndFormats(t *testing.T) {
	lock := lock030(t)
	cp := *lock
	cp.Files = map[string]*upstream.LockFile{}
	for k, v := range lock.Files {
		f := *v
		cp.Files[k] = &f
	}
	cp.Files["mlx_lm/models/cache.py"].Derived = []string{"ported/cache/cache.go"}
	cp.Files["mlx_lm/models/llama.py"].Derived = []string{"generated/models/llama/llama.go"}
	r := realDiff(t, &cp)
	if !r.Drifted() {
		t.Fatal("cache.py drift not reported")
	}
	if f := fileReport(t, r, "mlx_lm/models/llama.py"); f.Drifted() {
		t.Error("reformatted llama.py counted as drift")
	}
	if !reflect.DeepEqual(fileReport(t, r, "mlx_lm/models/cache.py").Affects, []string{"ported/cache/cache.go"}) {
		t.Error("affects not taken from the lock")
	}

	var js bytes.Buffer
	if err := Render(&js, r, "json"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if keys := sortedKeys(doc); !reflect.DeepEqual(keys, []string{"files", "from", "to"}) {
		t.Errorf("top-level keys %v", keys)
	}
	if keys := sortedKeys(doc["from"].(map[string]any)); !reflect.DeepEqual(keys, []string{"commit", "version"}) {
		t.Errorf("from keys %v", keys)
	}
	for _, f := range doc["files"].([]any) {
		fm := f.(map[string]any)
		for _, k := range []string{"path", "status", "symbols", "affects"} {
			if _, ok := fm[k]; !ok {
				t.Errorf("file entry lacks %q: %v", k, fm)
			}
		}
		for _, s := range fm["symbols"].([]any) {
			if keys := sortedKeys(s.(map[string]any)); !reflect.DeepEqual(keys, []string{"change", "name"}) {
				t.Errorf("symbol keys %v", keys)
			}
		}
	}

	var gh bytes.Buffer
	Render(&gh, r, "github")
	if !strings.Contains(gh.String(), "::warning file=ported/cache/cache.go,title=upstream drift%3A mlx_lm/models/cache.py::mlx_lm/models/cache.py modified in mlx-lm 0.32.2: ") ||
		!strings.Contains(gh.String(), "; re-port by hand\n") {
		t.Errorf("github output lacks the cache.py warning:\n%s", gh.String())
	}
	if !strings.Contains(gh.String(), "::notice file=upstream.lock::mlx_lm/models/gptj.py added in mlx-lm 0.32.2; candidate: hf2go add gptj") {
		t.Errorf("github output lacks the gptj notice:\n%s", gh.String())
	}
	var tbl bytes.Buffer
	Render(&tbl, r, "table")
	for _, want := range []string{"DRIFT", "ported/cache/cache.go: re-port by hand", "candidate: hf2go add gptj", "YarnRoPE.__call__"} {
		if !strings.Contains(tbl.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tbl.String())
		}
	}
	if strings.Contains(tbl.String(), "gemma3_text") {
		t.Error("table lists an unchanged file")
	}
	var md bytes.Buffer
	Render(&md, r, "markdown")
	if !strings.Contains(md.String(), "| `mlx_lm/models/cache.py` |") || !strings.Contains(md.String(), "`ported/cache/cache.go` (re-port by hand)") {
		t.Errorf("markdown:\n%s", md.String())
	}
	if err := Render(&md, r, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func sortedKeys(m map[string]any) []string {
	var k []string
	for x := range m {
		k = append(k, x)
	}
	sort.Strings(k)
	return k
}

// TestGitEdgeCases builds a repository whose second commit renames a file,
// deletes one, edits one only in whitespace and comments, breaks one's syntax
// and adds a model, and checks each is reported as such.
func TestGitEdgeCases(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	files := map[string]string{
		"mlx_lm/_version.py":          "__version__ = \"1.0.0\"\n",
		"mlx_lm/utils.py":             "def load(p):\n    return p\n",
		"mlx_lm/models/old_name.py":   "class Model:\n    def __call__(self, x):\n        return x\n",
		"mlx_lm/models/gone.py":       "def f():\n    return 1\n",
		"mlx_lm/models/spaces.py":     "def f(a,b):\n    return a+b\n",
		"mlx_lm/models/broken.py":     "def f():\n    return 1\n",
		"mlx_lm/models/renamed_ws.py": "X = 1\n",
	}
	for p, c := range files {
		writeFile(t, dir, p, c)
	}
	git("add", "-A")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1")
	git("mv", "mlx_lm/models/old_name.py", "mlx_lm/models/new_name.py")
	git("rm", "-q", "mlx_lm/models/gone.py")
	writeFile(t, dir, "mlx_lm/models/spaces.py", "# a comment\ndef f(a, b):\n    \"\"\"Add.\"\"\"\n    return a + b  # sum\n")
	writeFile(t, dir, "mlx_lm/models/broken.py", "def f(:\n    return 1\n")
	writeFile(t, dir, "mlx_lm/models/newarch.py", "class Model:\n    pass\n")
	writeFile(t, dir, "mlx_lm/utils.py", "def load(p, strict=True):\n    return p\n")
	writeFile(t, dir, "mlx_lm/_version.py", "__version__ = \"1.1.0\"\n")
	git("add", "-A")
	git("commit", "-q", "-m", "v2")

	ctx := context.Background()
	from, err := upstream.NewGit(ctx, dir, "v1")
	if err != nil {
		t.Fatal(err)
	}
	to, err := upstream.NewGit(ctx, dir, "main")
	if err != nil {
		t.Fatal(err)
	}
	lock, err := upstream.NewLock(from, upstream.Revision{Version: "1.0.0", Commit: from.Revision().Commit}, map[string][]string{
		"mlx_lm/models/old_name.py": {"generated/models/old_name/old_name.go"},
		"mlx_lm/models/spaces.py":   {"ported/base/spaces.go"},
	})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Compare(from, to, lock)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ status, extra string }
	got := map[string]row{}
	for _, f := range r.Files {
		got[f.Path] = row{f.Status, f.RenamedTo + f.RenamedFrom + f.Error}
	}
	want := map[string]row{
		"mlx_lm/models/old_name.py":   {Removed, "mlx_lm/models/new_name.py"},
		"mlx_lm/models/new_name.py":   {Added, "mlx_lm/models/old_name.py"},
		"mlx_lm/models/gone.py":       {Removed, ""},
		"mlx_lm/models/spaces.py":     {Reformatted, ""},
		"mlx_lm/models/broken.py":     {SyntaxError, "1:7: missing )"},
		"mlx_lm/models/newarch.py":    {Added, ""},
		"mlx_lm/models/renamed_ws.py": {Unchanged, ""},
		"mlx_lm/utils.py":             {Modified, ""},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("report:\n got %v\nwant %v", got, want)
	}
	if !reflect.DeepEqual(fileReport(t, r, "mlx_lm/utils.py").Symbols, []SymbolChange{{"load", SymChanged}}) {
		t.Errorf("utils.py symbols %v", fileReport(t, r, "mlx_lm/utils.py").Symbols)
	}
	// old_name.py is derived from and went away: drift. spaces.py only
	// reformatted: not drift.
	if !fileReport(t, r, "mlx_lm/models/old_name.py").Drifted() || fileReport(t, r, "mlx_lm/models/spaces.py").Drifted() || !r.Drifted() {
		t.Error("drift classification wrong")
	}
	if r.From.Version != "1.0.0" || r.To.Version != "1.1.0" || r.To.Commit == "" {
		t.Errorf("revisions %+v -> %+v", r.From, r.To)
	}
}
