package types

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Check is the type phase. It collects the unit's declarations (the file,
// the sibling files it builds on, helper and table base classes), then
// infers the type of every field, parameter, return value and local:
//
//   - field types are the union of what each method assigns to self.x;
//   - an unannotated parameter takes its convention's type (x is an array,
//     cache a Cache), its default's, or what its call sites pass;
//   - a function returns the union of its return statements;
//   - a local has one type per version: an assignment at the top of a body
//     that gives it a type the others cannot share starts a new version
//     (a new Go variable).
//
// Inference repeats over the whole unit until no field, parameter or return
// type changes (each round can only widen a type, so it converges), then
// freezes and types every body once more, recording the type and known
// literal of each expression for the lowering (Unit.Body).
func Check(file *syntax.File, scope *names.Scope, tab *Table,
	load func(module string) (*syntax.File, *names.Scope, error)) (*Unit, []syntax.Diagnostic) {
	u := &Unit{File: file, Scope: scope, ByClass: map[string]*Class{}, ByFunc: map[string]*Func{},
		Nested: map[string]*Func{}, siblingArgs: map[string]*Class{}, siblingClasses: map[string]map[string]*Class{},
		siblings: map[string]*syntax.File{}, load: load, bodies: map[*Func]*Inst{}}
	rewriteClassValues(file, scope, tab) // classval.go
	t := &checker{u: u, tab: tab, scope: scope}
	k := &collector{u: u, tab: tab, scope: scope, fail: t.fail}
	t.k = k
	k.collect()
	if len(t.diags) == 0 {
		t.infer()
	}
	u.mark = len(t.diags)
	u.check = t
	return u, t.sorted()
}

// checker is the state of inference over one unit.
type checker struct {
	u      *Unit
	tab    *Table
	k      *collector
	scope  *names.Scope // the module scope of the function being checked
	diags  []syntax.Diagnostic
	learn  bool  // inference round: call sites, returns and assignments widen declared types
	rec    *Inst // the body being recorded (nil while inferring)
	hint   *Type // the type the expression being checked is assigned to
	frozen bool  // declared types are final
	facts  facts // paths known not to be None here (narrow.go)
	exited bool  // the block just checked ends in a certain exit (dead.go)
	// origins: the dataclass field each expression and local holds
	// unchanged, if any (provenance.go).
	origins   map[syntax.Expr]*Field
	direct    map[syntax.Expr]bool  // an attribute read of a dataclass field itself
	seen      map[syntax.Expr]*Type // each expression's type in the current pass
	symOrigin map[*names.Symbol]*Field
}

// Inst is a checked body: a function or method of the unit, a base
// __init__ inlined where super().__init__() calls it, a nested function,
// or a dataclass's defaults. It records what the lowering needs and may not
// infer again: each expression's type and known literal, the type each
// assignment or loop target binds, and the locals' types at the start.
type Inst struct {
	Func   *Func
	Class  *Class
	Vals   map[syntax.Expr]Val
	Target map[*syntax.Name]*Type
	Init   map[*names.Symbol]*Type            // the body's locals, with their function-wide types
	Consts map[*names.Symbol]*syntax.Constant // locals that hold one literal for the whole body
	Params []*Param                           // an inlined base __init__: its parameters
	Supers map[*syntax.Call]*Inst
	Nested map[*syntax.FuncDef]*Inst
}

func newInst(fn *Func, c *Class) *Inst {
	return &Inst{Func: fn, Class: c, Vals: map[syntax.Expr]Val{}, Target: map[*syntax.Name]*Type{},
		Init: map[*names.Symbol]*Type{}, Consts: map[*names.Symbol]*syntax.Constant{},
		Supers: map[*syntax.Call]*Inst{}, Nested: map[*syntax.FuncDef]*Inst{}}
}

// Val is what the checker knows about an expression: its type, the literal
// it is known to equal, and how many Go values a call of it returns.
type Val struct {
	T     *Type
	Lit   *syntax.Constant
	Multi int // >1: a Go call returning that many values (a Python tuple)
	// Deref: an Optional read where it is known not to be None (narrow.go);
	// T is the element type and the Go reads the pointer.
	Deref bool
	// Assert: an interface value an isinstance test narrowed to one class
	// (T); the Go reads it with a type assertion.
	Assert bool
	// ListAs: a []any field read as the list of the class its
	// __post_init__ converted it to (check_listconvert.go).
	ListAs bool
	// Origin: the dataclass field the value was read from, unchanged
	// (provenance.go).
	Origin *Field
}

func tv(t *Type) Val { return Val{T: t} }

func (t *checker) fail(n syntax.Node, construct, format string, args ...any) {
	if t.learn {
		return
	}
	var p syntax.Pos
	if n != nil {
		p = n.Position()
	}
	t.diags = append(t.diags, syntax.Diagnostic{File: t.scopePath(), Pos: p, Construct: construct, Why: fmt.Sprintf(format, args...)})
}

// scopePath is the file of the code being checked: a function taken from a
// sibling or another mlx-lm package is reported at its own file's lines.
func (t *checker) scopePath() string {
	if p := t.scope.FilePath(); p != "" {
		return p
	}
	return t.u.File.Path
}

// failAlways reports a diagnostic even during an inference round.
func (t *checker) failAlways(n syntax.Node, construct, format string, args ...any) {
	was := t.learn
	t.learn = false
	t.fail(n, construct, format, args...)
	t.learn = was
}

func (t *checker) sorted() []syntax.Diagnostic {
	return SortDiagnostics(t.diags)
}

// SortDiagnostics orders diagnostics root causes first (code that mlx-lm
// itself cannot run on the platforms served comes first: no translation
// can have a reference; a type that could not be inferred is usually the
// consequence of a rejected expression reported elsewhere, so it comes
// last), then by position, without duplicates.
func SortDiagnostics(ds []syntax.Diagnostic) []syntax.Diagnostic {
	ds = append([]syntax.Diagnostic{}, ds...)
	sort.SliceStable(ds, func(i, j int) bool {
		if ri, rj := diagRank(ds[i]), diagRank(ds[j]); ri != rj {
			return ri < rj
		}
		a, b := ds[i].Pos, ds[j].Pos
		return a.Line < b.Line || (a.Line == b.Line && a.Col < b.Col)
	})
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

// NoPureOpPath is the reason of a live read of a Metal kernel object
// (check_kernel.go): mlx-lm itself raises off Metal, so there is no
// reference to translate against.
const NoPureOpPath = "a Metal kernel (mx.fast.metal_kernel) that mlx-lm calls with no pure-op path: off Metal mlx-lm itself raises \"No Metal back-end\""

func diagRank(d syntax.Diagnostic) int {
	switch {
	case d.Why == NoPureOpPath:
		return 0
	case strings.HasPrefix(d.Why, "cannot infer"):
		return 2
	}
	return 1
}

// InferenceOnly reports whether every diagnostic is a type that could not
// be inferred (the lowering then runs anyway, to report the root cause).
func InferenceOnly(ds []syntax.Diagnostic) bool {
	for _, d := range ds {
		if !strings.HasPrefix(d.Why, "cannot infer") {
			return false
		}
	}
	return true
}

// ---- environments ----

// env is the scope of a body being checked: its locals and their types.
type env struct {
	superFrom *Class // the class whose super() calls resolve here (inlined base bodies)
	vars      map[*names.Symbol]*Type
	cls       *Class
	fn        *Func
	parent    *env

	// Body-level bookkeeping (root env only): how often each local is
	// assigned and the literal of its last assignment, and the locals known
	// to hold one literal for the whole body (folded, never declared).
	assigns map[*names.Symbol]int
	lits    map[*names.Symbol]*syntax.Constant
	consts  map[*names.Symbol]*syntax.Constant

	split map[*names.Symbol]bool // locals whose current version is a split one

	// seeded: locals whose type is the previous inference round's (run),
	// not yet assigned in this round. Their first assignment widens the
	// seed and never starts a version: it is the same binding.
	seeded map[*names.Symbol]bool
}

// splitv marks s's binding in this env as a split version.
func (e *env) splitv(s *names.Symbol) {
	if e.split == nil {
		e.split = map[*names.Symbol]bool{}
	}
	e.split[s] = true
}

// isSplit reports whether the env that binds s holds a split version.
func (e *env) isSplit(s *names.Symbol) bool {
	for x := e; x != nil; x = x.parent {
		if _, ok := x.vars[s]; ok {
			return x.split[s]
		}
	}
	return false
}

func (e *env) root() *env {
	for e.parent != nil {
		e = e.parent
	}
	return e
}

func newEnv(cls *Class, fn *Func, parent *env) *env {
	e := &env{vars: map[*names.Symbol]*Type{}, cls: cls, fn: fn, parent: parent,
		assigns: map[*names.Symbol]int{}, lits: map[*names.Symbol]*syntax.Constant{}}
	if parent != nil {
		e.superFrom = parent.superFrom
	}
	return e
}

func (e *env) lookup(s *names.Symbol) (*Type, bool) {
	if s == nil {
		return nil, false
	}
	for x := e; x != nil; x = x.parent {
		if t, ok := x.vars[s]; ok {
			return t, true
		}
	}
	return nil, false
}

func (e *env) set(s *names.Symbol, t *Type) {
	for x := e; x != nil; x = x.parent {
		if _, ok := x.vars[s]; ok {
			x.vars[s] = t
			return
		}
	}
	e.vars[s] = t
}

// sym is the symbol of a Name node in the current file, or, for a node the
// translator synthesized, the symbol its name has where it is used.
func (t *checker) sym(n *syntax.Name, en *env) *names.Symbol {
	if s := t.scope.Use(n); s != nil {
		return s
	}
	for x := en; x != nil; x = x.parent {
		for s := range x.vars {
			if s.Name == n.Id {
				return s
			}
		}
	}
	return t.scope.Lookup(n.Id)
}

func (t *checker) paramSym(fd *syntax.FuncDef, scope *names.Scope, name string) *names.Symbol {
	return t.u.ParamSymbol(fd, scope, name)
}

// ParamSymbol is the symbol of a function's parameter, in the scope of its
// definition (a synthesized __init__ has none: a symbol of its own, the
// same for every phase).
func (u *Unit) ParamSymbol(fd *syntax.FuncDef, scope *names.Scope, name string) *names.Symbol {
	if s := scope.Of(fd); s != nil {
		if sym, ok := s.Symbols[name]; ok {
			return sym
		}
	}
	return u.synthetic(fd, name, names.Param)
}

// DefSymbol is the symbol a nested def binds its name to.
func (u *Unit) DefSymbol(scope *names.Scope, d *syntax.FuncDef) *names.Symbol {
	if s := scope.DefOf(d); s != nil {
		return s
	}
	return u.synthetic(d, d.Name, names.LocalFunc)
}

type synthKey struct {
	node syntax.Node
	name string
}

func (u *Unit) synthetic(n syntax.Node, name string, kind names.Kind) *names.Symbol {
	if u.synth == nil {
		u.synth = map[synthKey]*names.Symbol{}
	}
	k := synthKey{n, name}
	if s, ok := u.synth[k]; ok {
		return s
	}
	s := &names.Symbol{Name: name, Kind: kind}
	u.synth[k] = s
	return s
}

// ---- inference ----

// infer runs inference rounds over every body until field, parameter and
// return types stop changing.
func (t *checker) infer() {
	u := t.u
	t.listCacheParams()
	t.classAttrTypes()
	prev := ""
	for iter := 0; iter < 8; iter++ {
		t.learn = true
		for _, c := range u.Classes {
			for _, m := range c.Methods {
				if m.Skipped != "" {
					continue
				}
				t.run(m)
			}
		}
		for _, f := range u.Funcs {
			t.run(f)
		}
		for _, c := range u.Classes {
			// A dataclass with only its parent's __post_init__.
			if pi := c.ByMeth["__super_post_init__"]; c.IsArgs && pi != nil && c.ByMeth["__post_init__"] == nil {
				t.runPostInit(c, pi)
			}
		}
		t.widenIfaceParams()
		t.learn = false
		sig := t.signature()
		if sig == prev {
			break
		}
		prev = sig
	}
	// make_cache returns the registry's []Cache whatever cache classes it makes.
	if m := u.ByClass["Model"]; m != nil {
		if mc := m.ByMeth["make_cache"]; mc != nil && mc.Ret != nil && mc.Ret.Kind == List &&
			mc.Ret.Elem.Kind == Ext && t.tab.Root(mc.Ret.Elem.Name) == "Cache" {
			mc.Ret = ListOf(ExtT("Cache"))
		}
	}
	// Fields exist once the rounds have seen their assignments.
	for _, c := range u.Classes {
		c.Consts = t.constFields(c)
	}
	for _, c := range u.Classes {
		for _, f := range c.Fields {
			if f.Type == nil || f.Type.Kind == Unknown {
				t.fail(posNode(f.Pos), "field "+c.Name+"."+f.Py, "cannot infer its type")
			}
		}
		for _, m := range c.Methods {
			if m.Skipped != "" || OptionalMethods[m.Def.Name] {
				continue // an optional method's failure skips it (lower.tryOptional)
			}
			for _, p := range m.Params {
				if p.Type.Kind == Unknown {
					t.fail(m.Def, "parameter "+p.Py+" of "+c.Name+"."+m.Def.Name, "cannot infer its type (annotate it upstream or extend the call-site inference)")
				}
			}
		}
	}
	t.frozen = true
}

type posNode syntax.Pos

func (p posNode) Position() syntax.Pos { return syntax.Pos(p) }

func (t *checker) signature() string {
	var b strings.Builder
	for _, c := range t.u.Classes {
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "%s.%s:%v;", c.Name, f.Py, f.Type)
		}
		for _, m := range c.Methods {
			for _, p := range m.Params {
				fmt.Fprintf(&b, "%s.%s(%s:%v);", c.Name, m.Def.Name, p.Py, p.Type)
			}
			fmt.Fprintf(&b, "->%v;", m.Ret)
		}
	}
	for _, f := range t.u.Funcs {
		for _, p := range f.Params {
			fmt.Fprintf(&b, "%s(%s:%v);", f.Def.Name, p.Py, p.Type)
		}
		fmt.Fprintf(&b, "->%v;", f.Ret)
	}
	// Functions nested in bodies learn their types like the others.
	keys := make([]string, 0, len(t.u.Nested))
	for k := range t.u.Nested {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f := t.u.Nested[k]
		for _, p := range f.Params {
			fmt.Fprintf(&b, "%s(%s:%v);", k, p.Py, p.Type)
		}
		fmt.Fprintf(&b, "->%v;", f.Ret)
	}
	return b.String()
}

// paramEnv is a function's environment with its parameters bound.
func (t *checker) paramEnv(fn *Func) *env {
	en := newEnv(fn.Class, fn, nil)
	en.superFrom = fn.SuperFrom
	for _, p := range fn.Params {
		en.vars[t.paramSym(fn.Def, fn.Scope, p.Py)] = p.Type
	}
	return en
}

func (t *checker) withScope(s *names.Scope) func() {
	prev := t.scope
	if s != nil {
		t.scope = s
	}
	return func() { t.scope = prev }
}

// run checks a body once without recording (an inference round, or the
// pass that learns a body's local types before it is recorded).
func (t *checker) run(fn *Func) *env {
	defer t.withScope(fn.Scope)()
	was, wasRec, wasFacts, wasOrigins := t.learn, t.rec, t.facts, t.symOrigin
	t.learn, t.rec, t.facts, t.symOrigin = true, nil, facts{}, map[*names.Symbol]*Field{}
	en := t.paramEnv(fn)
	if !t.frozen {
		for s, ty := range fn.learnt {
			if _, isParam := en.vars[s]; isParam {
				continue
			}
			if _, split := fn.FirstType[s.Name]; split {
				continue
			}
			en.vars[s] = ty
			if en.seeded == nil {
				en.seeded = map[*names.Symbol]bool{}
			}
			en.seeded[s] = true
		}
	}
	fc := &fnCtx{fn: fn, ret: fn.Ret, isInit: fn.Def.Name == "__init__"}
	t.block(fn.Def.Body, en, fc)
	if fn.Class != nil && fn.Class.IsArgs && fn.Def.Name == "__post_init__" {
		t.filled(fn.Class)
	}
	if !t.frozen {
		fn.learnt = map[*names.Symbol]*Type{}
		for s, ty := range en.vars {
			fn.learnt[s] = ty
		}
	}
	t.learn, t.rec, t.facts, t.symOrigin = was, wasRec, wasFacts, wasOrigins
	return en
}

// Body types a function or method of the unit for the lowering and
// returns the recorded body.
func (u *Unit) Body(fn *Func) *Inst { return u.check.record(fn) }

// CheckDiagnostics are those recording bodies found (after Check returned).
func (u *Unit) CheckDiagnostics() []syntax.Diagnostic { return u.check.diags[u.mark:] }

// TruncateDiagnostics drops all but the first n of CheckDiagnostics (an
// optional method that is skipped takes its diagnostics with it).
func (u *Unit) TruncateDiagnostics(n int) { u.check.diags = u.check.diags[:u.mark+n] }

// record types a body for the lowering: a pass to learn its locals'
// types, then the recorded pass with the locals at those types.
func (t *checker) record(fn *Func) *Inst {
	defer t.withScope(fn.Scope)()
	in := newInst(fn, fn.Class)
	dry := t.run(fn)
	en := t.paramEnv(fn)
	for s, ty := range dry.vars {
		if _, isParam := en.vars[s]; !isParam {
			en.vars[s] = ty
		}
		if first, ok := fn.FirstType[s.Name]; ok {
			// A split local starts with its first version's type.
			en.vars[s] = first
		}
	}
	locals := syntax.AssignedNames(fn.Def.Body)
	for _, p := range fn.Params {
		delete(locals, p.Py)
	}
	en.consts = map[*names.Symbol]*syntax.Constant{}
	for s, k := range dry.lits {
		if dry.assigns[s] == 1 && locals[s.Name] {
			en.consts[s] = k
		}
	}
	for s, ty := range en.vars {
		in.Init[s] = ty
	}
	for s, k := range en.consts {
		in.Consts[s] = k
	}
	prevRec, prevFacts, prevOrigins := t.rec, t.facts, t.symOrigin
	t.rec, t.facts, t.symOrigin = in, facts{}, map[*names.Symbol]*Field{}
	fc := &fnCtx{fn: fn, ret: fn.Ret, isInit: fn.Def.Name == "__init__"}
	t.block(fn.Def.Body, en, fc)
	t.rec, t.facts, t.symOrigin = prevRec, prevFacts, prevOrigins
	return in
}

// Defaults records a dataclass's field defaults.
func (u *Unit) Defaults(c *Class) *Inst {
	t := u.check
	defer t.withScope(u.Scope)()
	in := newInst(nil, c)
	prev := t.rec
	t.rec = in
	for _, fl := range c.Fields {
		if fl.HasDef && fl.Def != nil {
			if cst, ok := fl.Def.(*syntax.Constant); ok && cst.Kind == syntax.ConstNone {
				continue
			}
			t.hint = fl.Type // field(default_factory=list) takes the annotation's element type
			t.expr(fl.Def, newEnv(nil, nil, nil))
			t.hint = nil
		}
	}
	t.rec = prev
	return in
}

// PostInit records a dataclass's __post_init__ (its own or its parent's).
func (u *Unit) PostInit(c *Class, pi *Func) *Inst {
	t := u.check
	defer t.withScope(u.Scope)()
	in := newInst(pi, c)
	dry := newEnv(c, pi, nil)
	was, wasFacts := t.learn, t.facts
	t.learn, t.facts = true, facts{}
	t.block(pi.Def.Body, dry, &fnCtx{fn: pi})
	t.learn = was
	en := newEnv(c, pi, nil)
	for s, ty := range dry.vars {
		en.vars[s] = ty
		in.Init[s] = ty
	}
	prev := t.rec
	t.rec, t.facts = in, facts{}
	t.block(pi.Def.Body, en, &fnCtx{fn: pi})
	t.rec, t.facts = prev, wasFacts
	return in
}

// runPostInit checks a parent's __post_init__ run on dataclass c.
func (t *checker) runPostInit(c *Class, pi *Func) {
	defer t.withScope(t.u.Scope)()
	was, wasFacts := t.learn, t.facts
	t.learn, t.facts = true, facts{}
	t.block(pi.Def.Body, newEnv(c, pi, nil), &fnCtx{fn: pi})
	t.filled(c)
	t.learn, t.facts = was, wasFacts
}

// filled records the fields __post_init__ leaves known not None.
func (t *checker) filled(c *Class) {
	if t.frozen {
		return
	}
	c.Filled = map[string]bool{}
	for _, f := range c.Fields {
		if t.facts["self."+f.Py] && !c.Reassigned[f.Py] {
			c.Filled[f.Py] = true
		}
	}
	t.filledAs(c)
}

// fnCtx is the state of the body being checked.
type fnCtx struct {
	fn     *Func
	ret    *Type
	isInit bool
	depth  int // block nesting: 1 is the function body itself
}

// put records an expression's value in the body being recorded.
func (t *checker) put(e syntax.Expr, v Val) Val {
	if t.rec != nil && e != nil {
		t.rec.Vals[e] = v
	}
	return v
}

// target records the type a Name target binds.
func (t *checker) target(n *syntax.Name, ty *Type) {
	if t.rec != nil {
		t.rec.Target[n] = ty
	}
}

// ---- unification ----

// unify is Unify that also merges table types sharing a supertype
// (KVCache and RotatingKVCache are both Caches) and module classes with the
// same __call__ (an interface).
func (t *checker) unify(a, b *Type) *Type { return t.u.UnifyIn(t.tab, a, b) }

// UnifyIn is the unit's unification (see checker.unify).
func (u *Unit) UnifyIn(tab *Table, a, b *Type) *Type {
	if x := Unify(a, b); x != nil {
		return x
	}
	if x := u.unifyClasses(a, b); x != nil {
		return x
	}
	if x := u.unifySlot(tab, a, b); x != nil {
		return x
	}
	if x := u.unifyFromClass(tab, a, b); x != nil {
		return x
	}
	if x := u.unifyClassExt(tab, a, b); x != nil {
		return x // unify_classext.go
	}
	if a != nil && b != nil && a.Kind == Ext && b.Kind == Ext {
		ra, rb := tab.Root(a.Name), tab.Root(b.Name)
		if ra == rb {
			return ExtT(ra)
		}
	}
	if a != nil && b != nil && a.Kind == List && b.Kind == List {
		if e := u.UnifyIn(tab, a.Elem, b.Elem); e != nil {
			return ListOf(e)
		}
	}
	return nil
}

// unifyClasses merges module classes assigned to the same field (self.mlp =
// MoE(...) if sparse else MLP(...)) into an interface of their common
// __call__, when their __call__ signatures agree.
func (u *Unit) unifyClasses(a, b *Type) *Type {
	if a == nil || b == nil {
		return nil
	}
	members := func(x *Type) []*Type {
		switch x.Kind {
		case ClassK:
			return []*Type{x}
		case Iface:
			return x.Elems
		}
		return nil
	}
	ma, mb := members(a), members(b)
	if ma == nil || mb == nil {
		return nil
	}
	all := append(append([]*Type{}, ma...), mb...)
	var out []*Type
	seen := map[string]bool{}
	var sig *Func
	dyn := IsDynIface(a) || IsDynIface(b)
	for _, m := range all {
		if seen[m.Name] {
			continue
		}
		seen[m.Name] = true
		cls := u.ByClass[m.Name]
		if cls == nil || cls.ByMeth["__call__"] == nil {
			return nil
		}
		call := cls.ByMeth["__call__"]
		if sig == nil {
			sig = call
		} else if len(call.Params) != len(sig.Params) {
			dyn = true // check_dyniface.go
		}
		out = append(out, m)
	}
	if len(out) == 1 {
		return out[0]
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	if dyn {
		return &Type{Kind: Iface, Elems: out, Name: DynIface}
	}
	return &Type{Kind: Iface, Elems: out}
}

// IfaceCall is the __call__ that stands for an interface of classes.
func (u *Unit) IfaceCall(ty *Type) *Func {
	return u.ByClass[ty.Elems[0].Name].ByMeth["__call__"]
}

// ---- constant fields ----

// Constant folding. Some model code branches on values that are fixed for
// the translated program: PipelineMixin's pipeline_rank (0) and
// pipeline_size (1) — pipeline parallelism is not translated — or a field
// set once from a literal. Folding such conditions keeps the branches Python
// would never run on one process (mx.distributed.send, ...) out of the Go.

// constFields finds the fields of c assigned exactly once in the file, in
// (inherited) __init__, from an int, bool or None literal.
func (t *checker) constFields(c *Class) map[string]*syntax.Constant {
	stores := map[string]int{}
	values := map[string]*syntax.Constant{}
	var bodies [][]syntax.Stmt
	for _, cls := range t.u.Classes {
		for _, m := range cls.Methods {
			if m.Skipped == "" {
				bodies = append(bodies, m.Def.Body)
			}
		}
	}
	for _, b := range c.Bases {
		if init, ok := b.ByMeth["__init__"]; ok {
			bodies = append(bodies, init.Def.Body)
		}
	}
	for _, f := range t.u.Funcs {
		bodies = append(bodies, f.Def.Body)
	}
	var target func(e syntax.Expr, value syntax.Expr)
	target = func(e syntax.Expr, value syntax.Expr) {
		switch x := e.(type) {
		case *syntax.Attribute:
			stores[x.Attr]++
			if k := literalOf(value); k != nil {
				values[x.Attr] = k
			}
		case *syntax.Tuple:
			for _, el := range x.Elts {
				target(el, nil)
			}
		}
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					target(tg, x.Value)
				}
			case *syntax.AugAssign:
				target(x.Target, nil)
				target(x.Target, nil)
			case *syntax.AnnAssign:
				target(x.Target, x.Value)
			case *syntax.If:
				walk(x.Body)
				walk(x.Else)
			case *syntax.For:
				walk(x.Body)
			case *syntax.While:
				walk(x.Body)
			}
		}
	}
	for _, b := range bodies {
		walk(b)
	}
	out := map[string]*syntax.Constant{}
	for name, n := range stores {
		if n == 1 && values[name] != nil {
			if _, ok := c.ByName[name]; ok {
				out[name] = values[name]
			}
		}
	}
	return out
}

// literalOf returns the constant an expression is written as, if any.
func literalOf(e syntax.Expr) *syntax.Constant {
	switch x := e.(type) {
	case *syntax.Constant:
		switch x.Kind {
		case syntax.ConstInt, syntax.ConstTrue, syntax.ConstFalse, syntax.ConstNone:
			return x
		}
	case *syntax.UnaryOp:
		if x.Op == "-" {
			if c, ok := x.X.(*syntax.Constant); ok && c.Kind == syntax.ConstInt {
				return &syntax.Constant{At: c.At, Kind: syntax.ConstInt, Value: "-" + c.Value}
			}
		}
	}
	return nil
}
