package py

import (
	"regexp"

	"github.com/hf2go/hf2go/runtime/py/pyre"
)

// RePattern is a compiled Python regular expression (re.compile) whose
// pattern runtime/py/pyre translates to RE2 with the same meaning; the
// translator checks the pattern at generation time, so a pattern that does
// not translate never reaches generated code.
type RePattern struct {
	pattern string
	match   *regexp.Regexp
	groups  int
}

// ReCompile is re.compile(pattern) (no flags).
func ReCompile(pattern string) *RePattern {
	p, err := pyre.Translate(pattern)
	if err != nil {
		Raise("ValueError", "%v", err)
	}
	return &RePattern{pattern: pattern, match: regexp.MustCompile(p.MatchForm()), groups: p.Groups}
}

// ReMatch is a successful match (re.Match); every group of the accepted
// patterns takes part in every match, so each group is a str.
type ReMatch struct {
	groups []string
}

// Match is Pattern.match(s): a match at the start of s, or nil (None).
func (p *RePattern) Match(s string) *ReMatch {
	m := p.match.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	return &ReMatch{groups: m}
}

// Group is Match.group(i): the whole match for 0, group i otherwise;
// IndexError ("no such group") outside 0..groups, as in Python.
func (m *ReMatch) Group(i int) string {
	if i < 0 || i >= len(m.groups) {
		Raise("IndexError", "no such group")
	}
	return m.groups[i]
}
