package lower

import (
	"fmt"
	"github.com/hf2go/hf2go/generator/model"

	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

func exprText(n syntax.Node) string {
	switch x := n.(type) {
	case *syntax.Name:
		return x.Id
	case *syntax.Attribute:
		return exprText(x.X) + "." + x.Attr
	}
	if n == nil {
		return "value"
	}
	return fmt.Sprintf("value at line %d", n.Position().Line)
}

// coerce converts a translated value to the Go representation of type to,
// as Python would pass it: ints widen to floats, Optionals are read (None is
// a TypeError) or made, None becomes the type's zero, an array becomes a mask.
func (t *translator) coerce(v val, to *types.Type, n syntax.Node) model.Expr {
	from := v.t
	if to == nil || to.Kind == types.Unknown || from.Equal(to) {
		return v.c
	}
	if c, ok := t.coerceSlot(v, to, n); ok {
		return c
	}
	if from.Kind == types.Union {
		// int | array (a cache's offset) where one of them is needed.
		switch to.Base().Kind {
		case types.Int:
			return t.optWrap(call(t.qual("py", "Int"), v.c), to)
		case types.Float:
			return t.optWrap(call(t.qual("py", "Float"), v.c), to)
		case types.Array:
			return call(t.qual("py", "AsArray"), v.c)
		case types.Union, types.AnyK:
			return v.c
		}
	}
	if to.Kind == types.Union && to.Has(from) {
		return v.c
	}
	if from.Kind == types.Union && to.Kind == types.Dict && to.Elem.Kind == types.AnyK && from.Has(types.DictOf(types.TStr, types.TAny)) {
		// text_config: Union[TextArgs, dict] given to from_dict: the dict
		// (Python fails on the dataclass too, as py.Dict does).
		return call(t.qual("py", "Dict"), v.c)
	}
	if from.Kind == types.AnyK && to.Kind == types.Optional {
		// An Optional config value (cfg.get("gate_lower_bound", None)): None
		// stays None.
		switch to.Elem.Kind {
		case types.Float:
			return call(t.qual("py", "OptFloatOf"), v.c)
		case types.Int:
			return call(t.qual("py", "OptIntOf"), v.c)
		}
	}
	if from.Kind == types.AnyK {
		// A config value (Any) where a typed value is needed.
		switch to.Base().Kind {
		case types.Float:
			return t.optWrap(call(t.qual("py", "Float"), v.c), to)
		case types.Int:
			return t.optWrap(call(t.qual("py", "Int"), v.c), to)
		case types.Str:
			return t.optWrap(call(t.qual("py", "Str"), v.c), to)
		case types.Array:
			return call(t.qual("mlx", "Float"), call(t.qual("py", "Float"), v.c))
		case types.Dict:
			return call(t.qual("py", "Dict"), v.c)
		}
	}
	if from.Kind == types.None {
		if to.Kind == types.Optional {
			return nilLit()
		}
		return t.zero(to)
	}
	switch to.Kind {
	case types.Float:
		switch from.Base().Kind {
		case types.Int, types.Bool:
			if v.lit != nil {
				return rawLit(v.lit.Value + ".0")
			}
			return conv("float64", t.deref(v, n))
		case types.Float:
			return t.deref(v, n)
		}
	case types.Int:
		if from.Kind == types.Optional && from.Elem.Kind == types.Int {
			return t.deref(v, n)
		}
		if from.Kind == types.Bool {
			return call(t.qual("py", "BoolToInt"), v.c)
		}
	case types.Optional:
		if from.Equal(to.Elem) {
			if v.lit != nil {
				return call(t.qual("py", "Ptr"), v.c)
			}
			return call(t.qual("py", "Ptr"), v.c)
		}
		if to.Elem.Kind == types.Float && (from.Kind == types.Int) {
			return call(t.qual("py", "Ptr"), conv("float64", v.c))
		}
		if to.Elem.Kind == types.Float && from.Kind == types.Optional && from.Elem.Kind == types.Int {
			return call(t.qual("py", "OptFloat"), v.c)
		}
	case types.Mask:
		switch from.Kind {
		case types.Array:
			return call(t.qual("mlx", "MaskArray"), v.c)
		case types.Str:
			if v.lit != nil && v.lit.Value == "causal" {
				return t.qual("mlx", "CausalMask")
			}
		}
	case types.Array:
		if from.Base().Numeric() {
			return t.weak(v)
		}
		if from.Kind == types.Mask {
			return t.maskAsArray(v).c
		}
	case types.Ext:
		if from.Kind == types.Ext && t.root(from.Name) == t.root(to.Name) {
			return v.c
		}
		if from.Kind == types.ClassK {
			if et := t.tab.Types[to.Name]; et != nil && et.FromClass != "" {
				return t.render(et.FromClass, map[string]model.Expr{"value": v.c}, nil)
			}
		}
		if from.Kind == types.Unknown {
			return v.c
		}
		if from.Kind == types.FuncK && t.funcFits(from, to) {
			// A function of the file where the table takes a callable
			// (Activation): the Go func value is one.
			return v.c
		}
	case types.List:
		if c, ok := t.cacheAsMembers(v, to, n); ok {
			return c
		}
		if to.Elem.Kind == types.AnyK && (from.Kind == types.List || from.Kind == types.Tuple) {
			if fe := from.Homogeneous(); fe != nil && fe.Kind != types.AnyK && fe.Kind != types.Unknown {
				return call(t.qual("py", "AnyList"), v.c)
			}
		}
		if from.Kind == types.List || from.Kind == types.Tuple {
			fe := from.Homogeneous()
			if fe != nil && (fe.Equal(to.Elem) || fe.Kind == types.Unknown || fe.Kind == types.None) {
				return v.c
			}
			if fe != nil && fe.Kind == types.Ext && to.Elem.Kind == types.Ext {
				return call(t.qual("py", "Caches"), v.c)
			}
		}
	case types.AnyK, types.Iface:
		return v.c
	case types.Dict:
		if from.Kind == types.Dict {
			return v.c
		}
	}
	if from.Kind == types.Unknown {
		return v.c
	}
	if u := t.unify(from, to); u != nil && u.Equal(to) && (from.Nilable() || to.Nilable()) {
		return v.c
	}
	t.fail(n, "conversion", "a %s where %s is expected", from, to)
	return v.c
}

// funcFits reports whether the function of the file that fn (a FuncK)
// names has exactly the call signature of the table type to: the same
// parameter types and result, so its Go func value is a value of to's Go
// func type.
func (t *translator) funcFits(fn, to *types.Type) bool {
	f := t.u.ByFunc[fn.Name]
	if f == nil {
		f = t.u.Nested[fn.Name]
	}
	et := t.tab.Types[to.Name]
	if f == nil || et == nil || et.Call == nil || len(et.Call.Params) != len(f.Params) || f.Ret == nil {
		return false
	}
	for i, p := range et.Call.Params {
		if !t.tab.ParseTypeName(p.Type).Equal(f.Params[i].Type) {
			return false
		}
	}
	return t.tab.ParseTypeName(et.Call.Returns).Equal(f.Ret)
}

// convertParam converts an argument for a table parameter type.
func (t *translator) convertParam(v val, ptype string, n syntax.Node) model.Expr {
	switch ptype {
	case "float32":
		switch v.t.Base().Kind {
		case types.Int, types.Float, types.Bool:
			if v.lit != nil {
				return rawLit(v.lit.Value)
			}
			return conv("float32", t.deref(v, n))
		}
	case "int0":
		switch v.t.Kind {
		case types.None:
			return lit(0)
		case types.Optional:
			return call(t.qual("py", "OrPtr"), v.c, lit(0))
		case types.Int:
			return v.c
		}
	case "scalar", "scalar?":
		if v.t.Kind == types.None && ptype == "scalar?" {
			return nilLit()
		}
		if v.t.Base().Numeric() {
			return t.weak(v)
		}
		if v.t.Kind == types.AnyK {
			// A config number (dbrx's clip_qkv): a weak scalar, as a
			// Python number passed to mx.clip is.
			return t.coerce(v, types.TArray, n)
		}
		return v.c
	case "array?":
		if v.t.Kind == types.None {
			return nilLit()
		}
		return v.c
	case "cache", "group":
		if v.t.Kind == types.None {
			return nilLit()
		}
		if ptype == "cache" && types.IsSlot(v.t) {
			// cache=cache[1]: a CacheList member.
			return call(t.qual("py", "AsCache"), v.c)
		}
		return v.c
	case "dtype?":
		if v.t.Kind == types.None {
			return lit(-1)
		}
		return v.c
	case "bool":
		if v.t.Kind == types.Optional && v.t.Elem.Kind == types.Bool {
			// bias=args.mamba_proj_bias given as None: the layer tests its
			// truth (`if bias:`), so None is False.
			return call(t.qual("py", "OrPtr"), v.c, lit(false))
		}
	case "any", "anylist", "sized", "number", "list[number]", "list[ordered]", "int|array":
		return v.c
	case "dict":
		if v.t.Kind == types.None {
			return nilLit()
		}
		if v.t.Kind == types.AnyK {
			return call(t.qual("py", "Dict"), v.c)
		}
		if v.t.Kind == types.Optional {
			// A field annotated Optional[float] (falcon_h1's rope_scaling)
			// passed where a dict goes: None passes, a number is Python's
			// TypeError where the dict is used.
			return call(t.qual("py", "NoneDict"), v.c)
		}
		return v.c
	}
	return t.coerce(v, t.tab.ParseTypeName(ptype), n)
}

// spreadInts turns an axes/shape argument into the codes of a Go variadic
// call: an int is one value, a tuple literal its elements, a list-typed
// expression is spread with "...", None is nothing.
func (t *translator) spreadInts(e syntax.Expr, en *env) []model.Expr {
	if e == nil {
		return nil
	}
	switch x := e.(type) {
	case *syntax.Constant:
		if x.Kind == syntax.ConstNone {
			return nil
		}
	case *syntax.Tuple:
		return t.intElems(x.Elts, en)
	case *syntax.List:
		return t.intElems(x.Elts, en)
	case *syntax.Starred:
		// f(*shape) for a variadic shape: the sequence spread, as Python
		// unpacks it.
		v := t.expr(x.X, en)
		if h := v.t.Base().Homogeneous(); h != nil && h.Base().Kind == types.Int {
			return []model.Expr{&model.Spread{X: v.c}}
		}
		t.fail(e, "starred", "*%s where ints are expected", v.t)
		return nil
	}
	v := t.expr(e, en)
	switch v.t.Base().Kind {
	case types.Int:
		return []model.Expr{t.deref(v, e)}
	case types.List, types.Tuple:
		return []model.Expr{&model.Spread{X: v.c}}
	}
	t.fail(e, "axes", "a %s where ints are expected", v.t)
	return nil
}

func (t *translator) intElems(elts []syntax.Expr, en *env) []model.Expr {
	hasStar := false
	for _, e := range elts {
		if _, ok := e.(*syntax.Starred); ok {
			hasStar = true
		}
	}
	if hasStar {
		v := t.sequence(elts[0], elts, en, false)
		return []model.Expr{&model.Spread{X: v.c}}
	}
	var out []model.Expr
	for _, e := range elts {
		v := t.expr(e, en)
		out = append(out, t.coerce(v, types.TInt, e))
	}
	return out
}

// optWrap makes a pointer of a value when the target is Optional.
func (t *translator) optWrap(c model.Expr, to *types.Type) model.Expr {
	if to.Kind == types.Optional {
		return call(t.qual("py", "Ptr"), c)
	}
	return c
}
