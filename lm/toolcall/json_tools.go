// Ported from mlx_lm/tool_parsers/json_tools.py
// Upstream: mlx-lm 0.32.2
// Blob: 27a9caa442db60f27ff1022abb8e27131418f792

package toolcall

import "strings"

func init() {
	register(Parser{Name: "json_tools", Start: "<tool_call>", End: "</tool_call>",
		Parse: func(text string, _ []any) ([]*Dict, error) {
			v, err := Loads(strings.TrimFunc(text, isPySpace), true)
			if err != nil {
				return nil, valueErr("%v", err)
			}
			return one(v)
		}})
}

// isPySpace is str.isspace for one character (what str.strip() removes).
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}
