package types

import "github.com/hf2go/hf2go/generator/syntax"

// Plain config dataclasses. A `@dataclass` / `@dataclass(frozen=True)` class
// with no base and no BaseModelArgs.from_dict (nemotron-nas's AttentionConfig,
// FFNConfig, BlockConfig) is a config record built by the file itself:
// `Cls(**d)` (a dict splat: keys fill the fields by name, a key that names no
// field is Python's TypeError) or `cls(a=..., b=...)`. It is translated like
// a second dataclass (a struct with json tags, New<Cls> with the defaults, a
// PostInit); Class.Plain marks that only the constructor builds it, so the
// lowering builds it strictly (lower_plaindataclass.go). frozen=True only
// forbids plain attribute stores in Python, which the file does not make;
// object.__setattr__(self, "f", v) in its __post_init__ is a field store
// (check_setattr.go).

// isPlainDataclass reports whether cd is a @dataclass class without bases
// that is not a BaseModelArgs in all but name (isPlainArgsDataclass).
func isPlainDataclass(cd *syntax.ClassDef) bool {
	if len(cd.Bases) != 0 || isPlainArgsDataclass(cd) {
		return false
	}
	for _, d := range cd.Decorators {
		if c, ok := d.(*syntax.Call); ok {
			d = c.Func
		}
		if n, ok := d.(*syntax.Name); ok && n.Id == "dataclass" {
			return true
		}
	}
	return false
}

// plainCtor checks a call of a plain dataclass's constructor: keywords that
// name its fields, or one **dict (the lowering reports any other form).
func (t *checker) plainCtor(c *syntax.Call, cls *Class, en *env) Val {
	for _, a := range c.Args {
		t.expr(a, en)
	}
	ok := len(c.Args) == 0
	for _, k := range c.Keywords {
		if k.Name == "" {
			v := t.expr(k.Value, en)
			if b := v.T.Base(); b.Kind != Dict && b.Kind != AnyK {
				ok = false
			}
			continue
		}
		f := cls.ByName[k.Name]
		if f == nil {
			t.expr(k.Value, en)
			ok = false
			continue
		}
		t.hint = f.Type
		t.expr(k.Value, en)
		t.hint = nil
	}
	if !ok {
		return t.bad()
	}
	return tv(ClassT(cls.Name))
}
