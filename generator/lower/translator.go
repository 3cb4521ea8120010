// Package lower is the translator's lowering phase: it walks the
// typed unit the types phase checked (every expression's type and known
// literal recorded per body) and emits the Go package with jennifer, one Go
// declaration per Python class, field, method and function, in the same
// order and with the same names (Go-cased). It infers nothing: where it
// needs a type it reads the checker's. Anything the translator cannot
// express is a Diagnostic at the Python construct's file:line:col; a file
// with a diagnostic produces no Go at all.
package lower

import (
	"fmt"

	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// Options say where the file comes from, for the header and registration.
type Options struct {
	Package   string // Go package name
	PyPath    string // mlx_lm/models/llama.py
	Revision  string // the pin as headers name it: the release version ("0.32.2"), else the commit
	Blob      string
	ModelType string   // the file's model_type (its name)
	Aliases   []string // model_types mlx-lm remaps to this file
	// ArchAliases are the (model_type, architecture) pairs mlx-lm's
	// MODEL_ARCHITECTURE_REMAPPING sends to this file.
	ArchAliases [][2]string
	// Load parses another file of mlx_lm/models (a sibling model file or a
	// helper such as pipeline.py) for imports and inheritance.
	Load func(module string) (*syntax.File, *names.Scope, error)
}

// Result is a translated package.
type Result struct {
	File        *model.File
	Register    *model.File // register.go: the package's arch.Generated
	Diagnostics []syntax.Diagnostic
}

type translator struct {
	opts   Options
	u      *types.Unit
	scope  *names.Scope // the module scope of the body being lowered
	tab    *types.Table
	diags  []syntax.Diagnostic
	inst   *types.Inst     // the checked body being lowered
	reads  map[string]bool // names read by the function being emitted (nil: all)
	exited bool            // the block just lowered ends in a certain exit (types/dead.go)

	tryResults int                        // result variables of try bodies declared so far (lower_try.go)
	hoisted    map[*syntax.NamedExpr]bool // walruses assigned before their test (lower_walrus.go)
}

// Translate type-checks one parsed model file and lowers it to Go.
func Translate(f *syntax.File, scope *names.Scope, tab *types.Table, opts Options) *Result {
	u, diags := types.Check(f, scope, tab, opts.Load)
	if len(diags) > 0 && !types.InferenceOnly(diags) {
		return &Result{Diagnostics: diags}
	}
	t := &translator{opts: opts, u: u, scope: scope, tab: tab}
	res := &Result{}
	if len(diags) == 0 {
		t.tryOptional()
		u.SkipFoldedAway() // types/reach_folded.go
		res.File = t.emitFile()
		res.Register = t.registration()
	} else {
		// A type that could not be inferred usually hides an expression the
		// translator rejects; lowering anyway reports that root cause.
		u.SkipFoldedAway()
		t.emitFile()
	}
	all := append(append(diags, u.CheckDiagnostics()...), t.diags...)
	res.Diagnostics = types.SortDiagnostics(all)
	return res
}

func (t *translator) fail(n syntax.Node, construct, format string, args ...any) {
	var p syntax.Pos
	if n != nil {
		p = n.Position()
	}
	file := t.opts.PyPath
	if p := t.scope.FilePath(); p != "" && p != t.u.File.Path {
		file = p // code taken from a sibling or another mlx-lm package
	}
	t.diags = append(t.diags, syntax.Diagnostic{File: file, Pos: p, Construct: construct, Why: fmt.Sprintf(format, args...)})
}

// optionalMethods are translated when they can be and otherwise skipped
// (with the reason in the generated file): the model works without them.
var optionalMethods = types.OptionalMethods

// tryOptional lowers each optional method once; one that the translator
// rejects is skipped instead of blocking the whole file.
func (t *translator) tryOptional() {
	for _, c := range t.u.Classes {
		for _, m := range c.Methods {
			if !optionalMethods[m.Def.Name] || m.Skipped != "" {
				continue
			}
			n, nc := len(t.diags), len(t.u.CheckDiagnostics())
			t.emitFunc(m)
			if len(t.diags) > n || len(t.u.CheckDiagnostics()) > nc {
				var d syntax.Diagnostic
				if len(t.u.CheckDiagnostics()) > nc {
					d = t.u.CheckDiagnostics()[nc]
				} else {
					d = t.diags[n]
				}
				m.Skipped = fmt.Sprintf("not translated yet (%d:%d: %s: %s)", d.Pos.Line, d.Pos.Col, d.Construct, d.Why)
				t.diags = t.diags[:n]
				t.u.TruncateDiagnostics(nc)
			}
		}
	}
}

// val is the recorded value of an expression in the body being lowered.
func (t *translator) val(e syntax.Expr) types.Val {
	if t.inst != nil {
		if v, ok := t.inst.Vals[e]; ok {
			return v
		}
	}
	return types.Val{T: types.TUnknown}
}
