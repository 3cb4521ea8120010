package py

import (
	"runtime"
	"strings"
)

// Try statements. Generated code raises a Python exception by panicking
// with a *Error (Raise); a try/except in the Python becomes
//
//	if flow, exc := py.Try(func() py.Flow { ...body...; return py.FlowNext }, "IndexError", "ValueError"); exc != nil {
//	    ...handler...
//	} else if flow == py.FlowContinue {
//	    continue
//	}
//
// Try runs the body and returns the exception it raised when the except
// clause names its class or a base class of it (Python's isinstance test on
// the builtin hierarchy), as a Go error value the caller handles; any other
// panic continues up, as the uncaught exception does in Python. The body is
// a closure, so a return, break or continue of the try body that leaves it
// is returned as a Flow and carried out by the caller.

// Flow is how a try body's closure ended.
type Flow int

const (
	// FlowNext: the body ran to its end.
	FlowNext Flow = iota
	// FlowBreak: a break of the loop around the try statement.
	FlowBreak
	// FlowContinue: a continue of the loop around the try statement.
	FlowContinue
	// FlowReturn: a return of the function; the closure stored the results.
	FlowReturn
)

// exceptionBase is the builtin exception hierarchy (the classes generated
// code raises, and their bases up to Exception).
var exceptionBase = map[string]string{
	"IndexError":          "LookupError",
	"KeyError":            "LookupError",
	"LookupError":         "Exception",
	"ZeroDivisionError":   "ArithmeticError",
	"OverflowError":       "ArithmeticError",
	"ArithmeticError":     "Exception",
	"UnicodeError":        "ValueError",
	"ValueError":          "Exception",
	"NotImplementedError": "RuntimeError",
	"RuntimeError":        "Exception",
	"TypeError":           "Exception",
	"AttributeError":      "Exception",
	"AssertionError":      "Exception",
	"StopIteration":       "Exception",
}

// IsInstance reports whether exception kind is class or derives from it.
func (e *Error) IsInstance(class string) bool {
	for k := e.Kind; k != ""; k = exceptionBase[k] {
		if k == class {
			return true
		}
	}
	// A class the table does not know derives from Exception.
	return class == "Exception"
}

// Try runs body; see the comment above. classes are the except clause's
// exception classes.
func Try(body func() Flow, classes ...string) (flow Flow, exc *Error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		e := asPython(r)
		if e == nil {
			panic(r)
		}
		for _, c := range classes {
			if e.IsInstance(c) {
				flow, exc = FlowNext, e
				return
			}
		}
		panic(r)
	}()
	return body(), nil
}

// asPython is the Python exception a panic of generated code stands for:
// a *Error, or a Go index out of range, which generated code hits exactly
// where Python's list, tuple or str indexing raises IndexError (they are
// Go slice and string indexing). Other runtime errors are translator bugs,
// not Python exceptions, and are never caught.
func asPython(r any) *Error {
	switch v := r.(type) {
	case *Error:
		return v
	case runtime.Error:
		if msg := v.Error(); strings.HasPrefix(msg, "runtime error: index out of range") {
			return &Error{Kind: "IndexError", Msg: strings.TrimPrefix(msg, "runtime error: ")}
		}
	}
	return nil
}
