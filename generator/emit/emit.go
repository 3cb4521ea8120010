// Package emit is the translator's printer: it writes a model.File as Go
// source with jennifer. It decides nothing — every type, declaration,
// conversion and parenthesis is in the model — so each model node maps to
// exactly one jennifer construct here.
package emit

import (
	"fmt"
	"sort"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/model"
)

// File prints a model file as a jennifer file (Render writes the source).
func File(m *model.File) *jen.File {
	p := &printer{imports: m.Imports}
	f := jen.NewFile(m.Package)
	f.HeaderComment(m.Header)
	if m.Doc != "" {
		f.PackageComment(m.Doc)
	}
	aliases := make([]string, 0, len(m.Imports))
	for a := range m.Imports {
		aliases = append(aliases, a)
	}
	sort.Strings(aliases)
	for _, a := range aliases {
		f.ImportAlias(m.Imports[a], a)
	}
	for _, d := range m.Decls {
		switch x := d.(type) {
		case *model.Struct:
			var fields []jen.Code
			for _, fl := range x.Fields {
				fields = append(fields, jen.Id(fl.Name).Add(p.typ(fl.Type)).Tag(fl.Tag))
			}
			f.Comment(x.Doc)
			f.Type().Id(x.Name).Struct(fields...)
			f.Line()
		case *model.Func:
			f.Add(p.fn(x))
			f.Line()
		case *model.Comment:
			f.Comment(x.Text)
			f.Line()
		case *model.VarDecl:
			if x.Doc != "" {
				f.Comment(x.Doc)
			}
			f.Var().Id(x.Name).Op("=").Add(p.expr(x.Value))
			f.Line()
		default:
			panic(fmt.Sprintf("emit: declaration %T", d))
		}
	}
	return f
}

// Stmts prints statements (for tests).
func Stmts(imports map[string]string, body []model.Stmt) []jen.Code {
	return (&printer{imports: imports}).stmts(body)
}

type printer struct {
	imports map[string]string
}

func (p *printer) qual(pkg, name string) *jen.Statement {
	if path, ok := p.imports[pkg]; ok {
		return jen.Qual(path, name)
	}
	return jen.Qual(pkg, name)
}

func (p *printer) fn(x *model.Func) *jen.Statement {
	var params []jen.Code
	for _, pr := range x.Params {
		params = append(params, p.param(pr))
	}
	var results []jen.Code
	for _, r := range x.Results {
		results = append(results, p.typ(r))
	}
	decl := jen.Func()
	if x.Doc != "" {
		decl = jen.Comment(x.Doc).Line().Func()
	}
	if x.Recv != nil {
		decl = decl.Params(jen.Id(x.Recv.Name).Add(p.typ(x.Recv.Type)))
	}
	return decl.Id(x.Name).Params(params...).Params(results...).Block(p.stmts(x.Body)...)
}

func (p *printer) param(pr *model.Param) jen.Code {
	if pr.Variadic {
		return jen.Id(pr.Name).Op("...").Add(p.typ(pr.Type))
	}
	return jen.Id(pr.Name).Add(p.typ(pr.Type))
}

func (p *printer) typ(t model.Type) jen.Code {
	switch x := t.(type) {
	case *model.Named:
		return jen.Id(x.Name)
	case *model.QualType:
		q := p.qual(x.Pkg, x.Name)
		if len(x.TypeArgs) > 0 {
			var ts []jen.Code
			for _, a := range x.TypeArgs {
				ts = append(ts, p.typ(a))
			}
			q = q.Types(ts...)
		}
		return q
	case *model.Ptr:
		return jen.Op("*").Add(p.typ(x.Elem))
	case *model.Slice:
		return jen.Index().Add(p.typ(x.Elem))
	case *model.Map:
		return jen.Map(p.typ(x.Key)).Add(p.typ(x.Elem))
	case *model.Array:
		return jen.Index(jen.Lit(x.Len)).Add(p.typ(x.Elem))
	case *model.Interface:
		var ps, rs []jen.Code
		for _, a := range x.Params {
			ps = append(ps, p.typ(a))
		}
		for _, r := range x.Results {
			rs = append(rs, p.typ(r))
		}
		ms := []jen.Code{jen.Id(x.Method).Params(ps...).Params(rs...)}
		for _, m := range x.More {
			var mps, mrs []jen.Code
			for _, a := range m.Params {
				mps = append(mps, p.typ(a))
			}
			for _, r := range m.Results {
				mrs = append(mrs, p.typ(r))
			}
			ms = append(ms, jen.Id(m.Name).Params(mps...).Params(mrs...))
		}
		return jen.Interface(ms...)
	case *model.TemplateType:
		return p.parts(x.Parts)
	case *model.FuncType:
		var ps, rs []jen.Code
		for _, a := range x.Params {
			ps = append(ps, p.typ(a))
		}
		for _, r := range x.Results {
			rs = append(rs, p.typ(r))
		}
		return jen.Func().Params(ps...).Params(rs...)
	}
	panic(fmt.Sprintf("emit: type %T", t))
}

func (p *printer) parts(parts []model.Part) jen.Code {
	var out []jen.Code
	for _, pt := range parts {
		switch {
		case pt.Arg:
			for i, a := range pt.Args {
				if i > 0 {
					out = append(out, jen.Op(","))
				}
				out = append(out, p.expr(a))
			}
		case pt.Name != "":
			out = append(out, p.qual(pt.Pkg, pt.Name))
		default:
			out = append(out, jen.Op(pt.Text))
		}
	}
	return jen.Add(out...)
}

func (p *printer) exprs(xs []model.Expr) []jen.Code {
	out := make([]jen.Code, 0, len(xs))
	for _, x := range xs {
		out = append(out, p.expr(x))
	}
	return out
}

func (p *printer) expr(e model.Expr) jen.Code {
	switch x := e.(type) {
	case nil:
		return jen.Null()
	case *model.Ident:
		return jen.Id(x.Name)
	case *model.Qual:
		return p.qual(x.Pkg, x.Name)
	case *model.Lit:
		if x.Text != "" {
			return jen.Op(x.Text)
		}
		if x.Value == nil {
			return jen.Nil()
		}
		return jen.Lit(x.Value)
	case *model.Sel:
		return jen.Add(p.expr(x.X)).Dot(x.Name)
	case *model.Call:
		fun := jen.Add(p.expr(x.Fun))
		if len(x.TypeArgs) > 0 {
			var ts []jen.Code
			for _, t := range x.TypeArgs {
				ts = append(ts, p.typ(t))
			}
			fun = fun.Types(ts...)
		}
		return fun.Call(p.exprs(x.Args)...)
	case *model.Conv:
		return jen.Add(p.typ(x.To)).Call(p.expr(x.X))
	case *model.Index:
		return jen.Add(p.expr(x.X)).Index(p.expr(x.Index))
	case *model.Binary:
		return jen.Add(p.expr(x.L)).Op(x.Op).Add(p.expr(x.R))
	case *model.Unary:
		return jen.Op(x.Op).Add(p.expr(x.X))
	case *model.Paren:
		return jen.Parens(p.expr(x.X))
	case *model.Composite:
		elts := p.exprs(x.Elts)
		if x.Multiline {
			ml := make([]jen.Code, 0, len(elts)+1)
			for _, el := range elts {
				ml = append(ml, jen.Line().Add(el))
			}
			if len(ml) > 0 {
				ml = append(ml, jen.Line())
			}
			elts = ml
		}
		return jen.Add(p.typ(x.Type)).Values(elts...)
	case *model.KeyValue:
		return jen.Add(p.expr(x.Key)).Op(":").Add(p.expr(x.Value))
	case *model.FuncLit:
		var params, results []jen.Code
		for _, pr := range x.Params {
			params = append(params, p.param(pr))
		}
		for _, r := range x.Results {
			results = append(results, p.typ(r))
		}
		return jen.Func().Params(params...).Params(results...).Block(p.stmts(x.Body)...)
	case *model.Spread:
		return jen.Add(p.expr(x.X)).Op("...")
	case *model.TypeExpr:
		return p.typ(x.Type)
	case *model.TypeAssert:
		return jen.Add(p.expr(x.X)).Assert(p.typ(x.Type))
	case *model.Template:
		return p.parts(x.Parts)
	}
	panic(fmt.Sprintf("emit: expression %T", e))
}

func (p *printer) stmts(body []model.Stmt) []jen.Code {
	out := make([]jen.Code, 0, len(body))
	for _, s := range body {
		out = append(out, p.stmt(s))
	}
	return out
}

func (p *printer) stmt(s model.Stmt) jen.Code {
	switch x := s.(type) {
	case *model.Define:
		return jen.List(p.exprs(x.Lhs)...).Op(":=").List(p.exprs(x.Rhs)...)
	case *model.Assign:
		return jen.List(p.exprs(x.Lhs)...).Op("=").List(p.exprs(x.Rhs)...)
	case *model.Var:
		v := jen.Var().Id(x.Name).Add(p.typ(x.Type))
		if x.Value != nil {
			v = v.Op("=").Add(p.expr(x.Value))
		}
		return v
	case *model.ExprStmt:
		return p.expr(x.X)
	case *model.If:
		st := jen.If(p.expr(x.Cond)).Block(p.stmts(x.Then)...)
		if x.Init != nil {
			st = jen.If(p.stmt(x.Init), p.expr(x.Cond)).Block(p.stmts(x.Then)...)
		}
		if x.ElseIf && len(x.Else) == 1 {
			return st.Else().Add(p.stmt(x.Else[0]))
		}
		if len(x.Else) > 0 {
			st = st.Else().Block(p.stmts(x.Else)...)
		}
		return st
	case *model.For:
		body := p.stmts(x.Body)
		switch {
		case x.Range:
			var head *jen.Statement
			switch {
			case x.Key == nil && x.Value == nil:
				head = jen.Range().Add(p.expr(x.Over))
			case x.Value == nil:
				head = jen.Add(p.expr(x.Key)).Op(":=").Range().Add(p.expr(x.Over))
			default:
				head = jen.List(p.expr(x.Key), p.expr(x.Value)).Op(":=").Range().Add(p.expr(x.Over))
			}
			return jen.For(head).Block(body...)
		case x.Init != nil:
			return jen.For(p.stmt(x.Init), p.expr(x.Cond), p.stmt(x.Post)).Block(body...)
		}
		return jen.For(p.expr(x.Cond)).Block(body...)
	case *model.Inc:
		return jen.Add(p.expr(x.X)).Op("++")
	case *model.Return:
		return jen.Return(p.exprs(x.Results)...)
	case *model.Block:
		return jen.Block(p.stmts(x.Body)...)
	case *model.Break:
		return jen.Break()
	case *model.Continue:
		return jen.Continue()
	case *model.CommentSt:
		return jen.Comment(x.Text)
	}
	panic(fmt.Sprintf("emit: statement %T", s))
}
