package types

import (
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
)

// Provenance: what a config really holds.
//
// A dataclass field's annotation is what the Python author expected, not
// what every config.json gives: q_lora_rank: int = 1536 is null in some,
// moe_layer_start_index: int is a list in others, partial_rotary_factor: int
// holds 0.5. Python does not care; the code that reads the value says what
// it can be. So a value read from a dataclass field carries that field as
// its origin — through locals and module fields that store it unchanged
// (self.n_kv_heads = n_kv_heads = args.num_key_value_heads) — and the uses
// that show what it holds widen the field's type, during inference:
//
//   - x is None / x is not None: the field may be None (Optional);
//   - isinstance(x, (list, tuple)): the field may be a list (Any: kept as
//     the config holds it);
//   - int(<arithmetic of ints over args.x>): nobody truncates a product of
//     ints, so the one config value read there directly holds fractions
//     (float); when an operand is already a float (or a value of no static
//     type, which may be one), that explains the int(),
//     and with two config ints the code does not say which one.
//
// This follows the value, not the name: a module's own attribute of the
// same name as a config key is a different thing.

// fieldOrigin is the dataclass field recv.attr reads, directly or through
// a module field that stores one unchanged.
func (t *checker) fieldOrigin(recv Val, attr string) *Field {
	if recv.T.Kind != ClassK {
		return nil
	}
	c := t.u.ByClass[recv.T.Name]
	if c == nil {
		return nil
	}
	f := c.ByName[attr]
	if f == nil {
		return nil
	}
	if c.IsArgs {
		return f
	}
	for o := range f.Origins {
		return o // one origin is enough to widen (a field keeps its first)
	}
	return nil
}

// holds records that a local now holds v (its origin, if any).
func (t *checker) holds(s *names.Symbol, v Val) {
	if t.symOrigin == nil {
		return
	}
	if v.Origin != nil {
		t.symOrigin[s] = v.Origin
	} else {
		delete(t.symOrigin, s)
	}
}

// stores records that a module field stores v unchanged.
func (t *checker) stores(f *Field, v Val) {
	if v.Origin == nil || v.Origin == f || !t.learn || t.frozen {
		return
	}
	if f.Origins == nil {
		f.Origins = map[*Field]bool{}
	}
	if len(f.Origins) == 0 {
		f.Origins[v.Origin] = true
	}
}

// mayBeNone widens a dataclass field compared with None.
func (t *checker) mayBeNone(f *Field) {
	if f == nil || !t.learn || t.frozen {
		return
	}
	if f.Type.Kind != Optional && !f.Type.Nilable() && f.Type.Kind != Unknown {
		f.Type = OptionalOf(f.Type)
	}
}

// mayBeList widens a dataclass field tested isinstance(x, (list, tuple)).
func (t *checker) mayBeList(f *Field) {
	if f == nil || !t.learn || t.frozen {
		return
	}
	if b := f.Type.Base(); b.Kind != List && b.Kind != AnyK {
		f.Type = TAny
	}
}

// truncated widens the int fields read in int(<arithmetic>) to floats.
func (t *checker) truncated(arg syntax.Expr) {
	if _, ok := arg.(*syntax.BinOp); !ok || !t.learn || t.frozen {
		return
	}
	floats := false
	syntax.Inspect(arg, func(e syntax.Expr) bool {
		// A float operand explains the int(); so does a value of no static
		// type (laguna's int(args.head_dim * rope_params.get("partial_rotary_factor", ...))),
		// which may hold one.
		if v, ok := t.seen[e]; ok && (v.Base().Kind == Float || v.Base().Kind == AnyK) {
			floats = true
		}
		return true
	})
	if floats {
		return
	}
	var read []*Field
	syntax.Inspect(arg, func(e syntax.Expr) bool {
		if a, ok := e.(*syntax.Attribute); ok {
			if f := t.origins[a]; f != nil && t.direct[a] && f.Type.Base().Kind == Int {
				read = append(read, f)
			}
		}
		return true
	})
	if len(read) != 1 {
		return // none, or several config ints: the code does not say which is fractional
	}
	f := read[0]
	if f.Type.Kind == Optional {
		f.Type = OptionalOf(TFloat)
	} else {
		f.Type = TFloat
	}
}
