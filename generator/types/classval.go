package types

import (
	"fmt"
	"strings"

	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Classes used as values. A constructor picks the class of a layer first and
// builds it later:
//
//	if args.num_experts > 1 and ...:          NormClass = GemmaRMSNorm if args.use_gemma_norm else nn.RMSNorm
//	    ffn_layer_class = JambaSparseMoeBlock  ...
//	else:                                     self.q_norm = NormClass(self.head_dim, eps=args.rms_norm_eps)
//	    ffn_layer_class = JambaMLP
//	self.feed_forward = ffn_layer_class(args)
//
// Go has no class values. A local that is only ever assigned classes (a
// class of the file or of a file it imports, or a layer constructor of the
// API table), directly or through conditional expressions, and that is only
// ever called, holds which class was picked: the rewrite assigns it the
// class's index among the classes it can hold, and turns each call into
// the conditional expression that calls the class of that index with the
// same arguments,
//
//	ffn_layer_class = 0 ... ffn_layer_class = 1
//	self.feed_forward = JambaSparseMoeBlock(args) if ffn_layer_class == 0 else JambaMLP(args)
//
// which Python evaluates identically: the same class is called, once, with
// the same arguments evaluated once. The conditional then types and
// translates as any other (two module classes with one __call__ are an
// interface, unify). The rewrite runs on the resolved file before the
// checker; the nodes it makes reuse the resolved Name nodes they stand for.

// isClassValue reports whether e names a class: one of a model file (this
// file's or a sibling's) or a constructor of the API table (nn.RMSNorm).
func isClassValue(e syntax.Expr, scope *names.Scope, tab *Table) bool {
	switch x := e.(type) {
	case *syntax.Name:
		s := scope.Use(x)
		if s == nil {
			s = scope.Symbols[x.Id]
		}
		if s == nil || s.Scope == nil || s.Scope.Kind != names.ModuleScope {
			return false
		}
		switch s.Kind {
		case names.LocalClass:
			return true
		case names.Sibling:
			return isUpper(s.Target)
		}
	case *syntax.Attribute:
		q := scope.Qualify(x)
		if f, ok := tab.Functions[q]; ok && isUpper(x.Attr) && f.Value == "" {
			_, isType := tab.Types[strings.TrimSuffix(f.Returns, "?")]
			return isType
		}
	}
	return false
}

func isUpper(s string) bool { return s != "" && s[0] >= 'A' && s[0] <= 'Z' }

// classChoices are the class expressions e can evaluate to, or false when
// e is not only classes.
func classChoices(e syntax.Expr, scope *names.Scope, tab *Table) ([]syntax.Expr, bool) {
	if x, ok := e.(*syntax.IfExp); ok {
		a, ok1 := classChoices(x.Then, scope, tab)
		b, ok2 := classChoices(x.Else, scope, tab)
		return append(a, b...), ok1 && ok2
	}
	if isClassValue(e, scope, tab) {
		return []syntax.Expr{e}, true
	}
	return nil, false
}

// exprKey identifies a class expression (nn.RMSNorm, JambaMLP).
func exprKey(e syntax.Expr) string {
	switch x := e.(type) {
	case *syntax.Name:
		return x.Id
	case *syntax.Attribute:
		return exprKey(x.X) + "." + x.Attr
	}
	return fmt.Sprintf("%p", e)
}

// rewriteClassValues applies the rewrite to every function of a file.
func rewriteClassValues(f *syntax.File, scope *names.Scope, tab *Table) {
	var funcs func(b []syntax.Stmt)
	funcs = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.ClassDef:
				funcs(x.Body)
			case *syntax.FuncDef:
				rewriteClassValuesIn(x, scope, tab)
				funcs(x.Body)
			}
		}
	}
	funcs(f.Body)
}

func rewriteClassValuesIn(fd *syntax.FuncDef, scope *names.Scope, tab *Table) {
	type local struct {
		assigns []*syntax.Assign
		calls   []*syntax.Call
		reads   int
		choices []syntax.Expr
		index   map[string]int
		bad     bool
	}
	locals := map[*names.Symbol]*local{}
	var order []*names.Symbol
	of := func(n *syntax.Name) *local {
		s := scope.Use(n)
		if s == nil || s.Kind != names.Local || s.Scope == nil || s.Scope.Node != fd {
			return nil
		}
		l := locals[s]
		if l == nil {
			l = &local{index: map[string]int{}}
			locals[s] = l
			order = append(order, s)
		}
		return l
	}
	// Assignments of class values to a plain name of this function.
	var stmts func(b []syntax.Stmt)
	stmts = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				if len(x.Targets) == 1 {
					if n, ok := x.Targets[0].(*syntax.Name); ok {
						if cs, ok := classChoices(x.Value, scope, tab); ok {
							if l := of(n); l != nil {
								l.assigns = append(l.assigns, x)
								for _, c := range cs {
									if _, seen := l.index[exprKey(c)]; !seen {
										l.index[exprKey(c)] = len(l.choices)
										l.choices = append(l.choices, c)
									}
								}
							}
						}
					}
				}
			case *syntax.If:
				stmts(x.Body)
				stmts(x.Else)
			case *syntax.For:
				stmts(x.Body)
			case *syntax.While:
				stmts(x.Body)
			}
		}
	}
	stmts(fd.Body)
	if len(locals) == 0 {
		return
	}
	// Every other mention must be the callee of a call; any other
	// assignment or read leaves the local alone.
	targets := map[*syntax.Name]bool{}
	for _, l := range locals {
		for _, a := range l.assigns {
			targets[a.Targets[0].(*syntax.Name)] = true
		}
	}
	callees := map[*syntax.Name]*syntax.Call{}
	stmtExprs(fd.Body, func(e syntax.Expr) bool {
		if c, ok := e.(*syntax.Call); ok {
			if n, ok := c.Func.(*syntax.Name); ok {
				callees[n] = c
			}
		}
		if n, ok := e.(*syntax.Name); ok && !targets[n] {
			if l := of(n); l != nil {
				if c := callees[n]; c != nil {
					l.calls = append(l.calls, c)
				} else {
					l.bad = true
				}
			}
		}
		return true
	})
	// Other assignments to the name (a tuple target, an augmented one, a
	// loop variable) also leave it alone.
	var other func(b []syntax.Stmt)
	other = func(b []syntax.Stmt) {
		for _, s := range b {
			switch x := s.(type) {
			case *syntax.Assign:
				for _, tg := range x.Targets {
					if n, ok := tg.(*syntax.Name); ok && !targets[n] {
						if l := of(n); l != nil {
							l.bad = true
						}
					}
				}
			case *syntax.If:
				other(x.Body)
				other(x.Else)
			case *syntax.For:
				other(x.Body)
			case *syntax.While:
				other(x.Body)
			}
		}
	}
	other(fd.Body)
	for _, s := range order {
		l := locals[s]
		if l.bad || len(l.calls) == 0 || len(l.choices) < 1 {
			continue
		}
		for _, a := range l.assigns {
			a.Value = indexOfClass(a.Value, l.index)
		}
		chains := map[*syntax.Call]syntax.Expr{}
		for _, c := range l.calls {
			callee := c.Func.(*syntax.Name)
			var chain syntax.Expr
			for i := len(l.choices) - 1; i >= 0; i-- {
				made := &syntax.Call{At: c.At, Func: l.choices[i], Args: c.Args, Keywords: c.Keywords}
				if chain == nil {
					chain = made
					continue
				}
				test := &syntax.Compare{At: c.At, Left: callee, Ops: []string{"=="},
					Comparators: []syntax.Expr{&syntax.Constant{At: c.At, Kind: syntax.ConstInt, Value: fmt.Sprint(i)}}}
				chain = &syntax.IfExp{At: c.At, Cond: test, Then: made, Else: chain}
			}
			chains[c] = chain
		}
		var rep func(e syntax.Expr) syntax.Expr
		rep = func(e syntax.Expr) syntax.Expr {
			if c, ok := e.(*syntax.Call); ok && chains[c] != nil {
				syntax.ReplaceChildren(c, rep) // a class value called in an argument
				return chains[c]
			}
			syntax.ReplaceChildren(e, rep)
			return e
		}
		syntax.ReplaceInBody(fd.Body, rep)
	}
}

// indexOfClass replaces the classes of a class-valued expression by their
// indices.
func indexOfClass(e syntax.Expr, index map[string]int) syntax.Expr {
	if x, ok := e.(*syntax.IfExp); ok {
		return &syntax.IfExp{At: x.At, Cond: x.Cond, Then: indexOfClass(x.Then, index), Else: indexOfClass(x.Else, index)}
	}
	return &syntax.Constant{At: syntax.At{P: e.Position()}, Kind: syntax.ConstInt, Value: fmt.Sprint(index[exprKey(e)])}
}
