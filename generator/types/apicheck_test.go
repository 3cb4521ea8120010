package types_test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/types"
	"golang.org/x/tools/go/packages"
)

// goTypeOf is the Go type the lowering passes for a table parameter type
// (after its conversion: convertParam) or returns for a result type.
func goTypeOf(tab *types.Table, typ string) (string, bool) {
	switch typ {
	case "int", "int0", "shape", "axes":
		return "int", true
	case "float":
		return "float64", true
	case "float32":
		return "float32", true
	case "bool":
		return "bool", true
	case "str":
		return "string", true
	case "array", "array?", "scalar", "scalar?":
		return "*mlx.Array", true
	case "dtype", "dtype?":
		return "mlx.Dtype", true
	case "mask":
		return "mlx.AttentionMask", true
	case "any", "anylist", "int|array":
		return "any", true
	case "cache":
		return "lmcache.Cache", true
	case "group":
		return "*mlx.Group", true
	case "dict":
		return "map[string]any", true
	case "arraydict":
		return "map[string]*mlx.Array", true
	case "none", "":
		return "", true
	// Builtins' overloads: a representative Go type of each class.
	case "sized":
		return "[]any", true
	case "number", "same", "elem":
		return "float64", true
	case "list[number]":
		return "[]float64", true
	case "list[ordered]", "list[elem]":
		return "[]int", true
	}
	if strings.HasPrefix(typ, "list[") {
		inner := typ[5 : len(typ)-1]
		if strings.HasPrefix(inner, "tuple[") {
			// A tuple held as a value: a slice of its one element type, or
			// []any for mixed elements (lower.goType, lower_tuples.go).
			t := tab.ParseTypeName(inner)
			if h := t.Homogeneous(); h != nil && h.Kind != types.Unknown {
				e, ok := goTypeOf(tab, strings.TrimSpace(strings.Split(inner[6:len(inner)-1], ",")[0]))
				return "[][]" + e, ok
			}
			return "[]any", true
		}
		e, ok := goTypeOf(tab, inner)
		return "[]" + e, ok
	}
	if strings.HasPrefix(typ, "tuple[") {
		var parts []string
		for _, p := range strings.Split(typ[6:len(typ)-1], ",") {
			e, ok := goTypeOf(tab, strings.TrimSpace(p))
			if !ok {
				return "", false
			}
			parts = append(parts, e)
		}
		return "(" + strings.Join(parts, ", ") + ")", true
	}
	if et, ok := tab.Types[typ]; ok {
		return et.Go, true
	}
	return "", false
}

var placeholder = regexp.MustCompile(`\{([A-Za-z_][A-Za-z0-9_]*)(\.\.\.)?\}`)

// checkSource is one Go function per table entry; lines maps each
// function's first line to the entry it checks.
type checkSource struct {
	b     strings.Builder
	lines map[int]string
	line  int
	errs  []string
}

func (c *checkSource) fn(entry, name string, params []string, result, body string) {
	c.lines[c.line+1] = entry
	text := fmt.Sprintf("func %s(%s) %s {\n\t%s\n}\n\n", name, strings.Join(params, ", "), result, body)
	c.line += strings.Count(text, "\n")
	c.b.WriteString(text)
}

// sig checks a callable entry: its parameters typed as the lowering passes
// them, the template with each placeholder replaced by its parameter.
func (c *checkSource) sig(tab *types.Table, entry, fname, self string, sig *types.Sig) {
	params := []string{}
	if self != "" {
		params = append(params, "self "+self)
	}
	spread := map[string][]string{}
	known := map[string]string{}
	for _, p := range sig.Params {
		gt, ok := goTypeOf(tab, p.Type)
		if !ok {
			c.errs = append(c.errs, fmt.Sprintf("%s: parameter %s has unknown type %q", entry, p.Name, p.Type))
			return
		}
		if p.Variadic || p.Type == "shape" || p.Type == "axes" {
			// A spread argument: two elements stand for any number.
			spread[p.Name] = []string{"p_" + p.Name + "0", "p_" + p.Name + "1"}
			params = append(params, fmt.Sprintf("p_%s0, p_%s1 %s", p.Name, p.Name, gt))
			continue
		}
		known[p.Name] = "p_" + p.Name
		params = append(params, "p_"+p.Name+" "+gt)
	}
	body := placeholder.ReplaceAllStringFunc(sig.Go, func(m string) string {
		sm := placeholder.FindStringSubmatch(m)
		name, dots := sm[1], sm[2] != ""
		switch {
		case name == "self":
			return "self"
		case dots:
			if s, ok := spread[name]; ok {
				return strings.Join(s, ", ")
			}
			c.errs = append(c.errs, fmt.Sprintf("%s: {%s...} spreads a parameter that is not shape, axes or variadic", entry, name))
		default:
			if v, ok := known[name]; ok {
				return v
			}
			if _, ok := spread[name]; ok {
				c.errs = append(c.errs, fmt.Sprintf("%s: {%s} is a spread parameter (write {%s...})", entry, name, name))
			} else {
				c.errs = append(c.errs, fmt.Sprintf("%s: {%s} names no parameter", entry, name))
			}
		}
		return "nil"
	})
	rt, ok := goTypeOf(tab, sig.Returns)
	if !ok {
		c.errs = append(c.errs, fmt.Sprintf("%s: unknown result type %q", entry, sig.Returns))
		return
	}
	stmt := "return " + body
	if rt == "" {
		stmt = body
	}
	c.fn(entry, fname, params, rt, stmt)
}

var ident = regexp.MustCompile(`[^A-Za-z0-9]+`)

// TestTableTypeChecks type-checks every entry of api.yaml against the
// runtime packages it names: each function, type call, method and
// attribute template with its parameters typed as the lowering passes
// them, each function value, constant and dtype. A template that does not
// compile is a translation that would not compile.
func TestTableTypeChecks(t *testing.T) {
	tab, err := types.LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	c := &checkSource{lines: map[int]string{}}
	var imports []string
	for alias, path := range tab.Imports {
		imports = append(imports, fmt.Sprintf("\t%s %q", alias, path))
	}
	sort.Strings(imports)
	imports = append(imports, "\t\"fmt\"")
	sort.Strings(imports)
	head := "package apicheck\n\nimport (\n" + strings.Join(imports, "\n") + "\n)\n\nvar _ = fmt.Sprint\n"
	for _, alias := range sortedNames(tab.Imports) {
		head += fmt.Sprintf("var _ = %s.%s\n", alias, anyExport(alias))
	}
	head += "\n"
	c.line = strings.Count(head, "\n")
	for _, name := range sortedNames(tab.Functions) {
		f := tab.Functions[name]
		c.sig(tab, "functions."+name, "f_"+ident.ReplaceAllString(name, "_"), "", f)
		if f.Value != "" {
			c.fn("functions."+name+".value", "fv_"+ident.ReplaceAllString(name, "_"), nil, "func(*mlx.Array) *mlx.Array", "return "+f.Value)
		}
	}
	for _, name := range sortedNames(tab.Builtins) {
		b := tab.Builtins[name]
		for i, o := range b.Overloads {
			entry := fmt.Sprintf("builtins.%s.overloads[%d]", name, i)
			c.sig(tab, entry, fmt.Sprintf("b_%s_%d", name, i), "", o)
		}
		if b.Form != "" && b.Why == "" {
			t.Errorf("builtins.%s: a form needs its reason (why:)", name)
		}
	}
	for _, name := range sortedNames(tab.Types) {
		et := tab.Types[name]
		if et.Call != nil {
			c.sig(tab, "types."+name+".call", "t_"+name+"_call", et.Go, et.Call)
		}
		for _, m := range sortedNames(et.Methods) {
			c.sig(tab, "types."+name+".methods."+m, "t_"+name+"_"+m, et.Go, et.Methods[m])
		}
		for _, a := range sortedNames(et.Attrs) {
			at := et.Attrs[a]
			gt, ok := goTypeOf(tab, at.Type)
			if !ok {
				t.Errorf("types.%s.attrs.%s: unknown type %q", name, a, at.Type)
				continue
			}
			c.fn("types."+name+".attrs."+a, "t_"+name+"_attr_"+a, []string{"self " + et.Go}, gt, "return "+strings.ReplaceAll(at.Go, "{self}", "self"))
			if at.Set != "" {
				c.fn("types."+name+".attrs."+a+".set", "t_"+name+"_set_"+a, []string{"self " + et.Go, "value " + gt}, "",
					strings.NewReplacer("{self}", "self", "{value}", "value").Replace(at.Set))
			}
		}
		if et.FromClass != "" && et.Call != nil {
			// {value} is an instance of a model class with a matching __call__.
			var ps []string
			for _, p := range et.Call.Params {
				gt, _ := goTypeOf(tab, p.Type)
				ps = append(ps, gt)
			}
			rt, _ := goTypeOf(tab, et.Call.Returns)
			c.fn("types."+name+".from_class", "t_"+name+"_from_class",
				[]string{fmt.Sprintf("value interface{ Forward(%s) %s }", strings.Join(ps, ", "), rt)}, et.Go,
				"return "+strings.ReplaceAll(et.FromClass, "{value}", "value"))
		}
		if _, ok := goTypeOf(tab, name); ok {
			c.fn("types."+name+".go", "t_"+name+"_type", []string{"v " + et.Go}, "any", "return v")
		}
	}
	for _, name := range sortedNames(tab.ArrayMethods) {
		c.sig(tab, "array_methods."+name, "am_"+name, "*mlx.Array", tab.ArrayMethods[name])
	}
	for _, name := range sortedNames(tab.ArrayAttrs) {
		at := tab.ArrayAttrs[name]
		gt, _ := goTypeOf(tab, at.Type)
		c.fn("array_attrs."+name, "aa_"+name, []string{"self *mlx.Array"}, gt, "return "+strings.ReplaceAll(at.Go, "{self}", "self"))
	}
	for _, name := range sortedNames(tab.Dtypes) {
		c.fn("dtypes."+name, "d_"+ident.ReplaceAllString(name, "_"), nil, "mlx.Dtype", "return "+tab.Dtypes[name])
	}
	for _, name := range sortedNames(tab.Constants) {
		k := tab.Constants[name]
		gt, _ := goTypeOf(tab, k.Type)
		c.fn("constants."+name, "k_"+ident.ReplaceAllString(name, "_"), nil, gt, "return "+k.Go)
	}
	for _, e := range c.errs {
		t.Error(e)
	}
	src := head + c.b.String()

	wd, _ := os.Getwd()
	dir := filepath.Join(wd, "apicheck")
	file := filepath.Join(dir, "table_gen.go")
	cfg := &packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo,
		Dir: dir, Overlay: map[string][]byte{file: []byte(src)}}
	pkgs, err := packages.Load(cfg, ".")
	if err != nil {
		t.Fatal(err)
	}
	lines := make([]int, 0, len(c.lines))
	for l := range c.lines {
		lines = append(lines, l)
	}
	sort.Ints(lines)
	entryAt := func(line int) string {
		e := "?"
		for _, l := range lines {
			if l <= line {
				e = c.lines[l]
			}
		}
		return e
	}
	for _, p := range pkgs {
		for _, e := range p.Errors {
			if e.Pos == "" && len(p.Errors) > 1 {
				continue // the summary of the positioned errors
			}
			line := 0
			if parts := strings.Split(e.Pos, ":"); len(parts) >= 2 {
				line, _ = strconv.Atoi(parts[len(parts)-2])
			}
			t.Errorf("api.yaml %s: %s", entryAt(line), e.Msg)
		}
	}
	t.Logf("%d table entries type-checked", len(c.lines))
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// anyExport names an exported identifier of each import, so that an
// unused import is not an error of its own.
func anyExport(alias string) string {
	return map[string]string{"mlx": "Float32", "nn": "Silu", "py": "Raise", "lmbase": "Swiglu", "lmcache": "NewKVCache",
		"lmrope": "NewRoPE", "lmswitch": "NewSwitchGLU", "lmmla": "NewMultiLinear", "math": "Pi"}[alias]
}
