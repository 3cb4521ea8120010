package types

import "github.com/hf2go/hf2go/generator/syntax"

// Module classes of different __call__ signatures in one field:
// nemotron_h's `self.mixer` is a Mamba2 mixer or an attention (called with
// mask and cache) or an MLP or a MoE (called with the hidden states only),
// and each call site calls the mixer the way its class takes. Such a field
// is a dynamic interface: Go's any, and a call of it dispatches on the
// class it holds to each member whose __call__ binds the call's arguments;
// a value of another class is Python's TypeError.

// DynIface marks an interface whose members' __call__ differ.
const DynIface = "dyn"

// IsDynIface reports a dynamic interface.
func IsDynIface(ty *Type) bool { return ty != nil && ty.Kind == Iface && ty.Name == DynIface }

// DynMembers are the members of a dynamic interface whose __call__ binds
// the call c, with their __call__.
func (u *Unit) DynMembers(c *syntax.Call, ty *Type) ([]*Type, []*Func) {
	var ms []*Type
	var fs []*Func
	for _, m := range ty.Elems {
		cls := u.ByClass[m.Name]
		if cls == nil || cls.ByMeth["__call__"] == nil {
			continue
		}
		fn := cls.ByMeth["__call__"]
		pnames, req := LocalParams(fn)
		if _, err := Bind(DropIgnored(c, fn), pnames, "", req); err != nil {
			continue
		}
		ms = append(ms, m)
		fs = append(fs, fn)
	}
	return ms, fs
}

// callDyn checks a call of a dynamic interface: each member it binds.
func (t *checker) callDyn(c *syntax.Call, ty *Type, en *env) Val {
	_, fns := t.u.DynMembers(c, ty)
	if len(fns) == 0 {
		return t.bad()
	}
	var ret *Type
	for _, fn := range fns {
		v := t.callLocal(c, fn, en)
		if ret = t.unify(ret, v.T); ret == nil {
			return t.bad()
		}
	}
	v := tv(ret)
	if ret.Kind == Tuple {
		v.Multi = len(ret.Elems)
	}
	return v
}
