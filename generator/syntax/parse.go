package syntax

import (
	"strconv"
	"strings"

	sitter "github.com/tree-sitter/go-tree-sitter"
	python "github.com/tree-sitter/tree-sitter-python/bindings/go"
)

// Parse parses a Python file. It returns the AST and every construct it could
// not represent; a file with diagnostics must not be translated.
func Parse(path string, src []byte) (*File, []Diagnostic) {
	p := sitter.NewParser()
	defer p.Close()
	if err := p.SetLanguage(sitter.NewLanguage(python.Language())); err != nil {
		return nil, []Diagnostic{{File: path, Pos: Pos{1, 1}, Construct: "parser", Why: err.Error()}}
	}
	tree := p.Parse(src, nil)
	defer tree.Close()
	c := &converter{path: path, src: src}
	root := tree.RootNode()
	f := &File{Path: path}
	if root.HasError() {
		c.findErrors(root)
		return nil, c.diags
	}
	f.Body = c.block(root)
	// Exact rewrites into forms the later phases translate (desugar.go).
	DesugarNamedExprs(f)
	return f, c.diags
}

type converter struct {
	path  string
	src   []byte
	diags []Diagnostic
}

func (c *converter) pos(n *sitter.Node) Pos {
	p := n.StartPosition()
	return Pos{Line: int(p.Row) + 1, Col: int(p.Column) + 1}
}

func (c *converter) at(n *sitter.Node) At { return At{c.pos(n)} }

func (c *converter) text(n *sitter.Node) string { return n.Utf8Text(c.src) }

func (c *converter) fail(n *sitter.Node, construct, why string) {
	c.diags = append(c.diags, Diagnostic{File: c.path, Pos: c.pos(n), Construct: construct, Why: why})
}

func (c *converter) findErrors(n *sitter.Node) {
	if n.IsError() || n.IsMissing() {
		c.fail(n, "syntax error", "the file does not parse as Python")
		return
	}
	for i := uint(0); i < n.ChildCount(); i++ {
		if ch := n.Child(i); ch.HasError() || ch.IsMissing() {
			c.findErrors(ch)
			return
		}
	}
}

// named returns the named children that are not comments.
func named(n *sitter.Node) []*sitter.Node {
	var out []*sitter.Node
	for i := uint(0); i < n.NamedChildCount(); i++ {
		ch := n.NamedChild(i)
		if ch.Kind() == "comment" {
			continue
		}
		out = append(out, ch)
	}
	return out
}

func (c *converter) block(n *sitter.Node) []Stmt {
	var out []Stmt
	for _, ch := range named(n) {
		if s := c.stmt(ch); s != nil {
			out = append(out, s)
		}
	}
	return out
}

func (c *converter) stmt(n *sitter.Node) Stmt {
	switch n.Kind() {
	case "expression_statement":
		kids := named(n)
		if len(kids) != 1 {
			c.fail(n, "expression statement", "unexpected shape")
			return nil
		}
		k := kids[0]
		switch k.Kind() {
		case "assignment":
			return c.assignment(k)
		case "augmented_assignment":
			return &AugAssign{At: c.at(k), Target: c.expr(k.ChildByFieldName("left")),
				Op: strings.TrimSuffix(c.text(k.ChildByFieldName("operator")), "="), Value: c.expr(k.ChildByFieldName("right"))}
		case "string":
			// A docstring or a bare string: no effect.
			return nil
		}
		return &ExprStmt{At: c.at(n), X: c.expr(k)}
	case "import_statement":
		s := &Import{At: c.at(n)}
		for _, ch := range named(n) {
			s.Names = append(s.Names, c.alias(ch))
		}
		return s
	case "import_from_statement":
		s := &ImportFrom{At: c.at(n)}
		mod := n.ChildByFieldName("module_name")
		if mod.Kind() == "relative_import" {
			t := c.text(mod)
			s.Level = len(t) - len(strings.TrimLeft(t, "."))
			s.Module = strings.TrimLeft(t, ".")
		} else {
			s.Module = c.text(mod)
		}
		for _, ch := range named(n) {
			if ch.Id() == mod.Id() {
				continue
			}
			if ch.Kind() == "wildcard_import" {
				c.fail(ch, "import *", "wildcard imports hide which names a file uses")
				continue
			}
			s.Names = append(s.Names, c.alias(ch))
		}
		return s
	case "future_import_statement":
		return nil
	case "class_definition":
		return c.classDef(n, nil)
	case "function_definition":
		return c.funcDef(n, nil)
	case "decorated_definition":
		var decos []Expr
		for _, ch := range named(n) {
			if ch.Kind() == "decorator" {
				kids := named(ch)
				if len(kids) == 1 {
					decos = append(decos, c.expr(kids[0]))
				}
			}
		}
		def := n.ChildByFieldName("definition")
		if def.Kind() == "class_definition" {
			return c.classDef(def, decos)
		}
		return c.funcDef(def, decos)
	case "return_statement":
		s := &Return{At: c.at(n)}
		kids := named(n)
		if len(kids) == 1 {
			s.Value = c.expr(kids[0])
		} else if len(kids) > 1 {
			c.fail(n, "return", "unexpected shape")
		}
		return s
	case "if_statement":
		return c.ifStmt(n)
	case "for_statement":
		if alt := n.ChildByFieldName("alternative"); alt != nil {
			c.fail(alt, "for-else", "not supported")
		}
		return &For{At: c.at(n), Target: c.target(n.ChildByFieldName("left")), Iter: c.expr(n.ChildByFieldName("right")),
			Body: c.block(n.ChildByFieldName("body"))}
	case "try_statement":
		if s := c.tryStmt(n); s != nil {
			return s
		}
		return nil
	case "while_statement":
		return &While{At: c.at(n), Cond: c.expr(n.ChildByFieldName("condition")), Body: c.block(n.ChildByFieldName("body"))}
	case "assert_statement":
		kids := named(n)
		s := &Assert{At: c.at(n), Cond: c.expr(kids[0])}
		if len(kids) > 1 {
			s.Msg = c.expr(kids[1])
		}
		return s
	case "raise_statement":
		s := &Raise{At: c.at(n)}
		if kids := named(n); len(kids) > 0 {
			s.Exc = c.expr(kids[0])
		}
		return s
	case "delete_statement":
		s := &Delete{At: c.at(n)}
		for _, ch := range named(n) {
			if ch.Kind() == "expression_list" {
				for _, e := range named(ch) {
					s.Targets = append(s.Targets, c.expr(e))
				}
				continue
			}
			s.Targets = append(s.Targets, c.expr(ch))
		}
		return s
	case "pass_statement":
		return &Pass{At: c.at(n)}
	case "break_statement":
		return &Break{At: c.at(n)}
	case "continue_statement":
		return &Continue{At: c.at(n)}
	case "comment":
		return nil
	}
	c.fail(n, strings.ReplaceAll(n.Kind(), "_", " "), "not supported by the translator")
	return nil
}

func (c *converter) alias(n *sitter.Node) Alias {
	if n.Kind() == "aliased_import" {
		return Alias{Name: c.text(n.ChildByFieldName("name")), AsName: c.text(n.ChildByFieldName("alias"))}
	}
	return Alias{Name: c.text(n)}
}

func (c *converter) assignment(n *sitter.Node) Stmt {
	left, right, typ := n.ChildByFieldName("left"), n.ChildByFieldName("right"), n.ChildByFieldName("type")
	if typ != nil {
		s := &AnnAssign{At: c.at(n), Target: c.expr(left), Annotation: c.expr(typ)}
		if right != nil {
			s.Value = c.expr(right)
		}
		return s
	}
	// Chained assignment a = b = value nests: right is itself an assignment.
	s := &Assign{At: c.at(n), Targets: []Expr{c.target(left)}}
	for right != nil && right.Kind() == "assignment" {
		s.Targets = append(s.Targets, c.target(right.ChildByFieldName("left")))
		right = right.ChildByFieldName("right")
	}
	s.Value = c.expr(right)
	return s
}

// target converts an assignment target; pattern lists become tuples.
func (c *converter) target(n *sitter.Node) Expr {
	switch n.Kind() {
	case "pattern_list", "tuple_pattern", "list_pattern", "tuple", "expression_list":
		t := &Tuple{At: c.at(n)}
		for _, ch := range named(n) {
			t.Elts = append(t.Elts, c.target(ch))
		}
		return t
	case "list_splat_pattern":
		kids := named(n)
		return &Starred{At: c.at(n), X: c.target(kids[0])}
	}
	return c.expr(n)
}

func (c *converter) ifStmt(n *sitter.Node) Stmt {
	s := &If{At: c.at(n), Cond: c.expr(n.ChildByFieldName("condition")), Body: c.block(n.ChildByFieldName("consequence"))}
	// alternatives: elif clauses then an optional else, in order.
	var alts []*sitter.Node
	for i := uint(0); i < n.ChildCount(); i++ {
		if n.FieldNameForChild(uint32(i)) == "alternative" {
			alts = append(alts, n.Child(i))
		}
	}
	cur := s
	for _, a := range alts {
		switch a.Kind() {
		case "elif_clause":
			e := &If{At: c.at(a), Cond: c.expr(a.ChildByFieldName("condition")), Body: c.block(a.ChildByFieldName("consequence"))}
			cur.Else = []Stmt{e}
			cur = e
		case "else_clause":
			cur.Else = c.block(a.ChildByFieldName("body"))
		}
	}
	return s
}

func (c *converter) classDef(n *sitter.Node, decos []Expr) Stmt {
	s := &ClassDef{At: c.at(n), Name: c.text(n.ChildByFieldName("name")), Decorators: decos}
	if sup := n.ChildByFieldName("superclasses"); sup != nil {
		for _, ch := range named(sup) {
			if ch.Kind() == "keyword_argument" {
				c.fail(ch, "class keyword", "metaclass and class keywords are not supported")
				continue
			}
			s.Bases = append(s.Bases, c.expr(ch))
		}
	}
	s.Body = c.block(n.ChildByFieldName("body"))
	return s
}

func (c *converter) funcDef(n *sitter.Node, decos []Expr) Stmt {
	s := &FuncDef{At: c.at(n), Name: c.text(n.ChildByFieldName("name")), Decorators: decos}
	if rt := n.ChildByFieldName("return_type"); rt != nil {
		s.Returns = c.expr(rt)
	}
	s.Params = c.params(n.ChildByFieldName("parameters"))
	s.Body = c.block(n.ChildByFieldName("body"))
	return s
}

func (c *converter) params(n *sitter.Node) []Param {
	if n == nil {
		return nil
	}
	var out []Param
	kwOnly := false
	for _, ch := range named(n) {
		p := Param{At: c.at(ch)}
		switch ch.Kind() {
		case "identifier":
			p.Name = c.text(ch)
		case "typed_parameter":
			inner := named(ch)[0]
			p.Annotation = c.expr(ch.ChildByFieldName("type"))
			switch inner.Kind() {
			case "list_splat_pattern":
				p.Name, p.Kind = c.text(named(inner)[0]), ParamVarArgs
			case "dictionary_splat_pattern":
				p.Name, p.Kind = c.text(named(inner)[0]), ParamKwArgs
			default:
				p.Name = c.text(inner)
			}
		case "default_parameter":
			p.Name = c.text(ch.ChildByFieldName("name"))
			p.Default = c.expr(ch.ChildByFieldName("value"))
		case "typed_default_parameter":
			p.Name = c.text(ch.ChildByFieldName("name"))
			p.Annotation = c.expr(ch.ChildByFieldName("type"))
			p.Default = c.expr(ch.ChildByFieldName("value"))
		case "list_splat_pattern":
			p.Name, p.Kind = c.text(named(ch)[0]), ParamVarArgs
		case "dictionary_splat_pattern":
			p.Name, p.Kind = c.text(named(ch)[0]), ParamKwArgs
		case "keyword_separator":
			kwOnly = true
			continue
		case "positional_separator":
			continue
		default:
			c.fail(ch, "parameter "+ch.Kind(), "not supported")
			continue
		}
		if kwOnly && p.Kind == ParamNormal {
			p.Kind = ParamKwOnly
		}
		out = append(out, p)
	}
	return out
}

var binOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "//": true, "%": true, "**": true,
	"@": true, "&": true, "|": true, "^": true, "<<": true, ">>": true}

func (c *converter) expr(n *sitter.Node) Expr {
	if n == nil {
		return nil
	}
	switch n.Kind() {
	case "identifier":
		return &Name{At: c.at(n), Id: c.text(n)}
	case "attribute":
		return &Attribute{At: c.at(n), X: c.expr(n.ChildByFieldName("object")), Attr: c.text(n.ChildByFieldName("attribute"))}
	case "call":
		return c.call(n)
	case "integer":
		return &Constant{At: c.at(n), Kind: ConstInt, Value: strings.ReplaceAll(c.text(n), "_", "")}
	case "float":
		return &Constant{At: c.at(n), Kind: ConstFloat, Value: strings.ReplaceAll(c.text(n), "_", "")}
	case "true":
		return &Constant{At: c.at(n), Kind: ConstTrue, Value: "True"}
	case "false":
		return &Constant{At: c.at(n), Kind: ConstFalse, Value: "False"}
	case "none":
		return &Constant{At: c.at(n), Kind: ConstNone, Value: "None"}
	case "ellipsis":
		return &Constant{At: c.at(n), Kind: ConstEllipsis, Value: "..."}
	case "string":
		return c.str(n)
	case "concatenated_string":
		var parts []FPart
		isF := false
		for _, ch := range named(n) {
			e := c.str(ch)
			switch s := e.(type) {
			case *Constant:
				parts = append(parts, FPart{Lit: s.Value})
			case *FString:
				isF = true
				parts = append(parts, s.Parts...)
			}
		}
		if !isF {
			var b strings.Builder
			for _, p := range parts {
				b.WriteString(p.Lit)
			}
			return &Constant{At: c.at(n), Kind: ConstStr, Value: b.String()}
		}
		return &FString{At: c.at(n), Parts: parts}
	case "parenthesized_expression":
		kids := named(n)
		if len(kids) != 1 {
			c.fail(n, "parenthesized expression", "unexpected shape")
			return nil
		}
		return c.expr(kids[0])
	case "binary_operator":
		op := c.text(n.ChildByFieldName("operator"))
		if !binOps[op] {
			c.fail(n, "operator "+op, "not supported")
		}
		return &BinOp{At: c.at(n), Op: op, L: c.expr(n.ChildByFieldName("left")), R: c.expr(n.ChildByFieldName("right"))}
	case "unary_operator":
		return &UnaryOp{At: c.at(n), Op: c.text(n.ChildByFieldName("operator")), X: c.expr(n.ChildByFieldName("argument"))}
	case "not_operator":
		return &UnaryOp{At: c.at(n), Op: "not", X: c.expr(n.ChildByFieldName("argument"))}
	case "boolean_operator":
		op := c.text(n.ChildByFieldName("operator"))
		l, r := c.expr(n.ChildByFieldName("left")), c.expr(n.ChildByFieldName("right"))
		// Flatten a or b or c into one BoolOp, as Python's ast does.
		vals := []Expr{l, r}
		if lb, ok := l.(*BoolOp); ok && lb.Op == op {
			vals = append(append([]Expr{}, lb.Values...), r)
		}
		return &BoolOp{At: c.at(n), Op: op, Values: vals}
	case "comparison_operator":
		return c.compare(n)
	case "conditional_expression":
		kids := named(n)
		if len(kids) != 3 {
			c.fail(n, "conditional expression", "unexpected shape")
			return nil
		}
		return &IfExp{At: c.at(n), Then: c.expr(kids[0]), Cond: c.expr(kids[1]), Else: c.expr(kids[2])}
	case "lambda":
		l := &Lambda{At: c.at(n), Body: c.expr(n.ChildByFieldName("body"))}
		if ps := n.ChildByFieldName("parameters"); ps != nil {
			l.Params = c.params(ps)
		}
		return l
	case "subscript":
		s := &Subscript{At: c.at(n), X: c.expr(n.ChildByFieldName("value"))}
		for i := uint(0); i < n.ChildCount(); i++ {
			if n.FieldNameForChild(uint32(i)) == "subscript" {
				s.Index = append(s.Index, c.expr(n.Child(i)))
			}
		}
		return s
	case "slice":
		return c.slice(n)
	case "tuple", "expression_list", "pattern_list":
		t := &Tuple{At: c.at(n)}
		for _, ch := range named(n) {
			t.Elts = append(t.Elts, c.expr(ch))
		}
		return t
	case "list":
		l := &List{At: c.at(n)}
		for _, ch := range named(n) {
			l.Elts = append(l.Elts, c.expr(ch))
		}
		return l
	case "set":
		l := &Set{At: c.at(n)}
		for _, ch := range named(n) {
			l.Elts = append(l.Elts, c.expr(ch))
		}
		return l
	case "dictionary":
		d := &Dict{At: c.at(n)}
		for _, ch := range named(n) {
			switch ch.Kind() {
			case "pair":
				d.Keys = append(d.Keys, c.expr(ch.ChildByFieldName("key")))
				d.Values = append(d.Values, c.expr(ch.ChildByFieldName("value")))
			case "dictionary_splat":
				d.Keys = append(d.Keys, nil)
				d.Values = append(d.Values, c.expr(named(ch)[0]))
			default:
				c.fail(ch, "dictionary entry", "not supported")
			}
		}
		return d
	case "list_comprehension", "generator_expression", "set_comprehension", "dictionary_comprehension":
		return c.comp(n)
	case "list_splat":
		return &Starred{At: c.at(n), X: c.expr(named(n)[0])}
	case "named_expression":
		return &NamedExpr{At: c.at(n), Target: &Name{At: c.at(n), Id: c.text(n.ChildByFieldName("name"))},
			Value: c.expr(n.ChildByFieldName("value"))}
	case "type":
		kids := named(n)
		if len(kids) == 1 {
			return c.expr(kids[0])
		}
		c.fail(n, "type", "unexpected shape")
		return nil
	case "generic_type":
		// List[int], Optional[Dict[str, Any]]: keep as a subscript.
		kids := named(n)
		s := &Subscript{At: c.at(n), X: c.expr(kids[0])}
		if len(kids) > 1 {
			for _, tp := range named(kids[1]) {
				s.Index = append(s.Index, c.expr(tp))
			}
		}
		return s
	case "type_parameter":
		kids := named(n)
		if len(kids) == 1 {
			return c.expr(kids[0])
		}
		t := &Tuple{At: c.at(n)}
		for _, k := range kids {
			t.Elts = append(t.Elts, c.expr(k))
		}
		return t
	case "union_type":
		kids := named(n)
		return &BinOp{At: c.at(n), Op: "|", L: c.expr(kids[0]), R: c.expr(kids[1])}
	case "keyword_argument", "dictionary_splat":
		c.fail(n, strings.ReplaceAll(n.Kind(), "_", " "), "not allowed here")
		return nil
	}
	c.fail(n, strings.ReplaceAll(n.Kind(), "_", " "), "not supported by the translator")
	return nil
}

func (c *converter) call(n *sitter.Node) Expr {
	call := &Call{At: c.at(n), Func: c.expr(n.ChildByFieldName("function"))}
	args := n.ChildByFieldName("arguments")
	if args.Kind() == "generator_expression" {
		call.Args = []Expr{c.comp(args)}
		return call
	}
	for _, a := range named(args) {
		switch a.Kind() {
		case "keyword_argument":
			call.Keywords = append(call.Keywords, Keyword{At: c.at(a), Name: c.text(a.ChildByFieldName("name")),
				Value: c.expr(a.ChildByFieldName("value"))})
		case "dictionary_splat":
			call.Keywords = append(call.Keywords, Keyword{At: c.at(a), Value: c.expr(named(a)[0])})
		case "list_splat":
			call.Args = append(call.Args, &Starred{At: c.at(a), X: c.expr(named(a)[0])})
		default:
			call.Args = append(call.Args, c.expr(a))
		}
	}
	return call
}

func (c *converter) compare(n *sitter.Node) Expr {
	cmp := &Compare{At: c.at(n)}
	var operands []Expr
	var ops []string
	pending := ""
	for i := uint(0); i < n.ChildCount(); i++ {
		ch := n.Child(i)
		if n.FieldNameForChild(uint32(i)) == "operators" {
			t := c.text(ch)
			// "not in" and "is not" arrive as two tokens.
			if pending != "" {
				t = pending + " " + t
				pending = ""
			} else if t == "not" || (t == "is" && i+1 < n.ChildCount() && n.FieldNameForChild(uint32(i+1)) == "operators") {
				pending = t
				continue
			}
			ops = append(ops, t)
			continue
		}
		if ch.IsNamed() && ch.Kind() != "comment" {
			operands = append(operands, c.expr(ch))
		}
	}
	if len(operands) != len(ops)+1 {
		c.fail(n, "comparison", "unexpected shape")
		return nil
	}
	cmp.Left, cmp.Ops, cmp.Comparators = operands[0], ops, operands[1:]
	return cmp
}

func (c *converter) slice(n *sitter.Node) Expr {
	s := &Slice{At: c.at(n)}
	// Children: [lo] ':' [hi] [':' [step]]
	part := 0
	for i := uint(0); i < n.ChildCount(); i++ {
		ch := n.Child(i)
		if !ch.IsNamed() {
			if c.text(ch) == ":" {
				part++
			}
			continue
		}
		if ch.Kind() == "comment" {
			continue
		}
		e := c.expr(ch)
		switch part {
		case 0:
			s.Lo = e
		case 1:
			s.Hi = e
		default:
			s.Step = e
		}
	}
	return s
}

func (c *converter) comp(n *sitter.Node) Expr {
	kind := map[string]string{"list_comprehension": "list", "generator_expression": "gen",
		"set_comprehension": "set", "dictionary_comprehension": "dict"}[n.Kind()]
	comp := &Comp{At: c.at(n), Kind: kind}
	body := n.ChildByFieldName("body")
	if kind == "dict" {
		comp.Key, comp.Elt = c.expr(body.ChildByFieldName("key")), c.expr(body.ChildByFieldName("value"))
	} else {
		comp.Elt = c.expr(body)
	}
	for _, ch := range named(n) {
		switch ch.Kind() {
		case "for_in_clause":
			comp.Generators = append(comp.Generators, Generator{Target: c.target(ch.ChildByFieldName("left")),
				Iter: c.expr(ch.ChildByFieldName("right"))})
		case "if_clause":
			if len(comp.Generators) == 0 {
				c.fail(ch, "comprehension", "if before for")
				continue
			}
			g := &comp.Generators[len(comp.Generators)-1]
			g.Ifs = append(g.Ifs, c.expr(named(ch)[0]))
		}
	}
	return comp
}

// str converts a string literal (plain or f-string).
func (c *converter) str(n *sitter.Node) Expr {
	start := ""
	var parts []FPart
	for i := uint(0); i < n.ChildCount(); i++ {
		ch := n.Child(i)
		switch ch.Kind() {
		case "string_start":
			start = strings.ToLower(c.text(ch))
		case "string_content":
			parts = append(parts, FPart{Lit: c.unescape(ch, start)})
		case "escape_sequence":
			parts = append(parts, FPart{Lit: c.unescape(ch, start)})
		case "escape_interpolation":
			parts = append(parts, FPart{Lit: c.text(ch)[:1]})
		case "interpolation":
			fp := FPart{X: c.expr(ch.ChildByFieldName("expression"))}
			if spec := ch.ChildByFieldName("format_specifier"); spec != nil {
				fp.Format = strings.TrimPrefix(c.text(spec), ":")
			}
			if conv := ch.ChildByFieldName("type_conversion"); conv != nil {
				switch k := strings.TrimPrefix(c.text(conv), "!"); k {
				case "r", "s", "a":
					fp.Conv = k
				default:
					c.fail(conv, "f-string conversion", "!"+k+" is not a Python conversion")
				}
			}
			parts = append(parts, fp)
		}
	}
	if strings.Contains(start, "f") {
		return &FString{At: c.at(n), Parts: mergeLits(parts)}
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteString(p.Lit)
	}
	return &Constant{At: c.at(n), Kind: ConstStr, Value: b.String()}
}

func mergeLits(parts []FPart) []FPart {
	var out []FPart
	for _, p := range parts {
		if p.X == nil && len(out) > 0 && out[len(out)-1].X == nil {
			out[len(out)-1].Lit += p.Lit
			continue
		}
		out = append(out, p)
	}
	return out
}

func (c *converter) unescape(n *sitter.Node, start string) string {
	t := c.text(n)
	if strings.Contains(start, "r") || !strings.Contains(t, `\`) {
		return t
	}
	s, ok := PyUnescape(t, strings.Contains(start, "b"))
	if !ok {
		c.fail(n, "string escape", "not a Python escape sequence: "+t)
	}
	return s
}

// PyUnescape decodes Python's backslash escapes in the text of a string
// literal: \\ \' \" \a \b \f \n \r \t \v, octal \ooo, \xhh, and (not in
// bytes) \uhhhh and \Uhhhhhhhh; a backslash before a newline continues the
// line; any other backslash stays as written, as in Python.
func PyUnescape(t string, bytesLit bool) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(t); i++ {
		if t[i] != '\\' || i+1 == len(t) {
			b.WriteByte(t[i])
			continue
		}
		i++
		switch e := t[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte('\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(t) && j < i+3 && t[j] >= '0' && t[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(t[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		case 'x', 'u', 'U':
			if e != 'x' && bytesLit {
				// \u is not an escape in bytes.
				b.WriteByte('\\')
				b.WriteByte(e)
				continue
			}
			w := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if i+1+w > len(t) {
				return t, false
			}
			v, err := strconv.ParseUint(t[i+1:i+1+w], 16, 32)
			if err != nil || v > 0x10FFFF {
				return t, false
			}
			if bytesLit {
				b.WriteByte(byte(v))
			} else {
				b.WriteRune(rune(v)) // a code point: "\xff" is U+00FF
			}
			i += w
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
	return b.String(), true
}
