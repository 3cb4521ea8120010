// Package syntax is the translator's first phase: it parses Python source
// with tree-sitter and converts the concrete syntax tree into a small,
// position-carrying AST of the Python subset mlx-lm's model files use.
// Anything outside that subset becomes a Diagnostic at its file:line:col,
// never a silent omission. The AST is plain data, like esbuild's js_ast:
// later phases (names, types, emit) read it and never see tree-sitter.
package syntax

import "fmt"

// Pos is a 1-based line and column (in bytes, as go/token counts them).
type Pos struct{ Line, Col int }

func (p Pos) String() string { return fmt.Sprintf("%d:%d", p.Line, p.Col) }

// Diagnostic is a located problem: file:line:col: construct: why.
type Diagnostic struct {
	File      string
	Pos       Pos
	Construct string
	Why       string
}

func (d Diagnostic) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s: %s", d.File, d.Pos.Line, d.Pos.Col, d.Construct, d.Why)
}

// Node is any AST node.
type Node interface{ Position() Pos }

// Stmt is a statement node.
type Stmt interface {
	Node
	stmt()
}

// Expr is an expression node.
type Expr interface {
	Node
	expr()
}

// At is embedded in every node to carry its position.
type At struct{ P Pos }

func (a At) Position() Pos { return a.P }

// File is a parsed module.
type File struct {
	Path string
	Body []Stmt
}

// Position is the start of the file (a File opens the module scope).
func (*File) Position() Pos { return Pos{Line: 1, Col: 1} }

// ---- statements ----

type (
	// Import is `import a.b as c, d`.
	Import struct {
		At
		Names []Alias
	}
	// ImportFrom is `from .mod import a as b` (Level counts the dots).
	ImportFrom struct {
		At
		Module string
		Level  int
		Names  []Alias
	}
	Alias struct {
		Name, AsName string
	}
	// ClassDef is a class with its decorators (e.g. @dataclass).
	ClassDef struct {
		At
		Name       string
		Bases      []Expr
		Decorators []Expr
		Body       []Stmt
	}
	// FuncDef is a function or method.
	FuncDef struct {
		At
		Name       string
		Params     []Param
		Returns    Expr
		Decorators []Expr
		Body       []Stmt
	}
	// Assign is `a = b = value` (Targets holds a and b) or a tuple target.
	Assign struct {
		At
		Targets []Expr
		Value   Expr
	}
	// AnnAssign is `x: T = value` (Value may be nil), as in dataclass fields.
	AnnAssign struct {
		At
		Target     Expr
		Annotation Expr
		Value      Expr
	}
	AugAssign struct {
		At
		Target Expr
		Op     string // "+", "//", ...
		Value  Expr
	}
	Return struct {
		At
		Value Expr // nil for a bare return
	}
	// If is if/elif/else; an elif is an If alone in Else.
	If struct {
		At
		Cond Expr
		Body []Stmt
		Else []Stmt
	}
	For struct {
		At
		Target Expr
		Iter   Expr
		Body   []Stmt
	}
	While struct {
		At
		Cond Expr
		Body []Stmt
	}
	ExprStmt struct {
		At
		X Expr
	}
	Assert struct {
		At
		Cond Expr
		Msg  Expr
	}
	Raise struct {
		At
		Exc Expr
	}
	Delete struct {
		At
		Targets []Expr
	}
	Pass     struct{ At }
	Break    struct{ At }
	Continue struct{ At }
)

// ParamKind distinguishes *args, **kwargs and keyword-only parameters.
type ParamKind int

const (
	ParamNormal ParamKind = iota
	ParamVarArgs
	ParamKwArgs
	ParamKwOnly
)

// Param is one function parameter.
type Param struct {
	At
	Name       string
	Annotation Expr
	Default    Expr
	Kind       ParamKind
}

func (*Import) stmt()     {}
func (*ImportFrom) stmt() {}
func (*ClassDef) stmt()   {}
func (*FuncDef) stmt()    {}
func (*Assign) stmt()     {}
func (*AnnAssign) stmt()  {}
func (*AugAssign) stmt()  {}
func (*Return) stmt()     {}
func (*If) stmt()         {}
func (*For) stmt()        {}
func (*While) stmt()      {}
func (*ExprStmt) stmt()   {}
func (*Assert) stmt()     {}
func (*Raise) stmt()      {}
func (*Delete) stmt()     {}
func (*Pass) stmt()       {}
func (*Break) stmt()      {}
func (*Continue) stmt()   {}

// ---- expressions ----

// ConstKind is the kind of a literal.
type ConstKind int

const (
	ConstInt ConstKind = iota
	ConstFloat
	ConstStr
	ConstTrue
	ConstFalse
	ConstNone
	ConstEllipsis
)

type (
	Name struct {
		At
		Id string
	}
	Attribute struct {
		At
		X    Expr
		Attr string
	}
	Call struct {
		At
		Func     Expr
		Args     []Expr // a *x argument is a Starred
		Keywords []Keyword
	}
	// Keyword is name=value, or **value when Name is "".
	Keyword struct {
		At
		Name  string
		Value Expr
	}
	// Constant is a literal; Value is its source text for numbers and the
	// decoded text for strings.
	Constant struct {
		At
		Kind  ConstKind
		Value string
	}
	// FString is f"..." as literal parts and interpolated expressions.
	FString struct {
		At
		Parts []FPart
	}
	FPart struct {
		Lit    string
		X      Expr   // nil for a literal part
		Format string // the format spec after ':', if any
		// Conv is the conversion after '!' ("r", "s" or "a"; "" for none):
		// the value goes through repr(), str() or ascii() before Format.
		Conv string
	}
	BinOp struct {
		At
		Op   string
		L, R Expr
	}
	UnaryOp struct {
		At
		Op string // "-", "+", "~", "not"
		X  Expr
	}
	// BoolOp is a chain of `and` or `or`.
	BoolOp struct {
		At
		Op     string
		Values []Expr
	}
	// Compare is a (possibly chained) comparison: Left Ops[0] Comparators[0] ...
	Compare struct {
		At
		Left        Expr
		Ops         []string // "<", "==", "in", "not in", "is", "is not", ...
		Comparators []Expr
	}
	IfExp struct {
		At
		Cond, Then, Else Expr
	}
	Lambda struct {
		At
		Params []Param
		Body   Expr
	}
	Subscript struct {
		At
		X     Expr
		Index []Expr // one per comma-separated element; a Slice for a:b:c
	}
	Slice struct {
		At
		Lo, Hi, Step Expr // nil when omitted
	}
	Tuple struct {
		At
		Elts []Expr
	}
	List struct {
		At
		Elts []Expr
	}
	Set struct {
		At
		Elts []Expr
	}
	Dict struct {
		At
		Keys, Values []Expr // a **splat has a nil key
	}
	// Comp is a list/generator/set comprehension (Kind "list", "gen", "set")
	// or a dict comprehension (Kind "dict", Key and Elt set).
	Comp struct {
		At
		Kind       string
		Key, Elt   Expr
		Generators []Generator
	}
	Generator struct {
		Target Expr
		Iter   Expr
		Ifs    []Expr
	}
	Starred struct {
		At
		X Expr
	}
	// NamedExpr is the walrus `name := value`.
	NamedExpr struct {
		At
		Target *Name
		Value  Expr
	}
)

func (*Name) expr()      {}
func (*Attribute) expr() {}
func (*Call) expr()      {}
func (*Constant) expr()  {}
func (*FString) expr()   {}
func (*BinOp) expr()     {}
func (*UnaryOp) expr()   {}
func (*BoolOp) expr()    {}
func (*Compare) expr()   {}
func (*IfExp) expr()     {}
func (*Lambda) expr()    {}
func (*Subscript) expr() {}
func (*Slice) expr()     {}
func (*Tuple) expr()     {}
func (*List) expr()      {}
func (*Set) expr()       {}
func (*Dict) expr()      {}
func (*Comp) expr()      {}
func (*Starred) expr()   {}
func (*NamedExpr) expr() {}
