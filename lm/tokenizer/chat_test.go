package tokenizer

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// chatFamilies are the committed tokenizers whose chat templates gonja can
// render. Gemma 3's template uses `(a if b else c)`, which gonja cannot parse.
var chatFamilies = []string{"llama3", "qwen3"}

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
	args := append([]string{filepath.Join("testdata", "chat_reference.py"), "testdata", out}, chatFamilies...)
	if b, err := exec.Command(py, args...).CombinedOutput(); err != nil {
		t.Fatalf("chat_reference.py failed: %v\n%s", err, b)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Family              string           `json:"family"`
		Messages            []map[string]any `json:"messages"`
		AddGenerationPrompt bool             `json:"add_generation_prompt"`
		Extra               map[string]any   `json:"extra"`
		Expected            string           `json:"expected"`
	}
	if err := json.Unmarshal(data, &cases); err != nil {
		t.Fatal(err)
	}
	toks := map[string]*Tokenizer{}
	for _, fam := range chatFamilies {
		toks[fam] = loadShared(t, filepath.Join("testdata", fam))
	}
	if len(cases) == 0 {
		t.Fatal("chat_reference.py produced no cases")
	}
	for i, c := range cases {
		got, err := toks[c.Family].ApplyChatTemplate(c.Messages, ChatOptions{AddGenerationPrompt: c.AddGenerationPrompt, Extra: c.Extra})
		if err != nil {
			t.Errorf("case %d (%s): %v", i, c.Family, err)
			continue
		}
		if got != c.Expected {
			t.Errorf("case %d (%s, generation prompt %v, extra %v):\n got  %q\n want %q", i, c.Family, c.AddGenerationPrompt, c.Extra, got, c.Expected)
		}
	}
}
