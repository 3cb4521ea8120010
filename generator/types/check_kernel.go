package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Module-level Metal kernels. Model files build custom Metal kernels once,
// at import (`_wkv7_kernel = _make_wkv7_kernel()`, `_attn_res_kernel =
// mx.fast.metal_kernel(...) if mx.metal.is_available() else None`), and
// call them from small wrapper functions that only a branch taken on Metal
// reaches. The Go runtime serves MLX without mlx-lm's custom kernels:
// mx.metal.is_available() is False (api.yaml), as it is for mlx-lm itself
// on Linux CPU/CUDA, so the translated code takes mlx-lm's pure-op path.
//
//   - A kernel constant is a module-level name whose value is built by
//     mx.fast.metal_kernel, directly, under a conditional, or through a
//     builder function of the file. Its value off Metal is worked out at
//     translation time: None when the expression or the builder yields None
//     there (`if not mx.metal.is_available(): return None`), so `kernel is
//     not None` folds like a literal; otherwise it is a kernel object that
//     mlx-lm itself cannot run off Metal (it raises "No Metal back-end").
//   - A kernel function is a function of the file that builds a kernel or
//     reads a kernel constant, or calls such a function. It is translated
//     only when a translated body calls it (dead.go); a live read of a
//     kernel object is a diagnostic saying mlx-lm has no pure-op path.

// KernelValue is what a kernel constant holds on the platforms the Go
// runtime translates for.
type KernelValue int

const (
	NotKernel    KernelValue = iota
	KernelNone               // None off Metal: the pure-op path is taken
	KernelObject             // a Metal kernel object; calling it raises off Metal
)

// kernels are the unit's kernel constants and kernel functions, computed
// once from the file's syntax.
type kernels struct {
	consts map[string]KernelValue
	funcs  map[string]bool
}

func isMetalKernelCall(e syntax.Expr, scope *names.Scope) bool {
	c, ok := e.(*syntax.Call)
	return ok && scope.Qualify(c.Func) == "mx.fast.metal_kernel"
}

func isMetalAvailable(e syntax.Expr, scope *names.Scope) bool {
	c, ok := e.(*syntax.Call)
	return ok && len(c.Args) == 0 && scope.Qualify(c.Func) == "mx.metal.is_available"
}

// metalCond is the value of a condition on the platforms served: known
// only for mx.metal.is_available() and its negation.
func metalCond(e syntax.Expr, scope *names.Scope) (value, known bool) {
	if u, ok := e.(*syntax.UnaryOp); ok && u.Op == "not" {
		v, k := metalCond(u.X, scope)
		return !v, k
	}
	if isMetalAvailable(e, scope) {
		return false, true
	}
	return false, false
}

func stmtExprs(body []syntax.Stmt, fn func(syntax.Expr) bool) {
	var ex func(e syntax.Expr)
	ex = func(e syntax.Expr) {
		if e != nil {
			syntax.Inspect(e, fn)
		}
	}
	var walk func(b []syntax.Stmt)
	walk = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					ex(tg)
				}
				ex(x.Value)
			case *syntax.AnnAssign:
				ex(x.Target)
				ex(x.Value)
			case *syntax.AugAssign:
				ex(x.Target)
				ex(x.Value)
			case *syntax.Return:
				ex(x.Value)
			case *syntax.If:
				ex(x.Cond)
				walk(x.Body)
				walk(x.Else)
			case *syntax.For:
				ex(x.Target)
				ex(x.Iter)
				walk(x.Body)
			case *syntax.While:
				ex(x.Cond)
				walk(x.Body)
			case *syntax.ExprStmt:
				ex(x.X)
			case *syntax.Assert:
				ex(x.Cond)
				ex(x.Msg)
			case *syntax.Raise:
				ex(x.Exc)
			case *syntax.Delete:
				for _, tg := range x.Targets {
					ex(tg)
				}
			case *syntax.FuncDef:
				walk(x.Body)
			}
		}
	}
	walk(body)
}

// findKernels classifies the module-level kernel constants and kernel
// functions of a file.
func findKernels(f *syntax.File, scope *names.Scope) *kernels {
	k := &kernels{consts: map[string]KernelValue{}, funcs: map[string]bool{}}
	defs := map[string]*syntax.FuncDef{}
	for _, st := range f.Body {
		if fd, ok := st.(*syntax.FuncDef); ok {
			defs[fd.Name] = fd
		}
	}
	builds := func(body []syntax.Stmt) bool {
		found := false
		stmtExprs(body, func(e syntax.Expr) bool {
			if isMetalKernelCall(e, scope) {
				found = true
			}
			return !found
		})
		return found
	}
	builders := map[string]bool{}
	for name, fd := range defs {
		if builds(fd.Body) {
			builders[name] = true
		}
	}
	var value func(e syntax.Expr) KernelValue
	// builderValue follows a builder's body down the path Python takes
	// off Metal: the first return reached.
	var builderValue func(body []syntax.Stmt) KernelValue
	builderValue = func(body []syntax.Stmt) KernelValue {
		for _, s := range body {
			switch x := s.(type) {
			case *syntax.Return:
				if x.Value == nil {
					return KernelNone
				}
				return value(x.Value)
			case *syntax.If:
				v, known := metalCond(x.Cond, scope)
				if !known {
					continue
				}
				b := x.Else
				if v {
					b = x.Body
				}
				if r := builderValue(b); r != NotKernel {
					return r
				}
			}
		}
		return KernelObject
	}
	value = func(e syntax.Expr) KernelValue {
		switch x := e.(type) {
		case *syntax.Constant:
			if x.Kind == syntax.ConstNone {
				return KernelNone
			}
		case *syntax.IfExp:
			if v, known := metalCond(x.Cond, scope); known {
				if v {
					return value(x.Then)
				}
				return value(x.Else)
			}
		case *syntax.Call:
			if isMetalKernelCall(x, scope) {
				return KernelObject
			}
			if n, ok := x.Func.(*syntax.Name); ok && builders[n.Id] {
				if s := scope.Symbols[n.Id]; s != nil && s.Kind == names.LocalFunc {
					return builderValue(defs[n.Id].Body)
				}
			}
		}
		return NotKernel
	}
	for _, st := range f.Body {
		as, ok := st.(*syntax.Assign)
		if !ok || len(as.Targets) != 1 {
			continue
		}
		nm, ok := as.Targets[0].(*syntax.Name)
		if !ok {
			continue
		}
		mentions := false
		syntax.Inspect(as.Value, func(e syntax.Expr) bool {
			if isMetalKernelCall(e, scope) {
				mentions = true
			}
			if c, ok := e.(*syntax.Call); ok {
				if n, ok := c.Func.(*syntax.Name); ok && builders[n.Id] {
					mentions = true
				}
			}
			return !mentions
		})
		if !mentions {
			continue
		}
		v := value(as.Value)
		if v == NotKernel {
			v = KernelObject
		}
		k.consts[nm.Id] = v
	}
	for name := range builders {
		k.funcs[name] = true
	}
	// Functions reading a kernel constant or calling a kernel function.
	for changed := true; changed; {
		changed = false
		for name, fd := range defs {
			if k.funcs[name] {
				continue
			}
			uses := false
			module := func(n *syntax.Name) *names.Symbol {
				if s := scope.Use(n); s != nil && s.Scope == scope {
					return s
				}
				return nil
			}
			stmtExprs(fd.Body, func(e syntax.Expr) bool {
				switch x := e.(type) {
				case *syntax.Call:
					// A call of a kernel constant, whatever it holds.
					if n, ok := x.Func.(*syntax.Name); ok {
						if s := module(n); s != nil && s.Kind == names.LocalConst && k.consts[n.Id] != NotKernel {
							uses = true
						}
					}
				case *syntax.Name:
					if s := module(x); s != nil && (s.Kind == names.LocalConst && k.consts[x.Id] == KernelObject ||
						s.Kind == names.LocalFunc && k.funcs[x.Id]) {
						uses = true
					}
				}
				return !uses
			})
			if uses {
				k.funcs[name] = true
				changed = true
			}
		}
	}
	return k
}

func (u *Unit) kernelInfo(scope *names.Scope) *kernels {
	f, ok := scope.Node.(*syntax.File)
	if !ok {
		return &kernels{}
	}
	if u.kern == nil {
		u.kern = map[*names.Scope]*kernels{}
	}
	if u.kern[scope] == nil {
		u.kern[scope] = findKernels(f, scope)
	}
	return u.kern[scope]
}

// KernelConst says whether a module-level name (of the file or of a file
// it takes code from) is a Metal kernel constant, and what it holds off
// Metal.
func (u *Unit) KernelConst(sym *names.Symbol, name string) KernelValue {
	if sym == nil || sym.Kind != names.LocalConst || sym.Scope == nil || sym.Scope.Kind != names.ModuleScope {
		return NotKernel
	}
	return u.kernelInfo(sym.Scope).consts[name]
}

// KernelFunc reports whether fn, a function of the file, builds or calls a
// Metal kernel: it is translated only when a translated body calls it.
func (u *Unit) KernelFunc(fn *Func) bool {
	return u.OwnFunc(fn) && u.kernelInfo(fn.Scope).funcs[fn.Def.Name]
}
