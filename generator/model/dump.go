package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/generator/types"
)

// SetType records the Python type of an expression node.
func SetType(e Expr, t *types.Type) {
	if n, ok := e.(interface{ typed() *Typed }); ok {
		n.typed().T = t
	}
}

func (x *Typed) typed() *Typed { return x }

// Dump writes a node as a compact, deterministic S-expression, for tests
// and debugging: (call (qual py FloorDiv) (ident a) (lit 2)). Expressions
// with a Python type show it after a colon: (ident x):int.
func Dump(n any) string {
	var b strings.Builder
	dump(&b, n)
	return b.String()
}

func dump(b *strings.Builder, n any) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	list := func(head string, parts ...any) {
		w("(%s", head)
		for _, p := range parts {
			b.WriteByte(' ')
			dump(b, p)
		}
		w(")")
	}
	switch x := n.(type) {
	case nil:
		w("nil")
	case string:
		w("%q", x)
	case []Expr:
		list("list", anys(x)...)
	case []Stmt:
		list("block", anys(x)...)
	case []Type:
		list("types", anys(x)...)
	case *File:
		list("file "+x.Package, anys(x.Decls)...)
	case *Struct:
		var fs []any
		for _, f := range x.Fields {
			fs = append(fs, f)
		}
		list("struct "+x.Name, fs...)
	case *Field:
		var tags []string
		for k, v := range x.Tag {
			tags = append(tags, k+":"+v)
		}
		sort.Strings(tags)
		w("(field %s ", x.Name)
		dump(b, x.Type)
		w(" %s)", strings.Join(tags, ","))
	case *Func:
		w("(func %s", x.Name)
		if x.Recv != nil {
			w(" (recv %s ", x.Recv.Name)
			dump(b, x.Recv.Type)
			w(")")
		}
		w(" (params")
		for _, p := range x.Params {
			w(" (%s ", p.Name)
			dump(b, p.Type)
			w(")")
		}
		w(") ")
		dump(b, x.Results)
		w(" ")
		dump(b, x.Body)
		w(")")
	case *Comment:
		w("(comment %q)", x.Text)
	case *VarDecl:
		list("vardecl "+x.Name, x.Value)
	case *Named:
		w("%s", x.Name)
	case *QualType:
		w("%s.%s", x.Pkg, x.Name)
	case *Ptr:
		w("*")
		dump(b, x.Elem)
	case *Slice:
		w("[]")
		dump(b, x.Elem)
	case *Array:
		w("[%d]", x.Len)
		dump(b, x.Elem)
	case *Map:
		w("map[")
		dump(b, x.Key)
		w("]")
		dump(b, x.Elem)
	case *Interface:
		list("interface "+x.Method, anys(x.Params)...)
		for _, m := range x.More {
			list("interface-method "+m.Name, anys(m.Params)...)
		}
	case *TemplateType:
		list("template-type", parts(x.Parts)...)
	case *FuncType:
		list("func-type", x.Params, x.Results)
	case Expr:
		dumpExpr(b, x)
		if t := x.PyType(); t != nil {
			w(":%s", t)
		}
	case Stmt:
		dumpStmt(b, x)
	default:
		w("?%T", n)
	}
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func parts(ps []Part) []any {
	var out []any
	for _, p := range ps {
		switch {
		case p.Arg:
			out = append(out, p.Args)
		case p.Name != "":
			out = append(out, p.Pkg+"."+p.Name)
		default:
			out = append(out, p.Text)
		}
	}
	return out
}

func dumpExpr(b *strings.Builder, e Expr) {
	list := func(head string, parts ...any) {
		fmt.Fprintf(b, "(%s", head)
		for _, p := range parts {
			b.WriteByte(' ')
			dump(b, p)
		}
		b.WriteString(")")
	}
	switch x := e.(type) {
	case *Ident:
		fmt.Fprintf(b, "(ident %s)", x.Name)
	case *Qual:
		fmt.Fprintf(b, "(qual %s %s)", x.Pkg, x.Name)
	case *Lit:
		if x.Text != "" {
			fmt.Fprintf(b, "(lit %s)", x.Text)
		} else {
			fmt.Fprintf(b, "(lit %#v)", x.Value)
		}
	case *Sel:
		list("sel", x.X, x.Name)
	case *Call:
		ps := []any{x.Fun}
		if len(x.TypeArgs) > 0 {
			ps = append(ps, x.TypeArgs)
		}
		list("call", append(ps, anys(x.Args)...)...)
	case *Conv:
		list("conv", x.To, x.X)
	case *Index:
		list("index", x.X, x.Index)
	case *Binary:
		list("binary "+x.Op, x.L, x.R)
	case *Unary:
		list("unary "+x.Op, x.X)
	case *Paren:
		list("paren", x.X)
	case *Composite:
		list("composite", append([]any{x.Type}, anys(x.Elts)...)...)
	case *KeyValue:
		list("kv", x.Key, x.Value)
	case *FuncLit:
		list("funclit", x.Results, x.Body)
	case *Spread:
		list("spread", x.X)
	case *TypeExpr:
		list("type", x.Type)
	case *TypeAssert:
		list("assert", x.X, x.Type)
	case *Template:
		list("template", parts(x.Parts)...)
	default:
		fmt.Fprintf(b, "?%T", e)
	}
}

func dumpStmt(b *strings.Builder, s Stmt) {
	list := func(head string, parts ...any) {
		fmt.Fprintf(b, "(%s", head)
		for _, p := range parts {
			b.WriteByte(' ')
			dump(b, p)
		}
		b.WriteString(")")
	}
	switch x := s.(type) {
	case *Define:
		list(":=", x.Lhs, x.Rhs)
	case *Assign:
		list("=", x.Lhs, x.Rhs)
	case *Var:
		list("var "+x.Name, x.Type, x.Value)
	case *ExprStmt:
		list("expr", x.X)
	case *If:
		list("if", x.Cond, x.Then, x.Else)
	case *For:
		switch {
		case x.Range:
			list("for-range", x.Key, x.Value, x.Over, x.Body)
		case x.Init != nil:
			list("for", x.Init, x.Cond, x.Post, x.Body)
		default:
			list("while", x.Cond, x.Body)
		}
	case *Inc:
		list("++", x.X)
	case *Return:
		list("return", anys(x.Results)...)
	case *Block:
		list("scope", x.Body)
	case *Break:
		b.WriteString("(break)")
	case *Continue:
		b.WriteString("(continue)")
	case *CommentSt:
		fmt.Fprintf(b, "(// %q)", x.Text)
	default:
		fmt.Fprintf(b, "?%T", s)
	}
}
