// Package toolcall parses tool calls out of model output the way mlx-lm
// 0.32.2's tool_parsers/ do, one file per upstream parser, and formats them
// as OpenAI tool_calls the way server.py's ToolCallFormatter does.
//
// The parsers return Python values (see pyjson.go) rather than Go maps so
// that the "arguments" string is exactly what Python's json.dumps writes:
// key order, float repr and escapes included. Parity with the Python
// parsers is tested on shared inputs (parity_test.go).
package toolcall

import (
	"errors"
	"fmt"
	"sort"
)

// Parser is one module of tool_parsers/.
type Parser struct {
	Name string
	// Start and End are tool_call_start and tool_call_end: the text
	// markers the server's state machine strips around a call.
	Start, End string
	// Parse is parse_tool_call(text, tools): one call or several, each a
	// dict with "name" and "arguments" (and possibly "id").
	Parse func(text string, tools []any) ([]*Dict, error)
}

// ErrValue marks the errors Python raises as ValueError (or
// json.JSONDecodeError): the server skips such a call with a warning.
var ErrValue = errors.New("ValueError")

func valueErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrValue, fmt.Sprintf(format, args...))
}

var parsers = map[string]Parser{}

func register(p Parser) { parsers[p.Name] = p }

// Lookup finds a parser by its tool_parser_type name.
func Lookup(name string) (Parser, bool) {
	p, ok := parsers[name]
	return p, ok
}

// Names lists the parsers, sorted.
func Names() []string {
	var out []string
	for k := range parsers {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// one wraps a single parsed dict as Python's `if not isinstance(parsed,
// list): parsed = [parsed]` would, and checks that lists hold dicts.
func one(v any) ([]*Dict, error) {
	switch x := v.(type) {
	case *Dict:
		return []*Dict{x}, nil
	case []any:
		out := make([]*Dict, 0, len(x))
		for _, e := range x {
			d, ok := e.(*Dict)
			if !ok {
				return nil, fmt.Errorf("TypeError: a tool call is %s, not a dict", pyTypeName(e))
			}
			out = append(out, d)
		}
		return out, nil
	}
	return nil, fmt.Errorf("TypeError: a tool call is %s, not a dict", pyTypeName(v))
}

func pyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case Int:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case []any:
		return "list"
	case *Dict:
		return "dict"
	case Tuple:
		return "tuple"
	}
	return fmt.Sprintf("%T", v)
}

// Call is one formatted tool call.
type Call struct {
	ID string
	// Function is the parsed dict with "arguments" replaced by its JSON
	// text (json.dumps(..., ensure_ascii=False)), "id" removed.
	Function *Dict
}

// Format is ToolCallFormatter._format without the id and index: the id
// (the model's, when the parser found one) and the function object.
func Format(d *Dict) (Call, error) {
	f := &Dict{Keys: append([]any(nil), d.Keys...), Vals: append([]any(nil), d.Vals...)}
	var id string
	if v, ok := f.Delete("id"); ok {
		if s, ok := v.(string); ok {
			id = s
		} else if v != nil {
			// tc.pop("id", None) or uuid4(): a truthy non-string id is kept
			// by Python; a falsy one (0, "") falls back to a fresh id.
			if t, err := Dumps(v); err == nil && truthy(v) {
				id = t
			}
		}
	}
	args, ok := f.Get("arguments")
	if !ok {
		return Call{}, errors.New("KeyError: 'arguments'")
	}
	s, err := Dumps(args)
	if err != nil {
		return Call{}, fmt.Errorf("TypeError: %w", err)
	}
	f.Set("arguments", s)
	return Call{ID: id, Function: f}, nil
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case Int:
		return x.Sign() != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case *Dict:
		return len(x.Keys) > 0
	}
	return true
}
