package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/types"
)

// archPath is the registry the generated packages register with.
const archPath = "github.com/hf2go/hf2go/lm/arch"

// registration is register.go: the package's arch.Generated value, the
// Model's methods the registry calls as the Python class defines them.
func (t *translator) registration() *model.File {
	u := t.u
	imports := map[string]string{"arch": archPath}
	for k, v := range t.tab.Imports {
		imports[k] = v
	}
	f := &model.File{Package: t.opts.Package, Header: Header(t.opts), Imports: imports}
	mc := u.ByClass["Model"]
	if mc == nil {
		return f
	}
	argsT := &model.Ptr{Elem: named("ModelArgs")}
	modelT := &model.Ptr{Elem: named("Model")}
	if u.Args != nil {
		argsT = &model.Ptr{Elem: named(u.Args.Name)}
	}
	arr := &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Array"}}
	caches := &model.Slice{Elem: &model.QualType{Pkg: "lmcache", Name: "Cache"}}
	method := func(name string) model.Expr { return sel(par(un("*", id("Model"))), name) }
	kv := func(k string, v model.Expr) model.Expr { return &model.KeyValue{Key: id(k), Value: v} }

	elts := []model.Expr{kv("ModelType", lit(t.opts.ModelType)), kv("File", lit(t.opts.PyPath))}
	if len(t.opts.Aliases) > 0 {
		var as []model.Expr
		for _, a := range t.opts.Aliases {
			as = append(as, lit(a))
		}
		elts = append(elts, kv("Aliases", &model.Composite{Type: &model.Slice{Elem: named("string")}, Elts: as}))
	}
	if len(t.opts.ArchAliases) > 0 {
		aliasT := &model.QualType{Pkg: "arch", Name: "ArchitectureAlias"}
		var as []model.Expr
		for _, a := range t.opts.ArchAliases {
			as = append(as, &model.Composite{Type: aliasT, Elts: []model.Expr{kv("ModelType", lit(a[0])), kv("Architecture", lit(a[1]))}})
		}
		elts = append(elts, kv("ArchAliases", &model.Composite{Type: &model.Slice{Elem: aliasT}, Elts: as}))
	}

	// Args: ModelArgs.from_dict(config).
	if u.Args == nil {
		t.fail(mc.Def, "class Model", "the file has no BaseModelArgs dataclass to build it from")
		return f
	}
	if u.Args.FromDict != nil {
		elts = append(elts, kv("Args", id(u.Args.FromDict.GoName)))
	} else {
		cfg := id("config")
		elts = append(elts, kv("Args", &model.FuncLit{
			Params:  []*model.Param{{Name: "config", Type: &model.Map{Key: named("string"), Elem: named("any")}}},
			Results: []model.Type{argsT},
			Body:    []model.Stmt{ret(call(t.qual("py", "FromDict"), call(id("New"+u.Args.Name)), cfg))}}))
	}
	elts = append(elts, kv("NewModel", id("NewModel")))

	// Forward: __call__(inputs, cache=caches, <the rest at their defaults>).
	local := u.LocalCacheClass() // types/check_localcache.go
	if c := mc.ByMeth["__call__"]; c != nil {
		args := []model.Expr{id("inputs")}
		exact := len(c.Params) == 2 && c.Params[1].Py == "cache" && c.Ret != nil && c.Ret.Kind == types.Array && local == nil
		for i, p := range c.Params {
			if i == 0 {
				continue
			}
			if p.Py == "cache" {
				if local != nil {
					args = append(args, t.unwrapLocalCaches(local)) // lower_localcache.go
					continue
				}
				args = append(args, id("caches"))
				continue
			}
			args = append(args, t.zero(p.Type))
		}
		if exact {
			elts = append(elts, kv("Forward", method("Forward")))
		} else {
			elts = append(elts, kv("Forward", &model.FuncLit{
				Params:  []*model.Param{{Name: "m", Type: modelT}, {Name: "inputs", Type: arr}, {Name: "caches", Type: caches}},
				Results: []model.Type{arr},
				Body:    []model.Stmt{ret(call(sel(id("m"), "Forward"), args...))}}))
		}
	}
	if m := mc.ByMeth["sanitize"]; m != nil && m.Skipped == "" {
		elts = append(elts, kv("Sanitize", method(m.GoName)))
	}
	if m := mc.ByMeth["make_cache"]; m != nil && m.Skipped == "" {
		if local != nil && len(m.Params) == 0 {
			elts = append(elts, kv("MakeCache", &model.FuncLit{
				Params:  []*model.Param{{Name: "m", Type: modelT}},
				Results: []model.Type{caches},
				Body:    []model.Stmt{ret(t.wrapLocalCaches(local, call(sel(id("m"), m.GoName))))}}))
		} else if len(m.Params) == 0 {
			elts = append(elts, kv("MakeCache", method(m.GoName)))
		} else if args, ok := t.defaultArgs(m); ok {
			// make_cache(batch_size=1, ...): make_prompt_cache passes nothing.
			elts = append(elts, kv("MakeCache", &model.FuncLit{
				Params:  []*model.Param{{Name: "m", Type: modelT}},
				Results: []model.Type{caches},
				Body:    []model.Stmt{ret(call(sel(id("m"), m.GoName), args...))}}))
		}
	}
	if sh, ok := mc.ByMeth["shard"]; ok && sh.Skipped == "" && len(sh.Params) <= 1 {
		if len(sh.Params) == 1 {
			elts = append(elts, kv("Shard", method(sh.GoName)))
		} else {
			elts = append(elts, kv("Shard", &model.FuncLit{
				Params: []*model.Param{{Name: "m", Type: modelT}, {Name: "group", Type: &model.Ptr{Elem: &model.QualType{Pkg: "mlx", Name: "Group"}}}},
				Body:   []model.Stmt{exprStmt(call(sel(id("m"), sh.GoName)))}}))
		}
	}
	if m := mc.ByMeth["quant_predicate"]; m != nil && m.Skipped == "" && m.IsProp {
		body := []model.Stmt{ret(call(call(sel(id("m"), m.GoName)), id("path"), id("module")))}
		if m.Ret != nil && m.Ret.Kind == types.Optional {
			// The property may be None (qwen3_5 without experts): mlx-lm
			// then quantizes every layer that can be.
			body = []model.Stmt{
				define(id("p"), call(sel(id("m"), m.GoName))),
				&model.If{Cond: bin("!=", id("p"), nilLit()), Then: []model.Stmt{ret(call(par(un("*", id("p"))), id("path"), id("module")))}},
				ret(lit(true)),
			}
		}
		elts = append(elts, kv("QuantPredicate", &model.FuncLit{
			Params:  []*model.Param{{Name: "m", Type: modelT}, {Name: "path", Type: named("string")}, {Name: "module", Type: named("any")}},
			Results: []model.Type{named("any")},
			Body:    body}))
	}
	if m := mc.ByMeth["cast_predicate"]; m != nil && m.Skipped == "" && m.IsProp {
		elts = append(elts, kv("CastPredicate", &model.FuncLit{
			Params:  []*model.Param{{Name: "m", Type: modelT}, {Name: "key", Type: named("string")}},
			Results: []model.Type{named("bool")},
			Body:    []model.Stmt{ret(call(call(sel(id("m"), m.GoName)), id("key")))}}))
	}
	var layers model.Expr
	if p := mc.ByMeth["layers"]; p != nil && p.IsProp {
		layers = call(sel(id("m"), p.GoName))
	} else if fl := mc.ByName["layers"]; fl != nil {
		layers = sel(id("m"), fl.Go)
	}
	if layers != nil {
		elts = append(elts, kv("Layers", &model.FuncLit{Params: []*model.Param{{Name: "m", Type: modelT}},
			Results: []model.Type{named("int")}, Body: []model.Stmt{ret(call(id("len"), layers))}}))
	}

	gen := &model.Composite{Type: &model.QualType{Pkg: "arch", Name: "Generated", TypeArgs: []model.Type{argsT, modelT}},
		Elts: elts, Multiline: true}
	f.Decls = append(f.Decls, &model.Func{Name: "init", Body: []model.Stmt{exprStmt(call(sel(gen, "Register")))}})
	return f
}
