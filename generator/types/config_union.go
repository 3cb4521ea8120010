package types

import "strings"

// Text-config wrappers. A ModelArgs of a wrapper file holds the config of its
// text model as `text_config: Union[TextArgs, dict]` (kimi_vl, llama4,
// minimax_m3_vl, …): config.json gives a dict, and __post_init__ replaces it
// by the dataclass (`self.text_config = TextArgs.from_dict(self.text_config)`,
// unconditionally or under `isinstance(self.text_config, dict)`). In Go the
// field is the union (an any); the member __post_init__ leaves it holding on
// every path is what every reader outside the dataclass sees, read through a
// type assertion (Class.FilledAs), since lmbase.FromDict runs __post_init__
// before the model sees the arguments.

// configUnion reports whether the members of a Union annotation are the
// dataclasses of the file and dicts: a config held before and after its
// conversion.
func configUnion(members []*Type, u *Unit) bool {
	cls, dict := 0, 0
	for _, m := range members {
		switch {
		case m.Kind == ClassK && u.ByClass[m.Name] != nil && u.ByClass[m.Name].IsArgs:
			cls++
		case m.Kind == Dict:
			dict++
		default:
			return false
		}
	}
	return cls > 0 && dict > 0
}

// holdsKey is the fact that path holds a value of type ty (set by
// assignments; read only for union fields).
func holdsKey(path string, ty *Type) string { return path + ":holds:" + ty.String() }

// unionFacts adds, for each self.<field> of a dataclass whose type is a
// union, the member the facts' isinstance tests leave it holding
// (`isinstance(self.text_config, dict)` false: the TextArgs), so that the
// facts of two branches meet on it.
func (t *checker) unionFacts(f facts, en *env) facts {
	if en.cls == nil || !en.cls.IsArgs {
		return f
	}
	out := f.copy()
	for _, fld := range en.cls.Fields {
		if fld.Type.Kind != Union {
			continue
		}
		path := "self." + fld.Py
		saved := t.facts
		t.facts = f
		v := t.unionNarrowed(path, tv(fld.Type))
		t.facts = saved
		if v.T.Kind != Union {
			out[holdsKey(path, v.T)] = true
		}
	}
	return out
}

// filledAs records the member of each union field __post_init__ leaves it
// holding.
func (t *checker) filledAs(c *Class) {
	c.FilledAs = map[string]*Type{}
	for _, fld := range c.Fields {
		if fld.Type.Kind != Union || c.Reassigned[fld.Py] {
			continue
		}
		for _, m := range fld.Type.Elems {
			if t.facts[holdsKey("self."+fld.Py, m)] {
				c.FilledAs[fld.Py] = m
			}
		}
	}
}

// dictMember is isinstance's `dict` as a union member.
func dictMember(name string, m *Type) bool {
	return (name == "dict" || strings.HasSuffix(name, ".Dict")) && m.Kind == Dict
}
