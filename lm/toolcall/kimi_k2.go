// Ported from mlx_lm/tool_parsers/kimi_k2.py
// Upstream: mlx-lm 0.32.2
// Blob: 7a551e3d876a6ca41d2f32e669e5ae736cbde64b

package toolcall

var (
	kimiFuncName = re(`(?s)^\s*((?:functions\.)?(.+?):\d+)\s*<\|tool_call_argument_begin\|>`)
	kimiFuncArg  = re(`(?s)<\|tool_call_argument_begin\|>\s*(.*)\s*`)
	kimiSplit    = re(`(?s)<\|tool_call_begin\|>(.*?)<\|tool_call_end\|>`)
)

func init() {
	register(Parser{Name: "kimi_k2", Start: "<|tool_calls_section_begin|>", End: "<|tool_calls_section_end|>", Parse: parseKimiK2})
}

func kimiSingle(text string) (*Dict, error) {
	m := kimiFuncName.FindStringSubmatch(text)
	if m == nil {
		return nil, valueErr("No tool call found.")
	}
	a := kimiFuncArg.FindStringSubmatch(text)
	if a == nil {
		return nil, valueErr("No tool call arguments found.")
	}
	args, err := deserialize(a[1])
	if err != nil {
		return nil, err
	}
	return &Dict{Keys: []any{"id", "name", "arguments"}, Vals: []any{m[1], m[2], args}}, nil
}

func parseKimiK2(text string, _ []any) ([]*Dict, error) {
	parts := kimiSplit.FindAllStringSubmatch(text, -1)
	if len(parts) == 0 {
		d, err := kimiSingle(text)
		if err != nil {
			return nil, err
		}
		return []*Dict{d}, nil
	}
	var out []*Dict
	for _, p := range parts {
		d, err := kimiSingle(p[1])
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}
