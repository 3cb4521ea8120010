package toolcall

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A small Python expression parser: what ast.parse(mode="eval") accepts
// for literals, names, attribute chains, calls with keyword arguments,
// lists, tuples, dicts, sets and unary or binary +/-. It backs
// ast.literal_eval (LiteralEval) and the pythonic parser's call lists.
// Anything outside that subset is reported as an error, which every caller
// treats as Python's SyntaxError or ValueError (a fallback path).

var errSyntax = errors.New("SyntaxError")

type pyTok struct {
	kind string // "name", "num", "str", "op", "end"
	text string
	val  any // num: Int/float64/Complex; str: string or Bytes
}

type pyLexer struct {
	s     string
	i     int
	depth int
	toks  []pyTok
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Mc, r) || unicode.Is(unicode.Nd, r) || unicode.Is(unicode.Pc, r)
}

func lexPython(s string) ([]pyTok, error) {
	l := &pyLexer{s: s}
	newlineSeen := false
	for l.i < len(l.s) {
		c := l.s[l.i]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			l.i++
		case c == '\\' && strings.HasPrefix(l.s[l.i:], "\\\n"):
			l.i += 2
		case c == '\n' || c == '\r':
			if l.depth == 0 {
				newlineSeen = true
			}
			l.i++
		case c == '#':
			for l.i < len(l.s) && l.s[l.i] != '\n' {
				l.i++
			}
		default:
			if newlineSeen {
				// A second logical line in eval mode.
				return nil, errSyntax
			}
			if err := l.token(); err != nil {
				return nil, err
			}
		}
	}
	if l.depth != 0 {
		return nil, errSyntax
	}
	return append(l.toks, pyTok{kind: "end"}), nil
}

func (l *pyLexer) token() error {
	r, n := utf8.DecodeRuneInString(l.s[l.i:])
	c := l.s[l.i]
	// String prefixes.
	if isIdentStart(r) {
		j := l.i
		for j < len(l.s) {
			r2, n2 := utf8.DecodeRuneInString(l.s[j:])
			if !isIdentPart(r2) {
				break
			}
			j += n2
		}
		word := l.s[l.i:j]
		if j < len(l.s) && (l.s[j] == '\'' || l.s[j] == '"') {
			switch strings.ToLower(word) {
			case "r", "u", "b", "br", "rb":
				l.i = j
				return l.str(strings.ToLower(word))
			case "f", "fr", "rf":
				return errSyntax // an f-string is not a literal
			}
		}
		l.toks = append(l.toks, pyTok{kind: "name", text: word})
		l.i = j
		return nil
	}
	if c == '\'' || c == '"' {
		return l.str("")
	}
	if c >= '0' && c <= '9' || (c == '.' && l.i+1 < len(l.s) && l.s[l.i+1] >= '0' && l.s[l.i+1] <= '9') {
		return l.number()
	}
	for _, op := range []string{"**", "//", "->", ":=", "==", "!=", "<=", ">=", "<<", ">>", "...", "(", ")", "[", "]", "{", "}", ",", ":", ".", "+", "-", "*", "/", "%", "~", "<", ">", "=", "|", "&", "^", "@", ";"} {
		if strings.HasPrefix(l.s[l.i:], op) {
			switch op {
			case "(", "[", "{":
				l.depth++
			case ")", "]", "}":
				l.depth--
				if l.depth < 0 {
					return errSyntax
				}
			}
			l.toks = append(l.toks, pyTok{kind: "op", text: op})
			l.i += len(op)
			return nil
		}
	}
	_ = n
	return errSyntax
}

func (l *pyLexer) number() error {
	s := l.s[l.i:]
	end := 0
	for end < len(s) && (isIdentPart(rune(s[end])) || s[end] == '.' || ((s[end] == '+' || s[end] == '-') && end > 0 && (s[end-1] == 'e' || s[end-1] == 'E') && !strings.HasPrefix(strings.ToLower(s), "0x"))) {
		end++
	}
	lit := s[:end]
	l.i += end
	v, err := parseNumber(lit)
	if err != nil {
		return err
	}
	l.toks = append(l.toks, pyTok{kind: "num", text: lit, val: v})
	return nil
}

func digitsOK(s string, isDigit func(byte) bool) bool {
	if s == "" || s[0] == '_' || s[len(s)-1] == '_' || strings.Contains(s, "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != '_' && !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func isDec(b byte) bool { return b >= '0' && b <= '9' }

// parseNumber reads a Python numeric literal.
func parseNumber(lit string) (any, error) {
	low := strings.ToLower(lit)
	for _, p := range []struct {
		prefix string
		base   int
		digit  func(byte) bool
	}{{"0x", 16, func(b byte) bool { return strings.IndexByte("0123456789abcdef", b|0x20) >= 0 }},
		{"0o", 8, func(b byte) bool { return b >= '0' && b <= '7' }}, {"0b", 2, func(b byte) bool { return b == '0' || b == '1' }}} {
		if strings.HasPrefix(low, p.prefix) {
			body := strings.TrimPrefix(low[2:], "_")
			if !digitsOK(body, p.digit) {
				return nil, errSyntax
			}
			n, ok := new(big.Int).SetString(strings.ReplaceAll(body, "_", ""), p.base)
			if !ok {
				return nil, errSyntax
			}
			return Int{n}, nil
		}
	}
	imag := strings.HasSuffix(low, "j")
	body := strings.TrimSuffix(low, "j")
	mant, exp, hasExp := strings.Cut(body, "e")
	ip, fp, hasDot := strings.Cut(mant, ".")
	if hasExp {
		e := strings.TrimLeft(exp, "+-")
		if len(exp)-len(e) > 1 || !digitsOK(e, isDec) {
			return nil, errSyntax
		}
	}
	if (ip != "" && !digitsOK(ip, isDec)) || (fp != "" && !digitsOK(fp, isDec)) || (ip == "" && fp == "") {
		return nil, errSyntax
	}
	clean := strings.ReplaceAll(body, "_", "")
	if !hasDot && !hasExp && !imag {
		if len(ip) > 1 && ip[0] == '0' && strings.Trim(ip, "0_") != "" {
			return nil, errSyntax // leading zeros in a decimal integer
		}
		n, ok := new(big.Int).SetString(clean, 10)
		if !ok {
			return nil, errSyntax
		}
		return Int{n}, nil
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return nil, errSyntax
	}
	if imag {
		return Complex{0, f}, nil
	}
	return f, nil
}

func (l *pyLexer) str(prefix string) error {
	raw := strings.Contains(prefix, "r")
	isBytes := strings.Contains(prefix, "b")
	q := l.s[l.i]
	triple := strings.HasPrefix(l.s[l.i:], strings.Repeat(string(q), 3))
	delim := string(q)
	if triple {
		delim = strings.Repeat(string(q), 3)
	}
	l.i += len(delim)
	var b strings.Builder
	for {
		if l.i >= len(l.s) {
			return errSyntax
		}
		if strings.HasPrefix(l.s[l.i:], delim) {
			l.i += len(delim)
			break
		}
		c := l.s[l.i]
		if c == '\n' && !triple {
			return errSyntax
		}
		if c == '\\' {
			if l.i+1 >= len(l.s) {
				return errSyntax
			}
			if raw {
				b.WriteString(l.s[l.i : l.i+2])
				l.i += 2
				continue
			}
			if err := l.escape(&b, isBytes); err != nil {
				return err
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(l.s[l.i:])
		if isBytes && r >= 0x80 {
			return errSyntax
		}
		b.WriteRune(r)
		l.i += n
	}
	var v any = b.String()
	if isBytes {
		v = Bytes(b.String())
	}
	// Adjacent literals concatenate (str with str, bytes with bytes).
	if n := len(l.toks); n > 0 && l.toks[n-1].kind == "str" {
		prev := &l.toks[n-1]
		switch pv := prev.val.(type) {
		case string:
			s, ok := v.(string)
			if !ok {
				return errSyntax
			}
			prev.val = pv + s
		case Bytes:
			s, ok := v.(Bytes)
			if !ok {
				return errSyntax
			}
			prev.val = pv + s
		}
		return nil
	}
	l.toks = append(l.toks, pyTok{kind: "str", val: v})
	return nil
}

func (l *pyLexer) escape(b *strings.Builder, isBytes bool) error {
	e := l.s[l.i+1]
	l.i += 2
	simple := map[byte]string{'\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v", '\n': ""}
	if s, ok := simple[e]; ok {
		b.WriteString(s)
		return nil
	}
	hex := func(n int) (int64, error) {
		if l.i+n > len(l.s) {
			return 0, errSyntax
		}
		v, err := strconv.ParseInt(l.s[l.i:l.i+n], 16, 64)
		if err != nil {
			return 0, errSyntax
		}
		l.i += n
		return v, nil
	}
	switch {
	case e >= '0' && e <= '7':
		v := int64(e - '0')
		for k := 0; k < 2 && l.i < len(l.s) && l.s[l.i] >= '0' && l.s[l.i] <= '7'; k++ {
			v = v*8 + int64(l.s[l.i]-'0')
			l.i++
		}
		if isBytes {
			b.WriteByte(byte(v))
		} else {
			b.WriteRune(rune(v))
		}
	case e == 'x':
		v, err := hex(2)
		if err != nil {
			return err
		}
		if isBytes {
			b.WriteByte(byte(v))
		} else {
			b.WriteRune(rune(v))
		}
	case (e == 'u' || e == 'U') && !isBytes:
		n := 4
		if e == 'U' {
			n = 8
		}
		v, err := hex(n)
		if err != nil || v > unicode.MaxRune {
			return errSyntax
		}
		b.WriteRune(rune(v))
	case e == 'N' && !isBytes:
		return errSyntax // \N{name}: no Unicode name table here
	default:
		// Unknown escapes stay as written (Python warns, keeps both).
		b.WriteByte('\\')
		l.i--
	}
	return nil
}

// pyNode is a parsed expression.
type pyNode struct {
	kind  string // "const", "name", "attr", "call", "list", "tuple", "dict", "set", "unary", "binop"
	val   any
	name  string // name, attr
	op    string // unary, binop
	elts  []*pyNode
	keys  []*pyNode // dict keys
	fn    *pyNode   // call func, attr value, unary operand
	kws   []pyKeyword
	nargs int // positional arguments of a call
}

type pyKeyword struct {
	arg   string // "" for **kwargs
	value *pyNode
}

type pyParser struct {
	toks []pyTok
	i    int
}

// parsePython is ast.parse(text, mode="eval").body for the subset.
func parsePython(text string) (*pyNode, error) {
	toks, err := lexPython(text)
	if err != nil {
		return nil, err
	}
	p := &pyParser{toks: toks}
	n, err := p.exprOrTuple()
	if err != nil {
		return nil, err
	}
	if p.peek().kind != "end" {
		return nil, errSyntax
	}
	return n, nil
}

func (p *pyParser) peek() pyTok { return p.toks[p.i] }
func (p *pyParser) isOp(s string) bool {
	t := p.peek()
	return t.kind == "op" && t.text == s
}
func (p *pyParser) next() pyTok { t := p.toks[p.i]; p.i++; return t }

// exprOrTuple: a bare tuple "1, 2" at the top or in parentheses.
func (p *pyParser) exprOrTuple() (*pyNode, error) {
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	if !p.isOp(",") {
		return first, nil
	}
	elts := []*pyNode{first}
	for p.isOp(",") {
		p.next()
		if p.startsExpr() {
			e, err := p.expr()
			if err != nil {
				return nil, err
			}
			elts = append(elts, e)
		} else {
			break
		}
	}
	return &pyNode{kind: "tuple", elts: elts}, nil
}

func (p *pyParser) startsExpr() bool {
	t := p.peek()
	switch t.kind {
	case "name", "num", "str":
		return true
	case "op":
		return strings.Contains("([{+-~", t.text) && len(t.text) == 1
	}
	return false
}

// expr: sums of unary terms (only + and - as binary operators).
func (p *pyParser) expr() (*pyNode, error) {
	left, err := p.unary()
	if err != nil {
		return nil, err
	}
	for p.isOp("+") || p.isOp("-") {
		op := p.next().text
		right, err := p.unary()
		if err != nil {
			return nil, err
		}
		left = &pyNode{kind: "binop", op: op, elts: []*pyNode{left, right}}
	}
	if t := p.peek(); t.kind == "op" && strings.Contains(" * / // % ** @ | & ^ << >> < > == != <= >= ", " "+t.text+" ") || (t.kind == "name" && (t.text == "if" || t.text == "and" || t.text == "or" || t.text == "in" || t.text == "is" || t.text == "not" || t.text == "for")) {
		return nil, errSyntax // valid Python, but never a literal
	}
	return left, nil
}

func (p *pyParser) unary() (*pyNode, error) {
	if p.isOp("-") || p.isOp("+") || p.isOp("~") {
		op := p.next().text
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &pyNode{kind: "unary", op: op, fn: x}, nil
	}
	return p.postfix()
}

func (p *pyParser) postfix() (*pyNode, error) {
	n, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != "name" {
				return nil, errSyntax
			}
			n = &pyNode{kind: "attr", name: t.text, fn: n}
		case p.isOp("("):
			p.next()
			call := &pyNode{kind: "call", fn: n}
			seen := map[string]bool{}
			for !p.isOp(")") {
				if p.isOp("**") {
					p.next()
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					call.kws = append(call.kws, pyKeyword{"", v})
				} else if t := p.peek(); t.kind == "name" && p.toks[p.i+1].kind == "op" && p.toks[p.i+1].text == "=" {
					p.i += 2
					if seen[t.text] {
						return nil, errSyntax // keyword argument repeated
					}
					seen[t.text] = true
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					call.kws = append(call.kws, pyKeyword{t.text, v})
				} else {
					if len(call.kws) > 0 {
						return nil, errSyntax // positional argument follows keyword argument
					}
					if _, err := p.expr(); err != nil {
						return nil, err
					}
					call.nargs++
				}
				if p.isOp(",") {
					p.next()
				} else if !p.isOp(")") {
					return nil, errSyntax
				}
			}
			p.next()
			n = call
		case p.isOp("["):
			return nil, errSyntax // subscripts are never literals
		default:
			return n, nil
		}
	}
}

func (p *pyParser) atom() (*pyNode, error) {
	t := p.next()
	switch t.kind {
	case "num", "str":
		return &pyNode{kind: "const", val: t.val}, nil
	case "name":
		switch t.text {
		case "True":
			return &pyNode{kind: "const", val: true}, nil
		case "False":
			return &pyNode{kind: "const", val: false}, nil
		case "None":
			return &pyNode{kind: "const", val: nil}, nil
		case "lambda", "yield", "await", "not", "if", "else", "for", "in", "is", "and", "or":
			return nil, errSyntax
		}
		return &pyNode{kind: "name", name: t.text}, nil
	case "op":
		switch t.text {
		case "(":
			if p.isOp(")") {
				p.next()
				return &pyNode{kind: "tuple"}, nil
			}
			n, err := p.exprOrTuple()
			if err != nil {
				return nil, err
			}
			if !p.isOp(")") {
				return nil, errSyntax
			}
			p.next()
			return n, nil
		case "[":
			l := &pyNode{kind: "list"}
			for !p.isOp("]") {
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				l.elts = append(l.elts, e)
				if p.isOp(",") {
					p.next()
				} else if !p.isOp("]") {
					return nil, errSyntax
				}
			}
			p.next()
			return l, nil
		case "{":
			if p.isOp("}") {
				p.next()
				return &pyNode{kind: "dict"}, nil
			}
			first, err := p.expr()
			if err != nil {
				return nil, err
			}
			if p.isOp(":") {
				d := &pyNode{kind: "dict"}
				for {
					if !p.isOp(":") {
						return nil, errSyntax
					}
					p.next()
					v, err := p.expr()
					if err != nil {
						return nil, err
					}
					d.keys = append(d.keys, first)
					d.elts = append(d.elts, v)
					if p.isOp(",") {
						p.next()
					}
					if p.isOp("}") {
						p.next()
						return d, nil
					}
					if first, err = p.expr(); err != nil {
						return nil, err
					}
				}
			}
			s := &pyNode{kind: "set", elts: []*pyNode{first}}
			for p.isOp(",") {
				p.next()
				if p.isOp("}") {
					break
				}
				e, err := p.expr()
				if err != nil {
					return nil, err
				}
				s.elts = append(s.elts, e)
			}
			if !p.isOp("}") {
				return nil, errSyntax
			}
			p.next()
			return s, nil
		case "...":
			return &pyNode{kind: "name", name: "Ellipsis"}, nil
		}
	}
	return nil, errSyntax
}

// LiteralEval is ast.literal_eval(text): errors are Python's ValueError or
// SyntaxError (wrapping ErrValue), or a TypeError for an unhashable key.
func LiteralEval(text string) (any, error) {
	n, err := parsePython(strings.TrimLeft(text, " \t"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrValue, err)
	}
	return evalLiteral(n, nil)
}

// evalLiteral is literal_eval's _convert; names maps names to constants
// (the pythonic parser's true/false/null).
func evalLiteral(n *pyNode, names map[string]any) (any, error) {
	malformed := fmt.Errorf("%w: malformed node or string", ErrValue)
	switch n.kind {
	case "const":
		return n.val, nil
	case "name":
		if v, ok := names[n.name]; ok {
			return v, nil
		}
		return nil, malformed
	case "list", "tuple", "set":
		out := make([]any, len(n.elts))
		for i, e := range n.elts {
			v, err := evalLiteral(e, names)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		switch n.kind {
		case "tuple":
			return Tuple(out), nil
		case "set":
			for _, v := range out {
				if !hashable(v) {
					return nil, fmt.Errorf("TypeError: unhashable type: '%s'", pyTypeName(v))
				}
			}
			return Set(out), nil
		}
		return out, nil
	case "dict":
		d := &Dict{}
		for i := range n.keys {
			k, err := evalLiteral(n.keys[i], names)
			if err != nil {
				return nil, err
			}
			v, err := evalLiteral(n.elts[i], names)
			if err != nil {
				return nil, err
			}
			if !hashable(k) {
				return nil, fmt.Errorf("TypeError: unhashable type: '%s'", pyTypeName(k))
			}
			d.Set(k, v)
		}
		return d, nil
	case "call":
		if n.fn.kind == "name" && n.fn.name == "set" && n.nargs == 0 && len(n.kws) == 0 {
			return Set{}, nil
		}
		return nil, malformed
	case "unary":
		if n.op == "~" {
			return nil, malformed
		}
		v, err := evalLiteral(n.fn, nil)
		if err != nil || n.fn.kind != "const" && n.fn.kind != "unary" {
			return nil, malformed
		}
		return signed(n.op, v, malformed)
	case "binop":
		l, err := evalLiteral(n.elts[0], nil)
		if err != nil {
			return nil, malformed
		}
		r, err := evalLiteral(n.elts[1], nil)
		if err != nil {
			return nil, malformed
		}
		c, ok := r.(Complex)
		if !ok {
			return nil, malformed
		}
		var re float64
		switch x := l.(type) {
		case Int:
			re, _ = new(big.Float).SetInt(x.Int).Float64()
		case float64:
			re = x
		default:
			return nil, malformed
		}
		if n.op == "-" {
			c.Im = -c.Im
		}
		return Complex{re + c.Re, c.Im}, nil
	}
	return nil, malformed
}

func signed(op string, v any, malformed error) (any, error) {
	switch x := v.(type) {
	case Int:
		if op == "-" {
			return Int{new(big.Int).Neg(x.Int)}, nil
		}
		return x, nil
	case float64:
		if op == "-" {
			return -x, nil
		}
		return x, nil
	case Complex:
		if op == "-" {
			return Complex{-x.Re, -x.Im}, nil
		}
		return x, nil
	}
	return nil, malformed
}

func hashable(v any) bool {
	switch x := v.(type) {
	case []any, *Dict, Set:
		return false
	case Tuple:
		for _, e := range x {
			if !hashable(e) {
				return false
			}
		}
	}
	return true
}

// pyFloat is float(s): surrounding whitespace, underscores between digits,
// inf/nan spellings.
func pyFloat(s string) (float64, error) {
	t := strings.TrimFunc(s, isPySpace)
	low := strings.ToLower(t)
	switch strings.TrimLeft(low, "+-") {
	case "inf", "infinity":
		if strings.HasPrefix(low, "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	}
	body := strings.TrimLeft(t, "+-")
	if len(t)-len(body) > 1 || body == "" || strings.ContainsAny(body, "xXoObBjJ") {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", ErrValue, s)
	}
	if _, err := parseNumber(strings.ToLower(body)); err != nil {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", ErrValue, s)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, "_", ""), 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", ErrValue, s)
	}
	return f, nil
}
