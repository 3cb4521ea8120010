package lower_test

import (
	"strings"
	"testing"
)

const moduleDictSrc = header + `
        self.act = "silu"
        if self.act not in _ACTS:
            raise ValueError("unknown")

    def __call__(self, x):
        fn = _ACTS[self.act]
        return fn(x)

_ACTS = {"silu": nn.silu, "relu": nn.relu, "gelu_new": nn.gelu_approx}
`

// TestLowerModuleDict checks a module-level dict constant only read by the
// file (types/check_moduledict.go): a package-level var of the map's type,
// read by its Go name (membership, item read, call of the item).
func TestLowerModuleDict(t *testing.T) {
	res, got := translateAll(t, moduleDictSrc)
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	for _, w := range []string{
		`(vardecl acts (composite map[string](template-type "func(*" "mlx.Array" ") *" "mlx.Array") (kv (lit "silu"):str (template "nn.Silu"):Activation)`,
		`(kv (lit "gelu_new"):str (template "nn.GeluApprox"):Activation)`,
		`(call (qual py Has) (ident acts):Dict[str, Activation]`,
		`(index (ident acts):Dict[str, Activation]`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("model lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerModuleDictRefused checks that a module-level dict the file
// changes or hands on is no constant: a store into it, a mutating method,
// passing it to a call, a second binding.
func TestLowerModuleDictRefused(t *testing.T) {
	for _, extra := range []string{
		"\ndef _f():\n    _ACTS[\"x\"] = nn.relu\n",
		"\ndef _f():\n    _ACTS.update({})\n",
		"\ndef _f():\n    return len(_ACTS)\n",
		"\n_ACTS = {}\n",
	} {
		res, _ := translateAll(t, moduleDictSrc+extra)
		if d := diagsText(res); !strings.Contains(d, "_ACTS") {
			t.Errorf("%q: the dict was taken as a constant (diagnostics %q)", extra, d)
		}
	}
}

// TestLowerModuleConstContainers checks the other constant containers
// (types/check_moduledict.go): a tuple of ints, a dict with int keys, a
// dict with values of mixed types (Any), read by membership, .get and ==
// against a config dict (types/check_dicteq.go: Python's value equality,
// py.ValueEq, since config.json's 2 decodes as 2.0).
func TestLowerModuleConstContainers(t *testing.T) {
	src := strings.Replace(header, "    head_dim: Optional[int] = None\n", "    head_dim: Optional[int] = None\n    quant: dict = None\n", 1) + `
        if args.window not in _BLOCKS:
            raise ValueError("block")
        if _NS.get(args.hidden_size) != "a":
            raise ValueError("namespace")
        if args.quant != _Q:
            raise ValueError("quantization")

    def __call__(self, x):
        return x

_BLOCKS = (0, 512, 1024)
_NS = {1: "a", 2: "b"}
_Q = {"bits": 2, "group_size": 128, "mode": "affine"}
`
	res, got := translateAll(t, src)
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	for _, w := range []string{
		`(vardecl blocks (composite []int (lit 0):int (lit 512):int (lit 1024):int):Tuple[int, int, int])`,
		`(vardecl ns (composite map[int]string`,
		`(vardecl q (composite map[string]any`,
		`(call (qual py ValueEq) (sel (ident args):ModelArgs "Quant"):Dict[str, Any] (ident q):Dict[str, Any])`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("model lacks %s:\n%s", w, got)
		}
	}
}
