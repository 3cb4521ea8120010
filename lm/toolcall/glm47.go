// Ported from mlx_lm/tool_parsers/glm47.py
// Upstream: mlx-lm 0.32.2
// Blob: faef3b1e01430b214202da11c009fd98bb55b79a

package toolcall

import "strings"

var (
	glmFuncName = re(`(?s)^(.*?)<arg_key>`)
	glmFuncArg  = re(`(?s)<arg_key>(.*?)</arg_key>(?:\\n|\s)*<arg_value>(.*?)</arg_value>`)
)

func init() {
	register(Parser{Name: "glm47", Start: "<tool_call>", End: "</tool_call>", Parse: parseGLM47})
}

func call(name string, args any) []*Dict {
	return []*Dict{{Keys: []any{"name", "arguments"}, Vals: []any{name, args}}}
}

// stringArgNames is _get_string_arg_names.
func stringArgNames(tool string, tools []any) map[string]bool {
	out := map[string]bool{}
	for _, t := range tools {
		fn := asMap(asMap(t)["function"])
		if !pyTruthy(fn) || fn["name"] != tool {
			continue
		}
		params := asMap(fn["parameters"])
		props := asMap(params["properties"])
		for name, schema := range props {
			if asMap(schema)["type"] == "string" {
				out[name] = true
			}
		}
		return out
	}
	return out
}

func normalizeArguments(args *Dict, stringArgs map[string]bool) (*Dict, error) {
	out := &Dict{}
	for i, k := range args.Keys {
		v := args.Vals[i]
		ks, _ := k.(string)
		if stringArgs[ks] {
			out.Set(k, pyStr(v))
			continue
		}
		if s, ok := v.(string); ok {
			d, err := deserialize(s)
			if err != nil {
				return nil, err
			}
			out.Set(k, d)
		} else {
			out.Set(k, v)
		}
	}
	return out, nil
}

// glmJSON is _parse_json_tool_call (nil: None).
func glmJSON(text string, tools []any) ([]*Dict, error) {
	parsed, err := Loads(strip(text), true)
	if err != nil {
		return nil, nil
	}
	if l, ok := parsed.([]any); ok && len(l) > 0 {
		if d, ok := l[0].(*Dict); ok {
			parsed = d
		}
	}
	d, ok := parsed.(*Dict)
	if !ok {
		return nil, nil
	}
	var name, arguments any
	_, hasName := d.Get("name")
	_, hasArgs := d.Get("arguments")
	_, hasFn := d.Get("function")
	tool, _ := d.Get("tool")
	switch {
	case hasName && hasArgs:
		name, _ = d.Get("name")
		arguments, _ = d.Get("arguments")
	case hasFn && hasArgs:
		name, _ = d.Get("function")
		arguments, _ = d.Get("arguments")
	default:
		if td, ok := tool.(*Dict); ok {
			name, _ = td.Get("name")
			arguments, _ = td.Get("arguments")
		}
	}
	if nd, ok := name.(*Dict); ok {
		if !truthy(arguments) {
			arguments, _ = nd.Get("arguments")
		}
		name, _ = nd.Get("name")
	}
	if s, ok := arguments.(string); ok {
		if arguments, err = deserialize(s); err != nil {
			return nil, err
		}
	}
	ns, ok := name.(string)
	if !ok {
		return nil, nil
	}
	if arguments == nil {
		return call(ns, &Dict{}), nil
	}
	if ad, ok := arguments.(*Dict); ok {
		n, err := normalizeArguments(ad, stringArgNames(ns, tools))
		if err != nil {
			return nil, err
		}
		return call(ns, n), nil
	}
	return nil, nil
}

// glmKeyValues is _parse_key_value_pairs (nil: None).
func glmKeyValues(text string, stringArgs map[string]bool) (*Dict, error) {
	if !strings.Contains(text, "=") {
		return nil, nil
	}
	toks, err := shlexSplit(text)
	if err != nil || len(toks) == 0 {
		return nil, nil
	}
	args := &Dict{}
	for _, t := range toks {
		key, value, ok := strings.Cut(t, "=")
		if !ok {
			return nil, nil
		}
		key = strip(key)
		if key == "" {
			return nil, nil
		}
		if stringArgs[key] {
			args.Set(key, value)
		} else {
			v, err := deserialize(value)
			if err != nil {
				return nil, err
			}
			args.Set(key, v)
		}
	}
	return args, nil
}

// glmPlain is _parse_plain_text_tool_call (nil: None).
func glmPlain(text string, tools []any) ([]*Dict, error) {
	stripped := strip(text)
	if stripped == "" {
		return nil, nil
	}
	if first, rest, ok := strings.Cut(stripped, "\n"); ok {
		name, rest := strip(first), strip(rest)
		if name != "" && rest != "" {
			v, err := deserialize(rest)
			if err != nil {
				return nil, err
			}
			if d, ok := v.(*Dict); ok {
				n, err := normalizeArguments(d, stringArgNames(name, tools))
				if err != nil {
					return nil, err
				}
				return call(name, n), nil
			}
		}
	}
	name, rest, _ := strings.Cut(stripped, " ")
	if name == "" {
		return nil, nil
	}
	rest = strip(rest)
	if rest == "" {
		return call(name, &Dict{}), nil
	}
	sa := stringArgNames(name, tools)
	v, err := deserialize(rest)
	if err != nil {
		return nil, err
	}
	if d, ok := v.(*Dict); ok {
		n, err := normalizeArguments(d, sa)
		if err != nil {
			return nil, err
		}
		return call(name, n), nil
	}
	kv, err := glmKeyValues(rest, sa)
	if err != nil {
		return nil, err
	}
	if kv != nil {
		return call(name, kv), nil
	}
	return call(name, &Dict{Keys: []any{"raw"}, Vals: []any{rest}}), nil
}

func parseGLM47(text string, tools []any) ([]*Dict, error) {
	m := glmFuncName.FindStringSubmatch(text)
	if m == nil {
		if c, err := glmJSON(text, tools); c != nil || err != nil {
			return c, err
		}
		if c, err := glmPlain(text, tools); c != nil || err != nil {
			return c, err
		}
		return call("unknown", &Dict{Keys: []any{"raw"}, Vals: []any{strip(text)}}), nil
	}
	name := strip(m[1])
	sa := stringArgNames(name, tools)
	args := &Dict{}
	for _, a := range glmFuncArg.FindAllStringSubmatch(text, -1) {
		key, val := strip(a[1]), strip(a[2])
		if sa[key] {
			args.Set(key, val)
			continue
		}
		v, err := deserialize(val)
		if err != nil {
			return nil, err
		}
		args.Set(key, v)
	}
	return call(name, args), nil
}
