// Package emit is the translator's code-generation phase: it walks the
// resolved, typed Python AST of one model file and emits the Go package
// (with jennifer), one Go declaration per Python class, field, method and
// function, in the same order and with the same names (Go-cased).
//
// Types are inferred here with the types package's table: a dry run over
// every __init__ learns the type of each self.x (repeated to a fixed point,
// since one module's fields depend on another's), call sites give types to
// unannotated parameters, and return statements give results. Anything the
// translator cannot express is a Diagnostic at the Python construct's
// file:line:col; a file with a diagnostic produces no Go at all.
package emit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/dave/jennifer/jen"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Options say where the file comes from, for the header and registration.
type Options struct {
	Package   string // Go package name
	PyPath    string // mlx_lm/models/llama.py
	Revision  string // the pin as headers name it: the release version ("0.32.2"), else the commit
	Blob      string
	ModelType string   // the file's model_type (its name)
	Aliases   []string // model_types mlx-lm remaps to this file
	// Load parses another file of mlx_lm/models (a sibling model file or a
	// helper such as pipeline.py) for imports and inheritance.
	Load func(module string) (*syntax.File, *names.Scope, error)
}

// Result is a translated package.
type Result struct {
	File        *jen.File
	Diagnostics []syntax.Diagnostic
	Model       *ModelInfo // what the registration template needs
}

// ModelInfo describes the top-level Model class for the registration code.
type ModelInfo struct {
	HasArgs      bool
	CallParams   []string // Go parameter kinds of Model.__call__ after inputs: "cache", "nil"
	HasSanitize  bool
	HasShard     bool   // Model.shard(group): tensor parallelism
	ArgsFromDict string // ModelArgs has its own from_dict: the Go function
	HasMakeCache bool
	LayersExpr   string // Go expression for len(model.layers) on *Model named m
}

type classInfo struct {
	def      *syntax.ClassDef
	scope    *names.Scope // the imports of the file the class comes from
	bases    []*classInfo // base classes whose fields and methods it inherits
	name     string
	isArgs   bool
	fields   []*fieldInfo
	byName   map[string]*fieldInfo
	methods  []*funcInfo
	byMeth   map[string]*funcInfo
	props    map[string]bool
	consts   map[string]*syntax.Constant // fields fixed at a literal (see konst.go)
	wrapped  bool                        // a sibling file's class renamed next to this file's
	fromDict *funcInfo                   // a dataclass's own from_dict classmethod
}

type fieldInfo struct {
	py      string
	goName  string
	typ     *types.Type
	def     syntax.Expr // dataclass default
	hasDef  bool
	annot   syntax.Expr
	pos     syntax.Pos
	comment string
}

type paramInfo struct {
	py        string
	annotated bool // the type comes from a Python annotation
	typ       *types.Type
	def       syntax.Expr
	kind      syntax.ParamKind
}

type funcInfo struct {
	def       *syntax.FuncDef
	scope     *names.Scope
	superFrom *classInfo // for an __init__ taken from a base: that base

	// Locals rebound to another type at the top level of the body: each
	// such assignment starts a new Go variable (see split in stmt.go).
	splits    map[*syntax.Name]string
	firstType map[string]*types.Type
	class     *classInfo
	goName    string
	params    []*paramInfo // without self
	ret       *types.Type
	isProp    bool
	// isClassMethod: a @classmethod of a module class (an alternative
	// constructor such as ShardedRMSNorm.from_rms_norm), a package-level Go
	// function <Class><Method>; cls(...) in it is the class's constructor.
	isClassMethod bool
	skipped       string // why the method is not translated (shard)
}

type translator struct {
	opts    Options
	file    *syntax.File
	scope   *names.Scope
	tab     *types.Table
	diags   []syntax.Diagnostic
	dry     bool // inference pass: no code, no diagnostics
	classes []*classInfo
	byClass map[string]*classInfo
	funcs   []*funcInfo
	byFunc  map[string]*funcInfo
	args    *classInfo
	imports map[string]bool
	hint    *types.Type     // the type the expression being translated is assigned to
	reads   map[string]bool // names read by the function being emitted (nil: all)

	nested         map[string]*funcInfo             // functions defined inside functions, by position
	siblingArgs    map[string]*classInfo            // ModelArgs of sibling files, by file
	siblingClasses map[string]map[string]*classInfo // every class of sibling files
	siblings       map[string]*syntax.File          // sibling and helper files loaded for inheritance
}

// Translate translates one parsed model file.
func Translate(f *syntax.File, scope *names.Scope, tab *types.Table, opts Options) *Result {
	t := &translator{opts: opts, file: f, scope: scope, tab: tab, byClass: map[string]*classInfo{},
		byFunc: map[string]*funcInfo{}, imports: map[string]bool{}, siblingArgs: map[string]*classInfo{},
		siblingClasses: map[string]map[string]*classInfo{}, nested: map[string]*funcInfo{},
		siblings: map[string]*syntax.File{}}
	t.collect()
	if len(t.diags) == 0 {
		t.infer()
	}
	if len(t.diags) == 0 {
		t.tryOptional()
	}
	res := &Result{}
	if len(t.diags) == 0 {
		res.File = t.emitFile()
		res.Model = t.modelInfo()
	} else if t.inferenceOnly() {
		// A type that could not be inferred usually hides an expression the
		// translator rejects; emitting anyway reports that root cause.
		t.emitFile()
	}
	// Root causes first: a type that could not be inferred is usually the
	// consequence of a rejected expression reported elsewhere.
	sort.SliceStable(t.diags, func(i, j int) bool {
		ci, cj := strings.HasPrefix(t.diags[i].Why, "cannot infer"), strings.HasPrefix(t.diags[j].Why, "cannot infer")
		if ci != cj {
			return cj
		}
		a, b := t.diags[i].Pos, t.diags[j].Pos
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
	res.Diagnostics = dedupe(t.diags)
	return res
}

func dedupe(ds []syntax.Diagnostic) []syntax.Diagnostic {
	seen := map[string]bool{}
	var out []syntax.Diagnostic
	for _, d := range ds {
		k := d.Error()
		if !seen[k] {
			seen[k] = true
			out = append(out, d)
		}
	}
	return out
}

func (t *translator) fail(n syntax.Node, construct, format string, args ...any) {
	if t.dry {
		return
	}
	var p syntax.Pos
	if n != nil {
		p = n.Position()
	}
	t.diags = append(t.diags, syntax.Diagnostic{File: t.opts.PyPath, Pos: p, Construct: construct, Why: fmt.Sprintf(format, args...)})
}

// ---- collection ----

func (t *translator) collect() {
	// Model files built on another one (smollm3 on llama) bring the other
	// file's classes and functions into this package, minus those this file
	// redefines; they are translated with their own file's imports.
	for _, file := range t.scope.Siblings {
		t.importSibling(file, map[string]bool{})
	}
	t.collectFile(t.file, t.scope, "")
	if _, ok := t.byClass["Model"]; !ok {
		t.fail(nil, "class Model", "the file defines no Model class")
	}
}

// collectFile collects the top-level classes and functions of one file.
// from is "" for the file being translated, else the sibling's name.
func (t *translator) collectFile(f *syntax.File, scope *names.Scope, from string) {
	for _, st := range f.Body {
		switch n := st.(type) {
		case *syntax.ClassDef:
			c := &classInfo{def: n, name: n.Name, scope: scope, byName: map[string]*fieldInfo{}, byMeth: map[string]*funcInfo{}, props: map[string]bool{}}
			for _, b := range n.Bases {
				if q := scope.Qualify(b); q == "base.BaseModelArgs" {
					c.isArgs = true
				}
				if parent := t.baseClass(b, scope); parent != nil {
					c.bases = append(c.bases, parent)
					if parent.isArgs {
						c.isArgs = true
					}
				}
			}
			if from != "" {
				if t.siblingClasses[from] == nil {
					t.siblingClasses[from] = map[string]*classInfo{}
				}
				t.siblingClasses[from][c.name] = c
			}
			if from != "" && t.definedInMain(n.Name) {
				if !t.mainUsesSibling(from, n.Name) {
					if !c.isArgs {
						// Redefined by this file; still a possible base class.
						t.collectClass(c)
						continue
					}
				} else {
					// A wrapper (gemma3 around gemma3_text) uses the other
					// file's Model and ModelArgs next to its own: translate them
					// under the file's name, and let that file's code see them
					// by their Python names.
					c.name = exported(from) + n.Name
					for t.byClass[c.name] != nil || t.definedInMain(c.name) {
						c.name += "_"
					}
					scope.Symbols[n.Name] = names.Symbol{Kind: names.LocalClass, Name: c.name, Node: n}
					c.wrapped = true
				}
			}
			t.classes = append(t.classes, c)
			t.byClass[c.name] = c
			if c.isArgs {
				if c.wrapped {
					t.collectArgs(c) // a second dataclass, translated as such
					continue
				}
				if from != "" {
					// A sibling's ModelArgs is only a base of this file's.
					t.classes = t.classes[:len(t.classes)-1]
					delete(t.byClass, c.name)
					t.siblingArgs[from] = c
					t.collectArgs(c)
					continue
				}
				if t.args != nil {
					t.fail(n, "class "+n.Name, "a second BaseModelArgs dataclass")
				}
				t.args = c
				t.collectArgs(c)
				continue
			}
			t.collectClass(c)
			t.inherit(c)
		case *syntax.FuncDef:
			if from != "" && t.definedInMain(n.Name) {
				continue
			}
			f := &funcInfo{def: n, goName: local(n.Name), scope: scope}
			if strings.HasPrefix(n.Name, "_") {
				f.goName = local(strings.TrimLeft(n.Name, "_"))
			}
			f.params = t.params(n, false)
			t.funcs = append(t.funcs, f)
			t.byFunc[n.Name] = f
		case *syntax.Import, *syntax.ImportFrom, *syntax.Pass:
		case *syntax.Assign, *syntax.AnnAssign:
			// Module-level constants are handled where used (rare in model files).
		case *syntax.If, *syntax.ExprStmt:
			// e.g. `if TYPE_CHECKING:`; not supported.
			t.fail(st, "module-level statement", "only imports, classes, functions and constants are translated")
		default:
			t.fail(st, "module-level statement", "not supported")
		}
	}
}

func (t *translator) collectArgs(c *classInfo) {
	// An inherited dataclass has its parent's fields first (dataclass order).
	for _, b := range c.bases {
		for _, f := range b.fields {
			cp := *f
			c.fields = append(c.fields, &cp)
			c.byName[cp.py] = &cp
		}
		if pi, ok := b.byMeth["__post_init__"]; ok && c.def != b.def {
			c.byMeth["__super_post_init__"] = pi
		}
	}
	for _, st := range c.def.Body {
		switch n := st.(type) {
		case *syntax.AnnAssign:
			nm, ok := n.Target.(*syntax.Name)
			if !ok {
				t.fail(n, "dataclass field", "target is not a name")
				continue
			}
			f := &fieldInfo{py: nm.Id, goName: exported(nm.Id), annot: n.Annotation, pos: n.P}
			prev := t.scope
			t.scope = c.scope
			f.typ = t.annotation(n.Annotation)
			t.scope = prev
			if n.Value != nil {
				f.def, f.hasDef = n.Value, true
				if isFieldCall(n.Value) {
					f.def = fieldDefault(n.Value)
				}
			}
			if f.typ.Kind == types.Unknown {
				t.fail(n.Annotation, "annotation", "cannot map the type of %s", nm.Id)
			}
			if old, ok := c.byName[f.py]; ok {
				// A redefined field keeps its place and takes the new default.
				*old = *f
				continue
			}
			c.fields = append(c.fields, f)
			c.byName[f.py] = f
		case *syntax.FuncDef:
			if n.Name == "from_dict" && isClassMethod(n) {
				// A from_dict of its own (qwen2_vl accepts a config without
				// text_config): a package function the registration calls.
				fi := &funcInfo{def: n, class: c, goName: c.name + "FromDict", scope: c.scope}
				fi.params = t.params(n, true)
				for _, p := range fi.params {
					p.typ = types.DictOf(types.TStr, types.TAny)
				}
				fi.ret = types.ClassT(c.name)
				c.fromDict = fi
				continue
			}
			if n.Name != "__post_init__" {
				t.fail(n, "method "+n.Name, "only __post_init__ and a from_dict classmethod are translated on ModelArgs")
				continue
			}
			fi := &funcInfo{def: n, class: c, goName: "PostInit", scope: c.scope}
			c.methods = append(c.methods, fi)
			c.byMeth[n.Name] = fi
		case *syntax.Assign:
			t.fail(st, "dataclass body", "class attributes are not translated")
		case *syntax.Pass:
		default:
			t.fail(st, "dataclass body", "only annotated fields and __post_init__ are translated")
		}
	}
	// A field the code tests against None may be None in a config even when
	// its annotation says int (q_lora_rank: int = 1536, given as null).
	for _, f := range c.fields {
		if t.checkedForList(f.py) && f.typ.Kind != types.List {
			// moe_layer_start_index: int, tested isinstance(x, (tuple, list)):
			// configs give either; keep the value as Python holds it.
			f.typ = types.TAny
			continue
		}
		if f.typ.Kind == types.Int && t.truncatedByInt(f.py) {
			// partial_rotary_factor: int, used as int(factor * head_dim):
			// configs hold fractions there, which Python keeps as floats.
			f.typ = types.TFloat
		}
		if f.typ.Kind != types.Optional && !f.typ.Nilable() && t.comparedToNone(f.py) {
			f.typ = types.OptionalOf(f.typ)
		}
	}
}

func isFieldCall(e syntax.Expr) bool {
	c, ok := e.(*syntax.Call)
	if !ok {
		return false
	}
	n, ok := c.Func.(*syntax.Name)
	return ok && n.Id == "field"
}

// fieldDefault returns the default of field(default_factory=...) or field(default=...).
func fieldDefault(e syntax.Expr) syntax.Expr {
	c := e.(*syntax.Call)
	for _, k := range c.Keywords {
		switch k.Name {
		case "default":
			return k.Value
		case "default_factory":
			if l, ok := k.Value.(*syntax.Lambda); ok {
				return l.Body
			}
			if n, ok := k.Value.(*syntax.Name); ok && (n.Id == "list" || n.Id == "dict") {
				if n.Id == "list" {
					return &syntax.List{At: n.At}
				}
				return &syntax.Dict{At: n.At}
			}
		}
	}
	return nil
}

func (t *translator) collectClass(c *classInfo) {
	defer func() {
		if _, ok := c.byMeth["__init__"]; !ok && !c.isArgs {
			// No __init__: the base's, run on this class, or Python's default.
			init := &funcInfo{def: &syntax.FuncDef{At: c.def.At, Name: "__init__"}, class: c, goName: "New" + c.name, scope: c.scope}
			if base, ok := c.superBody("__init__"); ok {
				init.def = base.def
				init.scope = base.scope
				init.params = t.params(base.def, true)
				init.superFrom = base.class
			}
			c.methods = append([]*funcInfo{init}, c.methods...)
			c.byMeth["__init__"] = init
		}
	}()
	for _, st := range c.def.Body {
		switch n := st.(type) {
		case *syntax.FuncDef:
			f := &funcInfo{def: n, class: c, scope: c.scope}
			for _, d := range n.Decorators {
				if nm, ok := d.(*syntax.Name); ok && nm.Id == "property" {
					f.isProp = true
					c.props[n.Name] = true
				}
				if a, ok := d.(*syntax.Attribute); ok && a.Attr == "setter" {
					t.fail(d, "property setter", "not supported")
				}
			}
			if isClassMethod(n) {
				f.isClassMethod = true
			}
			switch n.Name {
			case "__init__":
				f.goName = "New" + c.name
			case "__call__":
				f.goName = "Forward"
			case "pipeline":
				f.skipped = "pipeline parallelism (mx.distributed) is not translated yet"
			case "extra_repr", "_extra_repr", "__repr__", "__str__":
				f.skipped = "printing only"
			case "quant_predicate", "cast_predicate":
				f.skipped = "used only when converting checkpoints (mlx_lm.convert), not for inference"
			default:
				f.goName = exported(n.Name)
				if f.isClassMethod {
					f.goName = c.name + exported(n.Name)
				}
			}
			f.params = t.params(n, true)
			c.methods = append(c.methods, f)
			c.byMeth[n.Name] = f
		case *syntax.Pass:
		case *syntax.Assign, *syntax.AnnAssign:
			t.fail(st, "class attribute", "class-level attributes are not translated")
		default:
			t.fail(st, "class body", "not supported")
		}
	}
}

// params collects a function's parameters with their initial types.
func (t *translator) params(fd *syntax.FuncDef, method bool) []*paramInfo {
	var out []*paramInfo
	for i, p := range fd.Params {
		if method && i == 0 {
			if p.Name != "self" && p.Name != "cls" {
				t.fail(p, "method", "first parameter is %q, not self", p.Name)
			}
			continue
		}
		if p.Kind == syntax.ParamKwArgs || p.Kind == syntax.ParamVarArgs {
			t.fail(p, "parameter *"+p.Name, "variadic parameters are not supported")
			continue
		}
		pi := &paramInfo{py: p.Name, def: p.Default, kind: p.Kind, typ: types.TUnknown}
		if p.Annotation != nil {
			pi.typ = t.annotation(p.Annotation)
			pi.annotated = pi.typ.Kind != types.Unknown && pi.typ.Kind != types.AnyK
		}
		if pi.typ.Kind == types.Unknown || pi.typ.Kind == types.AnyK || (pi.typ.Kind == types.Optional && pi.typ.Elem.Kind == types.AnyK) ||
			(p.Name == "weights" && pi.typ.Kind == types.Dict) {
			// Untyped or loosely typed (weights: dict): the name says what it is.
			pi.typ = t.conventionType(p.Name, pi.typ)
		}
		if pi.typ.Kind == types.Unknown && p.Default != nil {
			def := p.Default
			if u, ok := def.(*syntax.UnaryOp); ok && (u.Op == "-" || u.Op == "+") {
				def = u.X // eps=-1e-6
			}
			if c, ok := def.(*syntax.Constant); ok && c.Kind != syntax.ConstNone {
				pi.typ = constType(c)
			}
		}
		if c, ok := p.Default.(*syntax.Constant); ok && c.Kind == syntax.ConstNone && pi.typ.Kind != types.Unknown {
			// hidden_size: int = None is an Optional in all but name.
			pi.typ = types.OptionalOf(pi.typ)
		}
		out = append(out, pi)
	}
	return out
}

// conventionType types parameters that mlx-lm leaves unannotated or Any by
// the names every model file uses for them.
func (t *translator) conventionType(name string, cur *types.Type) *types.Type {
	switch name {
	case "x", "h", "inputs", "hidden_states", "input_embeddings", "queries", "keys", "values", "gate", "indices":
		return types.TArray
	case "mask", "attention_mask":
		return types.TMask
	case "cache":
		return types.ExtT("Cache")
	case "args", "config":
		if t.args != nil && name == "args" {
			return types.ClassT(t.args.name)
		}
	case "weights":
		return types.DictOf(types.TStr, types.TArray)
	}
	return cur
}

func constType(c *syntax.Constant) *types.Type {
	switch c.Kind {
	case syntax.ConstInt:
		return types.TInt
	case syntax.ConstFloat:
		return types.TFloat
	case syntax.ConstStr:
		return types.TStr
	case syntax.ConstTrue, syntax.ConstFalse:
		return types.TBool
	case syntax.ConstNone:
		return types.TNone
	}
	return types.TUnknown
}

// annotation maps a Python annotation to a type.
func (t *translator) annotation(e syntax.Expr) *types.Type {
	switch x := e.(type) {
	case *syntax.Name:
		switch x.Id {
		case "int":
			return types.TInt
		case "float":
			return types.TFloat
		case "bool":
			return types.TBool
		case "str":
			return types.TStr
		case "dict", "Dict":
			return types.DictOf(types.TStr, types.TAny)
		case "list", "List":
			return types.ListOf(types.TAny)
		case "Any":
			return types.TAny
		case "ModelArgs":
			if c := t.classOf("ModelArgs"); c != nil && c.wrapped {
				return types.ClassT(c.name)
			}
			if t.args != nil {
				return types.ClassT(t.args.name)
			}
		}
		if c := t.classOf(x.Id); c != nil {
			return types.ClassT(c.name)
		}
		if q := t.scope.Qualify(x); q == "typing.Any" {
			return types.TAny
		}
		if q := t.scope.Qualify(x); strings.HasPrefix(q, "cache.") {
			return types.ExtT("Cache")
		}
	case *syntax.Constant:
		if x.Kind == syntax.ConstNone {
			return types.TNone
		}
		if x.Kind == syntax.ConstInt {
			return types.TInt // `cla_share_factor: 2`: a literal where a type belongs
		}
		if x.Kind == syntax.ConstStr {
			// A forward reference: "ModelArgs".
			return t.annotation(&syntax.Name{At: x.At, Id: x.Value})
		}
	case *syntax.Attribute:
		switch t.scope.Qualify(x) {
		case "mx.distributed.Group":
			return types.ExtT("Group")
		case "mx.array":
			return types.TArray
		case "mx.Dtype":
			return types.TDtype
		}
	case *syntax.Subscript:
		head := ""
		if n, ok := x.X.(*syntax.Name); ok {
			head = n.Id
		}
		switch head {
		case "Optional":
			inner := t.annotation(x.Index[0])
			if inner.Kind == types.Unknown {
				return inner
			}
			return types.OptionalOf(inner)
		case "List", "list", "Sequence", "Tuple", "tuple":
			if head == "Tuple" || head == "tuple" {
				if len(x.Index) == 2 {
					if c, ok := x.Index[1].(*syntax.Constant); ok && c.Kind == syntax.ConstEllipsis {
						return types.ListOf(t.annotation(x.Index[0]))
					}
				}
				var elems []*types.Type
				for _, i := range x.Index {
					elems = append(elems, t.annotation(i))
				}
				if h := types.TupleOf(elems...).Homogeneous(); h != nil {
					return types.ListOf(h)
				}
				return types.TupleOf(elems...)
			}
			return types.ListOf(t.annotation(x.Index[0]))
		case "Dict", "dict":
			if len(x.Index) == 2 {
				v := t.annotation(x.Index[1])
				if v.Kind == types.Unknown {
					v = types.TAny
				}
				return types.DictOf(t.annotation(x.Index[0]), v)
			}
		case "Union":
			var u *types.Type
			for _, i := range x.Index {
				it := t.annotation(i)
				if u = types.Unify(u, it); u == nil {
					return types.TAny
				}
			}
			return u
		case "Literal":
			return types.TStr
		}
	case *syntax.BinOp:
		if x.Op == "|" {
			l, r := t.annotation(x.L), t.annotation(x.R)
			if u := types.Unify(l, r); u != nil {
				return u
			}
			return types.TAny
		}
	}
	return types.TUnknown
}

func (t *translator) inferenceOnly() bool {
	for _, d := range t.diags {
		if !strings.HasPrefix(d.Why, "cannot infer") {
			return false
		}
	}
	return true
}

// comparedToNone reports whether any file being translated tests
// <something>.name against None.
func (t *translator) comparedToNone(name string) bool {
	files := []*syntax.File{t.file}
	for _, f := range t.siblings {
		if f != nil {
			files = append(files, f)
		}
	}
	found := false
	for _, f := range files {
		var visit func(b []syntax.Stmt)
		visit = func(b []syntax.Stmt) {
			for _, st := range b {
				switch x := st.(type) {
				case *syntax.ClassDef:
					visit(x.Body)
				case *syntax.FuncDef:
					walkExprs(x.Body, func(e syntax.Expr) {
						c, ok := e.(*syntax.Compare)
						if !ok || len(c.Ops) != 1 || (c.Ops[0] != "is" && c.Ops[0] != "is not") {
							return
						}
						if k, ok := c.Comparators[0].(*syntax.Constant); !ok || k.Kind != syntax.ConstNone {
							return
						}
						if a, ok := c.Left.(*syntax.Attribute); ok && a.Attr == name {
							found = true
						}
					})
				}
			}
		}
		visit(f.Body)
	}
	return found
}

// truncatedByInt reports whether the file computes int(<expr with .name>)
// with arithmetic: nobody truncates a product of ints, so the field is a float.
func (t *translator) truncatedByInt(name string) bool {
	found := false
	var visit func(b []syntax.Stmt)
	visit = func(b []syntax.Stmt) {
		for _, st := range b {
			switch x := st.(type) {
			case *syntax.ClassDef:
				visit(x.Body)
			case *syntax.FuncDef:
				walkExprs(x.Body, func(e syntax.Expr) {
					c, ok := e.(*syntax.Call)
					if !ok || len(c.Args) != 1 {
						return
					}
					if f, ok := c.Func.(*syntax.Name); !ok || f.Id != "int" {
						return
					}
					if _, ok := c.Args[0].(*syntax.BinOp); !ok {
						return
					}
					walkExprs([]syntax.Stmt{&syntax.ExprStmt{X: c.Args[0]}}, func(e syntax.Expr) {
						// args.f / config.f, not a module's own self.f of the same name.
						if a, ok := e.(*syntax.Attribute); ok && a.Attr == name {
							if n, ok := a.X.(*syntax.Name); !ok || n.Id != "self" {
								found = true
							}
						}
					})
				})
			}
		}
	}
	visit(t.file.Body)
	return found
}

// optionalMethods are translated when they can be and otherwise skipped
// (with the reason in the generated file): the model works without them.
var optionalMethods = map[string]bool{"shard": true}

// tryOptional translates each optional method once on trial; one that the
// translator rejects is skipped instead of blocking the whole file.
func (t *translator) tryOptional() {
	for _, c := range t.classes {
		for _, m := range c.methods {
			if !optionalMethods[m.def.Name] || m.skipped != "" {
				continue
			}
			n := len(t.diags)
			imports := map[string]bool{}
			for k, v := range t.imports {
				imports[k] = v
			}
			t.emitFunc(m)
			if len(t.diags) > n {
				d := t.diags[n]
				m.skipped = fmt.Sprintf("not translated yet (%d:%d: %s: %s)", d.Pos.Line, d.Pos.Col, d.Construct, d.Why)
				t.diags = t.diags[:n]
				t.imports = imports
			}
		}
	}
}

// mainUsesSibling reports whether the file being translated uses
// <sibling>.<name> other than as a base class (gemma3_text.Model(...)).
func (t *translator) mainUsesSibling(file, name string) bool {
	alias := ""
	for a, sym := range t.scope.Symbols {
		if sym.Kind == names.SiblingModule && sym.File == file {
			alias = a
		}
	}
	if alias == "" {
		return false
	}
	found := false
	var visit func(b []syntax.Stmt)
	visit = func(b []syntax.Stmt) {
		for _, st := range b {
			switch x := st.(type) {
			case *syntax.ClassDef:
				visit(x.Body)
			case *syntax.FuncDef:
				walkExprs(x.Body, func(e syntax.Expr) {
					if a, ok := e.(*syntax.Attribute); ok && a.Attr == name {
						if n, ok := a.X.(*syntax.Name); ok && n.Id == alias {
							found = true
						}
					}
				})
			}
		}
	}
	visit(t.file.Body)
	return found
}

// classOf resolves a class name as the current file's code sees it.
func (t *translator) classOf(id string) *classInfo {
	if sym, ok := t.scope.Symbols[id]; ok && sym.Kind == names.LocalClass && sym.Name != "" {
		return t.byClass[sym.Name]
	}
	return t.byClass[id]
}

// checkedForList reports whether the file tests isinstance(<x>.name, (..list..)).
func (t *translator) checkedForList(name string) bool {
	found := false
	var visit func(b []syntax.Stmt)
	visit = func(b []syntax.Stmt) {
		for _, st := range b {
			switch x := st.(type) {
			case *syntax.ClassDef:
				visit(x.Body)
			case *syntax.FuncDef:
				walkExprs(x.Body, func(e syntax.Expr) {
					c, ok := e.(*syntax.Call)
					if !ok || len(c.Args) != 2 {
						return
					}
					if f, ok := c.Func.(*syntax.Name); !ok || f.Id != "isinstance" {
						return
					}
					a, ok := c.Args[0].(*syntax.Attribute)
					if !ok || a.Attr != name {
						return
					}
					var elts []syntax.Expr
					switch k := c.Args[1].(type) {
					case *syntax.Tuple:
						elts = k.Elts
					case *syntax.Name:
						elts = []syntax.Expr{k}
					}
					for _, e := range elts {
						if n, ok := e.(*syntax.Name); ok && (n.Id == "list" || n.Id == "tuple") {
							found = true
						}
					}
				})
			}
		}
	}
	visit(t.file.Body)
	return found
}

func isClassMethod(d *syntax.FuncDef) bool {
	for _, dec := range d.Decorators {
		if n, ok := dec.(*syntax.Name); ok && n.Id == "classmethod" {
			return true
		}
	}
	return false
}
