package pyre

import (
	"strings"
	"testing"
)

// TestTranslate checks the RE2 form of accepted patterns and that each
// construct whose meaning differs in RE2 is rejected with its reason.
func TestTranslate(t *testing.T) {
	ok := []struct{ py, goRE string }{
		{`model\.layers\.(\d+)\.`, `model\.layers\.(\p{Nd}+)\.`},
		{`(?P<l>a)[^.\d]{2,}?\Z`, `(?P<l>a)[^\.\p{Nd}]{2,}?\z`},
		{`(?:x|y)+z`, `(?:x|y)+z`},
	}
	for _, c := range ok {
		p, err := Translate(c.py)
		if err != nil || p.Go != c.goRE {
			t.Errorf("%s: got %q, %v; want %q", c.py, p.Go, err, c.goRE)
		}
	}
	bad := map[string]string{
		`a$`:      "trailing newline",
		`\w+`:     `\w`,
		`(a)|b`:   "alternation",
		`(a)?`:    "0 repetitions",
		`(?=a)`:   "lookarounds",
		`a{,3}`:   "{,n}",
		`a++`:     "possessive",
		`(a)\1`:   `\1`,
		`[[:a:]]`: "character set",
		`(?i)a`:   "flags",
		`a{1001}`: "1000",
		`(a`:      "unterminated",
		`a)`:      "unbalanced",
	}
	for py, why := range bad {
		if _, err := Translate(py); err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("%s: got %v, want an error mentioning %q", py, err, why)
		}
	}
}
