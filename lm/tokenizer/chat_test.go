package tokenizer

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestChatTemplateParity renders every real chat template that registry
// packages ship (testdata/templates, see SOURCES.md) over every case of
// testdata/chat_cases.json — system prompts, multi-turn, tools, tool calls
// and results, generation prompt on and off, Qwen3's enable_thinking,
// unicode — and compares with transformers' renderer (chat_reference.py,
// render_jinja_template as apply_chat_template calls it) byte for byte. A
// case where the template raises in Python must fail in Go too.
func TestChatTemplateParity(t *testing.T) {
	t.Parallel()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(py); err != nil {
		t.Fatalf("the project venv python %s is missing: run `make setup` first (%v)", py, err)
	}
	out := filepath.Join(t.TempDir(), "chat.json")
	cmd := exec.Command(py, filepath.Join("testdata", "chat_reference.py"), "testdata", out)
	cmd.Env = append(os.Environ(), "PYTHONDONTWRITEBYTECODE=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chat_reference.py failed: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Template            string         `json:"template"`
		Conversation        string         `json:"conversation"`
		Tools               bool           `json:"tools"`
		AddGenerationPrompt bool           `json:"add_generation_prompt"`
		Extra               map[string]any `json:"extra"`
		Text                *string        `json:"text"`
		Error               string         `json:"error"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	specData, err := os.ReadFile(filepath.Join("testdata", "chat_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Tools         []json.RawMessage          `json:"tools"`
		Conversations map[string]json.RawMessage `json:"conversations"`
	}
	if err := json.Unmarshal(specData, &spec); err != nil {
		t.Fatal(err)
	}
	tools := make([]any, len(spec.Tools))
	for i, x := range spec.Tools {
		tools[i] = x
	}
	templates := map[string]map[string]string{}
	if len(cases) < 500 {
		t.Fatalf("chat_reference.py produced only %d cases", len(cases))
	}
	perTemplate := map[string]int{}
	bad := 0
	for i, c := range cases {
		tpl, ok := templates[c.Template]
		if !ok {
			raw, err := os.ReadFile(filepath.Join("testdata", "templates", c.Template+".json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &tpl); err != nil {
				t.Fatal(err)
			}
			templates[c.Template] = tpl
		}
		special := map[string]string{}
		for _, k := range []string{"bos_token", "eos_token", "unk_token", "pad_token"} {
			if v, ok := tpl[k]; ok {
				special[k] = v
			}
		}
		o := ChatOptions{AddGenerationPrompt: c.AddGenerationPrompt, Extra: c.Extra}
		if c.Tools {
			o.Tools = tools
		}
		got, err := RenderChatTemplate(tpl["chat_template"], []byte(spec.Conversations[c.Conversation]), special, o)
		desc := func() string {
			return c.Template + "/" + c.Conversation + map[bool]string{true: " +tools", false: ""}[c.Tools] +
				map[bool]string{true: " +generation prompt", false: ""}[c.AddGenerationPrompt]
		}
		switch {
		case c.Text == nil && err == nil:
			bad++
			t.Errorf("case %d %s %v: transformers raised %q, Go rendered %q", i, desc(), c.Extra, c.Error, got)
		case c.Text != nil && err != nil:
			bad++
			t.Errorf("case %d %s %v: %v", i, desc(), c.Extra, err)
		case c.Text != nil && got != *c.Text:
			bad++
			t.Errorf("case %d %s %v:\n got  %q\n want %q", i, desc(), c.Extra, got, *c.Text)
		default:
			perTemplate[c.Template]++
		}
		if bad > 10 {
			t.Fatal("too many differences")
		}
	}
	var summary []string
	for name, n := range perTemplate {
		summary = append(summary, name+":"+itoa(n))
	}
	t.Logf("%d cases equal to transformers (%s)", len(cases)-bad, strings.Join(summary, " "))
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
