package syntax

import (
	"sort"

	sitter "github.com/tree-sitter/go-tree-sitter"
)

// A try statement of the forms mlx-lm's files use,
//
//	try:
//	    body
//	except (IndexError, ValueError):   # or: except ValueError:
//	    handler
//
// is represented as the If
//
//	if <TryOK{IndexError, ValueError}>:   # body ran to its end without raising one of them
//	    body
//	else:
//	    handler
//
// because that is what every analysis of the later phases needs to know of
// it: either the body runs (to its end, or to a return/break/continue), or a
// prefix of it runs and then the handler. Names the body assigns are
// possibly unassigned after it, as after an if; types join over both. Only
// the lowering looks at the condition: it runs the body through py.Try,
// which returns the caught exception (generator/lower/lower_try.go).
//
// Refused, with a diagnostic: a bare `except:` (it would also catch
// BaseException: KeyboardInterrupt, SystemExit), `except E as name`, more
// than one except clause, else and finally clauses, and a handler that reads
// a name the body assigns (after a partial run of the body such a name may
// hold a value of the body's type, which the if form would not see).

// TryOK is the condition of the If a try statement becomes: true when the
// If's body ran without raising an exception of one of Kinds (builtin
// exception class names, sorted).
type TryOK struct {
	At
	Kinds []string
}

func (*TryOK) expr() {}

// exceptionClasses are the builtin exception classes an except clause may
// name (those a translated body can raise, and their bases).
var exceptionClasses = map[string]bool{
	"Exception": true, "ArithmeticError": true, "LookupError": true, "IndexError": true, "KeyError": true,
	"ValueError": true, "TypeError": true, "AttributeError": true, "ZeroDivisionError": true,
	"OverflowError": true, "RuntimeError": true, "NotImplementedError": true, "AssertionError": true,
	"StopIteration": true, "UnicodeError": true,
}

func (c *converter) tryStmt(n *sitter.Node) Stmt {
	s := &If{At: c.at(n), Body: c.block(n.ChildByFieldName("body"))}
	var clauses []*sitter.Node
	for _, ch := range named(n) {
		switch ch.Kind() {
		case "except_clause":
			clauses = append(clauses, ch)
		case "else_clause":
			c.fail(ch, "try-else", "not supported by the translator")
			return nil
		case "finally_clause":
			c.fail(ch, "try-finally", "not supported by the translator")
			return nil
		case "except_group_clause":
			c.fail(ch, "except*", "not supported by the translator")
			return nil
		}
	}
	if len(clauses) != 1 {
		c.fail(n, "try statement", "only one except clause is supported")
		return nil
	}
	cl := clauses[0]
	val := cl.ChildByFieldName("value")
	if val == nil {
		c.fail(cl, "bare except", "it also catches BaseException (KeyboardInterrupt, SystemExit); name the exceptions")
		return nil
	}
	var names []*sitter.Node
	switch val.Kind() {
	case "identifier":
		names = []*sitter.Node{val}
	case "tuple", "parenthesized_expression":
		names = named(val)
	case "as_pattern":
		c.fail(val, "except ... as", "binding the exception is not supported")
		return nil
	default:
		c.fail(val, "except clause", "the exceptions must be builtin exception class names")
		return nil
	}
	cond := &TryOK{At: c.at(cl)}
	for _, nm := range names {
		if nm.Kind() != "identifier" || !exceptionClasses[c.text(nm)] {
			c.fail(nm, "except clause", c.text(nm)+" is not a builtin exception class the translator knows")
			return nil
		}
		cond.Kinds = append(cond.Kinds, c.text(nm))
	}
	sort.Strings(cond.Kinds)
	s.Cond = cond
	var body *sitter.Node
	for _, ch := range named(cl) {
		if ch.Kind() == "block" {
			body = ch
		}
	}
	s.Else = c.block(body)
	if len(s.Else) == 0 {
		// A handler of only `pass` (the block converts to nothing).
		s.Else = nil
	}
	assigned := AssignedNames(s.Body)
	forTargets(s.Body, assigned)
	// Names the handler only assigns are fine (try: y = f() except: y = 0).
	stores := map[*Name]bool{}
	for _, st := range s.Else {
		if a, ok := st.(*Assign); ok {
			for _, tg := range a.Targets {
				if nm, ok := tg.(*Name); ok {
					stores[nm] = true
				}
			}
		}
	}
	var bad *Name
	WalkExprs(s.Else, func(e Expr) {
		if nm, ok := e.(*Name); ok && assigned[nm.Id] && !stores[nm] && bad == nil {
			bad = nm
		}
	})
	if bad != nil {
		c.diags = append(c.diags, Diagnostic{File: c.path, Pos: bad.P, Construct: "try statement",
			Why: "the handler reads " + bad.Id + ", which the try body assigns"})
		return nil
	}
	return s
}

// forTargets adds the names bound by the for-loop headers of body.
func forTargets(body []Stmt, out map[string]bool) {
	for _, s := range body {
		switch x := s.(type) {
		case *For:
			WalkExprs([]Stmt{&ExprStmt{X: x.Target}}, func(e Expr) {
				if nm, ok := e.(*Name); ok {
					out[nm.Id] = true
				}
			})
			forTargets(x.Body, out)
		case *If:
			forTargets(x.Body, out)
			forTargets(x.Else, out)
		case *While:
			forTargets(x.Body, out)
		}
	}
}
