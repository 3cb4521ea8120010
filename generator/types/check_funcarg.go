package types

// teachFuncArg: a function of the file passed where the table takes a
// callable type (a table type with a call signature, such as Activation,
// func(array) array) learns its unannotated parameters' types from that
// signature, as a call site would teach them. deepseek_v3's shard() passes
// its nested shard_heads(w) to module.apply this way.
func (t *checker) teachFuncArg(v Val, ptype string) {
	if !t.learn || t.frozen || v.T == nil || v.T.Kind != FuncK {
		return
	}
	pt := t.tab.ParseTypeName(ptype)
	if pt.Kind != Ext {
		return
	}
	et := t.tab.Types[pt.Name]
	if et == nil || et.Call == nil {
		return
	}
	fn := t.u.ByFunc[v.T.Name]
	if fn == nil {
		fn = t.u.Nested[v.T.Name]
	}
	if fn == nil {
		return
	}
	for i, p := range fn.Params {
		if i < len(et.Call.Params) && p.Type.Kind == Unknown && !p.Annotated {
			p.Type = t.tab.ParseTypeName(et.Call.Params[i].Type)
		}
	}
}
