// Package model is the translator's typed, resolved model of one generated
// Go package: plain data, like esbuild's js_ast or protogen's resolved
// descriptors. The lowering (generator/lower) builds it from the checked
// Python (generator/types), making every decision — which Go type a value
// has, where a variable is declared, how a Python operation reads in Go —
// and the printer (generator/emit) writes it out with jennifer, deciding
// nothing.
//
// Declarations keep the Python they come from (class, field and method
// names, positions) so that a reader, or a test, can hold the model next to
// the Python. Every expression carries the Python type the checker gave it
// (nil for pure Go plumbing: a type name, a package function).
package model

import (
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// File is one generated Go file.
type File struct {
	Package string
	Header  string            // the first-line comment (provenance)
	Doc     string            // the package doc comment
	Imports map[string]string // package alias → import path
	Decls   []Decl
}

// Decl is a top-level declaration.
type Decl interface{ decl() }

// Struct is a Go struct for a Python class: a module (fields tagged mlx:)
// or a dataclass (fields tagged json:).
type Struct struct {
	Doc    string
	Name   string
	Py     string // the Python class
	Fields []*Field
}

// Field is a struct field.
type Field struct {
	Name string
	Py   string
	Type Type
	Tag  map[string]string
	Pos  syntax.Pos
}

// Func is a function or method.
type Func struct {
	Doc     string
	Recv    *Param // nil for a function
	Name    string
	Py      string // the Python def ("" for a Go-only helper such as a constructor of defaults)
	Params  []*Param
	Results []Type
	Body    []Stmt
}

// Param is a function parameter or receiver. Variadic: the last
// parameter is Name ...Type.
type Param struct {
	Name     string
	Type     Type
	Variadic bool
}

// VarDecl is a package-level var Name = Value (a function compiled by
// mx.compile is one).
type VarDecl struct {
	Doc   string
	Name  string
	Value Expr
}

// Comment is a free-standing comment between declarations (a method that
// is not translated says why).
type Comment struct{ Text string }

func (*Struct) decl()  {}
func (*Func) decl()    {}
func (*Comment) decl() {}
func (*VarDecl) decl() {}

// ---- types ----

// Type is a Go type expression.
type Type interface{ goType() }

type (
	// Named is a predeclared or package-local type: int, float64, Model.
	Named struct{ Name string }
	// QualType is pkg.Name (pkg one of the file's import aliases), with the
	// type arguments of a generic type.
	QualType struct {
		Pkg, Name string
		TypeArgs  []Type
	}
	Ptr   struct{ Elem Type }
	Slice struct{ Elem Type }
	Map   struct{ Key, Elem Type }
	// Array is [Len]Elem: a tuple used as a map key (lower/lower_dictkey.go).
	Array struct {
		Len  int
		Elem Type
	}
	// Interface is interface{ Method(params) results; More... }: Forward
	// and the other methods called on it.
	Interface struct {
		Method  string
		Params  []Type
		Results []Type
		More    []InterfaceMethod
	}
	// InterfaceMethod is one more method of an Interface.
	InterfaceMethod struct {
		Name            string
		Params, Results []Type
	}
	// TemplateType is a Go type written in the API table (a func type).
	TemplateType struct{ Parts []Part }
	// FuncType is func(params) results.
	FuncType struct{ Params, Results []Type }
)

func (*Named) goType()        {}
func (*QualType) goType()     {}
func (*Ptr) goType()          {}
func (*Slice) goType()        {}
func (*Map) goType()          {}
func (*Array) goType()        {}
func (*Interface) goType()    {}
func (*TemplateType) goType() {}
func (*FuncType) goType()     {}

// ---- expressions ----

// Expr is a Go expression.
type Expr interface {
	// PyType is the Python type of the value (nil for Go plumbing).
	PyType() *types.Type
	isExpr()
}

// Typed is embedded in expressions: the Python type of the value.
type Typed struct{ T *types.Type }

func (x Typed) PyType() *types.Type { return x.T }

type (
	// Ident is a local, parameter, function or type name.
	Ident struct {
		Typed
		Name string
	}
	// Qual is pkg.Name.
	Qual struct {
		Typed
		Pkg, Name string
	}
	// Lit is a literal: an int, a string, a bool, nil, or a number written
	// as Go source (Text, for floats: "1e-5", "0.5").
	Lit struct {
		Typed
		Value any    // int, string, bool or nil
		Text  string // when set, the literal's Go source
	}
	Sel struct {
		Typed
		X    Expr
		Name string
	}
	Call struct {
		Typed
		Fun      Expr
		TypeArgs []Type
		Args     []Expr
	}
	// Conv is a conversion T(x).
	Conv struct {
		Typed
		To Type
		X  Expr
	}
	Index struct {
		Typed
		X     Expr
		Index Expr
	}
	Binary struct {
		Typed
		Op   string
		L, R Expr
	}
	Unary struct {
		Typed
		Op string // "!", "-", "+", "^", "*" (dereference), "&"
		X  Expr
	}
	Paren struct {
		Typed
		X Expr
	}
	// Composite is T{elts}; Multiline puts each element on its own line.
	Composite struct {
		Typed
		Type      Type
		Elts      []Expr
		Multiline bool
	}
	KeyValue struct {
		Typed
		Key, Value Expr
	}
	// FuncLit is func(params) results { body }.
	FuncLit struct {
		Typed
		Params  []*Param
		Results []Type
		Body    []Stmt
	}
	// Spread is x... as the last argument of a variadic call.
	Spread struct {
		Typed
		X Expr
	}
	// TypeAssert is x.(T).
	TypeAssert struct {
		Typed
		X    Expr
		Type Type
	}
	// TypeExpr is a type used where Go takes one as a value (make(T)).
	TypeExpr struct {
		Typed
		Type Type
	}
	// Template is a call written in the API table: text and package names
	// from the table, the arguments in their places.
	Template struct {
		Typed
		Parts []Part
	}
)

// Part is one piece of a template: literal Go text, a qualified name, or
// an argument (one expression, or several separated by commas).
type Part struct {
	Text string
	Pkg  string // with Name: a qualified name
	Name string
	Args []Expr // an argument: Args (one, or a spread list)
	Arg  bool
}

func (*Ident) isExpr()      {}
func (*Qual) isExpr()       {}
func (*Lit) isExpr()        {}
func (*Sel) isExpr()        {}
func (*Call) isExpr()       {}
func (*Conv) isExpr()       {}
func (*Index) isExpr()      {}
func (*Binary) isExpr()     {}
func (*Unary) isExpr()      {}
func (*Paren) isExpr()      {}
func (*Composite) isExpr()  {}
func (*KeyValue) isExpr()   {}
func (*FuncLit) isExpr()    {}
func (*Spread) isExpr()     {}
func (*TypeExpr) isExpr()   {}
func (*TypeAssert) isExpr() {}
func (*Template) isExpr()   {}

// ---- statements ----

// Stmt is a Go statement.
type Stmt interface{ stmt() }

type (
	// Define is lhs := rhs.
	Define struct{ Lhs, Rhs []Expr }
	// Assign is lhs = rhs.
	Assign struct{ Lhs, Rhs []Expr }
	// Var is var Name Type [= Value].
	Var struct {
		Name  string
		Type  Type
		Value Expr // nil: the zero value
	}
	ExprStmt struct{ X Expr }
	// If is if [Init;] Cond { Then } else { Else }; an else-if is an If
	// alone in Else with ElseIf set.
	If struct {
		Init   Stmt // nil: none
		Cond   Expr
		Then   []Stmt
		Else   []Stmt
		ElseIf bool
	}
	// For is a loop: a condition loop (Cond), a counting loop (Init; Cond;
	// Post), or a range loop (Key, Value := range Over; Key and Value may
	// be nil or "_").
	For struct {
		Cond  Expr
		Init  Stmt
		Post  Stmt
		Range bool
		Key   Expr
		Value Expr
		Over  Expr
		Body  []Stmt
	}
	// Inc is x++.
	Inc    struct{ X Expr }
	Return struct{ Results []Expr }
	// Block is a bare { ... } (an inlined base __init__).
	Block     struct{ Body []Stmt }
	Break     struct{}
	Continue  struct{}
	CommentSt struct{ Text string }
)

func (*Define) stmt()    {}
func (*Assign) stmt()    {}
func (*Var) stmt()       {}
func (*ExprStmt) stmt()  {}
func (*If) stmt()        {}
func (*For) stmt()       {}
func (*Inc) stmt()       {}
func (*Return) stmt()    {}
func (*Block) stmt()     {}
func (*Break) stmt()     {}
func (*Continue) stmt()  {}
func (*CommentSt) stmt() {}
