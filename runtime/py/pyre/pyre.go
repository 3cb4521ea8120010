// Package pyre translates Python `re` patterns into Go regexp (RE2)
// patterns where the two mean the same thing, and rejects every other
// pattern with the reason. It has no cgo and no dependency on the rest of
// the runtime, so the translator runs it at generation time (a pattern it
// rejects is a diagnostic at the Python source) and runtime/py's ReCompile
// runs the same translation when the generated code compiles the pattern.
//
// The accepted subset, with its Python meaning kept exactly:
//
//   - literal characters, `.` (any character but "\n" in both), `^` (start
//     of the string without re.MULTILINE, as RE2's default), `\A`, `\Z`
//     (RE2's `\z`);
//   - `\d`: Python's str patterns match any Unicode decimal digit
//     (category Nd), RE2's `\d` only ASCII ones, so it becomes `\p{Nd}`;
//   - `\n \t \r \f \v` and a backslash before ASCII punctuation;
//   - character classes of literals, ranges and the escapes above
//     (negated classes match "\n" in both);
//   - groups `( )`, `(?: )`, `(?P<name> )`; alternation `|`;
//   - quantifiers `* + ? {m} {m,} {m,n}` (at most 1000, RE2's limit) and
//     their lazy forms. RE2's leftmost-first matching picks the same match
//     and the same group contents as Python's backtracking for these.
//
// Rejected (a different meaning in RE2, or none): `$` (Python's also
// matches before a trailing newline), `\w \s \b \B \D \W \S` (Unicode in
// Python, ASCII in RE2), backreferences and octal escapes, lookarounds,
// inline flags, possessive quantifiers, `{,n}` (a repeat in Python, a
// literal in RE2), nested `[` in classes. A capturing group that may not
// take part in a match (inside an alternation, or under a quantifier whose
// minimum is 0) is rejected too, so that every group of a match holds a
// string, as the translated code's group(i) returns one.
package pyre

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Pattern is a translated pattern.
type Pattern struct {
	// Go is the RE2 form of the whole pattern.
	Go string
	// Groups is the number of capturing groups.
	Groups int
}

// Translate translates a Python pattern (a str pattern, no flags).
func Translate(py string) (Pattern, error) {
	p := &parser{s: []rune(py)}
	if err := p.alt(); err != nil {
		return Pattern{}, err
	}
	if p.i < len(p.s) {
		return Pattern{}, p.errf("unbalanced parenthesis")
	}
	if _, err := regexp.Compile(p.out.String()); err != nil {
		return Pattern{}, fmt.Errorf("regular expression %q: RE2 rejects its translation: %v", py, err)
	}
	return Pattern{Go: p.out.String(), Groups: p.groups}, nil
}

// MatchForm is the RE2 pattern that matches only at the start of the
// string, as Python's Pattern.match does.
func (p Pattern) MatchForm() string { return `\A(?:` + p.Go + `)` }

type parser struct {
	s      []rune
	i      int
	out    strings.Builder
	groups int
}

func (p *parser) errf(format string, args ...any) error {
	return fmt.Errorf("regular expression %q at position %d: %s", string(p.s), p.i, fmt.Sprintf(format, args...))
}

func (p *parser) peek() (rune, bool) {
	if p.i < len(p.s) {
		return p.s[p.i], true
	}
	return 0, false
}

// alt parses alternatives up to a `)` or the end.
func (p *parser) alt() error {
	start := p.groups
	branches := 1
	for {
		if err := p.seq(); err != nil {
			return err
		}
		if r, ok := p.peek(); ok && r == '|' {
			branches++
			p.out.WriteRune('|')
			p.i++
			continue
		}
		break
	}
	if branches > 1 && p.groups > start {
		return p.errf("a capturing group inside an alternation may not take part in a match (group(i) would be None)")
	}
	return nil
}

func (p *parser) seq() error {
	for {
		r, ok := p.peek()
		if !ok || r == '|' || r == ')' {
			return nil
		}
		g0 := p.groups
		if err := p.atom(); err != nil {
			return err
		}
		min, ok, err := p.quant()
		if err != nil {
			return err
		}
		if ok && min == 0 && p.groups > g0 {
			return p.errf("a capturing group under a quantifier that allows 0 repetitions may not take part in a match (group(i) would be None)")
		}
	}
}

func (p *parser) atom() error {
	r := p.s[p.i]
	switch r {
	case '(':
		p.i++
		if r, ok := p.peek(); ok && r == '?' {
			switch {
			case strings.HasPrefix(string(p.s[p.i:]), "?:"):
				p.i += 2
				p.out.WriteString("(?:")
			case strings.HasPrefix(string(p.s[p.i:]), "?P<"):
				p.i += 3
				j := p.i
				for j < len(p.s) && p.s[j] != '>' {
					j++
				}
				name := string(p.s[p.i:j])
				if j == len(p.s) || !validName(name) {
					return p.errf("bad group name")
				}
				p.i = j + 1
				p.groups++
				p.out.WriteString("(?P<" + name + ">")
			default:
				return p.errf("only (?:...) and (?P<name>...) groups are translated (lookarounds, flags and backreferences have no RE2 form)")
			}
		} else {
			p.groups++
			p.out.WriteRune('(')
		}
		if err := p.alt(); err != nil {
			return err
		}
		if r, ok := p.peek(); !ok || r != ')' {
			return p.errf("missing ), unterminated subpattern")
		}
		p.i++
		p.out.WriteRune(')')
	case '[':
		return p.class()
	case '.', '^':
		p.i++
		p.out.WriteRune(r)
	case '$':
		return p.errf("$ also matches before a trailing newline in Python, not in RE2")
	case '\\':
		return p.escape(false)
	case '*', '+', '?', '{':
		return p.errf("nothing to repeat")
	case ')':
		return p.errf("unbalanced parenthesis")
	default:
		p.i++
		p.out.WriteString(regexp.QuoteMeta(string(r)))
	}
	return nil
}

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// quant parses an optional quantifier; min is its minimum count.
func (p *parser) quant() (min int, ok bool, err error) {
	r, has := p.peek()
	if !has {
		return 0, false, nil
	}
	switch r {
	case '*', '?':
		min = 0
		p.i++
		p.out.WriteRune(r)
	case '+':
		min = 1
		p.i++
		p.out.WriteRune(r)
	case '{':
		j := p.i + 1
		for j < len(p.s) && p.s[j] != '}' {
			j++
		}
		if j == len(p.s) {
			return 0, false, p.errf("{ without } (a literal in Python only when it is not a repeat: write \\{)")
		}
		body := string(p.s[p.i+1 : j])
		lo, hi, comma := strings.Cut(body, ",")
		n, e1 := strconv.Atoi(lo)
		if e1 != nil || n < 0 || n > 1000 {
			return 0, false, p.errf("repeat {%s}: a minimum from 0 to 1000 is required ({,n} is a repeat in Python, a literal in RE2)", body)
		}
		if comma && hi != "" {
			m, e2 := strconv.Atoi(hi)
			if e2 != nil || m < n || m > 1000 {
				return 0, false, p.errf("repeat {%s}: a maximum from the minimum to 1000 is required", body)
			}
		}
		min = n
		p.out.WriteString("{" + body + "}")
		p.i = j + 1
	default:
		return 0, false, nil
	}
	if r, has := p.peek(); has && r == '?' {
		p.i++
		p.out.WriteRune('?')
	}
	if r, has := p.peek(); has && strings.ContainsRune("*+?{", r) {
		return 0, false, p.errf("multiple repeat (possessive quantifiers have no RE2 form)")
	}
	return min, true, nil
}

// escape translates a backslash escape (in a class or not).
func (p *parser) escape(inClass bool) error {
	if p.i+1 >= len(p.s) {
		return p.errf("bad escape (end of pattern)")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch {
	case c == 'd':
		p.out.WriteString(`\p{Nd}`)
	case c == 'A' && !inClass:
		p.out.WriteString(`\A`)
	case c == 'Z' && !inClass:
		p.out.WriteString(`\z`)
	case strings.ContainsRune("ntrfv", c):
		p.out.WriteString(`\` + string(c))
	case c < 0x80 && !isAlnum(c):
		p.out.WriteString(`\` + string(c))
	default:
		p.i -= 2
		return p.errf(`the escape \%c is not translated (Unicode classes and word boundaries differ in RE2; backreferences have no RE2 form)`, c)
	}
	return nil
}

func isAlnum(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// class translates a character class.
func (p *parser) class() error {
	start := p.i
	p.i++
	p.out.WriteRune('[')
	if r, ok := p.peek(); ok && r == '^' {
		p.i++
		p.out.WriteRune('^')
	}
	n := 0
	for {
		r, ok := p.peek()
		if !ok {
			p.i = start
			return p.errf("unterminated character set")
		}
		switch {
		case r == ']' && n > 0:
			p.i++
			p.out.WriteRune(']')
			return nil
		case r == ']' || r == '[':
			return p.errf("[ or a leading ] inside a character set is not translated")
		case r == '\\':
			if err := p.escape(true); err != nil {
				return err
			}
		case r == '-' && n > 0 && p.i+1 < len(p.s) && p.s[p.i+1] != ']':
			if p.s[p.i-1] == '-' {
				return p.errf("-- inside a character set is not translated")
			}
			p.i++
			p.out.WriteRune('-')
			continue // a range: the next item ends it
		case strings.ContainsRune("&~|", r) && p.i+1 < len(p.s) && p.s[p.i+1] == r:
			return p.errf("%c%c inside a character set is not translated (a set operation in future Pythons)", r, r)
		default:
			p.i++
			p.out.WriteString(regexp.QuoteMeta(string(r)))
		}
		n++
	}
}
