package generator

import (
	"bytes"
	_ "embed"
	"fmt"
	"path"
	"strings"

	"github.com/hf2go/hf2go/generator/emit"
	"github.com/hf2go/hf2go/generator/lower"
	"github.com/hf2go/hf2go/generator/names"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
	"github.com/hf2go/hf2go/templates"
	"github.com/hf2go/hf2go/upstream"
	"go.yaml.in/yaml/v3"
	"golang.org/x/tools/imports"
)

//go:embed tiers.yaml
var tiersYAML []byte

// Tiers returns the tier (1, 2, 3) of each model file, 0 when unknown.
func Tiers() (map[string]int, error) {
	var t struct {
		Tiers map[string]int `yaml:"tiers"`
	}
	if err := yaml.Unmarshal(tiersYAML, &t); err != nil {
		return nil, fmt.Errorf("tiers.yaml: %w", err)
	}
	return t.Tiers, nil
}

// Output is one generated architecture.
type Output struct {
	ModelType   string            // the model file's name: "llama", "nemotron-nas"
	Dir         string            // directory under generated/models: "nemotron_nas"
	Package     string            // Go package name: "nemotronnas"
	PyPath      string            // mlx_lm/models/<file>.py
	Revision    string            // the pin, as headers name it ("0.32.2")
	Files       map[string][]byte // file name → content
	Diagnostics []syntax.Diagnostic
}

// Err reports the first diagnostic as an error.
func (o *Output) Err() error {
	if len(o.Diagnostics) == 0 {
		return nil
	}
	return o.Diagnostics[0]
}

// Generator translates model files from one upstream source.
type Generator struct {
	Src   upstream.Source
	Lock  *upstream.Lock
	Table *types.Table
	remap map[string][]string // model file → model_types remapped to it
	// archRemap: model file → the (model_type, architecture) pairs
	// MODEL_ARCHITECTURE_REMAPPING sends to it.
	archRemap map[string][][2]string

	loaded []loadedFile // other upstream files the current translation read
}

type loadedFile struct{ path, blob string }

// alsoFrom adds a header line for every other upstream file the translation
// read (a sibling model file, pipeline.py), right after the first line, so
// that provenance and portcheck see those dependencies too.
func (g *Generator) alsoFrom(src []byte) []byte {
	if len(g.loaded) == 0 {
		return src
	}
	i := bytes.IndexByte(src, '\n')
	var extra bytes.Buffer
	seen := map[string]bool{}
	for _, l := range g.loaded {
		if seen[l.path] {
			continue
		}
		seen[l.path] = true
		fmt.Fprintf(&extra, "// Also translated from %s (blob %s).\n", l.path, l.blob)
	}
	out := append([]byte{}, src[:i+1]...)
	out = append(out, extra.Bytes()...)
	return append(out, src[i+1:]...)
}

// New prepares a generator; it reads MODEL_REMAPPING from mlx_lm/utils.py.
func New(src upstream.Source, lock *upstream.Lock) (*Generator, error) {
	tab, err := types.LoadTable()
	if err != nil {
		return nil, err
	}
	g := &Generator{Src: src, Lock: lock, Table: tab}
	g.remap, g.archRemap, err = g.readRemapping()
	if err != nil {
		return nil, err
	}
	return g, nil
}

// DirName is the directory of a model file's package: "-" is not allowed in
// a Go import path element we want to write, so nemotron-nas → nemotron_nas.
func DirName(modelType string) string { return strings.ReplaceAll(modelType, "-", "_") }

// PackageName is the Go package name: lower case letters and digits only.
func PackageName(modelType string) string {
	p := strings.NewReplacer("-", "", "_", "").Replace(modelType)
	if p != "" && p[0] >= '0' && p[0] <= '9' {
		p = "m" + p
	}
	return p
}

// Resolve maps a model_type (from config.json) to the model file mlx-lm
// would load, applying MODEL_REMAPPING.
func (g *Generator) Resolve(modelType string) string {
	for file, aliases := range g.remap {
		for _, a := range aliases {
			if a == modelType {
				return file
			}
		}
	}
	return modelType
}

// Generate translates mlx_lm/models/<modelType>.py.
func (g *Generator) Generate(modelType string) (*Output, error) {
	pyPath := "mlx_lm/models/" + modelType + ".py"
	src, err := g.Src.ReadFile(pyPath)
	if err != nil {
		return nil, err
	}
	blob := upstream.BlobHash(src)
	if g.Lock != nil {
		if err := g.Lock.Check(pyPath, src); err != nil {
			return nil, err
		}
	}
	out := &Output{ModelType: modelType, Dir: DirName(modelType), Package: PackageName(modelType), PyPath: pyPath,
		Files: map[string][]byte{}}
	file, diags := syntax.Parse(pyPath, src)
	if len(diags) > 0 {
		out.Diagnostics = diags
		return out, nil
	}
	scope, diags := names.Resolve(file)
	if len(diags) > 0 {
		out.Diagnostics = diags
		return out, nil
	}
	// Headers name the pin by its label (upstream.Revision.Label): the lock's
	// when there is one, since a PyPI release's venv knows no commit.
	rev := g.Src.Revision().Label()
	if g.Lock != nil {
		rev = g.Lock.Label()
	}
	out.Revision = rev
	opts := lower.Options{Package: out.Package, PyPath: pyPath, Revision: rev, Blob: blob,
		ModelType: modelType, Aliases: g.remap[modelType], ArchAliases: g.archRemap[modelType], Load: g.loadModule}
	g.loaded = nil
	res := lower.Translate(file, scope, g.Table, opts)
	if len(res.Diagnostics) > 0 {
		out.Diagnostics = res.Diagnostics
		return out, nil
	}
	var buf bytes.Buffer
	if err := emit.File(res.File).Render(&buf); err != nil {
		// jennifer formats the file; a failure here is a translator bug, and
		// is reported as a diagnostic on the file rather than a crash.
		out.Diagnostics = []syntax.Diagnostic{{File: pyPath, Pos: syntax.Pos{Line: 1, Col: 1}, Construct: "go output",
			Why: "the translated Go does not format: " + firstLine(err.Error())}}
		return out, nil
	}

	src2 := g.alsoFrom(buf.Bytes())
	main, err := imports.Process(out.Package+".go", src2, &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%s: formatting the translation: %w", pyPath, err)
	}
	out.Files[out.Package+".go"] = main
	buf.Reset()
	if err := emit.File(res.Register).Render(&buf); err != nil {
		return nil, fmt.Errorf("%s: formatting the registration: %w", pyPath, err)
	}
	reg, err := imports.Process("register.go", buf.Bytes(), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
	if err != nil {
		return nil, fmt.Errorf("%s: formatting the registration: %w", pyPath, err)
	}
	out.Files["register.go"] = reg
	return out, nil
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// AllFile renders generated/models/all/all.go for the given package dirs.
func AllFile(dirs []string) ([]byte, error) {
	var buf bytes.Buffer
	if err := templates.Set.ExecuteTemplate(&buf, "all.go.tmpl", dirs); err != nil {
		return nil, err
	}
	return imports.Process("all.go", buf.Bytes(), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
}

// readRemapping parses MODEL_REMAPPING = {...} (model_type → file) and
// MODEL_ARCHITECTURE_REMAPPING = {(model_type, architecture): file, ...}
// (bailing_moe_v3 is loaded for a bailing_hybrid config whose architectures
// name BailingMoeV3ForCausalLM) out of mlx_lm/utils.py. The second is
// optional: older pins do not have it.
func (g *Generator) readRemapping() (map[string][]string, map[string][][2]string, error) {
	src, err := g.Src.ReadFile("mlx_lm/utils.py")
	if err != nil {
		return nil, nil, err
	}
	f, diags := syntax.Parse("mlx_lm/utils.py", src)
	if f == nil {
		return nil, nil, fmt.Errorf("mlx_lm/utils.py: %v", diags)
	}
	var out map[string][]string
	archOut := map[string][][2]string{}
	for _, st := range f.Body {
		a, ok := st.(*syntax.Assign)
		if !ok || len(a.Targets) != 1 {
			continue
		}
		n, ok := a.Targets[0].(*syntax.Name)
		if !ok || (n.Id != "MODEL_REMAPPING" && n.Id != "MODEL_ARCHITECTURE_REMAPPING") {
			continue
		}
		d, ok := a.Value.(*syntax.Dict)
		if !ok {
			return nil, nil, fmt.Errorf("mlx_lm/utils.py: %s is not a dict literal", n.Id)
		}
		if n.Id == "MODEL_ARCHITECTURE_REMAPPING" {
			for i := range d.Keys {
				k, ok1 := d.Keys[i].(*syntax.Tuple)
				v, ok2 := d.Values[i].(*syntax.Constant)
				if !ok1 || !ok2 || len(k.Elts) != 2 {
					return nil, nil, fmt.Errorf("mlx_lm/utils.py:%d: MODEL_ARCHITECTURE_REMAPPING: expected (model_type, architecture): file", d.Keys[i].Position().Line)
				}
				mt, ok1 := k.Elts[0].(*syntax.Constant)
				ar, ok2 := k.Elts[1].(*syntax.Constant)
				if !ok1 || !ok2 {
					return nil, nil, fmt.Errorf("mlx_lm/utils.py:%d: MODEL_ARCHITECTURE_REMAPPING: expected string keys", d.Keys[i].Position().Line)
				}
				archOut[v.Value] = append(archOut[v.Value], [2]string{mt.Value, ar.Value})
			}
			continue
		}
		out = map[string][]string{}
		for i := range d.Keys {
			k, ok1 := d.Keys[i].(*syntax.Constant)
			v, ok2 := d.Values[i].(*syntax.Constant)
			if ok1 && ok2 {
				out[v.Value] = append(out[v.Value], k.Value)
			}
		}
	}
	if out == nil {
		return nil, nil, fmt.Errorf("mlx_lm/utils.py: no MODEL_REMAPPING")
	}
	return out, archOut, nil
}

// ModelFiles lists every model file at the source's revision (by model_type).
func (g *Generator) ModelFiles() ([]string, error) {
	files, err := g.Src.List("mlx_lm/models")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range files {
		base := path.Base(f)
		if !strings.HasSuffix(base, ".py") || base == "__init__.py" {
			continue
		}
		name := strings.TrimSuffix(base, ".py")
		switch name {
		case "base", "cache", "rope_utils", "switch_layers", "activations", "pipeline", "ssm", "gated_delta", "bitlinear_layers", "mla":
			continue // infrastructure, ported by hand
		}
		out = append(out, name)
	}
	return out, nil
}

// ParityTest renders the parity test file of a generated package.
func ParityTest(o *Output) ([]byte, error) {
	var buf bytes.Buffer
	data := map[string]any{"Package": o.Package, "Dir": o.Dir, "ModelType": o.ModelType, "Revision": o.Revision}
	if err := templates.Set.ExecuteTemplate(&buf, "parity_test.go.tmpl", data); err != nil {
		return nil, err
	}
	return imports.Process("parity_test.go", buf.Bytes(), &imports.Options{Comments: true, TabIndent: true, TabWidth: 8, FormatOnly: true})
}

// loadModule parses another file of mlx_lm/models for the translator
// (a sibling model file or a helper such as pipeline.py).
// A module of another mlx-lm package is named by its path relative to
// mlx_lm/models ("../kernels", "../kernels/_common"; names/relimport.go):
// <name>.py, else the package's <name>/__init__.py.
func (g *Generator) loadModule(module string) (*syntax.File, *names.Scope, error) {
	p := path.Join("mlx_lm/models", module) + ".py"
	if !strings.HasPrefix(p, "mlx_lm/") {
		return nil, nil, fmt.Errorf("module %q is outside mlx_lm", module)
	}
	src, err := g.Src.ReadFile(p)
	if err != nil && strings.HasPrefix(module, "../") {
		init := path.Join("mlx_lm/models", module, "__init__.py")
		if s, ierr := g.Src.ReadFile(init); ierr == nil {
			p, src, err = init, s, nil
		}
	}
	if err != nil {
		return nil, nil, err
	}
	g.loaded = append(g.loaded, loadedFile{path: p, blob: upstream.BlobHash(src)})
	f, diags := syntax.Parse(p, src)
	if len(diags) > 0 {
		return nil, nil, diags[0]
	}
	scope, diags := names.Resolve(f)
	if len(diags) > 0 {
		return nil, nil, diags[0]
	}
	return f, scope, nil
}
