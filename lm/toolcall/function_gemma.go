// Ported from mlx_lm/tool_parsers/function_gemma.py
// Upstream: mlx-lm 0.32.2
// Blob: 73753d1aa4fdbd88bc2e836d9dd7cc4b592e1948

package toolcall

import "strings"

var fgCall = re(`(?s)call:(\w+)\{(.*?)\}`)

func init() {
	register(Parser{Name: "function_gemma", Start: "<start_function_call>", End: "<end_function_call>", Parse: parseFunctionGemma})
}

func parseFunctionGemma(text string, _ []any) ([]*Dict, error) {
	m := fgCall.FindStringSubmatch(text)
	if m == nil {
		return nil, valueErr("No function provided.")
	}
	name, rest := m[1], m[2]
	args := &Dict{}
	const esc = "<escape>"
	for rest != "" {
		i := strings.Index(rest, ":")
		if i < 0 {
			return nil, valueErr("substring not found")
		}
		key := rest[:i]
		rest = rest[i+1:]
		if strings.HasPrefix(rest, esc) {
			rest = rest[len(esc):]
			j := strings.Index(rest, esc)
			if j < 0 {
				return nil, valueErr("substring not found")
			}
			args.Set(key, rest[:j])
			rest = skipRune(rest[j+len(esc):])
			continue
		}
		j := strings.Index(rest, ",")
		var value string
		if j < 0 {
			value, rest = rest, ""
		} else {
			value, rest = rest[:j], rest[j+1:]
		}
		if v, err := Loads(value, true); err == nil {
			args.Set(key, v)
		} else {
			args.Set(key, value)
		}
	}
	return []*Dict{{Keys: []any{"name", "arguments"}, Vals: []any{name, args}}}, nil
}
