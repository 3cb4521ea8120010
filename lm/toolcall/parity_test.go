package toolcall

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hf2go/hf2go/parity/pyref"
)

var blobRE = regexp.MustCompile(`(?m)^// Blob: ([0-9a-f]{40})$`)

type parityCase struct {
	Parser string `json:"parser"`
	Text   string `json:"text"`
	Tools  []any  `json:"tools,omitempty"`
}

func tools(t testing.TB, js string) []any {
	var v []any
	dec := json.NewDecoder(strings.NewReader(js))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

const weatherTools = `[{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object",
  "properties": {"city": {"type": "string"}, "days": {"type": "integer"}, "temp": {"type": "number"},
  "metric": {"type": "boolean"}, "tags": {"type": "array"}, "opts": {"type": "object"},
  "mixed": {"anyOf": [{"type": "integer"}, {"type": "null"}]}, "level": {"enum": [1, 2, 3]},
  "ratio": {"type": "float"}, "code": {"type": ["string", "null"]}}}}},
 {"type": "function", "function": {"name": "noop"}}]`

// corpus: model outputs (the text between the tool markers, as the server
// hands it to the parser) for every parser, well-formed and malformed.
func corpus(t testing.TB) []parityCase {
	wt := tools(t, weatherTools)
	var cs []parityCase
	add := func(parser string, tl []any, texts ...string) {
		for _, x := range texts {
			cs = append(cs, parityCase{parser, x, tl})
		}
	}
	add("json_tools", nil,
		"\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}\n",
		`{"arguments": {"x": 1.5e-7, "y": [1, 2.0, true, null], "z": "é\u00e9\n\"q\""}, "name": "f"}`,
		`[{"name": "a", "arguments": {}}, {"name": "b", "arguments": {"k": 1e16}}]`,
		`{"name": "f", "arguments": {"big": 123456789012345678901234567890, "neg": -0.0, "nan": NaN}}`,
		`{"name": "f"}`, `{"name": "f", "arguments": {}`, `not json`, `"just a string"`, `{"name": "f", "arguments": {"a": 1, "a": 2}}`,
		"{\"name\": \"f\", \"arguments\": {\"t\": \"a\u2028b\"}, \"id\": \"call_9\"}")
	add("qwen3_coder", wt,
		"\n<function=get_weather>\n<parameter=city>\nParis\n</parameter>\n<parameter=days>\n3\n</parameter>\n</function>\n",
		"<function=get_weather>\n<parameter=days>\n2.5\n</parameter>\n</function>",
		"<function=get_weather>\n<parameter=temp>\n21.0\n</parameter>\n<parameter=metric>\nTrue\n</parameter>\n<parameter=tags>\n[\"a\", 'b']\n</parameter>\n<parameter=opts>\n{\"k\": [1, 2]}\n</parameter>\n<parameter=code>\nnull\n</parameter>\n</function>",
		"<function=get_weather>\n<parameter=level>\n{'a': (1, 2)}\n</parameter>\n<parameter=unknown>\n42\n</parameter>\n<parameter=ratio>\n1e3\n</parameter>\n</function>",
		"<function=noop>\n</function>", "<function=get_weather><parameter=days>abc</parameter></function>", "no function here",
		"<function=f>\n<parameter=x>\n1\n</parameter>\n</function>\n\n")
	add("mistral", nil,
		`get_weather[ARGS]{"city": "Paris"}`, `a[ARGS]{"x": 1} b[ARGS] [1, 2]`,
		`[{"name": "a", "arguments": {"x": 1}, "id": "abc123"}]`, `[{"name": "a", "arguments": "{\"x\": 2}"}]`,
		`[{"name": "a", "arguments": 5}]`, `[]`, `get_weather[ARGS]{"city": `, `nothing`, `{"name": "a"}`)
	add("pythonic", nil,
		`[get_weather(city="Paris", days=3)]`, `[a(x=1), b.c(y=[1, 2], z={"k": true, "n": null})]`,
		`[f(x='it''s', y=-1.5, z=(1, 2), w=0x1F, v=1_000)]`, "[f(x=\"multi\nline\")]",
		`[f(1, x=2)]`, `[f(**kw)]`, `[f(x=g())]`, `[get_weather(city=Paris, days=3)]`, `[f(city="Paris", n='42')]`,
		`no call`, `[]`, `[f(x=1, x=2)]`, `[f(x=1e5, y=2j)]`)
	add("gemma4", nil,
		`call:get_weather{city:<|"|>Paris<|"|>,days:3}`, `call:a{x:{y:1,z:[1,2]}} call:b{s:<|"|>{not:a brace}<|"|>}`,
		`call:f{}`, `call:f{x:<|"|>unterminated}`, `call:f{x:tru}`, `nothing`, `call:my-tool{a:<|"|>é "q"<|"|>}`)
	add("function_gemma", nil,
		`call:get_weather{city:<escape>Paris<escape>,days:3}`, `call:f{a:1,b:x y,c:[1,2]}`, `call:f{a}`, `call:f{}`, `none`,
		`call:f{a:<escape>unterminated}`)
	add("glm47", wt,
		"get_weather\n<arg_key>city</arg_key>\n<arg_value>Paris</arg_value>\n<arg_key>days</arg_key>\n<arg_value>3</arg_value>",
		"get_weather<arg_key>tags</arg_key><arg_value>['a', 1]</arg_value><arg_key>city</arg_key><arg_value>123</arg_value>",
		`{"name": "get_weather", "arguments": {"city": 5, "days": "7"}}`, `{"function": {"name": "f", "arguments": "{\"a\": 1}"}, "arguments": null}`,
		`[{"tool": {"name": "t", "arguments": {"x": "[1]"}}}]`, "get_weather\n{\"city\": \"Rome\", \"days\": \"2\"}",
		`get_weather city=Paris days=3 "x=a b"`, `get_weather just words`, `noargs`, `get_weather {"a": 1}`, `get_weather a='unclosed`, ``,
		// str() of a non-str value for a string parameter: repr's escapes of
		// characters str.isprintable rejects, and float layout.
		`{"name": "get_weather", "arguments": {"city": ["a\u00a0b", "\u2028\u200b\u00ad", "\ufffd\u4e16", 1.5e16, 1e-05, "it's"]}}`)
	add("laguna", wt, "get_weather<arg_key>city</arg_key><arg_value>Oslo</arg_value>")
	add("kimi_k2", nil,
		`functions.get_weather:0<|tool_call_argument_begin|>{"city": "Paris"}`,
		`<|tool_call_begin|>functions.a:0<|tool_call_argument_begin|>{"x": 1}<|tool_call_end|><|tool_call_begin|>b:1 <|tool_call_argument_begin|> {'y': 2} <|tool_call_end|>`,
		`f:3<|tool_call_argument_begin|>not json`, `no header`, `f<|tool_call_argument_begin|>{}`)
	add("longcat", wt,
		"get_weather<longcat_arg_key>city</longcat_arg_key><longcat_arg_value>42</longcat_arg_value><longcat_arg_key>days</longcat_arg_key><longcat_arg_value>4</longcat_arg_value>",
		`{"name": "f", "arguments": {"a": 1}}`, `no keys`)
	add("minimax_m2", wt,
		"<invoke name=\"get_weather\">\n<parameter name=\"city\">Paris</parameter>\n<parameter name=\"days\">3</parameter>\n<parameter name=\"temp\">2.0</parameter>\n<parameter name=\"metric\">yes</parameter>\n<parameter name=\"mixed\">none</parameter>\n<parameter name=\"level\">2</parameter>\n<parameter name=\"tags\">[1, 'a']</parameter>\n</invoke>",
		`<invoke name='noop'><parameter name="x">{"a": 1}</parameter></invoke><invoke name="b"><parameter name="y">plain</parameter></invoke>`,
		`<invoke name="get_weather"><parameter name="days">3.5</parameter><parameter name="opts">not json</parameter></invoke>`,
		`no invoke`, `<invoke name=></invoke>`)
	add("minicpm5", wt,
		`"get_weather"><param name="city">Paris</param><param name="days">3</param></function>`,
		`<function name="a"><param name="x"><![CDATA[<b>&</b>]]></param></function><function name='b'><param name=y>1</param></function>`,
		`get_weather><param name="metric">off</param>`, `nothing`)
	add("muse_spark", nil,
		`<atem:invoke name="get_weather"><atem:parameter name="city">"Paris"</atem:parameter><atem:parameter name="days">3</atem:parameter></atem:invoke>`,
		`<atem:invoke name="a"><atem:parameter name="x"> raw text </atem:parameter></atem:invoke><atem:invoke name="b">`,
		`nothing`)
	add("kimi_k3", nil,
		`<|open|>call tool="get_weather" index="1"<|sep|><|open|>argument key="city" type="string"<|sep|>Tokyo<|close|>argument<|sep|><|open|>argument key="days" type="integer"<|sep|>3<|close|>argument<|sep|><|close|>call<|sep|>`,
		`<|open|>call tool="f"<|sep|><|open|>json type="object"<|sep|>{"a": [1, 2]}<|close|>json<|sep|><|close|>call<|sep|><|open|>call tool="g &amp; h"<|sep|><|close|>call<|sep|>`,
		`<|open|>call<|sep|><|close|>call<|sep|>`, `<|open|>call tool="f"<|sep|><|open|>json<|sep|>[1]<|close|>json<|sep|><|close|>call<|sep|>`, `none`)
	return cs
}

type refResult struct {
	Calls []struct {
		ID       *string `json:"id"`
		Function string  `json:"function"`
	} `json:"calls"`
	Error  string `json:"error"`
	Detail string `json:"detail"`
}

// referencePython is the venv's interpreter, or HF2GO_REF_PYTHON (a
// development override for running against another mlx-lm install).
func referencePython(t testing.TB) string {
	if p := os.Getenv("HF2GO_REF_PYTHON"); p != "" {
		return p
	}
	py, err := pyref.Python()
	if err != nil {
		t.Fatal(err)
	}
	return py
}

// TestParityWithPython: every parser, on every corpus text, gives what
// mlx-lm's own parser gives, formatted as the server formats it: the same
// calls with byte-identical function JSON (arguments string included), or
// an error where Python raises (a ValueError, which the server skips, or
// another exception). The Python modules must be the blobs the Go files
// were ported from.
func TestParityWithPython(t *testing.T) {
	cs := corpus(t)
	dir := t.TempDir()
	data, _ := json.Marshal(cs)
	path := filepath.Join(dir, "cases.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, referencePython(t), "testdata/reference.py", path)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1", "PYTHONHASHSEED=0")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("reference.py: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var ref struct {
		Blobs   map[string]any `json:"blobs"`
		Results []refResult    `json:"results"`
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	stale := map[string]bool{}
	for _, name := range Names() {
		src, err := os.ReadFile(name + ".go")
		if err != nil {
			t.Fatal(err)
		}
		m := blobRE.FindSubmatch(src)
		if m == nil {
			t.Fatalf("%s.go: no provenance Blob line", name)
		}
		if got := ref.Blobs[name]; got != string(m[1]) {
			t.Errorf("%s: the reference's tool_parsers/%s.py is blob %v, the Go port is of %s (mlx-lm 0.32.2): merge main once it is at 0.32.2",
				name, name, got, m[1])
			stale[name] = true
			continue
		}
		p, _ := Lookup(name)
		if m, _ := ref.Blobs[name+".markers"].([]any); len(m) != 2 || m[0] != p.Start || m[1] != p.End {
			t.Errorf("%s: markers %q %q, Python's %v", name, p.Start, p.End, m)
		}
	}
	compared := map[string]int{}
	for i, c := range cs {
		want := ref.Results[i]
		if stale[c.Parser] {
			continue
		}
		p, ok := Lookup(c.Parser)
		if !ok {
			t.Errorf("parser %s is not ported", c.Parser)
			continue
		}
		calls, err := p.Parse(c.Text, c.Tools)
		var got []Call
		if err == nil {
			for _, d := range calls {
				f, ferr := Format(d)
				if ferr != nil {
					err = ferr
					break
				}
				got = append(got, f)
			}
		}
		compared[c.Parser]++
		switch {
		case want.Error != "":
			if err == nil {
				t.Errorf("%s %q: Python raised %s (%s), Go parsed %v", c.Parser, c.Text, want.Error, want.Detail, got)
			} else if (want.Error == "ValueError") != errors.Is(err, ErrValue) {
				t.Errorf("%s %q: Python raised %s (%s), Go: %v", c.Parser, c.Text, want.Error, want.Detail, err)
			}
		case err != nil:
			t.Errorf("%s %q: Go: %v, Python parsed %+v", c.Parser, c.Text, err, want.Calls)
		case len(got) != len(want.Calls):
			t.Errorf("%s %q: %d calls, Python %d", c.Parser, c.Text, len(got), len(want.Calls))
		default:
			for k := range got {
				fj, _ := Dumps(got[k].Function)
				if fj != want.Calls[k].Function {
					t.Errorf("%s %q call %d:\n Go     %s\n Python %s", c.Parser, c.Text, k, fj, want.Calls[k].Function)
				}
				wid := ""
				if want.Calls[k].ID != nil {
					wid = *want.Calls[k].ID
				}
				if got[k].ID != wid {
					t.Errorf("%s %q call %d: id %q, Python %q", c.Parser, c.Text, k, got[k].ID, wid)
				}
			}
		}
	}
	for _, name := range Names() {
		if compared[name] == 0 && !stale[name] {
			t.Errorf("parser %s has no corpus case", name)
		}
	}
	n := 0
	for _, k := range compared {
		n += k
	}
	t.Logf("%d cases over %d parsers compared with mlx-lm's", n, len(compared))
}
