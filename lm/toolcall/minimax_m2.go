// Ported from mlx_lm/tool_parsers/minimax_m2.py
// Upstream: mlx-lm 0.32.2
// Blob: ea231013b525768780c18395c398ec24858a12f0

package toolcall

import (
	"encoding/json"
	"strings"
)

var (
	mmInvoke    = re(`(?s)<invoke name=(.*?)</invoke>`)
	mmParameter = re(`(?s)<parameter name=(.*?)</parameter>`)
	mmName      = re(`^([^>]+)`)
	mmParam     = re(`(?s)^([^>]+)>(.*)`)
)

func init() {
	register(Parser{Name: "minimax_m2", Start: "<minimax:tool_call>", End: "</minimax:tool_call>", Parse: parseMinimaxM2})
}

// extractName is _extract_name.
func extractName(s string) string {
	s = strip(s)
	if len(s) >= 2 && (s[0] == '"' && s[len(s)-1] == '"' || s[0] == '\'' && s[len(s)-1] == '\'') {
		return s[1 : len(s)-1]
	}
	// Python tests startswith and endswith, so a lone quote strips to "".
	if s == `"` || s == "'" {
		return ""
	}
	return s
}

// schemaTypes is _extract_types_from_schema, as a set.
func schemaTypes(schema any) map[string]bool {
	m, ok := schema.(map[string]any)
	if !ok {
		return map[string]bool{"string": true}
	}
	types := map[string]bool{}
	switch t := m["type"].(type) {
	case string:
		types[t] = true
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				types[s] = true
			}
		}
	}
	if enum, ok := m["enum"].([]any); ok && len(enum) > 0 {
		for _, v := range enum {
			switch x := v.(type) {
			case nil:
				types["null"] = true
			case bool:
				types["boolean"] = true
			case json.Number:
				if isIntNumber(x) {
					types["integer"] = true
				} else {
					types["number"] = true
				}
			case string:
				types["string"] = true
			case []any:
				types["array"] = true
			case map[string]any:
				types["object"] = true
			}
		}
	}
	for _, f := range []string{"anyOf", "oneOf", "allOf"} {
		if l, ok := m[f].([]any); ok {
			for _, c := range l {
				for k := range schemaTypes(c) {
					types[k] = true
				}
			}
		}
	}
	if len(types) == 0 {
		return map[string]bool{"string": true}
	}
	return types
}

func isIntNumber(n json.Number) bool { return !strings.ContainsAny(string(n), ".eE") }

// convertWithTypes is _convert_param_value_with_types.
func convertWithTypes(value string, types map[string]bool) (any, error) {
	low := strings.ToLower(value)
	if low == "null" {
		return nil, nil
	}
	norm := map[string]bool{}
	for t := range types {
		norm[strings.ToLower(t)] = true
	}
	if norm["null"] && (low == "null" || low == "none" || low == "nil") {
		return nil, nil
	}
	for _, pt := range []string{"integer", "int", "number", "float", "boolean", "bool", "object", "array", "string", "str", "text"} {
		if !norm[pt] {
			continue
		}
		switch pt {
		case "string", "str", "text":
			return value, nil
		case "integer", "int":
			if n, err := pyInt(value); err == nil {
				return n, nil
			}
		case "number", "float":
			f, err := pyFloat(value)
			if err != nil {
				continue
			}
			n, err := intOfFloat(f)
			if err != nil {
				if isValueErr(err) {
					continue
				}
				return nil, err
			}
			if !floatIsIntegral(f) {
				return f, nil
			}
			return n, nil
		case "boolean", "bool":
			switch strip(low) {
			case "true", "1", "yes", "on":
				return true, nil
			case "false", "0", "no", "off":
				return false, nil
			}
		case "object", "array":
			if v, err := Loads(value, false); err == nil {
				return v, nil
			}
			v, err := LiteralEval(value)
			if err == nil {
				return v, nil
			}
			if !isValueErr(err) {
				return nil, err
			}
		}
	}
	if v, err := Loads(value, true); err == nil {
		return v, nil
	}
	return value, nil
}

// paramConfigs is the name -> properties map both minimax_m2 and
// minicpm5 build from the tools.
func paramConfigs(tools []any) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, t := range tools {
		fn := asMap(asMap(t)["function"])
		if !pyTruthy(fn) {
			continue
		}
		params := asMap(fn["parameters"])
		if !pyTruthy(params) {
			continue
		}
		name, _ := fn["name"].(string)
		props, _ := params["properties"].(map[string]any)
		if props == nil {
			props = map[string]any{}
		}
		out[name] = props
	}
	return out
}

func paramTypes(name string, config map[string]any) map[string]bool {
	s, ok := config[name]
	if !ok {
		return map[string]bool{"string": true}
	}
	return schemaTypes(s)
}

func parseMinimaxM2(text string, tools []any) ([]*Dict, error) {
	invokes := mmInvoke.FindAllStringSubmatch(text, -1)
	if len(invokes) == 0 {
		return nil, valueErr("No tool call found")
	}
	configs := paramConfigs(tools)
	var calls []*Dict
	for _, inv := range invokes {
		it := inv[1]
		nm := mmName.FindStringSubmatch(it)
		if nm == nil {
			continue
		}
		fname := extractName(nm[1])
		config := configs[fname]
		args := &Dict{}
		for _, pm := range mmParameter.FindAllStringSubmatch(it, -1) {
			p := mmParam.FindStringSubmatch(pm[1])
			if p == nil {
				continue
			}
			pname := extractName(p[1])
			value := strip(p[2])
			value = strings.TrimPrefix(value, "\n")
			value = strings.TrimSuffix(value, "\n")
			v, err := convertWithTypes(value, paramTypes(pname, config))
			if err != nil {
				return nil, err
			}
			args.Set(pname, v)
		}
		calls = append(calls, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{fname, args}})
	}
	return calls, nil
}
