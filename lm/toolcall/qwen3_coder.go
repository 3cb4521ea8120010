// Ported from mlx_lm/tool_parsers/qwen3_coder.py
// Upstream: mlx-lm 0.32.2
// Blob: 522408af5b82611dfc7b8bc5921e2454e85ec9ad

package toolcall

import (
	"fmt"
	"strings"
)

var (
	qcFunction  = re(`(?s)<function=(.*?)</function>\n?\z`)
	qcParameter = re(`(?s)<parameter=(.*?)</parameter>`)
	qcName      = re(`^\s*(` + pyNotS + `<>]+)>?`)
)

func init() {
	register(Parser{Name: "qwen3_coder", Start: "<tool_call>", End: "</tool_call>", Parse: parseQwen3Coder})
}

// argumentsConfig is _get_arguments_config.
func argumentsConfig(name string, tools []any) map[string]any {
	for _, t := range tools {
		fn := asMap(asMap(t)["function"])
		if !pyTruthy(fn) {
			continue
		}
		if fn["name"] == name {
			params := asMap(fn["parameters"])
			if !pyTruthy(params) {
				return map[string]any{}
			}
			props, _ := params["properties"].(map[string]any)
			if props == nil {
				return map[string]any{}
			}
			return props
		}
	}
	return map[string]any{}
}

var (
	qcStringTypes = map[string]bool{"string": true, "str": true, "text": true, "varchar": true, "char": true, "enum": true}
	qcBoolTypes   = map[string]bool{"boolean": true, "bool": true, "binary": true}
	qcObjTypes    = map[string]bool{"object": true, "array": true, "arr": true}
)

// convertParamValue is qwen3_coder's _convert_param_value.
func convertParamValue(value, name string, config map[string]any) (any, error) {
	if strings.ToLower(value) == "null" {
		return nil, nil
	}
	param := asMap(config[name])
	if !pyTruthy(config[name]) {
		return value, nil
	}
	t, hasType := param["type"]
	if !hasType {
		v, err := Loads(value, true)
		if err != nil {
			return value, nil
		}
		switch v.(type) {
		case *Dict, []any:
			return v, nil
		}
		return value, nil
	}
	pt := strings.ToLower(strip(pyStr(fromRequest(t))))
	has := func(p ...string) bool {
		for _, x := range p {
			if strings.HasPrefix(pt, x) {
				return true
			}
		}
		return false
	}
	switch {
	case qcStringTypes[pt]:
		return value, nil
	case has("int", "uint", "long", "short", "unsigned"):
		f, err := pyFloat(value)
		if err != nil {
			return nil, err
		}
		n, err := intOfFloat(f)
		if err != nil {
			return nil, err
		}
		if !floatIsIntegral(f) {
			return nil, fmt.Errorf("%w: Invalid integer literal %s", ErrValue, pyRepr(value))
		}
		return n, nil
	case has("num", "float"):
		f, err := pyFloat(value)
		if err != nil {
			return nil, err
		}
		n, err := intOfFloat(f)
		if err != nil {
			return nil, err
		}
		if !floatIsIntegral(f) {
			return f, nil
		}
		return n, nil
	case qcBoolTypes[pt]:
		return strings.ToLower(value) == "true", nil
	}
	if qcObjTypes[pt] || has("dict", "list") {
		if v, err := Loads(value, false); err == nil {
			return v, nil
		}
	}
	v, err := LiteralEval(value)
	if err != nil {
		if isValueErr(err) {
			return value, nil
		}
		return nil, err
	}
	return v, nil
}

func parseQwen3Coder(text string, tools []any) ([]*Dict, error) {
	m := qcFunction.FindStringSubmatch(text)
	if m == nil {
		return nil, valueErr("No function provided.")
	}
	s := m[1]
	nm := qcName.FindStringSubmatchIndex(s)
	if nm == nil {
		return nil, valueErr("No function name provided.")
	}
	fname := s[nm[2]:nm[3]]
	config := argumentsConfig(fname, tools)
	args := &Dict{}
	for _, pm := range qcParameter.FindAllStringSubmatch(s[nm[1]:], -1) {
		mt := pm[1]
		pn := qcName.FindStringSubmatchIndex(mt)
		if pn == nil {
			continue
		}
		pname := mt[pn[2]:pn[3]]
		value := mt[pn[1]:]
		value = strings.TrimPrefix(value, "\n")
		value = strings.TrimSuffix(value, "\n")
		v, err := convertParamValue(value, pname, config)
		if err != nil {
			return nil, err
		}
		args.Set(pname, v)
	}
	return []*Dict{{Keys: []any{"name", "arguments"}, Vals: []any{fname, args}}}, nil
}
