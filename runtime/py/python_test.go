package py_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	mlx "github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/py"
)

// semCase is one Python expression and the Go helper generated code uses
// for it. The expected value is what the pinned CPython (.venv) computes:
// a JSON value, or the name of the exception it raises.
type semCase struct {
	py  string
	go_ func() any
}

// outcome runs f and reports its JSON value or the Python exception it
// raised (as *py.Error).
func outcome(f func() any) (res string) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*py.Error); ok {
				res = "raise " + e.Kind
				return
			}
			res = fmt.Sprintf("panic %v", r)
		}
	}()
	b, err := json.Marshal(f())
	if err != nil {
		return "marshal " + err.Error()
	}
	return string(b)
}

// pythonOutcomes evaluates the expressions in CPython.
func pythonOutcomes(t *testing.T, exprs []string) []string {
	t.Helper()
	python, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	script := `
import json, math, sys
out = []
for e in json.load(sys.stdin):
    try:
        out.append(json.dumps(eval(e), separators=(",", ":")))
    except Exception as ex:
        out.append("raise " + type(ex).__name__)
json.dump(out, sys.stdout)
`
	in, _ := json.Marshal(exprs)
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var out []string
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// normalize makes Python's and Go's JSON comparable (1.0 vs 1: Python
// prints floats with a point).
func normalize(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPythonSemantics compares each runtime helper with CPython on the same
// inputs: floor division and modulo on negatives, powers, `or`, truthiness,
// list slicing and negative indexing, unpacking, range, repetition,
// list.index, sorted, int(str), str indexing and find, arithmetic on values
// of no static type, min/max/sum/abs, isclose, dict get/pop.
func TestPythonSemantics(t *testing.T) {
	var cases []semCase
	add := func(p string, f func() any) { cases = append(cases, semCase{p, f}) }
	for a := -7; a <= 7; a += 3 {
		for _, b := range []int{-3, -2, 0, 2, 3} {
			a, b := a, b
			add(fmt.Sprintf("%d // %d", a, b), func() any { return py.FloorDiv(a, b) })
			add(fmt.Sprintf("%d %% %d", a, b), func() any { return py.Mod(a, b) })
			add(fmt.Sprintf("list(divmod(%d, %d))", a, b), func() any { q, r := py.Divmod(a, b); return []int{q, r} })
		}
	}
	// str slices count code points, clamp, and take negative bounds from the end.
	for _, c := range [][2]int{{0, -4}, {1, -1}, {-3, py.SliceNone}, {py.SliceNone, 2}, {5, 1}, {-20, 20}} {
		c := c
		bound := func(i int) string {
			if i == py.SliceNone {
				return ""
			}
			return fmt.Sprint(i)
		}
		add(fmt.Sprintf("'héllo.wt'[%s:%s]", bound(c[0]), bound(c[1])), func() any { return py.StrSlice("héllo.wt", c[0], c[1]) })
	}
	add("min(3, 2.5)", func() any { return py.MinAny([]any{3, 2.5}) })
	add("max(2, 2.0)", func() any { return py.MaxAny([]any{2, 2.0}) })
	for _, c := range [][2]int{{2, 0}, {2, 10}, {-3, 3}, {0, 0}} {
		c := c
		add(fmt.Sprintf("%d ** %d", c[0], c[1]), func() any { return py.PowInt(c[0], c[1]) })
	}
	add(`0 or 5`, func() any { return py.Or(0, 5) })
	add(`3 or 5`, func() any { return py.Or(3, 5) })
	add(`"" or "d"`, func() any { return py.Or("", "d") })
	zero, seven := 0, 7
	add(`None or 4`, func() any { return py.OrPtr(nil, 4) })
	add(`0 or 4`, func() any { return py.OrPtr(&zero, 4) })
	add(`7 or 4`, func() any { return py.OrPtr(&seven, 4) })
	truthy := map[string]any{`0`: 0, `1`: 1, `0.0`: 0.0, `""`: "", `"x"`: "x", `[]`: []any{}, `[0]`: []any{0},
		`{}`: map[string]any{}, `{"a": 1}`: map[string]any{"a": 1}, `None`: nil, `False`: false}
	for p, v := range truthy {
		v := v
		add("bool("+p+")", func() any { return py.Truthy(v) })
	}
	xs := []int{0, 1, 2, 3, 4}
	for _, lo := range []int{py.SliceNone, -7, -2, 0, 3, 9} {
		for _, hi := range []int{py.SliceNone, -7, -1, 2, 5, 9} {
			lo, hi := lo, hi
			ps := func(i int) string {
				if i == py.SliceNone {
					return ""
				}
				return fmt.Sprint(i)
			}
			add(fmt.Sprintf("[0, 1, 2, 3, 4][%s:%s]", ps(lo), ps(hi)), func() any { return py.Slice(xs, lo, hi) })
		}
	}
	for _, i := range []int{-6, -5, -1, 0, 4, 5} {
		i := i
		add(fmt.Sprintf("[0, 1, 2, 3, 4][%d]", i), func() any { return py.At(xs, i) })
	}
	// Stepped slices (slice.indices), math.log2 (the C library's), float.is_integer.
	bounds := []int{py.SliceNone, -9, -3, -1, 0, 2, 4, 5, 9}
	for _, lo := range bounds {
		for _, hi := range bounds {
			for _, step := range []int{py.SliceNone, -3, -2, -1, 0, 1, 2, 3} {
				lo, hi, step := lo, hi, step
				ps := func(i int) string {
					if i == py.SliceNone {
						return ""
					}
					return fmt.Sprint(i)
				}
				add(fmt.Sprintf("[0, 1, 2, 3, 4][%s:%s:%s]", ps(lo), ps(hi), ps(step)),
					func() any { return py.SliceStep(xs, lo, hi, step) })
			}
		}
	}
	for n := 1; n <= 600; n++ {
		x := float64(n)
		add(fmt.Sprintf("math.log2(%d)", n), func() any { return py.Log2(x) })
		add(fmt.Sprintf("math.log2(%d).is_integer()", n), func() any { return py.FloatIsInteger(py.Log2(x)) })
	}
	for _, e := range []string{"0", "-1.5", "0.5"} {
		x := map[string]float64{"0": 0, "-1.5": -1.5, "0.5": 0.5}[e]
		add("math.log2("+e+")", func() any { return py.Log2(x) })
	}
	add("math.log2(float('inf')) == float('inf')", func() any { return math.IsInf(py.Log2(math.Inf(1)), 1) })
	for _, e := range []string{"2.5", "-3.0", "0.0", "float('inf')", "float('nan')", "1e300"} {
		x := map[string]float64{"2.5": 2.5, "-3.0": -3, "0.0": 0, "float('inf')": math.Inf(1), "float('nan')": math.NaN(), "1e300": 1e300}[e]
		add("("+e+").is_integer()", func() any { return py.FloatIsInteger(x) })
	}
	// a, b = xs (as a comprehension target, which eval accepts)
	add(`[[a, b] for a, b in [[1, 2]]][0]`, func() any { a, b := py.Unpack2([]int{1, 2}); return []int{a, b} })
	add(`[[a, b] for a, b in [[1, 2, 3]]][0]`, func() any { a, b := py.Unpack2([]int{1, 2, 3}); return []int{a, b} })
	add(`[[a, e] for a, b, c, d, e in [[1, 2, 3, 4, 5]]][0]`, func() any {
		a, _, _, _, e := py.Unpack5([]int{1, 2, 3, 4, 5})
		return []int{a, e}
	})
	add(`[d for a, b, c, d in [[1, 2, 3]]][0]`, func() any { _, _, _, d := py.Unpack4([]int{1, 2, 3}); return d })
	for _, r := range [][3]int{{0, 5, 1}, {5, 0, -2}, {0, 5, 0}, {3, 3, 1}, {-4, 4, 3}} {
		r := r
		add(fmt.Sprintf("list(range(%d, %d, %d))", r[0], r[1], r[2]), func() any { return py.Range(r[0], r[1], r[2]) })
	}
	add(`[7] * 3`, func() any { return py.Repeat(7, 3) })
	add(`[7] * -1`, func() any { return py.Repeat(7, -1) })
	add(`[1, 2] * 2`, func() any { return py.RepeatList([]int{1, 2}, 2) })
	add(`[1, 2, 3].index(3)`, func() any { return py.Index([]int{1, 2, 3}, 3) })
	add(`[1, 2, 3].index(4)`, func() any { return py.Index([]int{1, 2, 3}, 4) })
	add(`sorted([3, 1, 2])`, func() any { return py.Sorted([]int{3, 1, 2}) })
	add(`sorted(["b", "a"])`, func() any { return py.Sorted([]string{"b", "a"}) })
	for _, s := range []string{"12", " -3 ", "+4", "1_000", "1__0", "_1", "", "0x10", "1.5", "-0"} {
		s := s
		add(fmt.Sprintf("int(%q)", s), func() any { return py.ParseInt(s) })
	}
	add(`"héllo"[1]`, func() any { return py.StrAt("héllo", 1) })
	add(`"héllo"[-1]`, func() any { return py.StrAt("héllo", -1) })
	add(`"héllo"[9]`, func() any { return py.StrAt("héllo", 9) })
	add(`"héllo".find("l")`, func() any { return py.StrFind("héllo", "l") })
	add(`"héllo".find("z")`, func() any { return py.StrFind("héllo", "z") })
	add(`"héllo".index("z")`, func() any { return py.StrIndex("héllo", "z") })
	add(`"a.cos".endswith(("cos", "sin"))`, func() any { return py.EndsWithAny("a.cos", []string{"cos", "sin"}) })
	add(`"a.tan".endswith(("cos", "sin"))`, func() any { return py.EndsWithAny("a.tan", []string{"cos", "sin"}) })
	add(`"a.x".endswith(())`, func() any { return py.EndsWithAny("a.x", nil) })
	add(`"vision.x".startswith(("audio", "vision"))`, func() any { return py.StartsWithAny("vision.x", []string{"audio", "vision"}) })
	add(`"lm.x".startswith(("audio", "vision"))`, func() any { return py.StartsWithAny("lm.x", []string{"audio", "vision"}) })
	for _, op := range []string{"+", "-", "*", "//", "%"} {
		for _, ab := range [][2]any{{7, 2}, {-7, 2}, {7.5, 2}, {-7, 2.0}, {3, 0}} {
			op, ab := op, ab
			add(fmt.Sprintf("%v %s %v", pyLit(ab[0]), op, pyLit(ab[1])), func() any { return py.Arith(op, ab[0], ab[1]) })
		}
	}
	add(`min([3, 1, 2])`, func() any { return py.MinOf([]int{3, 1, 2}) })
	add(`max([])`, func() any { return py.MaxOf([]int{}) })
	add(`sum([1.5, 2.0])`, func() any { return py.Sum([]float64{1.5, 2.0}) })
	add(`abs(-3)`, func() any { return py.Abs(-3) })
	for _, x := range []any{2.7, -2.7, 3, 0.99, -0.5} {
		x := x
		add(fmt.Sprintf("int(%v)", pyLit(x)), func() any { return py.IntOf(x) })
	}
	add(`[2, 4, 8][-1]`, func() any { return py.AnyAt([]any{2, 4, 8}, -1) })
	add(`[2, 4, 8][1]`, func() any { return py.AnyAt([]any{2, 4, 8}, 1) })
	add(`[2, 4, 8][3]`, func() any { return py.AnyAt([]any{2, 4, 8}, 3) })
	for _, x := range []float64{2.5, 3.5, -2.5, 0.5, 1.4999, 170.66666666666666, -0.5} {
		x := x
		add(fmt.Sprintf("round(%v)", pyLit(x)), func() any { return py.Round(x) })
	}
	add(`[1, 2, 1].count(1)`, func() any { return py.Count([]int{1, 2, 1}, 1) })
	add(`math.isclose(0.1 + 0.2, 0.3)`, func() any { return py.IsClose(0.1+0.2, 0.3) })
	add(`math.isclose(1.0, 1.0001)`, func() any { return py.IsClose(1.0, 1.0001) })
	add(`{"a": 1}.get("b", 5)`, func() any { return py.Get(map[string]int{"a": 1}, "b", 5) })
	add(`{"a": 1}.pop("a", 5)`, func() any { return py.Pop(map[string]int{"a": 1}, "a", 5) })
	add(`"a" in {"a": 1}`, func() any { return py.Has(map[string]int{"a": 1}, "a") })
	// repr/str/ascii (f-string !r/!s/!a): quotes, escapes, non-printable and
	// non-ASCII characters, float notation boundaries, containers.
	for _, s := range []string{"sigmoid", "it's", `say "hi"`, `both ' and "`, `back\slash`, "tab\tnl\ncr\r",
		"\x00\x1f\x7f\u0080\u00a0\u00ad", "héllo ü", "\u2028\u200b\ufeff", "\U0001f600 \U000e0001", "\u0378", ""} {
		g := s
		add(fmt.Sprintf("repr(%q)", s), func() any { return py.Repr(g) })
		add(fmt.Sprintf("ascii(%q)", s), func() any { return py.ASCII(g) })
		add(fmt.Sprintf("(lambda v: f'{v!r:>12}')(%q)", s), func() any { return fmt.Sprintf("%12s", py.ReprStr(g, false)) })
		add(fmt.Sprintf("str(%q)", s), func() any { return py.StrOf(g) })
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -2.5, 0.1, 1e-4, 1e-5, 1.5e-5, 1e15, 1e16, 123456789012345678,
		1.7976931348623157e308, 5e-324, math.Inf(1), math.Inf(-1), math.NaN(), 1.0 / 3, 2.0 / 3 * 1e20} {
		f := f
		add(fmt.Sprintf("repr(float.fromhex(%q))", strconv.FormatFloat(f, 'x', -1, 64)), func() any { return py.Repr(f) })
	}
	add(`repr([1, 2.0, "a", None, True, [False]])`, func() any { return py.Repr([]any{1, 2.0, "a", nil, true, []any{false}}) })
	add(`repr({"a": [0.5, "x'"], "b": 1})`, func() any { return py.Repr(map[string]any{"a": []any{0.5, "x'"}, "b": 1}) })
	add(`str([1, "a"])`, func() any { return py.StrOf([]any{1, "a"}) })
	add(`repr(-7)`, func() any { return py.Repr(-7) })
	add(`str(1.0)`, func() any { return py.StrOf(1.0) })
	add(`str(None)`, func() any { return py.StrOf(nil) })
	add(`len("héllo")`, func() any { return py.StrLen("héllo") })
	add(`" \x1c1,2\u3000\n".strip()`, func() any { return py.StrStrip(" \x1c1,2\u3000\n") })
	add(`"a \x1fb\u00a0 c ".split()`, func() any { return py.StrSplitWS("a \x1fb\u00a0 c ") })
	add(`"".split()`, func() any { return py.StrSplitWS("") })
	for _, c := range []struct {
		s, sep string
		n      int
	}{{"model.layers.12.mlp.w", ".", 1}, {"a.b.c", ".", -1}, {"a.b.c", ".", 0}, {"..", ".", 1}, {"a::b::c", "::", 5}, {"", ".", 1}} {
		c := c
		add(fmt.Sprintf("%q.split(%q, %d)", c.s, c.sep, c.n), func() any { return py.StrSplitN(c.s, c.sep, c.n) })
	}
	for _, w := range []string{"language_model.x", "héllo", ""} {
		for _, lo := range []int{py.SliceNone, -20, -3, 0, 2, 15} {
			for _, hi := range []int{py.SliceNone, -2, 0, 4, 20} {
				w, lo, hi := w, lo, hi
				ps := func(i int) string {
					if i == py.SliceNone {
						return ""
					}
					return fmt.Sprint(i)
				}
				add(fmt.Sprintf("%q[%s:%s]", w, ps(lo), ps(hi)), func() any { return py.StrSlice(w, lo, hi) })
			}
		}
	}
	add(`ascii(["é"])`, func() any { return py.ASCII([]string{"é"}) })

	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cases {
		got := outcome(c.go_)
		if normalize(got) != normalize(want[i]) {
			t.Errorf("%s: Go %s, Python %s", c.py, got, want[i])
		}
	}
	t.Logf("%d expressions agree with CPython", len(cases))
}

func pyLit(v any) string {
	if f, ok := v.(float64); ok {
		s := fmt.Sprint(f)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
		return s
	}
	return fmt.Sprint(v)
}

// TestStrClasses compares str.isdigit, str.isdecimal and str.isspace of
// every code point (one-character strings; surrogates are never true) with
// the pinned CPython, as ranges; and the empty string and a mixed string.
func TestStrClasses(t *testing.T) {
	python, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys
def ranges(pred):
    out = []; start = None
    for cp in range(0x110000):
        ok = pred(chr(cp))
        if ok and start is None: start = cp
        if not ok and start is not None: out.append([start, cp - 1]); start = None
    if start is not None: out.append([start, 0x10ffff])
    return out
json.dump({"isdigit": ranges(str.isdigit), "isdecimal": ranges(str.isdecimal), "isspace": ranges(str.isspace),
           "empty": ["".isdigit(), "".isdecimal(), "".isspace()], "mixed": ["12a".isdigit(), "1 ".isdecimal(), " x".isspace()]},
          sys.stdout)
`
	out, err := exec.Command(python, "-c", script).Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want map[string]any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	goRanges := func(pred func(string) bool) []any {
		var out []any
		start := -1
		for cp := 0; cp <= 0x110000; cp++ {
			ok := cp < 0x110000 && (cp < 0xd800 || cp > 0xdfff) && pred(string(rune(cp)))
			if ok && start < 0 {
				start = cp
			}
			if !ok && start >= 0 {
				out = append(out, []any{float64(start), float64(cp - 1)})
				start = -1
			}
		}
		return out
	}
	got := map[string]any{
		"isdigit": goRanges(py.StrIsDigit), "isdecimal": goRanges(py.StrIsDecimal), "isspace": goRanges(py.StrIsSpace),
		"empty": []any{py.StrIsDigit(""), py.StrIsDecimal(""), py.StrIsSpace("")},
		"mixed": []any{py.StrIsDigit("12a"), py.StrIsDecimal("1 "), py.StrIsSpace(" x")},
	}
	for k, w := range want {
		gb, _ := json.Marshal(got[k])
		wb, _ := json.Marshal(w)
		if string(gb) != string(wb) {
			t.Errorf("%s: Go %.300s\nPython %.300s", k, gb, wb)
		}
	}
}

// TestToListAndIteration compares x.tolist() (nested lists of ints, floats
// or bools, one level per axis; a 0-d array's scalar) and iteration over an
// array's rows and over dynamic values with the pinned mlx in CPython.
func TestToListAndIteration(t *testing.T) {
	var cases []semCase
	add := func(p string, f func() any) { cases = append(cases, semCase{p, f}) }
	add(`__import__("mlx.core").core.array([[3, 1], [2, 0], [5, 4]], dtype=__import__("mlx.core").core.uint32).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]uint32{3, 1, 2, 0, 5, 4}, 3, 2)) })
	add(`__import__("mlx.core").core.array([0.1, -2.5, 3.0], dtype=__import__("mlx.core").core.bfloat16).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]float32{0.1, -2.5, 3.0}, 3).Astype(mlx.Bfloat16)) })
	add(`__import__("mlx.core").core.array([[[0.1]], [[0.2]]]).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]float32{0.1, 0.2}, 2, 1, 1)) })
	add(`__import__("mlx.core").core.array([True, False]).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]bool{true, false}, 2)) })
	add(`__import__("mlx.core").core.array(7, dtype=__import__("mlx.core").core.int64).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]int64{7}).Reshape()) })
	add(`__import__("mlx.core").core.zeros((2, 0), dtype=__import__("mlx.core").core.int32).tolist()`,
		func() any { return py.ToList(mlx.FromSlice([]int32{}, 2, 0)) })
	add(`[r.tolist() for r in __import__("mlx.core").core.array([[1, 2], [3, 4]])]`, func() any {
		var out []any
		for _, r := range py.Rows(mlx.FromSlice([]int32{1, 2, 3, 4}, 2, 2)) {
			out = append(out, py.ToList(r))
		}
		return out
	})
	add(`[x for x in __import__("mlx.core").core.array(1)]`, func() any { return py.Rows(mlx.FromSlice([]int32{1}).Reshape()) })
	add(`[x for x in [1, "a", [2]]]`, func() any { return py.Iter([]any{1, "a", []any{2}}) })
	add(`[x for x in "hé"]`, func() any { return py.Iter("hé") })
	// A Go map has no insertion order: Iter gives sorted keys, which is a
	// dict's order when its keys were inserted sorted.
	add(`[x for x in {"a": 2, "b": 1}]`, func() any { return py.Iter(map[string]any{"b": 1, "a": 2}) })
	add(`[x for x in 3]`, func() any { return py.Iter(3) })
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cases {
		got := outcome(c.go_)
		w := want[i]
		if normalize(got) != normalize(w) {
			t.Errorf("%s: Go %s, Python %s", c.py, got, w)
		}
	}
}

// TestPairs checks py.Pair / py.UpdatePairs (a, b = pair; d.update(pairs))
// against CPython, length errors included.
func TestPairs(t *testing.T) {
	var cases []semCase
	add := func(p string, f func() any) { cases = append(cases, semCase{p, f}) }
	add(`(lambda d: (d.update([("a", 1), ("b", 2), ("a", 3)]), d)[1])({})`, func() any {
		d := map[string]int{}
		py.UpdatePairs(d, []any{[]any{"a", 1}, []any{"b", 2}, []any{"a", 3}})
		return d
	})
	add(`[[a, b] for a, b in [("x", 1.5)]][0]`, func() any { a, b := py.Pair[string, float64]([]any{"x", 1.5}); return []any{a, b} })
	add(`[[a, b] for a, b in [("x", 1, 2)]][0]`, func() any { a, b := py.Pair[string, int]([]any{"x", 1, 2}); return []any{a, b} })
	exprs := make([]string, len(cases))
	for i, c := range cases {
		exprs[i] = c.py
	}
	want := pythonOutcomes(t, exprs)
	for i, c := range cases {
		if got := outcome(c.go_); normalize(got) != normalize(want[i]) {
			t.Errorf("%s: Go %s, Python %s", c.py, got, want[i])
		}
	}
}
