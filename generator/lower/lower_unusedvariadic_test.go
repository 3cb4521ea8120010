package lower_test

import (
	"strings"
	"testing"
)

const ignoredVariadicSrc = header + `
        if args.window > 0:
            self.mix = Full(args)
        else:
            self.mix = Skip(args)

    def __call__(self, x, mask=None, cache=None):
        return self.mix(x, mask, cache=cache)

class Full(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x, mask=None, cache=None):
        return self.proj(x)

class Skip(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.hidden_size, args.hidden_size)

    def __call__(self, x, *args, **kwargs):
        return self.proj(x) * 2
`

// TestLowerIgnoredVariadic checks *args/**kwargs a body never names
// (types/check_unusedvariadic.go): Skip.Forward has only x, and a call that
// passes mask and cache to a field holding Full or Skip calls Skip.Forward
// with x alone (the extra arguments are names: evaluating them has no
// effect, so dropping them keeps the program's meaning).
func TestLowerIgnoredVariadic(t *testing.T) {
	res, got := translateAll(t, ignoredVariadicSrc)
	if len(res.Diagnostics) > 0 {
		t.Fatal(diagsText(res))
	}
	for _, w := range []string{
		`(func Forward (recv self *Skip) (params (x *mlx.Array)) (types *mlx.Array)`,
		`(call (sel (ident m2) "Forward") (ident x)`,
		`(call (sel (ident m1) "Forward") (ident x):array (ident mask)`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("model lacks %s:\n%s", w, got)
		}
	}
}

// TestLowerVariadicRefused checks that a variadic parameter the body reads,
// and an ignored one passed an argument with an effect, stay refused.
func TestLowerVariadicRefused(t *testing.T) {
	for _, c := range []struct{ from, to, want string }{
		{"return self.proj(x) * 2", "return self.proj(x) * len(args)", "variadic parameters are not supported"},
		{"return self.mix(x, mask, cache=cache)", "return self.mix(x, mask, cache=cache, extra=len([x]))", "no class of Full | Skip takes these arguments"},
	} {
		res, _ := translateAll(t, strings.Replace(ignoredVariadicSrc, c.from, c.to, 1))
		if d := diagsText(res); !strings.Contains(d, c.want) {
			t.Errorf("%s: diagnostics %q lack %q", c.to, d, c.want)
		}
	}
}
