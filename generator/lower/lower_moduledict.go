package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/types"
)

// emitModuleDicts declares each module-level dict constant the bodies read
// (types/check_moduledict.go) as a package-level var of the same map.
func (t *translator) emitModuleDicts(f *model.File) {
	for _, md := range t.u.ModDicts {
		saved, savedScope := t.inst, t.scope
		t.inst, t.scope = md.Inst, md.Scope
		v := t.expr(md.Dict, newEnv(nil, nil, nil))
		t.inst, t.scope = saved, savedScope
		f.Decls = append(f.Decls, &model.VarDecl{Doc: fmt.Sprintf("%s is the module-level dict %s of %s (only read).", md.Go, md.Py, t.opts.PyPath),
			Name: md.Go, Value: t.coerce(v, md.T, md.Dict)})
	}
}

// moduleDictName is a read of a module-level dict constant.
func (t *translator) moduleDictName(md *types.ModuleDict) val {
	return prim(id(md.Go), md.T)
}
