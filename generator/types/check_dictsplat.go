package types

import "github.com/hf2go/hf2go/generator/syntax"

// A dict literal with ** entries, {**params["text_config"], "model_type": t}
// (deepseek_v41's from_dict): the entries in order, a later key replacing
// an earlier one, as Python builds it. A splatted value is a dict, or a
// value of no static type that must be one at run time (py.Dict raises
// otherwise, as Python's TypeError). Keys are str; the values' type is their
// common type, Any when they differ.

func hasSplat(d *syntax.Dict) bool { return HasSplat(d) }

// HasSplat reports whether a dict literal has a ** entry (a nil key).
func HasSplat(d *syntax.Dict) bool {
	for _, k := range d.Keys {
		if k == nil {
			return true
		}
	}
	return false
}

func (t *checker) splatDict(d *syntax.Dict, en *env) Val {
	var vt *Type
	for i := range d.Keys {
		v := t.expr(d.Values[i], en)
		et := v.T
		if d.Keys[i] == nil {
			switch b := v.T.Base(); b.Kind {
			case Dict:
				if b.Key.Kind != Str && b.Key.Kind != Unknown {
					return t.bad()
				}
				et = b.Elem
			case AnyK:
				et = TAny
			default:
				return t.bad()
			}
		} else if k := t.expr(d.Keys[i], en); k.T.Kind != Str {
			return t.bad()
		}
		nv := t.unify(vt, et)
		if nv == nil {
			nv = TAny
		}
		vt = nv
	}
	if vt == nil || vt.Kind == Unknown {
		vt = TAny
	}
	return tv(DictOf(TStr, vt))
}
