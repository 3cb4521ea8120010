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
	full    *regexp.Regexp // the fullmatch form, compiled on first use
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

// Fullmatch is Pattern.fullmatch(s): a match of all of s, or nil (None).
func (p *RePattern) Fullmatch(s string) *ReMatch {
	if p.full == nil {
		t, _ := pyre.Translate(p.pattern) // ReCompile translated it already
		p.full = regexp.MustCompile(t.FullmatchForm())
	}
	m := p.full.FindStringSubmatch(s)
	if m == nil {
		return nil
	}
	return &ReMatch{groups: m}
}

// ReFullmatch is re.fullmatch(pattern, s) (no flags).
func ReFullmatch(pattern, s string) *ReMatch { return ReCompile(pattern).Fullmatch(s) }

// Groups is Match.groups(): every group, in order.
func (m *ReMatch) Groups() []string { return append([]string(nil), m.groups[1:]...) }
