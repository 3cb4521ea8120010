package py

import (
	"strings"
	"testing"
)

// TestTry checks py.Try against what Python's try/except does: the exception
// of a named class or a subclass is caught and returned, a Go index out of
// range (generated list/str indexing) is Python's IndexError, anything else
// propagates unchanged, and the body's flow comes back when it does not raise.
func TestTry(t *testing.T) {
	parts := strings.Split("model.embed", "layers.")
	cases := []struct {
		name    string
		body    func() Flow
		classes []string
		flow    Flow
		caught  string // the caught exception's kind; "" none
		panics  bool
	}{
		{"no exception", func() Flow { return FlowContinue }, []string{"ValueError"}, FlowContinue, "", false},
		{"ValueError caught", func() Flow { ParseInt("x"); return FlowNext }, []string{"IndexError", "ValueError"}, FlowNext, "ValueError", false},
		{"index out of range is IndexError", func() Flow { _ = parts[1]; return FlowNext }, []string{"IndexError"}, FlowNext, "IndexError", false},
		{"LookupError catches IndexError", func() Flow { _ = parts[1]; return FlowNext }, []string{"LookupError"}, FlowNext, "IndexError", false},
		{"Exception catches ValueError", func() Flow { Index([]string{"a"}, "b"); return FlowNext }, []string{"Exception"}, FlowNext, "ValueError", false},
		{"KeyError is not caught by ValueError", func() Flow { Raise("KeyError", "k"); return FlowNext }, []string{"ValueError"}, 0, "", true},
		{"nil dereference is not Python's", func() Flow { var p *int; _ = *p; return FlowNext }, []string{"Exception"}, 0, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			defer func() {
				if r := recover(); (r != nil) != c.panics {
					t.Fatalf("panic %v, want panic %v", r, c.panics)
				}
			}()
			flow, exc := Try(c.body, c.classes...)
			if flow != c.flow {
				t.Errorf("flow %d, want %d", flow, c.flow)
			}
			got := ""
			if exc != nil {
				got = exc.Kind
			}
			if got != c.caught {
				t.Errorf("caught %q, want %q", got, c.caught)
			}
		})
	}
}
