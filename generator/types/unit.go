package types

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// A Unit is what one generated package is translated from: the model file,
// the classes and functions it takes over from sibling model files (smollm3
// is built on llama), the helper classes it subclasses (PipelineMixin, and
// the mlx.nn classes whose source the API table holds). The checker fills
// in every type; the lowering reads them.
type Unit struct {
	File  *syntax.File
	Scope *names.Scope // the file's module scope

	Classes []*Class // in output order: sibling classes first, then the file's
	ByClass map[string]*Class
	Funcs   []*Func
	ByFunc  map[string]*Func
	Args    *Class           // the ModelArgs dataclass
	Nested  map[string]*Func // functions defined inside functions, by "name:line:col"

	siblingArgs    map[string]*Class            // ModelArgs of sibling files, by file
	siblingClasses map[string]map[string]*Class // every class of sibling files
	siblings       map[string]*syntax.File      // sibling and helper files loaded for inheritance
	load           func(module string) (*syntax.File, *names.Scope, error)

	check      *checker
	bodies     map[*Func]*Inst
	augs       map[*syntax.AugAssign]*syntax.BinOp
	items      map[*syntax.Subscript]*syntax.Call // cache[i] as the table's __getitem__ / __setitem__
	calls      map[*Func]map[*Func]bool           // functions each recorded body calls (dead.go)
	mark       int                                // diagnostics of Check itself
	synth      map[synthKey]*names.Symbol
	kern       map[*names.Scope]*kernels  // module-level Metal kernels per file (check_kernel.go)
	ifaceMeths map[string]map[string]bool // methods called on interfaces of classes (iface_methods.go)

	// ModDicts: the module-level dict constants bodies read, in order of
	// first read (check_moduledict.go).
	ModDicts []*ModuleDict
	modDicts map[*names.Symbol]*ModuleDict
}

// Class is a class of the unit: a module (nn.Module subclass) or a
// dataclass (ModelArgs), with its bases flattened in.
type Class struct {
	Def      *syntax.ClassDef
	Scope    *names.Scope // the module scope of the file the class comes from
	Bases    []*Class     // base classes whose fields and methods it inherits
	Name     string       // Go name (the Python name unless renamed next to a sibling's)
	IsArgs   bool         // a BaseModelArgs dataclass
	Fields   []*Field     // in order of first assignment (dataclass: declaration order)
	ByName   map[string]*Field
	Methods  []*Func
	ByMeth   map[string]*Func
	Props    map[string]bool
	Consts   map[string]*syntax.Constant // fields fixed at a literal for the whole program
	Wrapped  bool                        // a sibling file's class renamed next to this file's
	FromDict *Func                       // a dataclass's own from_dict classmethod
	Plain    bool                        // a @dataclass of no base: built by its constructor (check_plaindataclass.go)

	// Filled: dataclass fields __post_init__ leaves not None (narrow.go);
	// Reassigned: fields code outside the dataclass assigns.
	Filled     map[string]bool
	FilledAs   map[string]*Type // union fields: the member __post_init__ leaves (config_union.go)
	Reassigned map[string]bool
	// ListConv: list fields __post_init__ converts to a list of a config
	// dataclass (check_listconvert.go).
	ListConv map[string]*ListConv
}

// Field is a dataclass field or an attribute a module assigns to self.
type Field struct {
	// Origins: for a module field, the dataclass fields whose values it
	// stores unchanged (self.n_kv_heads = args.num_key_value_heads).
	Origins map[*Field]bool
	Py      string
	Go      string
	Type    *Type
	Def     syntax.Expr // dataclass default
	HasDef  bool
	Annot   syntax.Expr
	Pos     syntax.Pos
	// ClassAttr: an unannotated class-level assignment of a dataclass (a
	// class constant, not a config field): set from its value, never read
	// from config.json (field_mixed.go).
	ClassAttr bool
}

// Param is a parameter of a function (without self).
type Param struct {
	Py        string
	Annotated bool // the type comes from a Python annotation
	Type      *Type
	Def       syntax.Expr
	Kind      syntax.ParamKind

	// Loose is the annotation Any or Optional[Any] of a parameter whose
	// call sites decide its type (check_anyparam.go); looseMixed is set
	// once two call sites disagree.
	Loose *Type
	// argsRetyped: the config-class annotation was replaced by the class
	// a call site passes (check_argsannot.go).
	argsRetyped bool
	looseMixed  bool
}

// Func is a function or method of the unit. An inherited method is a copy
// per class: its body is checked with that class as self.
type Func struct {
	Def       *syntax.FuncDef
	Scope     *names.Scope // module scope of its file
	SuperFrom *Class       // for an __init__ taken from a base: that base

	// Locals rebound to another type at the top level of the body: each
	// such assignment starts a new Go variable (version 2, 3, ...), named
	// by Splits.
	Splits    map[*syntax.Name]string
	FirstType map[string]*Type
	// branchSplits are the splits in a then-branch whose variable both
	// branches of the if set (check_branchsplit.go).
	branchSplits map[*syntax.Name]bool
	Class        *Class
	GoName       string
	Params       []*Param
	Ret          *Type
	IsProp       bool
	// ForeignOf: for a method copied into a class because a sibling's
	// method was called with its instance as self, that method as the
	// code wrote it (LongcatFlashLM.sanitize; check_foreignself.go).
	ForeignOf string
	// SuperOf: for a base's method copied into a class because a method
	// of the class calls it as super().<name>(...), that method
	// (Linear.__call__; check_supermethod.go).
	SuperOf string
	// ConfigMethod: a plain method of a BaseModelArgs dataclass
	// (minimax_m3_vl's is_moe(layer_idx)), a method of the Go struct.
	ConfigMethod bool
	// IsClassMethod: a @classmethod of a module class (an alternative
	// constructor such as ShardedRMSNorm.from_rms_norm), a package-level Go
	// function <Class><Method>; cls(...) in it is the class's constructor.
	IsClassMethod bool
	// Compiled: the function is decorated @mx.compile ("mx.compile") or
	// @partial(mx.compile, shapeless=True) ("mx.compile(shapeless=True)").
	Compiled string
	Skipped  string // why the method is not translated

	// learnt are the body's local types at the end of the last inference
	// round: the next round starts from them, so that a call in a loop sees
	// the type a later statement of the loop gives its argument.
	learnt map[*names.Symbol]*Type
}

// SplitAt is the Go name of the new variable an assignment starts, if any.
func (fn *Func) SplitAt(n *syntax.Name) (string, bool) {
	if fn == nil || fn.Splits == nil {
		return "", false
	}
	s, ok := fn.Splits[n]
	return s, ok
}

// SuperBody is the base method (__init__, __post_init__) that a
// super().<method>() call in c runs.
func (c *Class) SuperBody(method string) (*Func, bool) {
	for _, b := range c.Bases {
		if m, ok := b.ByMeth[method]; ok {
			return m, true
		}
		if m, ok := b.SuperBody(method); ok {
			return m, true
		}
	}
	return nil, false
}

// ClassOf resolves a class name as the file's code sees it.
func (u *Unit) ClassOf(id string) *Class {
	if sym, ok := u.Scope.Symbols[id]; ok && sym.Kind == names.LocalClass && sym.Target != "" {
		return u.ByClass[sym.Target]
	}
	return u.ByClass[id]
}

// SiblingClass is <sibling>.<name> as the file sees it.
func (u *Unit) SiblingClass(file, name string) *Class {
	if c, ok := u.siblingClasses[file][name]; ok {
		if cur, ok := u.ByClass[c.Name]; ok && cur == c {
			return c
		}
	}
	return u.ByClass[name]
}

// DataclassRef resolves ModelArgs or <sibling>.ModelArgs to a dataclass.
func (u *Unit) DataclassRef(e syntax.Expr, scope *names.Scope) *Class {
	switch x := e.(type) {
	case *syntax.Name:
		if c := u.ClassOf(x.Id); c != nil && c.IsArgs {
			return c
		}
	case *syntax.Attribute:
		if n, ok := x.X.(*syntax.Name); ok {
			if sym, ok := scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if c := u.SiblingClass(sym.File, x.Attr); c != nil && c.IsArgs {
					return c
				}
			}
		}
	}
	return nil
}

// Root is the table type a type name derives from (KVCache → Cache).
func (t *Table) Root(name string) string {
	for {
		et, ok := t.Types[name]
		if !ok || et.Is == "" {
			return name
		}
		name = et.Is
	}
}

// ---- collection ----

// collector gathers the unit's declarations.
type collector struct {
	u     *Unit
	tab   *Table
	scope *names.Scope // the scope names are qualified in right now
	fail  func(n syntax.Node, construct, format string, args ...any)
}

func (k *collector) collect() {
	u := k.u
	// Model files built on another one (smollm3 on llama) bring the other
	// file's classes and functions into this package, minus those this file
	// redefines; they are translated with their own file's imports.
	seen := map[string]bool{}
	for _, file := range u.Scope.Siblings {
		// One seen set for all: a file both imported directly and through
		// another sibling (mistral3 -> ministral3, mistral4 -> ministral3)
		// is merged once.
		k.importSibling(file, seen, u.Scope)
	}
	k.collectFile(u.File, u.Scope, "")
	k.foreignSelfCalls()
	k.superMethodCalls()
	k.foreignArgParams()
	k.dropUnusedForeign()
	k.skipUnreached()
	if _, ok := u.ByClass["Model"]; !ok {
		k.fail(nil, "class Model", "the file defines no Model class")
	}
}

// collectFile collects the top-level classes and functions of one file.
// from is "" for the file being translated, else the sibling's name.
func (k *collector) collectFile(f *syntax.File, scope *names.Scope, from string) {
	u := k.u
	for _, st := range f.Body {
		switch n := st.(type) {
		case *syntax.ClassDef:
			c := newClass(n, n.Name, scope)
			if isPlainArgsDataclass(n) {
				c.IsArgs = true
			}
			if isPlainDataclass(n) {
				c.IsArgs, c.Plain = true, true // check_plaindataclass.go
			}
			for _, b := range n.Bases {
				if q := scope.Qualify(b); q == "base.BaseModelArgs" {
					c.IsArgs = true
				}
				if parent := k.baseClass(b, scope); parent != nil {
					c.Bases = append(c.Bases, parent)
					if parent.IsArgs {
						c.IsArgs = true
					}
				}
			}
			if from != "" {
				if u.siblingClasses[from] == nil {
					u.siblingClasses[from] = map[string]*Class{}
				}
				u.siblingClasses[from][c.Name] = c
			}
			if from != "" && k.definedInMain(n.Name) {
				if !k.mainUsesSibling(from, n.Name) && !(c.IsArgs && k.importedAsAlias(from, n.Name)) {
					if !c.IsArgs {
						// Redefined by this file; still a possible base class.
						k.collectClass(c)
						continue
					}
				} else {
					// A wrapper (gemma3 around gemma3_text) uses the other
					// file's Model and ModelArgs next to its own: translate them
					// under the file's name, and let that file's code see them
					// by their Python names.
					c.Name = names.GoExported(from) + n.Name
					for u.ByClass[c.Name] != nil || k.definedInMain(c.Name) {
						c.Name += "_"
					}
					scope.Symbols[n.Name] = &names.Symbol{Name: n.Name, Kind: names.LocalClass, Target: c.Name, Node: n, Scope: scope}
					k.bindAliases(from, n.Name, c.Name)
					c.Wrapped = true
				}
			}
			if from != "" && !c.IsArgs {
				k.renameCollision(c, n, scope, from)
			}
			u.Classes = append(u.Classes, c)
			u.ByClass[c.Name] = c
			if c.IsArgs {
				if c.Wrapped || c.Plain {
					k.collectArgs(c) // a second dataclass, translated as such
					continue
				}
				if n.Name != "ModelArgs" && definesClass(f, "ModelArgs") {
					// The config of a part (qwen3_5's TextModelArgs next to
					// its ModelArgs): a second dataclass, translated as such.
					c.Wrapped = true
					k.collectArgs(c)
					continue
				}
				if from != "" {
					// A sibling's ModelArgs is only a base of this file's.
					u.Classes = u.Classes[:len(u.Classes)-1]
					delete(u.ByClass, c.Name)
					u.siblingArgs[from] = c
					k.collectArgs(c)
					continue
				}
				if u.Args != nil {
					k.fail(n, "class "+n.Name, "a second BaseModelArgs dataclass")
				}
				u.Args = c
				k.collectArgs(c)
				continue
			}
			k.collectClass(c)
			if a := u.siblingArgs[from]; from != "" && a != nil && a.Name == "ModelArgs" && k.mainArgsStandalone() {
				// The sibling's classes take its ModelArgs; this file brings
				// its own dataclass of that name (solar_open runs glm4_moe's
				// Model on its ModelArgs), collected after them.
				sibArgsParams(u, c)
			}
			k.inherit(c)
		case *syntax.FuncDef:
			if from != "" && k.definedInMain(n.Name) {
				continue
			}
			f := &Func{Def: n, GoName: names.GoLocal(n.Name), Scope: scope}
			if strings.HasPrefix(n.Name, "_") {
				f.GoName = names.GoLocal(strings.TrimLeft(n.Name, "_"))
			}
			f.Params = k.params(n, false)
			f.Compiled = CompileDecorator(n, scope)
			u.Funcs = append(u.Funcs, f)
			u.ByFunc[n.Name] = f
		case *syntax.Import, *syntax.ImportFrom, *syntax.Pass:
		case *syntax.Assign, *syntax.AnnAssign:
			// Module-level constants are handled where used (rare in model files).
		case *syntax.If, *syntax.ExprStmt:
			// e.g. `if TYPE_CHECKING:`; not supported.
			k.fail(st, "module-level statement", "only imports, classes, functions and constants are translated")
		default:
			k.fail(st, "module-level statement", "not supported")
		}
	}
}

func newClass(def *syntax.ClassDef, name string, scope *names.Scope) *Class {
	return &Class{Def: def, Name: name, Scope: scope, ByName: map[string]*Field{}, ByMeth: map[string]*Func{}, Props: map[string]bool{}}
}

func (k *collector) collectArgs(c *Class) {
	// An inherited dataclass has its parent's fields first (dataclass order).
	for _, b := range c.Bases {
		for _, f := range b.Fields {
			cp := *f
			c.Fields = append(c.Fields, &cp)
			c.ByName[cp.Py] = &cp
		}
		if pi, ok := b.ByMeth["__post_init__"]; ok && c.Def != b.Def {
			c.ByMeth["__super_post_init__"] = pi
		}
	}
	for _, st := range c.Def.Body {
		switch n := st.(type) {
		case *syntax.AnnAssign:
			nm, ok := n.Target.(*syntax.Name)
			if !ok {
				k.fail(n, "dataclass field", "target is not a name")
				continue
			}
			f := &Field{Py: nm.Id, Go: names.GoExported(nm.Id), Annot: n.Annotation, Pos: n.P}
			prev := k.scope
			k.scope = c.Scope
			f.Type = k.annotation(n.Annotation)
			k.scope = prev
			if n.Value != nil {
				f.Def, f.HasDef = n.Value, true
				if isFieldCall(n.Value) {
					f.Def = fieldDefault(n.Value)
				}
				if cst, ok := f.Def.(*syntax.Constant); ok && cst.Kind == syntax.ConstNone {
					// hidden_size: int = None is an Optional in all but name.
					f.Type = OptionalOf(f.Type)
				}
				if _, ok := f.Def.(*syntax.Tuple); ok && f.Type.Kind != Tuple && f.Type.Kind != List && f.Type.Kind != Unknown {
					// scoring_func: str = ("noaux_tc",) (dots1): Python does not
					// check annotations, so the field holds a tuple unless the
					// config gives a str — either, as Any.
					f.Type = TAny
				}
			}
			if f.Type.Kind == Unknown {
				k.fail(n.Annotation, "annotation", "cannot map the type of %s", nm.Id)
			}
			if old, ok := c.ByName[f.Py]; ok {
				// A redefined field keeps its place and takes the new default.
				*old = *f
				continue
			}
			c.Fields = append(c.Fields, f)
			c.ByName[f.Py] = f
		case *syntax.FuncDef:
			if isBaseFromDict(n) {
				continue // BaseModelArgs.from_dict itself (phixtral): lmbase.FromDict
			}
			if n.Name == "from_dict" && isClassMethod(n) {
				// A from_dict of its own (qwen2_vl accepts a config without
				// text_config): a package function the registration calls.
				// Its tail may keep only the field keys (fromdict_fieldfilter.go).
				fi := &Func{Def: fieldFilterFromDict(n, c), Class: c, GoName: c.Name + "FromDict", Scope: c.Scope}
				fi.Params = k.params(n, true)
				for _, p := range fi.Params {
					p.Type = DictOf(TStr, TAny)
				}
				fi.Ret = ClassT(c.Name)
				c.FromDict = fi
				continue
			}
			if n.Name != "__post_init__" && isProperty(n) {
				// A property of the config (granitemoehybrid's use_moe): a
				// method of the Go struct (field_mixed.go).
				fi := &Func{Def: n, Class: c, GoName: names.GoExported(n.Name), Scope: c.Scope, IsProp: true}
				c.Methods = append(c.Methods, fi)
				c.ByMeth[n.Name] = fi
				c.Props[n.Name] = true
				continue
			}
			if n.Name != "__post_init__" && len(n.Decorators) == 0 && !strings.HasPrefix(n.Name, "__") {
				// A method of the config (minimax_m3_vl's is_moe(layer_idx)):
				// a method of the Go struct, checked like a module's.
				fi := &Func{Def: n, Class: c, GoName: names.GoExported(n.Name), Scope: c.Scope, ConfigMethod: true}
				fi.Params = k.params(n, true)
				c.Methods = append(c.Methods, fi)
				c.ByMeth[n.Name] = fi
				continue
			}
			if n.Name != "__post_init__" {
				k.fail(n, "method "+n.Name, "only __post_init__, properties, plain methods and a from_dict classmethod are translated on ModelArgs")
				continue
			}
			fi := &Func{Def: n, Class: c, GoName: "PostInit", Scope: c.Scope}
			c.Methods = append(c.Methods, fi)
			c.ByMeth[n.Name] = fi
		case *syntax.Assign:
			if f := k.classAttr(n); f != nil {
				c.Fields = append(c.Fields, f)
				c.ByName[f.Py] = f
				continue
			}
			k.fail(st, "dataclass body", "class attributes are not translated")
		case *syntax.Pass:
		default:
			k.fail(st, "dataclass body", "only annotated fields and __post_init__ are translated")
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

func (k *collector) collectClass(c *Class) {
	defer func() {
		if _, ok := c.ByMeth["__init__"]; !ok && !c.IsArgs {
			// No __init__: the base's, run on this class, or Python's default.
			init := &Func{Def: &syntax.FuncDef{At: c.Def.At, Name: "__init__"}, Class: c, GoName: "New" + c.Name, Scope: c.Scope}
			if base, ok := c.SuperBody("__init__"); ok {
				init.Def = base.Def
				init.Scope = base.Scope
				init.Params = k.params(base.Def, true)
				init.SuperFrom = base.Class
			}
			c.Methods = append([]*Func{init}, c.Methods...)
			c.ByMeth["__init__"] = init
		}
	}()
	for _, st := range c.Def.Body {
		switch n := st.(type) {
		case *syntax.FuncDef:
			f := &Func{Def: n, Class: c, Scope: c.Scope}
			for _, d := range n.Decorators {
				if nm, ok := d.(*syntax.Name); ok && nm.Id == "property" {
					f.IsProp = true
					c.Props[n.Name] = true
				}
				if a, ok := d.(*syntax.Attribute); ok && a.Attr == "setter" {
					k.fail(d, "property setter", "not supported")
				}
			}
			f.IsClassMethod = isClassMethod(n)
			f.Compiled = CompileDecorator(n, c.Scope)
			switch n.Name {
			case "__init__":
				f.GoName = "New" + c.Name
			case "__call__":
				f.GoName = "Forward"
			case "pipeline":
				f.Skipped = "pipeline parallelism (mx.distributed) is not translated yet"
			case "extra_repr", "_extra_repr", "__repr__", "__str__":
				f.Skipped = "printing only"
			default:
				f.GoName = names.GoExported(n.Name)
				if f.IsClassMethod {
					f.GoName = c.Name + names.GoExported(n.Name)
				}
			}
			f.Params = k.params(n, true)
			modelInitArgs(k.u, c, f)
			c.Methods = append(c.Methods, f)
			c.ByMeth[n.Name] = f
		case *syntax.Pass:
		case *syntax.Assign, *syntax.AnnAssign:
			k.fail(st, "class attribute", "class-level attributes are not translated")
		default:
			k.fail(st, "class body", "not supported")
		}
	}
}

// params collects a function's parameters with their initial types.
func (k *collector) params(fd *syntax.FuncDef, method bool) []*Param {
	return paramsOf(fd, method, k.u, k.tab, k.scopeFor(), k.fail)
}

func (k *collector) scopeFor() *names.Scope { return k.scope }

// paramsOf collects a function's parameters with their initial types: the
// annotation, the name's convention (x is an array, cache a Cache), or the
// default's literal type.
func paramsOf(fd *syntax.FuncDef, method bool, u *Unit, tab *Table, scope *names.Scope,
	fail func(n syntax.Node, construct, format string, args ...any)) []*Param {
	var out []*Param
	for i, p := range fd.Params {
		if method && i == 0 {
			if p.Name != "self" && p.Name != "cls" {
				fail(p, "method", "first parameter is %q, not self", p.Name)
			}
			continue
		}
		if ignoredVariadic(fd, p) {
			continue // check_unusedvariadic.go
		}
		if p.Kind == syntax.ParamKwArgs || p.Kind == syntax.ParamVarArgs {
			fail(p, "parameter *"+p.Name, "variadic parameters are not supported")
			continue
		}
		pi := &Param{Py: p.Name, Def: p.Default, Kind: p.Kind, Type: TUnknown}
		if p.Annotation != nil {
			pi.Type = annotationType(p.Annotation, u, scope)
			pi.Annotated = pi.Type.Kind != Unknown && pi.Type.Kind != AnyK
		}
		if p.Name == "cache" && legacyCacheAnnotation(pi.Type) {
			// cache: Optional[Tuple[mx.array, mx.array]] (cohere2, minicpm3)
			// is the annotation of mlx-lm's caches before the cache
			// classes; the code calls cache.offset / update_and_fetch.
			pi.Type, pi.Annotated = TUnknown, false
		}
		if pi.Type.Kind == Unknown || pi.Type.Kind == AnyK || (pi.Type.Kind == Optional && pi.Type.Elem.Kind == AnyK) ||
			(p.Name == "weights" && pi.Type.Kind == Dict) {
			// Untyped or loosely typed (weights: dict): the name says what it is.
			if p.Name != "weights" || pi.Type.Kind == Dict || !method || fd.Name == "sanitize" {
				// weights of a method other than sanitize, unannotated, is
				// whatever its call sites pass (baichuan_m1's conv weights).
				pi.Type = conventionType(p.Name, pi.Type, u)
			}
		}
		if looseAny(pi.Type) {
			pi.Loose = pi.Type
		}
		if b := pi.Type.Base(); p.Name == "cache" && b.Kind == List && b.Elem.Kind == AnyK {
			// cache: Optional[List[Any]]: the per-layer caches.
			pi.Type = ListOf(ExtT("Cache"))
		}
		if pi.Type.Kind == Unknown && p.Default != nil {
			def := p.Default
			if un, ok := def.(*syntax.UnaryOp); ok && (un.Op == "-" || un.Op == "+") {
				def = un.X // eps=-1e-6
			}
			if c, ok := def.(*syntax.Constant); ok && c.Kind != syntax.ConstNone {
				pi.Type = ConstType(c)
			}
			if a, ok := def.(*syntax.Attribute); ok && tab != nil {
				// activation=nn.silu: a function of the table used as a value.
				if f, ok := tab.Functions[scope.Qualify(a)]; ok && f.Value != "" {
					pi.Type = ExtT("Activation")
				}
			}
		}
		if c, ok := p.Default.(*syntax.Constant); ok && c.Kind == syntax.ConstNone && pi.Type.Kind != Unknown {
			// hidden_size: int = None is an Optional in all but name.
			pi.Type = OptionalOf(pi.Type)
		}
		out = append(out, pi)
	}
	return out
}

// conventionType types parameters that mlx-lm leaves unannotated or Any by
// the names every model file uses for them.
func conventionType(name string, cur *Type, u *Unit) *Type {
	switch name {
	case "x", "h", "inputs", "hidden_states", "input_embeddings", "queries", "keys", "values", "gate", "indices":
		return TArray
	case "mask", "attention_mask":
		return TMask
	case "cache":
		return ExtT("Cache")
	case "args", "config":
		if u.Args != nil && name == "args" {
			return ClassT(u.Args.Name)
		}
	case "weights":
		return DictOf(TStr, TArray)
	}
	return cur
}

// ConstType is the type of a literal.
func ConstType(c *syntax.Constant) *Type {
	switch c.Kind {
	case syntax.ConstInt:
		return TInt
	case syntax.ConstFloat:
		return TFloat
	case syntax.ConstStr:
		return TStr
	case syntax.ConstTrue, syntax.ConstFalse:
		return TBool
	case syntax.ConstNone:
		return TNone
	}
	return TUnknown
}

func (k *collector) annotation(e syntax.Expr) *Type { return annotationType(e, k.u, k.scope) }

// annotationType maps a Python annotation to a type.
func annotationType(e syntax.Expr, u *Unit, scope *names.Scope) *Type {
	ann := func(e syntax.Expr) *Type { return annotationType(e, u, scope) }
	switch x := e.(type) {
	case *syntax.Name:
		switch x.Id {
		case "int":
			return TInt
		case "float":
			return TFloat
		case "bool":
			return TBool
		case "str":
			return TStr
		case "dict", "Dict":
			return DictOf(TStr, TAny)
		case "list", "List":
			return ListOf(TAny)
		case "Any":
			return TAny
		case "ModelArgs":
			if c := u.ClassOf("ModelArgs"); c != nil && c.Wrapped {
				return ClassT(c.Name)
			}
			if u.foreignArgs(scope) {
				// A sibling's class built from this file's own config class
				// (qwen3_5 builds qwen3_next's attention from its
				// TextModelArgs): what the call sites pass (field_mixed.go).
				return TUnknown
			}
			if u.Args != nil {
				return ClassT(u.Args.Name)
			}
		}
		if c := u.ClassIn(scope, x.Id); c != nil {
			return ClassT(c.Name)
		}
		if q := scope.Qualify(x); q == "typing.Any" {
			return TAny
		}
		if q := scope.Qualify(x); strings.HasPrefix(q, "cache.") {
			return ExtT("Cache")
		}
	case *syntax.Constant:
		if x.Kind == syntax.ConstNone {
			return TNone
		}
		if x.Kind == syntax.ConstInt {
			return TInt // `cla_share_factor: 2`: a literal where a type belongs
		}
		if x.Kind == syntax.ConstStr {
			// A forward reference: "ModelArgs".
			return ann(&syntax.Name{At: x.At, Id: x.Value})
		}
	case *syntax.Attribute:
		switch scope.Qualify(x) {
		case "mx.distributed.Group":
			return ExtT("Group")
		case "mx.array":
			return TArray
		case "mx.Dtype":
			return TDtype
		}
	case *syntax.Subscript:
		head := ""
		if n, ok := x.X.(*syntax.Name); ok {
			head = n.Id
		}
		switch head {
		case "Optional":
			inner := ann(x.Index[0])
			if inner.Kind == Unknown {
				return inner
			}
			return OptionalOf(inner)
		case "List", "list", "Sequence", "Tuple", "tuple":
			if head == "Tuple" || head == "tuple" {
				if len(x.Index) == 2 {
					if c, ok := x.Index[1].(*syntax.Constant); ok && c.Kind == syntax.ConstEllipsis {
						return ListOf(ann(x.Index[0]))
					}
				}
				var elems []*Type
				for _, i := range x.Index {
					elems = append(elems, ann(i))
				}
				if h := TupleOf(elems...).Homogeneous(); h != nil {
					return ListOf(h)
				}
				return TupleOf(elems...)
			}
			return ListOf(ann(x.Index[0]))
		case "Dict", "dict":
			if len(x.Index) == 2 {
				v := ann(x.Index[1])
				if v.Kind == Unknown {
					v = TAny
				}
				return DictOf(ann(x.Index[0]), v)
			}
		case "Union":
			var un *Type
			var members []*Type
			for _, i := range x.Index {
				it := ann(i)
				members = append(members, it)
				if un != nil || len(members) == 1 {
					un = Unify(un, it)
				}
			}
			if un != nil {
				return un
			}
			if configUnion(members, u) {
				return UnionOf(members...)
			}
			return TAny
		case "Literal":
			return TStr
		}
	case *syntax.BinOp:
		if x.Op == "|" {
			l, r := ann(x.L), ann(x.R)
			if un := Unify(l, r); un != nil {
				return un
			}
			return TAny
		}
	}
	return TUnknown
}

// mainUsesSibling reports whether the file being translated uses
// <sibling>.<name> other than as a base class (gemma3_text.Model(...)).
func (k *collector) mainUsesSibling(file, name string) bool {
	alias := ""
	for a, sym := range k.u.Scope.Symbols {
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
				syntax.WalkExprs(x.Body, func(e syntax.Expr) {
					if a, ok := e.(*syntax.Attribute); ok && a.Attr == name {
						if n, ok := a.X.(*syntax.Name); ok && n.Id == alias {
							found = true
						}
					}
				})
			}
		}
	}
	visit(k.u.File.Body)
	return found
}

// CompileDecorator describes an @mx.compile or @partial(mx.compile, ...)
// decorator of d ("" when it has none).
func CompileDecorator(d *syntax.FuncDef, scope *names.Scope) string {
	for _, dec := range d.Decorators {
		if scope.Qualify(dec) == "mx.compile" {
			return "mx.compile"
		}
		c, ok := dec.(*syntax.Call)
		if !ok || scope.Qualify(c.Func) != "functools.partial" || len(c.Args) != 1 || scope.Qualify(c.Args[0]) != "mx.compile" {
			continue
		}
		var opts []string
		for _, k := range c.Keywords {
			if v, ok := k.Value.(*syntax.Constant); ok {
				opts = append(opts, k.Name+"="+v.Value)
			}
		}
		return "mx.compile(" + strings.Join(opts, ", ") + ")"
	}
	return ""
}

func isClassMethod(d *syntax.FuncDef) bool {
	for _, dec := range d.Decorators {
		if n, ok := dec.(*syntax.Name); ok && n.Id == "classmethod" {
			return true
		}
	}
	return false
}

// ---- inheritance ----

// Inheritance. mlx-lm model files inherit in three ways: a ModelArgs that
// extends another file's (smollm3's extends llama's), modules built from a
// helper mixin (PipelineMixin), and modules subclassing another class. The
// translator flattens each into the derived Go struct: the base's fields
// first, its methods where the derived class does not override them, and
// its __init__ / __post_init__ body inlined where the derived one calls
// super().

func (k *collector) definedInMain(name string) bool {
	for _, st := range k.u.File.Body {
		switch n := st.(type) {
		case *syntax.ClassDef:
			if n.Name == name {
				return true
			}
		case *syntax.FuncDef:
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// load parses a sibling or helper file once.
func (k *collector) load(module string, at syntax.Node) (*syntax.File, *names.Scope) {
	u := k.u
	if f, ok := u.siblings[module]; ok {
		if f == nil {
			return nil, nil
		}
		s, _ := names.Resolve(f)
		return f, s
	}
	if u.load == nil {
		k.fail(at, "import of "+module, "no loader for other model files")
		u.siblings[module] = nil
		return nil, nil
	}
	f, s, err := u.load(module)
	if err != nil {
		k.fail(at, "import of "+module, "%v", err)
		u.siblings[module] = nil
		return nil, nil
	}
	rewriteClassValues(f, s, k.tab) // classval.go
	u.siblings[module] = f
	return f, s
}

// importSibling merges the classes and functions of a sibling model file.
func (k *collector) importSibling(file string, seen map[string]bool, importer *names.Scope) {
	u := k.u
	if seen[file] {
		k.rebind(file, importer)
		return
	}
	seen[file] = true
	f, scope := k.load(file, u.File.Body[0])
	if f == nil {
		return
	}
	for _, s := range scope.Siblings {
		k.importSibling(s, seen, scope)
	}
	k.collectFile(f, scope, file)
	k.rebind(file, importer)
}

// rebind makes the names an importer (the file, or a sibling file that
// imports another: qwen3_5_moe -> qwen3_5 -> qwen3_next) took from file
// refer to the merged definitions.
func (k *collector) rebind(file string, importer *names.Scope) {
	u := k.u
	for name, sym := range importer.Symbols {
		if sym.Kind != names.Sibling || sym.File != file {
			continue
		}
		if _, ok := u.ByClass[sym.Target]; ok {
			target := ""
			if sym.Target != name {
				target = sym.Target // imported under another name (Qwen3NextAttention as Attention)
			}
			importer.Symbols[name] = &names.Symbol{Name: name, Kind: names.LocalClass, Target: target, Node: sym.Node, Scope: importer}
		} else if _, ok := u.ByFunc[sym.Target]; ok {
			importer.Symbols[name] = &names.Symbol{Name: name, Kind: names.LocalFunc, Node: sym.Node, Scope: importer}
		}
	}
}

// baseClass resolves a base-class expression to a class the translator can
// flatten: a class of this file, of a sibling file (llama.ModelArgs), or a
// helper mixin (PipelineMixin).
func (k *collector) baseClass(b syntax.Expr, scope *names.Scope) *Class {
	u := k.u
	switch x := b.(type) {
	case *syntax.Name:
		if c, ok := u.ByClass[x.Id]; ok {
			return c
		}
		sym, ok := scope.Symbols[x.Id]
		if !ok {
			return nil
		}
		switch {
		case sym.Kind == names.Helper && sym.Qual == "pipeline.PipelineMixin":
			return k.helperClass("pipeline", "PipelineMixin", b)
		case sym.Kind == names.Sibling:
			if a, ok := u.siblingArgs[sym.File]; ok && a.Name == sym.Target {
				return a
			}
			if c, ok := u.siblingClasses[sym.File][sym.Target]; ok {
				// class Model(Qwen3_5Model), imported as
				// `from .qwen3_5 import Model as Qwen3_5Model`.
				return c
			}
		}
	case *syntax.Attribute:
		if q := scope.Qualify(x); q != "" {
			if src, ok := k.tab.ModuleBases[q]; ok {
				return k.tableBase(q, src, b)
			}
		}
		if n, ok := x.X.(*syntax.Name); ok {
			if sym, ok := scope.Symbols[n.Id]; ok && sym.Kind == names.SiblingModule {
				if a, ok := u.siblingArgs[sym.File]; ok && a.Name == x.Attr {
					return a
				}
				if c, ok := u.siblingClasses[sym.File][x.Attr]; ok {
					return c
				}
			}
		}
	}
	return nil
}

// helperClass loads a class of a helper module (not a model) as a base.
func (k *collector) helperClass(module, name string, at syntax.Node) *Class {
	f, scope := k.load(module, at)
	if f == nil {
		return nil
	}
	for _, st := range f.Body {
		if cd, ok := st.(*syntax.ClassDef); ok && cd.Name == name {
			c := newClass(cd, cd.Name, scope)
			k.collectClass(c)
			return c
		}
	}
	k.fail(at, "base class "+name, "not found in %s.py", module)
	return nil
}

// inherit copies the methods of c's bases that c does not define.
func (k *collector) inherit(c *Class) {
	for _, b := range c.Bases {
		for _, m := range b.Methods {
			if _, ok := c.ByMeth[m.Def.Name]; ok || m.Def.Name == "__init__" || m.Def.Name == "__post_init__" {
				continue
			}
			mm := *m
			mm.Class = c
			mm.Params = k.params(m.Def, true)
			c.Methods = append(c.Methods, &mm)
			c.ByMeth[m.Def.Name] = &mm
			if m.IsProp {
				c.Props[m.Def.Name] = true
			}
		}
	}
}

// tableBase is an mlx.nn class used as a base: its __init__ from the API
// table's Python source, resolved against the model file's own imports.
func (k *collector) tableBase(name, src string, at syntax.Node) *Class {
	f, diags := syntax.Parse("api.yaml:"+name, []byte(src))
	if len(diags) > 0 || f == nil || len(f.Body) != 1 {
		k.fail(at, "base class "+name, "the API table's source does not parse")
		return nil
	}
	cd, ok := f.Body[0].(*syntax.ClassDef)
	if !ok {
		k.fail(at, "base class "+name, "the API table's source is not a class")
		return nil
	}
	names.ResolveIn(f, k.u.Scope)
	c := newClass(cd, cd.Name, k.u.Scope)
	k.collectClass(c)
	return c
}

var _ = fmt.Sprintf

// sibArgsParams types the parameters of a sibling's class annotated
// `ModelArgs` (left unknown while no ModelArgs was collected yet) as the
// file's ModelArgs.
func sibArgsParams(u *Unit, c *Class) {
	for _, m := range c.Methods {
		if m.Def == nil {
			continue
		}
		for i, p := range m.Params {
			if p.Type.Kind != Unknown {
				continue
			}
			for _, dp := range m.Def.Params {
				if dp.Name != p.Py {
					continue
				}
				if n, ok := dp.Annotation.(*syntax.Name); ok && n.Id == "ModelArgs" {
					m.Params[i].Type = ClassT("ModelArgs")
				} else if dp.Annotation != nil {
					// Other annotations, qualified in the sibling's scope
					// (group: Optional[mx.distributed.Group]).
					m.Params[i].Type = annotationType(dp.Annotation, u, c.Scope)
				}
			}
		}
	}
}

// mainArgsStandalone reports whether the file's own ModelArgs derives from
// BaseModelArgs directly, not from a sibling's ModelArgs, and the file takes
// its Model from the sibling (defines none): the sibling's classes then run
// on this file's ModelArgs. (A file with a Model of its own, kimi_vl on
// deepseek_v3, passes them another dataclass.)
func (k *collector) mainArgsStandalone() bool {
	if k.definedInMain("Model") {
		return false
	}
	for _, st := range k.u.File.Body {
		if cd, ok := st.(*syntax.ClassDef); ok && cd.Name == "ModelArgs" {
			for _, b := range cd.Bases {
				if k.u.Scope.Qualify(b) == "base.BaseModelArgs" {
					return true
				}
			}
		}
	}
	return false
}

// legacyCacheAnnotation reports an annotation of a container of arrays
// (Tuple[mx.array, mx.array], Dict[str, mx.array], List[mx.array]), maybe
// Optional: a cache as mlx-lm passed it before its cache classes.
func legacyCacheAnnotation(t *Type) bool {
	b := t.Base()
	switch b.Kind {
	case Tuple, List, Dict:
		h := b.Elem
		if b.Kind == Tuple {
			h = b.Homogeneous()
		}
		return h != nil && h.Kind == Array
	}
	return false
}
