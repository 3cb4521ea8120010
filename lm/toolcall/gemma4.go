// Ported from mlx_lm/tool_parsers/gemma4.py
// Upstream: mlx-lm 0.32.2
// Blob: c4914873b519c3e5cf80e40cad125d8bf7031ca0

package toolcall

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

const gemmaQuote = `<|"|>`

var gemmaStr = re(`(?s)<\|"\|>(.*?)<\|"\|>`)

func init() {
	register(Parser{Name: "gemma4", Start: "<|tool_call>", End: "<tool_call|>", Parse: parseGemma4})
}

// gemmaBraces matches the regex's recursive group at s[i] == '{': braces
// balanced, <|"|>...<|"|> strings opaque. It returns the end or -1.
func gemmaBraces(s string, i int) int {
	i++
	for i < len(s) {
		switch {
		case s[i] == '}':
			return i + 1
		case s[i] == '{':
			j := gemmaBraces(s, i)
			if j < 0 {
				return -1
			}
			i = j
		case strings.HasPrefix(s[i:], gemmaQuote):
			j := strings.Index(s[i+len(gemmaQuote):], gemmaQuote)
			if j < 0 {
				return -1
			}
			i += 2*len(gemmaQuote) + j
		default:
			i++
		}
	}
	return -1
}

func isWordRune(r rune) bool {
	return r == '-' || pyWordRune(r)
}

// gemmaMatches is _tool_call_regex.finditer: call:name{...}.
func gemmaMatches(s string) [][2]string {
	var out [][2]string
	for i := 0; i < len(s); {
		k := strings.Index(s[i:], "call:")
		if k < 0 {
			break
		}
		start := i + k
		j := start + len("call:")
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if !isWordRune(r) {
				break
			}
			j += n
		}
		if j > start+len("call:") && j < len(s) && s[j] == '{' {
			if e := gemmaBraces(s, j); e > 0 {
				out = append(out, [2]string{s[start+len("call:") : j], s[j:e]})
				i = e
				continue
			}
		}
		_, n := utf8.DecodeRuneInString(s[start:])
		i = start + n
	}
	return out
}

// gemmaArgsToJSON is _gemma4_args_to_json.
func gemmaArgsToJSON(text string) string {
	var strs []string
	text = gemmaStr.ReplaceAllStringFunc(text, func(m string) string {
		strs = append(strs, m[len(gemmaQuote):len(m)-len(gemmaQuote)])
		return "\x00" + strconv.Itoa(len(strs)-1) + "\x00"
	})
	// (?<=[{,])(\w+): -> "\1":
	var b strings.Builder
	for i := 0; i < len(text); {
		if i > 0 && (text[i-1] == '{' || text[i-1] == ',') {
			j := i
			for j < len(text) {
				r, n := utf8.DecodeRuneInString(text[j:])
				if !pyWordRune(r) {
					break
				}
				j += n
			}
			if j > i && j < len(text) && text[j] == ':' {
				b.WriteString(`"` + text[i:j] + `":`)
				i = j + 1
				continue
			}
		}
		b.WriteByte(text[i])
		i++
	}
	text = b.String()
	for i, s := range strs {
		q, _ := Dumps(s)
		text = strings.ReplaceAll(text, "\x00"+strconv.Itoa(i)+"\x00", q)
	}
	return text
}

func parseGemma4(text string, _ []any) ([]*Dict, error) {
	ms := gemmaMatches(text)
	if len(ms) == 0 {
		return nil, valueErr("No function provided.")
	}
	var out []*Dict
	for _, m := range ms {
		args, err := Loads(gemmaArgsToJSON(m[1]), true)
		if err != nil {
			return nil, valueErr("%v", err)
		}
		out = append(out, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{m[0], args}})
	}
	return out, nil
}
