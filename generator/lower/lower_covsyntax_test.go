package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestLowerFStringConversions checks that !r, !a and !s become runtime/py's
// Repr / ASCII / StrOf before formatting (a str through ReprStr, no boxing;
// !s of a str is the str itself), each part formatted with %s.
func TestLowerFStringConversions(t *testing.T) {
	src := header + `
    def __call__(self, x):
        if self.args.model_type != "m":
            raise ValueError(f"bad {self.args.model_type!r} {self.args.hidden_size!r} {self.args.head_dim!a} {self.args.model_type!s} {self.args.window!s}")
        return x
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(lit "bad %s %s %s %s %s")`,
		`(call (qual py ReprStr) (sel (sel (ident self):Model "Args"):ModelArgs "ModelType"):str (ident false))`,
		`(call (qual py Repr) (sel (sel (ident self):Model "Args"):ModelArgs "HiddenSize"):int)`,
		`(call (qual py ASCII) (sel (sel (ident self):Model "Args"):ModelArgs "HeadDim"):Optional[int])`,
		`(call (qual py StrOf) (sel (sel (ident self):Model "Args"):ModelArgs "Window"):int)`,
		// !s of a str: the value itself, between ASCII's call and StrOf's.
		`"HeadDim"):Optional[int]) (sel (sel (ident self):Model "Args"):ModelArgs "ModelType"):str (call (qual py StrOf)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerStrAndDictViews checks s[lo:hi] on a str (py.StrSlice, by
// characters), len of a str (py.StrLen), str() as CPython's (py.StrOf), a
// comprehension over .items() of a config value (read through py.Dict), and
// a raise that ends a function with results (panic(py.Exception(...)), so
// Go sees the function terminate).
func TestLowerStrAndDictViews(t *testing.T) {
	src := header + `
    def pick(self, k: str):
        if k == "a":
            return 1
        raise ValueError(f"no {k!r}")

    def __call__(self, x, k: str, d: dict):
        n = len(k)
        tail = k[len("lm."):] + k[:-1] + str(self.args.window)
        sub = {a: b for a, b in self.args.rope["inner"].items() if a != "t"}
        return x
`
	src = strings.Replace(src, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    rope: Optional[Dict[str, Any]] = None\n", 1)
	src = strings.Replace(src, "from typing import Any, Optional", "from typing import Any, Dict, Optional", 1)
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(template "py.StrLen" "(" (list (ident k):str) ")"):int`,
		`(call (qual py StrSlice) (ident k):str (template "py.StrLen" "(" (list (lit "lm."):str) ")"):int (qual py SliceNone)):str`,
		`(call (qual py StrSlice) (ident k):str (qual py SliceNone) (unary - (lit 1):int):int):str`,
		`(template "py.StrOf" "(" (list (sel (sel (ident self):Model "Args"):ModelArgs "Window"):int) ")"):str`,
		`(for-range (ident _) (ident a) (call (qual slices Sorted) (call (qual maps Keys) (call (qual py Dict) (index (sel (sel (ident self):Model "Args"):ModelArgs "Rope"):Dict[str, Any] (lit "inner"):str):Any)))`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
	pick := model.Dump(lowerSrc(t, src, "Model", "Pick").Body)
	if w := `(expr (call (ident panic) (call (qual py Exception) (lit "ValueError")`; !strings.Contains(pick, w) {
		t.Errorf("pick lacks %s:\n%s", w, pick)
	}
}

// TestLowerSetsAndStrPredicates checks set() (an empty slice of the element
// type later assignments give), a set comprehension and a set literal with
// repeated values made distinct by py.Set (a literal of distinct constants
// stays as written), membership, and str.isdigit / strip / split() through
// runtime/py's CPython character classes, and split(sep, maxsplit) (py.StrSplitN).
func TestLowerSetsAndStrPredicates(t *testing.T) {
	src := header + `
    def __call__(self, x, n: int, spec: str):
        idx = set()
        if spec.strip():
            idx = {int(i) for i in spec.strip().split(",") if i.isdigit()}
        else:
            idx = set(range(1, n))
        two = {n, n}
        kinds = {"a", "b"}
        words = spec.split()
        head = spec.split(".", 1)[0]
        return x * (n in idx) * len(two) * len(kinds) * len(words) * len(head)
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		`(:= (list (ident idx):List[int]) (list (composite []int):List[int]))`,
		`(= (list (ident idx):List[int]) (list (call (qual py Set) (call (funclit (types []int)`,
		`(call (qual py StrIsDigit) (ident i):str)`,
		`(call (qual py StrStrip) (ident spec):str)`,
		`(call (qual py Set) (composite []int (ident n):int (ident n):int)`,
		`(composite []string (lit "a"):str (lit "b"):str)`,
		`(call (qual py StrSplitWS) (ident spec):str)`,
		`(call (qual py StrSplitN) (ident spec):str (lit "."):str (lit 1):int)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
	if strings.Contains(got, `(call (qual py Set) (composite []string`) {
		t.Errorf("a literal of distinct strings went through py.Set:\n%s", got)
	}
}

// TestLowerIterables checks loops over values whose element type comes
// from the iterable: zip over arrays (their rows, py.Rows) and over a
// tolist() result (py.Iter, elements of no static type), and a plain loop
// over such an element.
func TestLowerIterables(t *testing.T) {
	src := header + `
    def __call__(self, x: mx.array, inds: mx.array):
        y = []
        for xt, it in zip(x, inds.tolist()):
            for e in it:
                y.append(xt * e)
        for row in x:
            y.append(row)
        return mx.stack(y, axis=0)
`
	got := model.Dump(lowerSrc(t, src, "Model", "Forward").Body)
	for _, w := range []string{
		// zip's sequences made once, before the loop.
		`(block (:= (list (ident zip0_)) (list (call (qual py Rows) (ident x):array))) (:= (list (ident zip1_)) (list (call (qual py Iter) (template "py.ToList" "(" (list (ident inds):array) ")"):Any)))`,
		`(for-range (ident _) (ident e) (call (qual py Iter) (ident it):Any)`,
		`(for-range (ident _) (ident row) (call (qual py Rows) (ident x):array)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerMixedPairs checks lists of (str, array) tuples as a sanitize
// builds them: each tuple the []any of its elements, a loop unpacking them
// with py.Pair[string, *mlx.Array], and dict.update(pairs) as
// py.UpdatePairs; mx.linalg.norm's ord reaches py.LinalgNorm.
func TestLowerMixedPairs(t *testing.T) {
	src := header + `
    def __call__(self, x: mx.array):
        return x

    def sanitize(self, weights):
        out = {}
        for k, v in weights.items():
            parts = [(k + f".{e}", sv) for e, sv in enumerate(mx.split(v, 2, axis=0))]
            parts = [(s, sv.T / mx.linalg.norm(sv, ord=1, axis=-1, keepdims=True)) for s, sv in parts]
            out.update(parts)
        return out
`
	got := model.Dump(lowerSrc(t, src, "Model", "Sanitize").Body)
	for _, w := range []string{
		`(composite []any (binary +`,
		`(:= (list (ident s) (ident sv)) (list (call (qual py Pair) (types string *mlx.Array) (ident e_))))`,
		`(call (qual py UpdatePairs) (ident out)`,
		`(template "py.LinalgNorm" "(" (list (ident sv):array) ", " (list (lit 1):int)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("body lacks %s:\n%s", w, got)
		}
	}
}
