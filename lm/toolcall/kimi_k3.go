// Ported from mlx_lm/tool_parsers/kimi_k3.py
// Upstream: mlx-lm 0.32.2
// Blob: ab9f78ccaf12259bd4f58b71218125a74508b14e

package toolcall

import "strings"

const (
	k3Sep = "<|sep|>"
)

var k3Attr = re(`(\w+)="((?:[^"])*)"`)

func init() {
	register(Parser{Name: "kimi_k3", Start: "<|open|>tools<|sep|>", End: "<|close|>tools<|sep|>", Parse: parseKimiK3})
}

// k3Blocks is the finditer of <|open|>TAG(attrs)<|sep|>(body)<|close|>TAG<|sep|>:
// attrs never contain <|sep|> (the negative lookahead), the body ends at
// the first closing tag.
func k3Blocks(s, tag string) [][2]string {
	open, close := "<|open|>"+tag, "<|close|>"+tag+k3Sep
	var out [][2]string
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], open)
		if k < 0 {
			break
		}
		start := i + k
		a := start + len(open)
		j := strings.Index(s[a:], k3Sep)
		if j >= 0 {
			attrs := s[a : a+j]
			b := a + j + len(k3Sep)
			if e := strings.Index(s[b:], close); e >= 0 {
				out = append(out, [2]string{attrs, s[b : b+e]})
				i = b + e + len(close)
				continue
			}
		}
		i = start + 1
	}
	return out
}

func k3Attrs(text string) map[string]string {
	out := map[string]string{}
	for _, m := range k3Attr.FindAllStringSubmatch(text, -1) {
		out[m[1]] = strings.NewReplacer("&quot;", `"`, "&amp;", "&").Replace(m[2])
	}
	return out
}

func k3Single(attrsText, body string) (*Dict, error) {
	attrs := k3Attrs(attrsText)
	name := attrs["tool"]
	if name == "" {
		return nil, valueErr("Kimi K3 tool call is missing the tool name attribute.")
	}
	var args any
	if js := k3Blocks(body, "json"); len(js) > 0 {
		v, err := Loads(js[0][1], true)
		if err != nil {
			return nil, valueErr("%v", err)
		}
		if _, ok := v.(*Dict); !ok {
			return nil, valueErr("Kimi K3 tool call JSON block must be an object.")
		}
		args = v
	} else {
		d := &Dict{}
		for _, a := range k3Blocks(body, "argument") {
			aa := k3Attrs(a[0])
			key, ok := aa["key"]
			if !ok {
				return nil, valueErr("Kimi K3 tool argument is missing its key.")
			}
			typ, ok := aa["type"]
			if !ok {
				typ = "string"
			}
			var v any = a[1]
			if typ != "string" {
				if x, err := Loads(a[1], true); err == nil {
					v = x
				}
			}
			d.Set(key, v)
		}
		args = d
	}
	return &Dict{Keys: []any{"name", "arguments"}, Vals: []any{name, args}}, nil
}

func parseKimiK3(text string, _ []any) ([]*Dict, error) {
	var calls []*Dict
	for _, b := range k3Blocks(text, "call") {
		c, err := k3Single(b[0], b[1])
		if err != nil {
			continue
		}
		calls = append(calls, c)
	}
	if len(calls) == 0 {
		return nil, valueErr("No tool call found.")
	}
	return calls, nil
}
