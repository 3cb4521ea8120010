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

// Sig is a callable entry: the Go template, parameters and result.
type Sig struct {
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
	Call      *Sig
	Methods   map[string]*Sig
	Attrs     map[string]Attr
}

// Attr is an attribute of a table type or of arrays.
type Attr struct {
	Go   string
	Type string
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
}

type rawSig struct {
	Go      string `yaml:"go"`
	Params  string `yaml:"params"`
	Returns string `yaml:"returns"`
	Value   string `yaml:"value"`
	Extra   string `yaml:"extra"`
	Lit     string `yaml:"lit"`
}

type rawTable struct {
	Imports map[string]string `yaml:"imports"`
	Types   map[string]struct {
		Go        string            `yaml:"go"`
		Is        string            `yaml:"is"`
		FromClass string            `yaml:"from_class"`
		Call      *rawSig           `yaml:"call"`
		Methods   map[string]rawSig `yaml:"methods"`
		Attrs     map[string]Attr   `yaml:"attrs"`
	} `yaml:"types"`
	Functions    map[string]rawSig `yaml:"functions"`
	ArrayMethods map[string]rawSig `yaml:"array_methods"`
	ArrayAttrs   map[string]Attr   `yaml:"array_attrs"`
	Dtypes       map[string]string `yaml:"dtypes"`
	Constants    map[string]Attr   `yaml:"constants"`
	ModuleBases  map[string]string `yaml:"module_bases"`
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
			s.Lit, _ = defaultExpr(r.Lit).(*syntax.Constant)
		}
		return s
	}
	for name, rt := range raw.Types {
		et := &ExtType{Name: name, Go: rt.Go, Is: rt.Is, FromClass: rt.FromClass, Methods: map[string]*Sig{}, Attrs: rt.Attrs}
		if rt.Call != nil {
			et.Call = sig("types."+name+".call", *rt.Call)
		}
		for m, r := range rt.Methods {
			et.Methods[m] = sig("types."+name+".methods."+m, r)
		}
		t.Types[name] = et
	}
	for name, r := range raw.Functions {
		t.Functions[name] = sig("functions."+name, r)
	}
	for name, r := range raw.ArrayMethods {
		t.ArrayMethods[name] = sig("array_methods."+name, r)
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

// parseParams parses "a: array, axis: int = 0, *shape: shape".
func parseParams(s string) ([]APIParam, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	var out []APIParam
	for _, part := range splitTop(s) {
		part = strings.TrimSpace(part)
		p := APIParam{}
		if strings.HasPrefix(part, "*") {
			p.Variadic = true
			part = part[1:]
		}
		if i := strings.Index(part, "="); i >= 0 {
			p.Default, p.HasDef = strings.TrimSpace(part[i+1:]), true
			p.DefaultExpr = defaultExpr(p.Default)
			part = part[:i]
		}
		name, typ, ok := strings.Cut(part, ":")
		if !ok {
			return nil, fmt.Errorf("parameter %q has no type", part)
		}
		p.Name, p.Type = strings.TrimSpace(name), strings.TrimSpace(typ)
		out = append(out, p)
	}
	return out, nil
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

// defaultExpr parses a table default (a Python literal) into an expression.
func defaultExpr(src string) syntax.Expr {
	s := strings.TrimSpace(src)
	switch s {
	case "None":
		return &syntax.Constant{Kind: syntax.ConstNone, Value: s}
	case "True":
		return &syntax.Constant{Kind: syntax.ConstTrue, Value: s}
	case "False":
		return &syntax.Constant{Kind: syntax.ConstFalse, Value: s}
	case "float32", "bfloat16", "float16", "int32":
		return &syntax.Attribute{X: &syntax.Name{Id: "mx"}, Attr: s}
	}
	if strings.HasPrefix(s, "'") || strings.HasPrefix(s, `"`) {
		return &syntax.Constant{Kind: syntax.ConstStr, Value: strings.Trim(s, `'"`)}
	}
	if strings.ContainsAny(s, ".e") {
		return &syntax.Constant{Kind: syntax.ConstFloat, Value: s}
	}
	return &syntax.Constant{Kind: syntax.ConstInt, Value: s}
}
