// Package portcheck compares revisions of mlx-lm's Python sources symbol by
// symbol, maps what changed to the Go files derived from it (upstream.lock),
// verifies provenance headers and bumps the lock. cmd/portcheck is its CLI.
package portcheck

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// Symbol is one comparable unit of a Python module.
//
// Names: "function" for a top-level def, "Class" for a class (its header,
// decorators and every statement of its body except methods: dataclass
// fields, class attributes), "Class.method" for a method. Module-level code
// outside defs is split into "<imports>" (all import statements), one symbol
// per assigned top-level name ("NAME" for `NAME = …`) and "<module>" (any
// other top-level statement). A name defined twice (e.g. a property and its
// setter) gets "#2", "#3" … on later definitions; a property setter or
// deleter is "Class.prop.setter" / "Class.prop.deleter".
type Symbol struct {
	Name string
	// Fingerprint is the sha256 of the normalized syntax tree: node kinds
	// and leaf text, no positions, no comments, no docstrings, redundant
	// parentheses and trailing commas dropped, string quote style ignored.
	Fingerprint string
}

// Module is a parsed Python file.
type Module struct {
	Symbols []Symbol // in source order
	// SyntaxError is non-empty when tree-sitter found an error; it names the
	// first error's line and column.
	SyntaxError string
}

// Lookup returns the symbol with that name.
func (m *Module) Lookup(name string) (Symbol, bool) {
	for _, s := range m.Symbols {
		if s.Name == name {
			return s, true
		}
	}
	return Symbol{}, false
}

var pyLang = sitter.NewLanguage(python.Language())

// ParseModule parses Python source into symbols.
func ParseModule(src []byte) (*Module, error) {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(pyLang); err != nil {
		return nil, err
	}
	tree := p.Parse(src, nil)
	if tree == nil {
		return nil, fmt.Errorf("tree-sitter returned no tree")
	}
	defer tree.Close()
	root := tree.RootNode()
	m := &Module{}
	if root.HasError() {
		m.SyntaxError = firstError(root)
		return m, nil
	}
	b := &builder{src: src, seen: map[string]int{}}
	var imports, other strings.Builder
	for _, st := range namedChildren(root) {
		if st.IsExtra() || isDocstring(st, root) {
			continue
		}
		switch def := unwrapDecorated(st); def.Kind() {
		case "function_definition":
			b.add(name(def, src), b.norm(st))
		case "class_definition":
			b.class(st, def)
		default:
			switch st.Kind() {
			case "import_statement", "import_from_statement", "future_import_statement":
				imports.WriteString(b.norm(st))
			default:
				if n := assignedName(st, src); n != "" {
					b.add(n, b.norm(st))
				} else {
					other.WriteString(b.norm(st))
				}
			}
		}
	}
	if imports.Len() > 0 {
		b.add("<imports>", imports.String())
	}
	if other.Len() > 0 {
		b.add("<module>", other.String())
	}
	m.Symbols = b.syms
	return m, nil
}

type builder struct {
	src  []byte
	syms []Symbol
	seen map[string]int
}

func (b *builder) add(name, norm string) {
	b.seen[name]++
	if n := b.seen[name]; n > 1 {
		name = fmt.Sprintf("%s#%d", name, n)
	}
	sum := sha256.Sum256([]byte(norm))
	b.syms = append(b.syms, Symbol{Name: name, Fingerprint: hex.EncodeToString(sum[:])})
}

// class adds the class symbol (everything but its methods) and one symbol
// per method.
func (b *builder) class(outer, def *sitter.Node) {
	cname := name(def, b.src)
	body := def.ChildByFieldName("body")
	var head strings.Builder
	// Decorators, if any, are part of the class symbol.
	if outer.Kind() == "decorated_definition" {
		for _, c := range namedChildren(outer) {
			if c.Kind() == "decorator" {
				head.WriteString(b.norm(c))
			}
		}
	}
	for i := uint(0); i < def.ChildCount(); i++ {
		c := def.Child(i)
		if body != nil && c.Id() == body.Id() {
			continue
		}
		head.WriteString(b.norm(c))
	}
	type method struct{ name, norm string }
	var methods []method
	if body != nil {
		for _, st := range namedChildren(body) {
			if st.IsExtra() || isDocstring(st, body) {
				continue
			}
			if d := unwrapDecorated(st); d.Kind() == "function_definition" {
				methods = append(methods, method{cname + "." + name(d, b.src) + accessorSuffix(st, b.src), b.norm(st)})
				continue
			}
			head.WriteString(b.norm(st))
		}
	}
	b.add(cname, head.String())
	for _, m := range methods {
		b.add(m.name, m.norm)
	}
}

var accessorRE = regexp.MustCompile(`^@\s*[A-Za-z_][A-Za-z0-9_]*\.(setter|deleter)\s*$`)

// accessorSuffix names a property's setter or deleter: "Class.state.setter".
func accessorSuffix(st *sitter.Node, src []byte) string {
	if st.Kind() != "decorated_definition" {
		return ""
	}
	for _, c := range namedChildren(st) {
		if c.Kind() == "decorator" {
			if m := accessorRE.FindStringSubmatch(c.Utf8Text(src)); m != nil {
				return "." + m[1]
			}
		}
	}
	return ""
}

// norm serializes a subtree without positions, comments or docstrings.
func (b *builder) norm(n *sitter.Node) string {
	var sb strings.Builder
	b.write(&sb, n)
	return sb.String()
}

func (b *builder) write(sb *strings.Builder, n *sitter.Node) {
	if n.IsExtra() {
		return // comments, line continuations
	}
	kind := n.Kind()
	if kind == "parenthesized_expression" {
		// (x) and x are the same expression to Python.
		if inner := soleNamedChild(n); inner != nil {
			b.write(sb, inner)
			return
		}
	}
	if n.ChildCount() == 0 {
		sb.WriteString(kind)
		if n.IsNamed() || kind == "string_start" || kind == "string_end" {
			sb.WriteByte('=')
			text := n.Utf8Text(b.src)
			if kind == "string_start" || kind == "string_end" {
				text = normQuote(text)
			}
			sb.WriteString(text)
		}
		sb.WriteByte(' ')
		return
	}
	sb.WriteByte('(')
	sb.WriteString(kind)
	sb.WriteByte(' ')
	count := n.ChildCount()
	for i := uint(0); i < count; i++ {
		c := n.Child(i)
		if c.Kind() == "," && kind != "subscript" && i+1 < count && isCloser(nextNonExtra(n, i+1)) {
			continue // trailing comma before a closing bracket
		}
		if isDocstring(c, n) {
			continue
		}
		b.write(sb, c)
	}
	sb.WriteString(") ")
}

func nextNonExtra(n *sitter.Node, i uint) *sitter.Node {
	for ; i < n.ChildCount(); i++ {
		if c := n.Child(i); !c.IsExtra() {
			return c
		}
	}
	return nil
}

func isCloser(n *sitter.Node) bool {
	if n == nil {
		return false
	}
	switch n.Kind() {
	case ")", "]", "}":
		return true
	}
	return false
}

// normQuote maps a string delimiter to its prefix letters and whether it is
// triple-quoted, so 'x' and "x" compare equal.
func normQuote(s string) string {
	i := strings.IndexAny(s, `'"`)
	if i < 0 {
		return s
	}
	if len(s)-i >= 3 {
		return strings.ToLower(s[:i]) + "Q3"
	}
	return strings.ToLower(s[:i]) + "Q"
}

// isDocstring: a string-only expression statement that opens a module, class
// or function body.
func isDocstring(st, parent *sitter.Node) bool {
	if st.Kind() != "expression_statement" || st.NamedChildCount() != 1 || st.NamedChild(0).Kind() != "string" {
		return false
	}
	switch parent.Kind() {
	case "module", "block":
	default:
		return false
	}
	if parent.Kind() == "block" {
		gp := parent.Parent()
		if gp == nil || (gp.Kind() != "function_definition" && gp.Kind() != "class_definition") {
			return false
		}
	}
	for i := uint(0); i < parent.NamedChildCount(); i++ {
		c := parent.NamedChild(i)
		if c.IsExtra() {
			continue
		}
		return c.Id() == st.Id()
	}
	return false
}

func namedChildren(n *sitter.Node) []*sitter.Node {
	out := make([]*sitter.Node, 0, n.NamedChildCount())
	for i := uint(0); i < n.NamedChildCount(); i++ {
		out = append(out, n.NamedChild(i))
	}
	return out
}

func soleNamedChild(n *sitter.Node) *sitter.Node {
	var only *sitter.Node
	for _, c := range namedChildren(n) {
		if c.IsExtra() {
			continue
		}
		if only != nil {
			return nil
		}
		only = c
	}
	return only
}

func unwrapDecorated(n *sitter.Node) *sitter.Node {
	if n.Kind() == "decorated_definition" {
		if d := n.ChildByFieldName("definition"); d != nil {
			return d
		}
	}
	return n
}

func name(def *sitter.Node, src []byte) string {
	if n := def.ChildByFieldName("name"); n != nil {
		return n.Utf8Text(src)
	}
	return "?"
}

// assignedName returns NAME for a top-level `NAME = …` / `NAME: T = …`.
func assignedName(st *sitter.Node, src []byte) string {
	if st.Kind() != "expression_statement" || st.NamedChildCount() != 1 {
		return ""
	}
	a := st.NamedChild(0)
	if a.Kind() != "assignment" {
		return ""
	}
	left := a.ChildByFieldName("left")
	if left == nil || left.Kind() != "identifier" {
		return ""
	}
	return left.Utf8Text(src)
}

// firstError finds the first ERROR or MISSING node, depth first.
func firstError(n *sitter.Node) string {
	if n.IsError() || n.IsMissing() {
		p := n.StartPosition()
		what := "syntax error"
		if n.IsMissing() {
			what = "missing " + n.Kind()
		}
		return fmt.Sprintf("%d:%d: %s", p.Row+1, p.Column+1, what)
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		c := n.Child(i)
		if c.HasError() || c.IsMissing() {
			if s := firstError(c); s != "" {
				return s
			}
		}
	}
	return ""
}
