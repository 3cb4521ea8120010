package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// A sibling's config dataclass imported under another name where the file
// defines the same name.
//
// kimi_k25 defines its own ModelArgs and imports deepseek_v3's as
// `from .deepseek_v3 import ModelArgs as TextConfig`: the text config
// (TextConfig.from_dict(...), `config: TextConfig`). As for
// `llama.ModelArgs` in a wrapper (unit.go), the sibling's dataclass is
// translated under the sibling file's name (DeepseekV3ModelArgs) and the
// alias names it. (A sibling's Model imported under another name is a base
// class, qwen3_5_moe's `Model as Qwen3_5Model`, and stays one.)

// importedAsAlias reports whether the file imports class name of sibling
// file under another name.
func (k *collector) importedAsAlias(file, name string) bool {
	for alias, sym := range k.u.Scope.Symbols {
		if sym.Kind == names.Sibling && sym.File == file && sym.Target == name && alias != name {
			return true
		}
	}
	return false
}

// bindAliases points the file's aliases of sibling class name at the Go
// class goName it is translated as.
func (k *collector) bindAliases(file, name, goName string) {
	for alias, sym := range k.u.Scope.Symbols {
		if sym.Kind == names.Sibling && sym.File == file && sym.Target == name && alias != name {
			k.u.Scope.Symbols[alias] = &names.Symbol{Name: alias, Kind: names.LocalClass, Target: goName, Node: sym.Node, Scope: k.u.Scope}
		}
	}
}

// renameCollision renames class c of sibling file from when another
// sibling already brought a class of that name (mistral3 takes llama's and
// ministral3's Attention, MLP and TransformerBlock): the later one is
// translated under its file's name (Ministral3Attention), and its file's
// code sees it by its Python name.
func (k *collector) renameCollision(c *Class, n *syntax.ClassDef, scope *names.Scope, from string) {
	u := k.u
	prev, ok := u.ByClass[c.Name]
	if !ok || prev.Scope == scope {
		return
	}
	c.Name = names.GoExported(from) + n.Name
	for u.ByClass[c.Name] != nil || k.definedInMain(c.Name) {
		c.Name += "_"
	}
	scope.Symbols[n.Name] = &names.Symbol{Name: n.Name, Kind: names.LocalClass, Target: c.Name, Node: n, Scope: scope}
}
