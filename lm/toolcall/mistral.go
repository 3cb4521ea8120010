// Ported from mlx_lm/tool_parsers/mistral.py
// Upstream: mlx-lm 0.32.2
// Blob: 8cff51acd7aa63f7f009d98f42f748e3d7966ffb

package toolcall

var mistralHeader = re(`([\w-]+)\s*\[ARGS\]\s*`)

func init() {
	register(Parser{Name: "mistral", Start: "[TOOL_CALLS]", End: "", Parse: parseMistral})
}

func mistralJSONCalls(text string) ([]*Dict, error) {
	payload, err := Loads(text, true)
	if err != nil {
		return nil, nil
	}
	list, ok := payload.([]any)
	if !ok {
		return nil, nil
	}
	var calls []*Dict
	for _, c := range list {
		var name, arguments any
		cd, isDict := c.(*Dict)
		if isDict {
			name, _ = cd.Get("name")
			if a, ok := cd.Get("arguments"); ok {
				arguments = a
			} else {
				arguments = &Dict{}
			}
		}
		if s, ok := arguments.(string); ok {
			if v, err := Loads(s, true); err == nil {
				arguments = v
			} else {
				arguments = nil
			}
		}
		ns, nameOK := name.(string)
		ad, argsOK := arguments.(*Dict)
		if !nameOK || !argsOK {
			return nil, valueErr("Could not parse tool call from: %s", text)
		}
		parsed := &Dict{Keys: []any{"name", "arguments"}, Vals: []any{ns, ad}}
		if id, ok := cd.Get("id"); ok {
			if s, ok := id.(string); ok {
				parsed.Set("id", s)
			}
		}
		calls = append(calls, parsed)
	}
	return calls, nil
}

func mistralHeaderCalls(text string) ([]*Dict, error) {
	var calls []*Dict
	pos := 0
	for {
		m := mistralHeader.FindStringSubmatchIndex(text[pos:])
		if m == nil {
			return calls, nil
		}
		name := text[pos+m[2] : pos+m[3]]
		pos += m[1]
		args, end, err := RawDecode(text, pos)
		if err != nil {
			return nil, valueErr("Could not parse tool call from: %s", text)
		}
		pos = end
		calls = append(calls, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{name, args}})
	}
}

func parseMistral(text string, _ []any) ([]*Dict, error) {
	calls, err := mistralJSONCalls(text)
	if err != nil {
		return nil, err
	}
	if len(calls) == 0 {
		if calls, err = mistralHeaderCalls(text); err != nil {
			return nil, err
		}
	}
	if len(calls) == 0 {
		return nil, valueErr("Could not parse tool call from: %s", text)
	}
	return calls, nil
}
