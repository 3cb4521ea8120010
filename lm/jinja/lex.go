package jinja

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Lexing follows Jinja's default delimiters and whitespace rules with
// trim_blocks and lstrip_blocks on, as transformers configures its
// environment: "-" strips all whitespace on that side of a tag, "+" keeps
// it (disabling lstrip_blocks before, trim_blocks after), the first newline
// after a block or comment tag is dropped, and spaces and tabs before a
// block or comment tag that starts a line are dropped.

type tokKind int

const (
	tEOF tokKind = iota
	tData
	tVarBegin
	tVarEnd
	tBlockBegin
	tBlockEnd
	tName
	tString
	tInt
	tFloat
	tOp
)

type token struct {
	kind tokKind
	val  string
	line int
}

func (t token) String() string {
	switch t.kind {
	case tEOF:
		return "end of template"
	case tData:
		return "text"
	case tVarBegin:
		return "'{{'"
	case tVarEnd:
		return "'}}'"
	case tBlockBegin:
		return "'{%'"
	case tBlockEnd:
		return "'%}'"
	case tString:
		return "string"
	}
	return fmt.Sprintf("%q", t.val)
}

type lexer struct {
	src  string
	pos  int
	line int
	toks []token
}

// SyntaxError is a template that does not parse.
type SyntaxError struct {
	Line int
	Msg  string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func lex(src string) ([]token, error) {
	// keep_trailing_newline is off: one final newline is dropped.
	if strings.HasSuffix(src, "\r\n") {
		src = src[:len(src)-2]
	} else if strings.HasSuffix(src, "\n") {
		src = src[:len(src)-1]
	}
	l := &lexer{src: src, line: 1}
	if err := l.run(); err != nil {
		return nil, err
	}
	return l.toks, nil
}

func (l *lexer) emit(k tokKind, v string) { l.toks = append(l.toks, token{k, v, l.line}) }

func (l *lexer) errf(format string, args ...any) error {
	return &SyntaxError{Line: l.line, Msg: fmt.Sprintf(format, args...)}
}

// nextTag finds the next "{{", "{%" or "{#" at or after pos.
func (l *lexer) nextTag() int {
	for i := l.pos; i+1 < len(l.src); i++ {
		if l.src[i] == '{' {
			switch l.src[i+1] {
			case '{', '%', '#':
				return i
			}
		}
	}
	return -1
}

func (l *lexer) run() error {
	trimNextNewline := false
	lstripNext := false // a "-" on the previous tag's right side
	for l.pos < len(l.src) {
		i := l.nextTag()
		end := i
		if i < 0 {
			end = len(l.src)
		}
		text := l.src[l.pos:end]
		if lstripNext {
			text = strings.TrimLeftFunc(text, unicode.IsSpace)
			lstripNext = false
		} else if trimNextNewline {
			if strings.HasPrefix(text, "\n") {
				text = text[1:]
			} else if strings.HasPrefix(text, "\r\n") {
				text = text[2:]
			}
		}
		trimNextNewline = false
		if i < 0 {
			l.addData(text)
			l.pos = len(l.src)
			break
		}
		kind := l.src[i+1]
		mod := byte(0)
		if i+2 < len(l.src) && (l.src[i+2] == '-' || l.src[i+2] == '+') {
			mod = l.src[i+2]
		}
		switch {
		case mod == '-':
			text = strings.TrimRightFunc(text, unicode.IsSpace)
		case mod == '+':
		case kind == '%' || kind == '#':
			// lstrip_blocks: drop spaces/tabs between the line start and the tag.
			j := len(text)
			for j > 0 && (text[j-1] == ' ' || text[j-1] == '\t') {
				j--
			}
			if j == 0 && (end-len(text) == 0 || l.lineStartBefore(end-len(text))) || j > 0 && text[j-1] == '\n' {
				text = text[:j]
			}
		}
		l.addData(text)
		l.line += strings.Count(l.src[l.pos:i], "\n")
		l.pos = i + 2
		if mod != 0 {
			l.pos++
		}
		var rmod byte
		var err error
		switch kind {
		case '#':
			j := strings.Index(l.src[l.pos:], "#}")
			if j < 0 {
				return l.errf("unclosed comment")
			}
			body := l.src[l.pos : l.pos+j]
			l.line += strings.Count(body, "\n")
			if strings.HasSuffix(body, "-") {
				rmod = '-'
			} else if strings.HasSuffix(body, "+") {
				rmod = '+'
			}
			l.pos += j + 2
		case '{':
			l.emit(tVarBegin, "{{")
			rmod, err = l.lexInside("}}")
			l.emit(tVarEnd, "}}")
		case '%':
			if raw, ok := l.rawBlock(); ok {
				l.addData(raw)
				continue
			}
			l.emit(tBlockBegin, "{%")
			rmod, err = l.lexInside("%}")
			l.emit(tBlockEnd, "%}")
		}
		if err != nil {
			return err
		}
		switch {
		case rmod == '-':
			lstripNext = true
		case rmod == '+':
		case kind == '%' || kind == '#':
			trimNextNewline = true
		}
	}
	l.emit(tEOF, "")
	return nil
}

// lineStartBefore reports whether only spaces/tabs separate offset p (in the
// source) from the start of its line.
func (l *lexer) lineStartBefore(p int) bool {
	for k := p - 1; k >= 0; k-- {
		switch l.src[k] {
		case ' ', '\t':
			continue
		case '\n':
			return true
		default:
			return false
		}
	}
	return true
}

func (l *lexer) addData(s string) {
	if s == "" {
		return
	}
	if n := len(l.toks); n > 0 && l.toks[n-1].kind == tData {
		l.toks[n-1].val += s
		return
	}
	l.emit(tData, s)
}

// rawBlock handles {% raw %}...{% endraw %} (l.pos is just after "{%"/"{%-").
func (l *lexer) rawBlock() (string, bool) {
	rest := l.src[l.pos:]
	t := strings.TrimLeft(rest, " \t\n\r")
	if !strings.HasPrefix(t, "raw") {
		return "", false
	}
	t = strings.TrimLeft(t[3:], " \t\n\r")
	t = strings.TrimPrefix(t, "-")
	if !strings.HasPrefix(t, "%}") {
		return "", false
	}
	start := len(l.src) - len(t) + 2
	for k := start; k < len(l.src); k++ {
		if strings.HasPrefix(l.src[k:], "{%") {
			inner := strings.TrimLeft(strings.TrimPrefix(strings.TrimPrefix(l.src[k+2:], "-"), "+"), " \t\n\r")
			if strings.HasPrefix(inner, "endraw") {
				after := strings.TrimLeft(inner[6:], " \t\n\r")
				after = strings.TrimPrefix(after, "-")
				if strings.HasPrefix(after, "%}") {
					body := l.src[start:k]
					l.line += strings.Count(l.src[l.pos:k], "\n")
					l.pos = len(l.src) - len(after) + 2
					return body, true
				}
			}
		}
	}
	return "", false
}

var ops3 = []string{"//=", "**="}
var ops2 = []string{"==", "!=", "<=", ">=", "//", "**", "+=", "-="}

// lexInside tokenizes an expression up to the closing delimiter and returns
// the closing whitespace modifier.
func (l *lexer) lexInside(close string) (byte, error) {
	for {
		for l.pos < len(l.src) && strings.ContainsRune(" \t\r\n", rune(l.src[l.pos])) {
			if l.src[l.pos] == '\n' {
				l.line++
			}
			l.pos++
		}
		if l.pos >= len(l.src) {
			return 0, l.errf("missing %q", close)
		}
		rest := l.src[l.pos:]
		for _, m := range []byte{'-', '+'} {
			if len(rest) >= 3 && rest[0] == m && rest[1:3] == close {
				l.pos += 3
				return m, nil
			}
		}
		if strings.HasPrefix(rest, close) {
			l.pos += 2
			return 0, nil
		}
		c := rest[0]
		switch {
		case c == '\'' || c == '"':
			s, n, err := unquote(rest)
			if err != nil {
				return 0, l.errf("%v", err)
			}
			l.emit(tString, s)
			l.line += strings.Count(rest[:n], "\n")
			l.pos += n
		case c >= '0' && c <= '9':
			j := 0
			for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '_') {
				j++
			}
			kind := tInt
			if j+1 < len(rest) && rest[j] == '.' && rest[j+1] >= '0' && rest[j+1] <= '9' {
				kind = tFloat
				j++
				for j < len(rest) && (rest[j] >= '0' && rest[j] <= '9' || rest[j] == '_') {
					j++
				}
			}
			if j < len(rest) && (rest[j] == 'e' || rest[j] == 'E') {
				k := j + 1
				if k < len(rest) && (rest[k] == '+' || rest[k] == '-') {
					k++
				}
				if k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
					kind = tFloat
					for k < len(rest) && rest[k] >= '0' && rest[k] <= '9' {
						k++
					}
					j = k
				}
			}
			l.emit(kind, strings.ReplaceAll(rest[:j], "_", ""))
			l.pos += j
		case c == '_' || unicode.IsLetter(rune(c)) || c >= utf8.RuneSelf:
			j := 0
			for j < len(rest) {
				r, n := utf8.DecodeRuneInString(rest[j:])
				if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
					break
				}
				j += n
			}
			if j == 0 {
				return 0, l.errf("unexpected character %q", rest[:1])
			}
			l.emit(tName, rest[:j])
			l.pos += j
		default:
			matched := false
			for _, set := range [][]string{ops3, ops2} {
				for _, op := range set {
					if strings.HasPrefix(rest, op) {
						l.emit(tOp, op)
						l.pos += len(op)
						matched = true
						break
					}
				}
				if matched {
					break
				}
			}
			if !matched {
				if !strings.ContainsRune("+-*/%~()[]{}.,:|=<>!", rune(c)) {
					return 0, l.errf("unexpected character %q", string(c))
				}
				l.emit(tOp, string(c))
				l.pos++
			}
		}
	}
}

// unquote reads a Python string literal at the start of s.
func unquote(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		if c == q {
			return b.String(), i + 1, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(s) {
			break
		}
		switch e := s[i]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'v':
			b.WriteByte(11)
		case '\\', '\'', '"':
			b.WriteByte(e)
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+n >= len(s) {
				return "", 0, fmt.Errorf("truncated \\%c escape", e)
			}
			var r rune
			for _, h := range s[i+1 : i+1+n] {
				d := hexVal(byte(h))
				if d < 0 {
					return "", 0, fmt.Errorf("invalid \\%c escape", e)
				}
				r = r*16 + rune(d)
			}
			if r > unicode.MaxRune {
				return "", 0, fmt.Errorf("invalid \\%c escape", e)
			}
			b.WriteRune(r)
			i += n
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return "", 0, fmt.Errorf("unterminated string")
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
