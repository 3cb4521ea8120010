package jinja

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
)

// Error is a template that failed while rendering.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// LimitError is a template that went past one of the sandbox's bounds.
type LimitError struct{ Msg string }

func (e *LimitError) Error() string { return "template exceeds the sandbox's limits: " + e.Msg }

// renderPanic carries an error up the evaluator's stack; Render recovers it.
type renderPanic struct{ err error }

type scope struct {
	vars   map[string]Value
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]Value{}, parent: parent} }

func (s *scope) get(name string) (Value, bool) {
	for c := s; c != nil; c = c.parent {
		if v, ok := c.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

type limits struct {
	Limits
	steps    int64
	deadline time.Time
	ctx      context.Context
}

func (l *limits) stringTooLong() error {
	return &LimitError{fmt.Sprintf("a string longer than %d bytes", l.maxString)}
}

type evaluator struct {
	out   strings.Builder
	lim   *limits
	depth int // macro call depth
	line  int
}

func (e *evaluator) fail(format string, args ...any) {
	panic(renderPanic{&Error{Line: e.line, Msg: fmt.Sprintf(format, args...)}})
}

func (e *evaluator) failErr(err error) {
	var le *LimitError
	if errors.As(err, &le) {
		panic(renderPanic{err})
	}
	var te *Error
	if errors.As(err, &te) {
		panic(renderPanic{err})
	}
	panic(renderPanic{&Error{Line: e.line, Msg: err.Error()}})
}

func (e *evaluator) limit(format string, args ...any) {
	panic(renderPanic{&LimitError{fmt.Sprintf(format, args...)}})
}

// step counts work (loop iterations, calls, output pieces) and checks the
// time budget and cancellation every so often.
func (e *evaluator) step() {
	l := e.lim
	l.steps++
	if l.steps > l.MaxSteps {
		e.limit("more than %d evaluation steps (loop iterations, calls and outputs)", l.MaxSteps)
	}
	if l.steps&1023 == 0 {
		if time.Now().After(l.deadline) {
			e.limit("rendering took longer than %v", l.Timeout)
		}
		if l.ctx != nil && l.ctx.Err() != nil {
			panic(renderPanic{l.ctx.Err()})
		}
	}
}

func (e *evaluator) write(s string) {
	if e.out.Len()+len(s) > e.lim.MaxOutput {
		e.limit("output longer than %d bytes", e.lim.MaxOutput)
	}
	e.out.WriteString(s)
}

func (e *evaluator) checkString(s string) string {
	if len(s) > e.lim.maxString {
		e.failErr(e.lim.stringTooLong())
	}
	return s
}

// ---- statements ----

type loopCtl int

const (
	ctlNone loopCtl = iota
	ctlBreak
	ctlContinue
)

func (e *evaluator) execNodes(nodes []node, sc *scope) loopCtl {
	for _, n := range nodes {
		if c := e.execNode(n, sc); c != ctlNone {
			return c
		}
	}
	return ctlNone
}

func (e *evaluator) execNode(n node, sc *scope) loopCtl {
	e.step()
	switch x := n.(type) {
	case *textNode:
		e.write(x.s)
	case *outputNode:
		e.write(toStr(e.eval(x.e, sc)))
	case *ifNode:
		for i, c := range x.conds {
			if truthy(e.eval(c, sc)) {
				return e.execNodes(x.bodies[i], sc)
			}
		}
		return e.execNodes(x.els, sc)
	case *forNode:
		e.execFor(x, sc)
	case *setNode:
		e.execSet(x, sc)
	case *macroNode:
		sc.vars[x.name] = &macro{node: x, closure: sc}
	case *callBlockNode:
		caller := &macro{node: &macroNode{name: "caller", params: x.params, defaults: x.defaults, body: x.body}, closure: sc}
		fn := e.eval(x.call.fn, sc)
		args, kwargs := e.evalArgs(x.call.args, x.call.kwargs, sc)
		kwargs["caller"] = caller
		e.write(toStr(e.call(fn, args, kwargs)))
	case *filterBlockNode:
		saved := e.out
		e.out = strings.Builder{}
		c := e.execNodes(x.body, sc)
		body := e.out.String()
		e.out = saved
		var v Value = body
		for _, f := range x.filters {
			v = e.applyFilter(f, v, sc)
		}
		e.write(toStr(v))
		return c
	case *breakNode:
		return ctlBreak
	case *continueNode:
		return ctlContinue
	default:
		e.fail("internal error: unknown node %T", n)
	}
	return ctlNone
}

func (e *evaluator) iterate(v Value) []Value {
	switch x := v.(type) {
	case *List:
		return x.Items
	case *Dict:
		return x.keys
	case string:
		out := make([]Value, 0, len(x))
		for _, r := range x {
			out = append(out, string(r))
		}
		return out
	case Undefined:
		return nil
	case *Namespace:
		return x.d.keys
	}
	e.fail("'%s' object is not iterable", typeName(v))
	return nil
}

func (e *evaluator) execFor(n *forNode, sc *scope) {
	e.line = n.line
	items := e.iterate(e.eval(n.iter, sc))
	body := newScope(sc)
	bind := func(item Value) {
		if len(n.targets) == 1 {
			body.vars[n.targets[0]] = item
			return
		}
		var parts []Value
		switch t := item.(type) {
		case *List:
			parts = t.Items
		case string:
			parts = e.iterate(t)
		default:
			e.fail("cannot unpack non-iterable %s object", typeName(item))
		}
		if len(parts) != len(n.targets) {
			e.fail("not enough values to unpack (expected %d, got %d)", len(n.targets), len(parts))
		}
		for i, t := range n.targets {
			body.vars[t] = parts[i]
		}
	}
	if n.cond != nil {
		var kept []Value
		for _, it := range items {
			e.step()
			bind(it)
			if truthy(e.eval(n.cond, body)) {
				kept = append(kept, it)
			}
		}
		items = kept
	}
	if len(items) == 0 {
		e.execNodes(n.els, sc)
		return
	}
	loop := &loopObj{items: items}
	for i, it := range items {
		e.step()
		loop.i = i
		// Each iteration has its own scope: a {% set %} in one iteration is
		// not seen by the next (nor after the loop), as in jinja2.
		body = newScope(sc)
		body.vars["loop"] = loop
		bind(it)
		if e.execNodes(n.body, body) == ctlBreak {
			break
		}
	}
}

func (e *evaluator) execSet(n *setNode, sc *scope) {
	var v Value
	if n.body != nil {
		saved := e.out
		e.out = strings.Builder{}
		e.execNodes(n.body, sc)
		v = e.out.String()
		e.out = saved
	} else {
		v = e.eval(n.value, sc)
	}
	if n.nsAttr != "" {
		target, _ := sc.get(n.targets[0])
		ns, ok := target.(*Namespace)
		if !ok {
			e.fail("cannot assign attribute on non-namespace object")
		}
		ns.d.Set(n.nsAttr, v)
		return
	}
	if len(n.targets) == 1 {
		sc.vars[n.targets[0]] = v
		return
	}
	var parts []Value
	if l, ok := v.(*List); ok {
		parts = l.Items
	} else {
		parts = e.iterate(v)
	}
	if len(parts) != len(n.targets) {
		e.fail("cannot unpack %d values into %d names", len(parts), len(n.targets))
	}
	for i, t := range n.targets {
		sc.vars[t] = parts[i]
	}
}

// ---- expressions ----

func (e *evaluator) eval(x expr, sc *scope) Value {
	switch n := x.(type) {
	case *literal:
		return n.v
	case *nameExpr:
		if v, ok := sc.get(n.name); ok {
			return v
		}
		return Undefined{Name: n.name}
	case *listExpr:
		l := &List{Items: make([]Value, len(n.items))}
		for i, it := range n.items {
			l.Items[i] = e.eval(it, sc)
		}
		return l
	case *tupleExpr:
		l := &List{Items: make([]Value, len(n.items)), Tuple: true}
		for i, it := range n.items {
			l.Items[i] = e.eval(it, sc)
		}
		return l
	case *dictExpr:
		d := NewDict()
		for i := range n.keys {
			if err := d.Set(e.eval(n.keys[i], sc), e.eval(n.vals[i], sc)); err != nil {
				e.failErr(err)
			}
		}
		return d
	case *attrExpr:
		return e.getAttr(e.eval(n.obj, sc), n.name)
	case *itemExpr:
		return e.getItem(e.eval(n.obj, sc), e.eval(n.key, sc))
	case *sliceExpr:
		return e.slice(e.eval(n.obj, sc), n, sc)
	case *callExpr:
		e.line = n.line
		fn := e.eval(n.fn, sc)
		args, kwargs := e.evalArgs(n.args, n.kwargs, sc)
		return e.call(fn, args, kwargs)
	case *filterExpr:
		e.line = n.line
		return e.applyFilter(n, e.eval(n.obj, sc), sc)
	case *testExpr:
		e.line = n.line
		r := e.applyTest(n, sc)
		if n.negate {
			return !r
		}
		return r
	case *unaryExpr:
		v := e.eval(n.x, sc)
		switch n.op {
		case "not":
			return !truthy(v)
		case "-":
			switch t := v.(type) {
			case int64:
				return -t
			case float64:
				return -t
			case bool:
				return -b2i(t)
			}
			e.undefinedOr(v, "bad operand type for unary -: '%s'", typeName(v))
		case "+":
			switch t := v.(type) {
			case int64, float64:
				return t
			case bool:
				return b2i(t)
			}
			e.undefinedOr(v, "bad operand type for unary +: '%s'", typeName(v))
		}
	case *binExpr:
		e.line = n.line
		switch n.op {
		case "and":
			l := e.eval(n.l, sc)
			if !truthy(l) {
				return l
			}
			return e.eval(n.r, sc)
		case "or":
			l := e.eval(n.l, sc)
			if truthy(l) {
				return l
			}
			return e.eval(n.r, sc)
		}
		return e.binop(n.op, e.eval(n.l, sc), e.eval(n.r, sc))
	case *compareExpr:
		e.line = n.line
		l := e.eval(n.first, sc)
		for i, op := range n.ops {
			r := e.eval(n.rest[i], sc)
			if !e.compare(op, l, r) {
				return false
			}
			l = r
		}
		return true
	case *condExpr:
		if truthy(e.eval(n.cond, sc)) {
			return e.eval(n.yes, sc)
		}
		if n.no == nil {
			return Undefined{}
		}
		return e.eval(n.no, sc)
	}
	e.fail("internal error: unknown expression %T", x)
	return nil
}

func (e *evaluator) evalArgs(args []expr, kws []kwarg, sc *scope) ([]Value, map[string]Value) {
	out := make([]Value, len(args))
	for i, a := range args {
		out[i] = e.eval(a, sc)
	}
	kw := make(map[string]Value, len(kws))
	for _, k := range kws {
		kw[k.name] = e.eval(k.v, sc)
	}
	return out, kw
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// undefinedOr fails with Jinja's UndefinedError when v is undefined, else
// with the given TypeError.
func (e *evaluator) undefinedOr(v Value, format string, args ...any) {
	if u, ok := v.(Undefined); ok {
		e.failUndefined(u)
	}
	e.fail(format, args...)
}

func (e *evaluator) failUndefined(u Undefined) {
	if u.Unsafe != "" {
		e.fail("%s", u.Unsafe)
	}
	if u.Name == "" {
		e.fail("UndefinedError: value is undefined")
	}
	e.fail("UndefinedError: '%s' is undefined", u.Name)
}

// unsafeAttr mirrors the sandbox: private names, and methods that modify
// lists and dicts (the immutable sandbox transformers uses), are refused.
var unsafeMethods = map[string]map[string]bool{
	"list": {"append": true, "extend": true, "insert": true, "pop": true, "remove": true, "clear": true,
		"sort": true, "reverse": true, "__setitem__": true},
	"dict": {"pop": true, "popitem": true, "setdefault": true, "update": true, "clear": true},
}

func (e *evaluator) getAttr(obj Value, name string) Value {
	if u, ok := obj.(Undefined); ok {
		e.failUndefined(u)
	}
	if strings.HasPrefix(name, "_") || unsafeMethods[typeName(obj)][name] {
		return Undefined{Name: name, Unsafe: fmt.Sprintf("SecurityError: access to attribute '%s' of '%s' object is unsafe.", name, typeName(obj))}
	}
	switch x := obj.(type) {
	case *Dict:
		if m := dictMethod(x, name); m != nil {
			return m
		}
		if v, ok := x.Get(name); ok {
			return v
		}
	case string:
		if m := strMethod(x, name); m != nil {
			return m
		}
	case *List:
		if m := listMethod(x, name); m != nil {
			return m
		}
	case *Namespace:
		if v, ok := x.d.Get(name); ok {
			return v
		}
	case *loopObj:
		return x.attr(e, name)
	}
	return Undefined{Name: name}
}

func (e *evaluator) getItem(obj Value, key Value) Value {
	if u, ok := obj.(Undefined); ok {
		e.failUndefined(u)
	}
	switch x := obj.(type) {
	case *Dict:
		if v, ok := x.Get(key); ok {
			return v
		}
	case *List:
		if i, ok := asIndex(key); ok {
			if i < 0 {
				i += int64(len(x.Items))
			}
			if i >= 0 && i < int64(len(x.Items)) {
				return x.Items[i]
			}
			return Undefined{}
		}
	case string:
		if i, ok := asIndex(key); ok {
			rs := []rune(x)
			if i < 0 {
				i += int64(len(rs))
			}
			if i >= 0 && i < int64(len(rs)) {
				return string(rs[i])
			}
			return Undefined{}
		}
	case *Namespace:
		if v, ok := x.d.Get(key); ok {
			return v
		}
	}
	if s, ok := key.(string); ok {
		return e.getAttr(obj, s)
	}
	return Undefined{}
}

func asIndex(v Value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		return b2i(x), true
	}
	return 0, false
}

func (e *evaluator) slice(obj Value, n *sliceExpr, sc *scope) Value {
	var items []Value
	isStr := false
	switch x := obj.(type) {
	case *List:
		items = x.Items
	case string:
		isStr = true
		items = e.iterate(x)
	case Undefined:
		e.failUndefined(x)
	default:
		e.fail("'%s' object is not subscriptable", typeName(obj))
	}
	bound := func(x expr) (int64, bool) {
		if x == nil {
			return 0, false
		}
		v := e.eval(x, sc)
		if v == nil {
			return 0, false
		}
		i, ok := asIndex(v)
		if !ok {
			e.fail("slice indices must be integers or None")
		}
		return i, true
	}
	length := int64(len(items))
	step := int64(1)
	if s, ok := bound(n.step); ok {
		if s == 0 {
			e.fail("slice step cannot be zero")
		}
		step = s
	}
	adj := func(i int64, def int64, lo, hi int64) int64 {
		if i < 0 {
			i += length
			if i < lo {
				i = lo
			}
		} else if i > hi {
			i = hi
		}
		return i
	}
	var start, stop int64
	if step > 0 {
		start, stop = 0, length
		if v, ok := bound(n.lo); ok {
			start = adj(v, 0, 0, length)
		}
		if v, ok := bound(n.hi); ok {
			stop = adj(v, length, 0, length)
		}
	} else {
		start, stop = length-1, -1
		if v, ok := bound(n.lo); ok {
			start = adj(v, length-1, -1, length-1)
		}
		if v, ok := bound(n.hi); ok {
			stop = adj(v, -1, -1, length-1)
		}
	}
	var out []Value
	for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
		out = append(out, items[i])
	}
	if isStr {
		var b strings.Builder
		for _, c := range out {
			b.WriteString(c.(string))
		}
		return b.String()
	}
	l, _ := obj.(*List)
	return &List{Items: out, Tuple: l != nil && l.Tuple}
}

// ---- operators ----

func num(v Value) (float64, int64, bool, bool) { // f, i, isInt, ok
	switch x := v.(type) {
	case int64:
		return float64(x), x, true, true
	case bool:
		return float64(b2i(x)), b2i(x), true, true
	case float64:
		return x, 0, false, true
	}
	return 0, 0, false, false
}

func (e *evaluator) binop(op string, l, r Value) Value {
	if op == "~" {
		return e.checkString(toStr(l) + toStr(r))
	}
	for _, v := range []Value{l, r} {
		if u, ok := v.(Undefined); ok {
			e.failUndefined(u)
		}
	}
	lf, li, lint, lok := num(l)
	rf, ri, rint, rok := num(r)
	if lok && rok {
		both := lint && rint
		switch op {
		case "+":
			if both {
				return li + ri
			}
			return lf + rf
		case "-":
			if both {
				return li - ri
			}
			return lf - rf
		case "*":
			if both {
				return li * ri
			}
			return lf * rf
		case "/":
			if rf == 0 {
				e.fail("ZeroDivisionError: division by zero")
			}
			return lf / rf
		case "//":
			if rf == 0 {
				e.fail("ZeroDivisionError: integer division or modulo by zero")
			}
			if both {
				q := li / ri
				if (li%ri != 0) && ((li < 0) != (ri < 0)) {
					q--
				}
				return q
			}
			return math.Floor(lf / rf)
		case "%":
			if rf == 0 {
				e.fail("ZeroDivisionError: integer division or modulo by zero")
			}
			if both {
				m := li % ri
				if m != 0 && (m < 0) != (ri < 0) {
					m += ri
				}
				return m
			}
			m := math.Mod(lf, rf)
			if m != 0 && (m < 0) != (rf < 0) {
				m += rf
			}
			return m
		case "**":
			if both && ri >= 0 {
				res := int64(1)
				for k := int64(0); k < ri; k++ {
					if res != 0 && (res > math.MaxInt64/absI(li) || res < math.MinInt64/absI(li)) {
						e.limit("an integer power too large")
					}
					res *= li
					if res == 0 || res == 1 && li == 1 {
						break
					}
				}
				return res
			}
			return math.Pow(lf, rf)
		}
	}
	switch op {
	case "+":
		switch x := l.(type) {
		case string:
			if y, ok := r.(string); ok {
				return e.checkString(x + y)
			}
			e.fail("TypeError: can only concatenate str (not \"%s\") to str", typeName(r))
		case *List:
			if y, ok := r.(*List); ok && x.Tuple == y.Tuple {
				e.checkList(len(x.Items) + len(y.Items))
				items := append(append([]Value{}, x.Items...), y.Items...)
				return &List{Items: items, Tuple: x.Tuple}
			}
		}
	case "*":
		s, n, ok := seqTimes(l, r)
		if ok {
			if n <= 0 {
				n = 0
			}
			switch x := s.(type) {
			case string:
				if int64(len(x))*n > int64(e.lim.maxString) {
					e.failErr(e.lim.stringTooLong())
				}
				return strings.Repeat(x, int(n))
			case *List:
				e.checkList(int(int64(len(x.Items)) * min(n, int64(e.lim.MaxListItems)+1)))
				var items []Value
				for k := int64(0); k < n; k++ {
					items = append(items, x.Items...)
				}
				return &List{Items: items, Tuple: x.Tuple}
			}
		}
	case "%":
		if s, ok := l.(string); ok {
			return e.checkString(e.percentFormat(s, r))
		}
	}
	e.fail("TypeError: unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
	return nil
}

func absI(x int64) int64 {
	if x < 0 {
		return -x
	}
	if x == 0 {
		return 1
	}
	return x
}

func seqTimes(l, r Value) (Value, int64, bool) {
	if n, ok := asIndex(r); ok {
		switch l.(type) {
		case string, *List:
			return l, n, true
		}
	}
	if n, ok := asIndex(l); ok {
		switch r.(type) {
		case string, *List:
			return r, n, true
		}
	}
	return nil, 0, false
}

func (e *evaluator) checkList(n int) {
	if n > e.lim.MaxListItems {
		e.limit("a list of more than %d items", e.lim.MaxListItems)
	}
}

// percentFormat is str % args for %s, %r, %d, %i, %f and %%.
func (e *evaluator) percentFormat(f string, arg Value) string {
	var args []Value
	if l, ok := arg.(*List); ok && l.Tuple {
		args = l.Items
	} else {
		args = []Value{arg}
	}
	var b strings.Builder
	k := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		c := f[i]
		if c == '%' {
			b.WriteByte('%')
			continue
		}
		if k >= len(args) {
			e.fail("TypeError: not enough arguments for format string")
		}
		a := args[k]
		k++
		switch c {
		case 's':
			b.WriteString(toStr(a))
		case 'r':
			b.WriteString(repr(a))
		case 'd', 'i':
			_, n, isInt, ok := num(a)
			if !ok {
				e.fail("TypeError: %%d format: a real number is required, not %s", typeName(a))
			}
			if !isInt {
				fv, _, _, _ := num(a)
				n = int64(fv)
			}
			fmt.Fprintf(&b, "%d", n)
		case 'f':
			fv, _, _, ok := num(a)
			if !ok {
				e.fail("TypeError: must be real number, not %s", typeName(a))
			}
			fmt.Fprintf(&b, "%f", fv)
		default:
			e.fail("unsupported format character '%c'", c)
		}
	}
	return b.String()
}

func pyEqual(a, b Value) bool {
	af, ai, aint, aok := num(a)
	bf, bi, bint, bok := num(b)
	if aok && bok {
		if aint && bint {
			return ai == bi
		}
		return af == bf
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case Undefined:
		_, ok := b.(Undefined)
		return ok
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *List:
		y, ok := b.(*List)
		if !ok || x.Tuple != y.Tuple || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !pyEqual(x.Items[i], y.Items[i]) {
				return false
			}
		}
		return true
	case *Dict:
		y, ok := b.(*Dict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !pyEqual(x.vals[i], v) {
				return false
			}
		}
		return true
	}
	return a == b
}

func less(a, b Value) (bool, error) {
	af, ai, aint, aok := num(a)
	bf, bi, bint, bok := num(b)
	if aok && bok {
		if aint && bint {
			return ai < bi, nil
		}
		return af < bf, nil
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return x < y, nil
		}
	case *List:
		if y, ok := b.(*List); ok {
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				if !pyEqual(x.Items[i], y.Items[i]) {
					return less(x.Items[i], y.Items[i])
				}
			}
			return len(x.Items) < len(y.Items), nil
		}
	}
	return false, fmt.Errorf("TypeError: '<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

func (e *evaluator) compare(op string, l, r Value) bool {
	switch op {
	case "==":
		return pyEqual(l, r)
	case "!=":
		return !pyEqual(l, r)
	case "in", "not in":
		res := e.contains(r, l)
		if op == "not in" {
			return !res
		}
		return res
	}
	for _, v := range []Value{l, r} {
		if u, ok := v.(Undefined); ok {
			e.failUndefined(u)
		}
	}
	var res bool
	var err error
	switch op {
	case "<":
		res, err = less(l, r)
	case ">":
		res, err = less(r, l)
	case "<=":
		res, err = less(r, l)
		res = !res
	case ">=":
		res, err = less(l, r)
		res = !res
	}
	if err != nil {
		e.failErr(err)
	}
	return res
}

func (e *evaluator) contains(container, item Value) bool {
	switch c := container.(type) {
	case string:
		s, ok := item.(string)
		if !ok {
			if u, ok := item.(Undefined); ok {
				e.failUndefined(u)
			}
			e.fail("TypeError: 'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(c, s)
	case *List:
		for _, x := range c.Items {
			if pyEqual(x, item) {
				return true
			}
		}
		return false
	case *Dict:
		_, ok := c.Get(item)
		return ok
	case *Namespace:
		_, ok := c.d.Get(item)
		return ok
	case Undefined:
		return false
	}
	e.fail("TypeError: argument of type '%s' is not iterable", typeName(container))
	return false
}

// ---- calls ----

type callable interface {
	callWith(e *evaluator, args []Value, kwargs map[string]Value) Value
}

type builtin func(e *evaluator, args []Value, kwargs map[string]Value) (Value, error)

func (b builtin) callWith(e *evaluator, args []Value, kwargs map[string]Value) Value {
	v, err := b(e, args, kwargs)
	if err != nil {
		e.failErr(err)
	}
	return v
}

type macro struct {
	node    *macroNode
	closure *scope
}

func (m *macro) callWith(e *evaluator, args []Value, kwargs map[string]Value) Value {
	e.depth++
	defer func() { e.depth-- }()
	if e.depth > e.lim.MaxCallDepth {
		e.limit("macro calls nested deeper than %d", e.lim.MaxCallDepth)
	}
	sc := newScope(m.closure)
	n := m.node
	var varargs []Value
	for i, p := range n.params {
		switch {
		case i < len(args):
			sc.vars[p] = args[i]
		default:
			if v, ok := kwargs[p]; ok {
				sc.vars[p] = v
				delete(kwargs, p)
			} else if n.defaults[i] != nil {
				sc.vars[p] = e.eval(n.defaults[i], sc)
			} else {
				sc.vars[p] = Undefined{Name: p}
			}
		}
	}
	if len(args) > len(n.params) {
		varargs = args[len(n.params):]
	}
	sc.vars["varargs"] = &List{Items: varargs, Tuple: true}
	kw := NewDict()
	for k, v := range kwargs {
		if k == "caller" {
			sc.vars["caller"] = v
			continue
		}
		kw.Set(k, v)
	}
	sc.vars["kwargs"] = kw
	saved := e.out
	e.out = strings.Builder{}
	e.execNodes(n.body, sc)
	res := e.out.String()
	e.out = saved
	return res
}

func (e *evaluator) call(fn Value, args []Value, kwargs map[string]Value) Value {
	e.step()
	switch f := fn.(type) {
	case callable:
		return f.callWith(e, args, kwargs)
	case Undefined:
		e.failUndefined(f)
	}
	e.fail("TypeError: '%s' object is not callable", typeName(fn))
	return nil
}

// ---- loop ----

type loopObj struct {
	items []Value
	i     int
	last  []Value // changed()
}

func (l *loopObj) attr(e *evaluator, name string) Value {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.i + 1)
	case "index0":
		return int64(l.i)
	case "revindex":
		return int64(n - l.i)
	case "revindex0":
		return int64(n - l.i - 1)
	case "first":
		return l.i == 0
	case "last":
		return l.i == n-1
	case "length":
		return int64(n)
	case "depth":
		return int64(1)
	case "depth0":
		return int64(0)
	case "previtem":
		if l.i > 0 {
			return l.items[l.i-1]
		}
		return Undefined{Name: "previtem"}
	case "nextitem":
		if l.i < n-1 {
			return l.items[l.i+1]
		}
		return Undefined{Name: "nextitem"}
	case "cycle":
		return builtin(func(_ *evaluator, args []Value, _ map[string]Value) (Value, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("no items for cycling given")
			}
			return args[l.i%len(args)], nil
		})
	case "changed":
		return builtin(func(_ *evaluator, args []Value, _ map[string]Value) (Value, error) {
			cur := &List{Items: args}
			if l.last != nil && pyEqual(&List{Items: l.last}, cur) {
				return false, nil
			}
			l.last = args
			return true, nil
		})
	}
	return Undefined{Name: name}
}
