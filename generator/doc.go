// Package generator translates mlx-lm model files into Go packages. It runs
// the translator's phases over one model file and renders the package's
// boilerplate from templates/; it writes nothing (the CLI, cmd/hf2go, writes
// and type-checks).
//
// # Phases
//
// Each phase is a package with one job; data flows one way, as in esbuild
// (parse → visit → print) or protoc-gen-go (resolved descriptors → printer).
//
//	syntax  tree-sitter → a small positioned Python AST (plain data). Exact
//	        rewrites that later phases need not know about (desugar.go: an
//	        if whose condition is a walrus) happen here, once.
//	names   every Name of the file bound to a Symbol in a scope, with
//	        Python's rules: module, class, function, comprehension and lambda
//	        scopes; imports say what they refer to (mx, nn, a helper of
//	        mlx-lm, a sibling model file). Also the Go spelling of Python
//	        names (GoExported, GoLocal).
//	types   the API table (api.yaml: what each mx/nn/helper name takes,
//	        returns and becomes in Go) and the checker. types.Check collects
//	        the unit's declarations (the file's classes and functions, those
//	        of the sibling files it builds on, base classes flattened in),
//	        then infers to a fixpoint: field types from what the methods
//	        assign to self.x, parameter types from annotations, conventions
//	        and call sites, return types from return statements, local types
//	        per symbol and version (a local rebound to an unrelated type
//	        becomes a second Go variable). Inference rounds only widen types,
//	        so they converge. Then types are frozen and Unit.Body records a
//	        body: each expression's type and known literal, each target's
//	        type, the locals at the start.
//	lower   the typed Go model (package model) from the checked unit: every
//	        decision about Go — which conversion a Python value needs where
//	        it is used, how a Python operation reads in Go (// is
//	        py.FloorDiv, `x or d` on an Optional is py.OrPtr, a conditional
//	        expression is a closure so the untaken branch is not evaluated),
//	        where a local is declared, which branches are dead. It reads
//	        types from the checker and infers none; an expression whose
//	        lowering disagrees with the checker is an "internal" diagnostic.
//	model   plain data: structs, funcs, typed statements and expressions;
//	        every expression carries its Python type; model.Dump prints it.
//	emit    the printer: model → jennifer → Go source. One jennifer
//	        construct per model node, no decisions.
//
// Diagnostics are file:line:col: construct: why; a file with any produces no
// Go. `hf2go explain <arch>` lists them all.
//
// # Adding support for something
//
//   - A new mx / nn / helper function or type: an entry in types/api.yaml
//     (its Go template, parameters, result). No code; the table test
//     type-checks every template against the runtime packages.
//   - A new Python construct: the checker's case in types/check_*.go (what
//     type it has, what it teaches inference) and the lowering's in
//     lower/*.go (the Go it becomes), with a types test (snippet → types)
//     and a lower test (snippet → model). The printer changes only for a
//     new kind of Go construct (a model node).
//   - A new architecture: `hf2go add <model_type>`, parity configs in
//     parity/configs/<arch>.json, and the parity test that generation adds.
//
// The generated output is the oracle of refactorings: `hf2go generate
// --check` must stay byte-identical unless the change means to change it,
// and then every affected architecture's parity test must stay green.
package generator
