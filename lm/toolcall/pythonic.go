// Ported from mlx_lm/tool_parsers/pythonic.py
// Upstream: mlx-lm 0.32.2
// Blob: dbb7000a194e0329df899d8953cf3516d7ccbc9d

package toolcall

import "strings"

var (
	pyCallRe = re(`(?s)\[([\w.]+)\((.*?)\)\]`)
	pyArgsRe = re(`(?s)(\w+)=(?:"([^"]*)"|'([^']*)'|([^,]+))(?:,\s*|\n?\z)`)
	// _JSONLiterals: chat templates render nested containers as JSON.
	jsonLiterals = map[string]any{"true": true, "false": false, "null": nil}
)

func init() {
	register(Parser{Name: "pythonic", Start: "<|tool_call_start|>", End: "<|tool_call_end|>", Parse: parsePythonic})
}

func functionName(n *pyNode) (string, bool) {
	switch n.kind {
	case "name":
		return n.name, true
	case "attr":
		if parent, ok := functionName(n.fn); ok {
			return parent + "." + n.name, true
		}
		return n.name, true
	}
	return "", false
}

// pythonicCalls is _parse_pythonic_tool_call; ok false is None.
func pythonicCalls(text string) ([]*Dict, bool, error) {
	start, end := strings.Index(text, "["), strings.LastIndex(text, "]")
	if start == -1 || end <= start {
		return nil, false, nil
	}
	n, err := parsePython(text[start : end+1])
	if err != nil {
		return nil, false, valueErr("%v", err)
	}
	if n.kind != "list" || len(n.elts) == 0 {
		return nil, false, nil
	}
	var calls []*Dict
	for _, e := range n.elts {
		if e.kind != "call" || e.nargs > 0 {
			return nil, false, nil
		}
		name, ok := functionName(e.fn)
		if !ok {
			return nil, false, nil
		}
		args := &Dict{}
		for _, kw := range e.kws {
			if kw.arg == "" {
				return nil, false, nil
			}
			v, err := evalLiteral(kw.value, jsonLiterals)
			if err != nil {
				return nil, false, err
			}
			args.Set(kw.arg, v)
		}
		calls = append(calls, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{name, args}})
	}
	return calls, true, nil
}

func parsePythonic(text string, _ []any) ([]*Dict, error) {
	calls, ok, err := pythonicCalls(text)
	if err != nil && !isValueErr(err) {
		return nil, err
	}
	if err == nil && ok {
		return calls, nil
	}
	m := pyCallRe.FindStringSubmatch(text)
	if m == nil {
		return nil, valueErr("No function provided.")
	}
	args := &Dict{}
	argText := m[2]
	for _, a := range pyArgsRe.FindAllStringSubmatchIndex(argText, -1) {
		key := strip(argText[a[2]:a[3]])
		var value string
		switch {
		case a[8] >= 0: // bare
			value = strip(argText[a[8]:a[9]])
		case a[4] >= 0:
			value = argText[a[4]:a[5]]
		default:
			value = argText[a[6]:a[7]]
		}
		if v, err := LiteralEval(value); err == nil {
			args.Set(key, v)
		} else if isValueErr(err) {
			args.Set(key, value)
		} else {
			return nil, err
		}
	}
	return []*Dict{{Keys: []any{"name", "arguments"}, Vals: []any{m[1], args}}}, nil
}
