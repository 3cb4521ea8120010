package types

import (
	"reflect"

	"github.com/hf2go/hf2go/generator/syntax"
)

// A @dataclass that does not derive from BaseModelArgs but defines
// BaseModelArgs.from_dict's own body (phixtral) is a BaseModelArgs
// dataclass in all but name: config.json keys that name a field fill it,
// the rest are dropped. The body is compared with base.py's, positions
// aside, so any other from_dict stays the file's own.
const baseFromDictSrc = `class BaseModelArgs:
    @classmethod
    def from_dict(cls, params):
        return cls(
            **{
                k: v
                for k, v in params.items()
                if k in inspect.signature(cls).parameters
            }
        )
`

var baseFromDict = func() *syntax.FuncDef {
	f, diags := syntax.Parse("base.py", []byte(baseFromDictSrc))
	if len(diags) > 0 {
		panic(diags) // a constant of this file: a bug caught by every test
	}
	return f.Body[0].(*syntax.ClassDef).Body[0].(*syntax.FuncDef)
}()

// isBaseFromDict reports whether fd is BaseModelArgs.from_dict itself.
func isBaseFromDict(fd *syntax.FuncDef) bool {
	if fd.Name != "from_dict" || !isClassMethod(fd) || len(fd.Params) != len(baseFromDict.Params) {
		return false
	}
	for i, p := range fd.Params {
		if p.Name != baseFromDict.Params[i].Name || p.Default != nil || p.Annotation != nil {
			return false
		}
	}
	return sameSyntax(reflect.ValueOf(fd.Body), reflect.ValueOf(baseFromDict.Body))
}

// isPlainArgsDataclass is a @dataclass class without bases whose from_dict
// is BaseModelArgs's.
func isPlainArgsDataclass(cd *syntax.ClassDef) bool {
	if len(cd.Bases) != 0 {
		return false
	}
	dc := false
	for _, d := range cd.Decorators {
		if n, ok := d.(*syntax.Name); ok && n.Id == "dataclass" {
			dc = true
		}
	}
	if !dc {
		return false
	}
	for _, st := range cd.Body {
		if fd, ok := st.(*syntax.FuncDef); ok && isBaseFromDict(fd) {
			return true
		}
	}
	return false
}

var atType = reflect.TypeOf(syntax.At{})

// sameSyntax compares two syntax trees, ignoring positions.
func sameSyntax(a, b reflect.Value) bool {
	if a.Kind() != b.Kind() {
		return false
	}
	switch a.Kind() {
	case reflect.Interface, reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		if a.Kind() == reflect.Interface && a.Elem().Type() != b.Elem().Type() {
			return false
		}
		return sameSyntax(a.Elem(), b.Elem())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameSyntax(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == atType {
			return true
		}
		for i := 0; i < a.NumField(); i++ {
			if a.Type().Field(i).Type == atType {
				continue
			}
			if !sameSyntax(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Map:
		return a.Len() == 0 && b.Len() == 0
	default:
		return a.Interface() == b.Interface()
	}
}
