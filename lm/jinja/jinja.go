// Package jinja renders Jinja templates the way transformers renders chat
// templates: jinja2's ImmutableSandboxedEnvironment with trim_blocks,
// lstrip_blocks and the loopcontrols extension, its own tojson filter
// (json.dumps with ensure_ascii=False), raise_exception and strftime_now,
// and Python's semantics for values (str(), repr(), truthiness, slicing,
// integer and float arithmetic, insertion-ordered dicts).
//
// Rendering is sandboxed: there is no template loader ({% include %},
// {% import %}, {% extends %} are refused), attributes that start with "_"
// and methods that modify lists or dicts are refused as the immutable
// sandbox refuses them, no host object is reachable, and every render is
// bounded (Limits): macro recursion depth, evaluation steps, range() and
// list sizes, string and output size and wall-clock time. A template that
// recurses or loops forever ends in an error, never in a Go fatal error.
package jinja

import (
	"context"
	"fmt"
	"time"
)

// Limits bound one render. Zero fields take the defaults.
type Limits struct {
	MaxOutput    int           // bytes of output (default 16 MiB)
	MaxString    int           // bytes of any string value (default MaxOutput)
	MaxSteps     int64         // loop iterations, calls and output nodes (default 10 million)
	MaxRange     int           // items of one range() (default 100000, Jinja's MAX_RANGE)
	MaxListItems int           // items of a list built by * or + (default 1 million)
	MaxCallDepth int           // nested macro calls (default 100)
	Timeout      time.Duration // wall-clock time (default 5 s)

	maxString int
}

// DefaultLimits are the bounds used when none are given.
var DefaultLimits = Limits{MaxOutput: 16 << 20, MaxSteps: 10_000_000, MaxRange: 100_000,
	MaxListItems: 1_000_000, MaxCallDepth: 100, Timeout: 5 * time.Second}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	if l.MaxOutput > 0 {
		d.MaxOutput = l.MaxOutput
	}
	d.MaxString = d.MaxOutput
	if l.MaxString > 0 {
		d.MaxString = l.MaxString
	}
	if l.MaxSteps > 0 {
		d.MaxSteps = l.MaxSteps
	}
	if l.MaxRange > 0 {
		d.MaxRange = l.MaxRange
	}
	if l.MaxListItems > 0 {
		d.MaxListItems = l.MaxListItems
	}
	if l.MaxCallDepth > 0 {
		d.MaxCallDepth = l.MaxCallDepth
	}
	if l.Timeout > 0 {
		d.Timeout = l.Timeout
	}
	d.maxString = d.MaxString
	return d
}

// MaxSource is the largest template source Compile accepts.
const MaxSource = 1 << 20

// Template is a compiled template; it is immutable and safe for concurrent
// renders.
type Template struct {
	nodes []node
}

// Compile parses a template.
func Compile(src string) (*Template, error) {
	if len(src) > MaxSource {
		return nil, &SyntaxError{Line: 1, Msg: fmt.Sprintf("template is %d bytes (at most %d are accepted)", len(src), MaxSource)}
	}
	nodes, err := parse(src)
	if err != nil {
		return nil, err
	}
	return &Template{nodes: nodes}, nil
}

// Render renders with vars (converted with FromGo) under the given limits.
// Callables are passed as Func values.
func (t *Template) Render(ctx context.Context, vars map[string]any, lim Limits) (out string, err error) {
	l := &limits{Limits: lim.withDefaults(), ctx: ctx}
	l.deadline = time.Now().Add(l.Timeout)
	e := &evaluator{lim: l}
	sc := newScope(nil)
	for k, v := range e.globals() {
		sc.vars[k] = v
	}
	for k, v := range vars {
		if f, ok := v.(Func); ok {
			sc.vars[k] = builtin(func(_ *evaluator, args []Value, kw map[string]Value) (Value, error) { return f(args, kw) })
			continue
		}
		c, err := FromGo(v)
		if err != nil {
			return "", fmt.Errorf("variable %s: %w", k, err)
		}
		sc.vars[k] = c
	}
	top := newScope(sc)
	defer func() {
		if r := recover(); r != nil {
			rp, ok := r.(renderPanic)
			if !ok {
				err = &Error{Line: e.line, Msg: fmt.Sprintf("internal error: %v", r)}
				return
			}
			err = rp.err
		}
	}()
	e.execNodes(t.nodes, top)
	return e.out.String(), nil
}

// Func is a host function callable from a template (raise_exception,
// strftime_now). It sees only template values.
type Func func(args []Value, kwargs map[string]Value) (Value, error)
