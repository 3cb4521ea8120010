package types

import (
	"sort"
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Methods of an interface of module classes. A field assigned one of
// several module classes by a condition (mistral3's language_model is
// ministral3.Model, mistral4.Model or llama.Model as the text config says)
// is an interface value (unifyClasses); besides __call__ (Forward), Python
// code calls other methods on it (self.language_model.sanitize(weights)).
// Such a method is one of the interface when every member class has it as
// a plain method (not a property) with the same parameters and result
// types, so that each class's Go method satisfies one Go signature. The Go
// interface lists Forward and, sorted by name, the methods the unit calls
// on that interface (only those: an interface nobody calls a method on
// keeps its one-method form). The call is checked against every member's
// method, so that each class's method is translated and learns its
// parameters from the call.

// ifaceKey names an interface by its members.
func ifaceKey(ty *Type) string {
	var ns []string
	for _, e := range ty.Elems {
		ns = append(ns, e.Name)
	}
	return strings.Join(ns, "|")
}

// IfaceMethod is the member methods standing for the method name of an
// interface of classes (the first member's first), or nil when some member
// lacks it or their signatures differ.
func (u *Unit) IfaceMethod(ty *Type, name string) []*Func { return u.ifaceMethod(ty, name, true) }

// ifaceMethod is IfaceMethod; while types are still being inferred
// (strict false) only the parameter names and Go names must agree: the
// call checks every member with the same arguments, which teach them the
// same types.
func (u *Unit) ifaceMethod(ty *Type, name string, strict bool) []*Func {
	if ty == nil || ty.Kind != Iface || IsDynIface(ty) || name == "__call__" {
		return nil
	}
	var out []*Func
	for _, e := range ty.Elems {
		if e.Kind != ClassK {
			return nil
		}
		cls := u.ByClass[e.Name]
		if cls == nil {
			return nil
		}
		m := cls.ByMeth[name]
		if m == nil || m.IsProp || m.IsClassMethod || m.Skipped != "" {
			return nil
		}
		if len(out) > 0 && !sameSignature(out[0], m, strict) {
			return nil
		}
		out = append(out, m)
	}
	return out
}

// sameSignature reports methods with the same Python parameter names and
// Go name, parameter and result types.
func sameSignature(a, b *Func, strict bool) bool {
	if a.GoName != b.GoName || len(a.Params) != len(b.Params) {
		return false
	}
	for i := range a.Params {
		if a.Params[i].Py != b.Params[i].Py || strict && typeString(a.Params[i].Type) != typeString(b.Params[i].Type) {
			return false
		}
	}
	return !strict || typeString(a.Ret) == typeString(b.Ret)
}

// useIfaceMethod records that the unit calls method name on ty.
func (u *Unit) useIfaceMethod(ty *Type, name string) {
	if u.ifaceMeths == nil {
		u.ifaceMeths = map[string]map[string]bool{}
	}
	k := ifaceKey(ty)
	if u.ifaceMeths[k] == nil {
		u.ifaceMeths[k] = map[string]bool{}
	}
	u.ifaceMeths[k][name] = true
}

// IfaceMethods are the methods other than __call__ that the unit calls on
// an interface of classes, sorted by name; each is the first member's.
func (u *Unit) IfaceMethods(ty *Type) []*Func {
	var names []string
	for n := range u.ifaceMeths[ifaceKey(ty)] {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []*Func
	for _, n := range names {
		if ms := u.IfaceMethod(ty, n); ms != nil {
			out = append(out, ms[0])
		}
	}
	return out
}

// ifaceMethodCall checks recv.name(...) on an interface of classes against
// every member's method; the value is the first member's result.
func (t *checker) ifaceMethodCall(c *syntax.Call, rt *Type, name string, en *env) (Val, bool) {
	ms := t.u.ifaceMethod(rt, name, false)
	if ms == nil {
		return Val{}, false
	}
	t.u.useIfaceMethod(rt, name)
	var v Val
	for i, m := range ms {
		r := t.callLocal(c, m, en)
		if i == 0 {
			v = r
		}
	}
	return v, true
}

func typeString(t *Type) string {
	if t == nil {
		return "None"
	}
	return t.String()
}
