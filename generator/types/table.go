package types

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"

	"go.yaml.in/yaml/v3"
)

//go:embed api.yaml
var apiYAML []byte

// APIParam is one parameter of a table entry.
type APIParam struct {
	Name    string
	Type    string // the table's parameter type (int, array?, axes, ...)
	Default string // Python source of the default, "" when required
	HasDef  bool
	// DefaultExpr is the default as an expression (one node per entry,
	// shared by every call that omits the argument).
	DefaultExpr syntax.Expr
	Variadic    bool // *args
}

// Sig is a callable entry: the Go template, parameters and result. An
// entry with overloads has them in Alts (its own fields are the first's):
// the first whose parameter types accept the arguments is the translation.
type Sig struct {
	Alts    []*Sig
	Go      string
	Params  []APIParam
	Returns string
	Value   string // for functions used as values (activation=nn.silu)
	Extra   string
	// Lit is the Python literal a call always returns on the platforms
	// the Go runtime serves (mx.metal.is_available() is False: the Metal
	// kernels of mlx-lm are not translated, dead.go), folded like a literal.
	Lit *syntax.Constant
}

// ExtType is a type of the table (nn.Linear's result, a cache, ...).
type ExtType struct {
	Name string
	Go   string
	Is   string // a supertype whose attrs and methods it shares
	// FromClass adapts an instance of a model class with a matching
	// __call__ to this type ({value}), e.g. smollm3's NoPE as a RoPE.
	FromClass string
	// Class is the concrete Go type of the mlx.nn class itself, which an
	// isinstance test checks (Go is the field type, which also holds the
	// class's quantized counterpart): check_nnisinstance.go.
	Class   string
	Call    *Sig
	Methods map[string]*Sig
	Attrs   map[string]Attr
}

// Attr is an attribute of a table type or of arrays. Set, when given, is
// the Go statement that assigns it ({self}, {value}); without it the
// attribute is read-only.
type Attr struct {
	Go   string
	Type string
	Set  string
}

// Table is the loaded API table.
type Table struct {
	Imports      map[string]string
	Types        map[string]*ExtType
	Functions    map[string]*Sig
	ArrayMethods map[string]*Sig
	ArrayAttrs   map[string]Attr
	Dtypes       map[string]string
	Constants    map[string]Attr
	ModuleBases  map[string]string // Python source of mlx.nn classes models subclass
	Builtins     map[string]*Builtin
}

// Builtin is a Python builtin: overloads tried in order, or a special form.
type Builtin struct {
	Overloads []*Sig
	Form      string // the special form that translates it
	Why       string // why it is a form, not overloads
}

// rawSigs is an entry written as one signature or a list of overloads.
type rawSigs []rawSig

func (r *rawSigs) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.SequenceNode {
		var list []rawSig
		if err := n.Decode(&list); err != nil {
			return err
		}
		*r = list
		return nil
	}
	var one rawSig
	if err := n.Decode(&one); err != nil {
		return err
	}
	*r = rawSigs{one}
	return nil
}

type rawSig struct {
	Go      string      `yaml:"go"`
	Params  []yaml.Node `yaml:"params"`
	Returns string      `yaml:"returns"`
	Value   string      `yaml:"value"`
	Extra   string      `yaml:"extra"`
	Lit     string      `yaml:"lit"`
}

type rawTable struct {
	Imports map[string]string `yaml:"imports"`
	Types   map[string]struct {
		Go        string             `yaml:"go"`
		Is        string             `yaml:"is"`
		FromClass string             `yaml:"from_class"`
		Class     string             `yaml:"class"`
		Call      rawSigs            `yaml:"call"`
		Methods   map[string]rawSigs `yaml:"methods"`
		Attrs     map[string]Attr    `yaml:"attrs"`
	} `yaml:"types"`
	Functions    map[string]rawSigs `yaml:"functions"`
	ArrayMethods map[string]rawSigs `yaml:"array_methods"`
	ArrayAttrs   map[string]Attr    `yaml:"array_attrs"`
	Dtypes       map[string]string  `yaml:"dtypes"`
	Constants    map[string]Attr    `yaml:"constants"`
	ModuleBases  map[string]string  `yaml:"module_bases"`
	Builtins     map[string]struct {
		Overloads []rawSig `yaml:"overloads"`
		Form      string   `yaml:"form"`
		Why       string   `yaml:"why"`
	} `yaml:"builtins"`
}

// LoadTable parses the embedded API table.
func LoadTable() (*Table, error) { return ParseTable(apiYAML) }

// ParseTable parses an API table.
func ParseTable(src []byte) (*Table, error) {
	var raw rawTable
	if err := yaml.Unmarshal(src, &raw); err != nil {
		return nil, fmt.Errorf("api.yaml: %w", err)
	}
	t := &Table{Imports: raw.Imports, Types: map[string]*ExtType{}, Functions: map[string]*Sig{},
		ArrayMethods: map[string]*Sig{}, ArrayAttrs: raw.ArrayAttrs, Dtypes: raw.Dtypes, Constants: raw.Constants,
		ModuleBases: raw.ModuleBases}
	var errs []string
	sig := func(where string, r rawSig) *Sig {
		ps, err := parseParams(r.Params)
		if err != nil {
			errs = append(errs, fmt.Sprintf("api.yaml: %s: %v", where, err))
		}
		s := &Sig{Go: r.Go, Params: ps, Returns: r.Returns, Value: r.Value, Extra: r.Extra}
		if r.Lit != "" {
			s.Lit = litConstant(r.Lit)
		}
		return s
	}
	// sigs is one signature, or overloads: the first one's fields with the
	// alternatives in Alts.
	sigs := func(where string, rs rawSigs) *Sig {
		if len(rs) == 1 {
			return sig(where, rs[0])
		}
		var alts []*Sig
		for i, r := range rs {
			alts = append(alts, sig(fmt.Sprintf("%s[%d]", where, i), r))
		}
		first := *alts[0]
		first.Alts = alts
		return &first
	}
	for name, rt := range raw.Types {
		et := &ExtType{Name: name, Go: rt.Go, Is: rt.Is, FromClass: rt.FromClass, Class: rt.Class, Methods: map[string]*Sig{}, Attrs: rt.Attrs}
		if len(rt.Call) > 0 {
			et.Call = sigs("types."+name+".call", rt.Call)
		}
		for m, r := range rt.Methods {
			et.Methods[m] = sigs("types."+name+".methods."+m, r)
		}
		t.Types[name] = et
	}
	for name, r := range raw.Functions {
		t.Functions[name] = sigs("functions."+name, r)
	}
	for name, r := range raw.ArrayMethods {
		t.ArrayMethods[name] = sigs("array_methods."+name, r)
	}
	t.Builtins = map[string]*Builtin{}
	for name, r := range raw.Builtins {
		b := &Builtin{Form: r.Form, Why: r.Why}
		for i, o := range r.Overloads {
			b.Overloads = append(b.Overloads, sig(fmt.Sprintf("builtins.%s.overloads[%d]", name, i), o))
		}
		if (b.Form == "") == (len(b.Overloads) == 0) {
			errs = append(errs, fmt.Sprintf("api.yaml: builtins.%s: overloads or a form, not both or neither", name))
		}
		t.Builtins[name] = b
	}
	// Subtypes share their supertype's attributes and methods.
	for _, et := range t.Types {
		if et.Is == "" {
			continue
		}
		sup, ok := t.Types[et.Is]
		if !ok {
			errs = append(errs, fmt.Sprintf("api.yaml: types.%s: unknown supertype %q", et.Name, et.Is))
			continue
		}
		if et.Attrs == nil {
			et.Attrs = map[string]Attr{}
		}
		for k, v := range sup.Attrs {
			if _, ok := et.Attrs[k]; !ok {
				et.Attrs[k] = v
			}
		}
		for k, v := range sup.Methods {
			if _, ok := et.Methods[k]; !ok {
				et.Methods[k] = v
			}
		}
		if et.Call == nil {
			et.Call = sup.Call
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return t, nil
}

// parseParams reads a parameter list: each a mapping {name: type} with
// optional default: and variadic: keys.
func parseParams(nodes []yaml.Node) ([]APIParam, error) {
	var out []APIParam
	for _, n := range nodes {
		if n.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("line %d: a parameter is a mapping {name: type}", n.Line)
		}
		var p APIParam
		var def *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			switch k.Value {
			case "default":
				def = v
			case "variadic":
				p.Variadic = v.Value == "true"
			default:
				if p.Name != "" {
					return nil, fmt.Errorf("line %d: parameter with two names (%s, %s)", k.Line, p.Name, k.Value)
				}
				p.Name, p.Type = k.Value, v.Value
			}
		}
		if p.Name == "" {
			return nil, fmt.Errorf("line %d: parameter without a name", n.Line)
		}
		if def != nil {
			p.HasDef = true
			p.DefaultExpr, p.Default = defaultOf(def, p.Type)
		}
		out = append(out, p)
	}
	return out, nil
}

// defaultOf is a YAML default as a Python expression (and its source): a
// bool, null (None), a number, a string, or for a dtype parameter the name
// of an mx dtype.
func defaultOf(v *yaml.Node, typ string) (syntax.Expr, string) {
	switch {
	case v.Tag == "!!null":
		return &syntax.Constant{Kind: syntax.ConstNone, Value: "None"}, "None"
	case v.Tag == "!!bool" && v.Value == "true":
		return &syntax.Constant{Kind: syntax.ConstTrue, Value: "True"}, "True"
	case v.Tag == "!!bool":
		return &syntax.Constant{Kind: syntax.ConstFalse, Value: "False"}, "False"
	case v.Tag == "!!int":
		return &syntax.Constant{Kind: syntax.ConstInt, Value: v.Value}, v.Value
	case v.Tag == "!!float":
		return &syntax.Constant{Kind: syntax.ConstFloat, Value: v.Value}, v.Value
	case strings.HasPrefix(typ, "dtype"):
		return &syntax.Attribute{X: &syntax.Name{Id: "mx"}, Attr: v.Value}, "mx." + v.Value
	}
	return &syntax.Constant{Kind: syntax.ConstStr, Value: v.Value}, "'" + v.Value + "'"
}

// splitTop splits on commas outside brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// ParseTypeName turns a table type name into a Type.
func (t *Table) ParseTypeName(s string) *Type {
	s = strings.TrimSpace(s)
	switch s {
	case "int", "int0":
		return TInt
	case "float", "float32":
		return TFloat
	case "bool":
		return TBool
	case "str":
		return TStr
	case "array", "scalar":
		return TArray
	case "array?", "scalar?":
		return TArray
	case "mask":
		return TMask
	case "dtype", "dtype?":
		return TDtype
	case "any", "anylist":
		return TAny
	case "none", "":
		return TNone
	case "shape", "axes":
		return ListOf(TInt)
	case "cache":
		return ExtT("Cache")
	case "group":
		return ExtT("Group")
	case "dict":
		return DictOf(TStr, TAny)
	case "arraydict":
		return DictOf(TStr, TArray)
	}
	if strings.Contains(s, "|") && !strings.ContainsAny(s, "[") {
		var elems []*Type
		for _, p := range strings.Split(s, "|") {
			elems = append(elems, t.ParseTypeName(p))
		}
		return UnionOf(elems...)
	}
	if strings.HasPrefix(s, "list[") {
		return ListOf(t.ParseTypeName(s[5 : len(s)-1]))
	}
	if strings.HasPrefix(s, "tuple[") {
		var elems []*Type
		for _, p := range splitTop(s[6 : len(s)-1]) {
			elems = append(elems, t.ParseTypeName(p))
		}
		return TupleOf(elems...)
	}
	if _, ok := t.Types[s]; ok {
		return ExtT(s)
	}
	return TUnknown
}

// litConstant is a `lit:` entry's Python literal (True, False, None or a
// number).
func litConstant(v string) *syntax.Constant {
	switch v {
	case "True":
		return &syntax.Constant{Kind: syntax.ConstTrue, Value: v}
	case "False":
		return &syntax.Constant{Kind: syntax.ConstFalse, Value: v}
	case "None":
		return &syntax.Constant{Kind: syntax.ConstNone, Value: v}
	}
	if strings.ContainsAny(v, ".eE") {
		return &syntax.Constant{Kind: syntax.ConstFloat, Value: v}
	}
	return &syntax.Constant{Kind: syntax.ConstInt, Value: v}
}
