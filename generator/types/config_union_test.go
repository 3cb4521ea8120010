package types_test

import "testing"

// TestConfigUnion checks a text-config wrapper's `text_config:
// Union[TextArgs, dict]` that __post_init__ converts — unconditionally, or
// under isinstance(self.text_config, dict) — : the field is the union, and a
// reader outside the dataclass sees the TextArgs (a type assertion). A
// __post_init__ that converts it on one path only leaves readers the union.
func TestConfigUnion(t *testing.T) {
	tmpl := func(post string) string {
		return `from dataclasses import dataclass
from typing import Union
import mlx.core as mx
import mlx.nn as nn
from .base import BaseModelArgs

@dataclass
class TextArgs(BaseModelArgs):
    hidden_size: int = 8

@dataclass
class ModelArgs(BaseModelArgs):
    text_config: Union[TextArgs, dict]
    model_type: str

    def __post_init__(self):
` + post + `

class Model(nn.Module):
    def __init__(self, args: ModelArgs):
        super().__init__()
        self.proj = nn.Linear(args.text_config.hidden_size, 4)
    def __call__(self, inputs, cache=None):
        return self.proj(inputs)
`
	}
	for _, post := range []string{
		"        self.text_config = TextArgs.from_dict(self.text_config)",
		"        if isinstance(self.text_config, dict):\n            self.text_config = TextArgs.from_dict(self.text_config)",
	} {
		u, diags := check(t, tmpl(post))
		if len(diags) > 0 {
			t.Fatalf("%s: %v", post, diags)
		}
		if got, want := fieldTypes(u.ByClass["ModelArgs"]), "text_config:TextArgs | Dict[str, Any] model_type:str"; got != want {
			t.Errorf("fields: got %q, want %q", got, want)
		}
		if got := u.ByClass["ModelArgs"].FilledAs["text_config"]; got == nil || got.String() != "TextArgs" {
			t.Errorf("%s: text_config after __post_init__: %v, want TextArgs", post, got)
		}
	}
	// Converted only when hidden: readers still see the union.
	u, _ := check(t, tmpl("        if self.model_type == \"x\":\n            self.text_config = TextArgs.from_dict(self.text_config)"))
	if got := u.ByClass["ModelArgs"].FilledAs["text_config"]; got != nil {
		t.Errorf("a text_config converted on one path only reads as a %v", got)
	}
}
