// Ported from mlx_lm/utils.py
// Upstream: mlx-lm 0.32.2
// Blob: aff825e8092b0452ea6f97fc8feca4d414ab1d2b

// Package loader loads a model directory the way mlx_lm.utils.load_model
// does: config.json (+ generation_config.json's eos_token_id), the
// architecture registered for its model_type, every model*.safetensors,
// the model's sanitize, quantization of exactly the layers the checkpoint
// quantized, and a strict load that names every missing or unexpected
// weight and every shape mismatch. Nothing is cast.
package loader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/modelfs"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// Options tune Load.
type Options struct {
	// Progress receives a progress bar while weights are read. Nil means
	// stderr when stderr is a terminal, else none.
	Progress io.Writer
	// NoProgress disables the bar even on a terminal.
	NoProgress bool
	// Lazy skips evaluating the parameters (load_model(lazy=True)).
	Lazy bool
	// ModelConfig is merged over config.json (load_model's model_config).
	ModelConfig map[string]any
	// Dtype is the compute dtype (see dtype.go): "" or "native" (as stored,
	// as mlx_lm.load), "auto" (float32 on the CPU backend for float16 /
	// bfloat16 checkpoints, else as stored), or a dtype to cast every
	// floating parameter to.
	Dtype string
}

// Model is a loaded model.
type Model struct {
	arch.Model
	Arch   arch.Arch
	Dir    string
	Config map[string]any
	// EOSTokenIDs is config's eos_token_id (after generation_config.json).
	EOSTokenIDs []int
	// VocabSize is config's vocab_size, 0 when the config has none.
	VocabSize int
	// WeightFiles are the safetensors files read, sorted.
	WeightFiles []string
	// CheckpointDtype is the floating dtype most parameters were stored in;
	// ComputeDtype what they are now, DtypeNote a one-line account of why.
	CheckpointDtype, ComputeDtype mlx.Dtype
	DtypeNote                     string
}

// Free releases the model's parameters.
func (m *Model) Free() {
	for _, a := range nn.Parameters(m.Module()) {
		a.Free()
	}
}

// Load loads the model in dir. Errors name the file and the key at fault.
func Load(ctx context.Context, dir string, o Options) (*Model, error) {
	config, configData, err := readConfig(dir)
	if err != nil {
		return nil, err
	}
	for k, v := range o.ModelConfig {
		config[k] = v
	}
	cfgPath := filepath.Join(dir, "config.json")
	mtRaw, ok := config["model_type"]
	if !ok {
		return nil, fmt.Errorf("%s: model_type is missing", cfgPath)
	}
	if _, ok := mtRaw.(string); !ok {
		return nil, fmt.Errorf("%s: model_type: expected a string, found %s", cfgPath, jsonKind(mtRaw))
	}
	a, err := arch.LookupConfig(config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	eos, err := EOSTokenIDs(config)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	files, err := weightFiles(dir)
	if err != nil {
		return nil, err
	}
	// The weights' headers first (no data), then the config's sizes against
	// them, all before the constructor allocates anything.
	stats, err := readHeaders(files)
	if err != nil {
		return nil, err
	}
	if err := checkConfigSizes(cfgPath, configData, stats); err != nil {
		return nil, err
	}
	if _, err := resolveQuantization(config); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if mf, ok := config["model_file"]; ok && mf != nil {
		// 0.32 runs a custom architecture file with trust_remote_code=True;
		// Go cannot run Python, so such a model is refused either way.
		return nil, fmt.Errorf("%s: model_file %v: the model requires a custom Python architecture file, which hf2go cannot run", cfgPath, mf)
	}
	if err := legacyQuantizationConfig(dir, config); err != nil {
		return nil, err
	}
	return build(ctx, a, config, eos, cfgPath, dir, files, func() (map[string]*mlx.Array, map[string]string, error) {
		return readWeights(files)
	}, nil, o)
}

// FromWeights builds a model from a config and weights that did not come
// from a model directory (a GGUF file): the same path as Load from the
// architecture lookup on (sanitize, quantization as config says, strict
// load, evaluation). source names the origin in errors and becomes Dir. The
// weights are consumed: on error they are freed.
func FromWeights(ctx context.Context, source string, config map[string]any, weights map[string]*mlx.Array, o Options) (*Model, error) {
	freeAll := func() {
		for _, w := range weights {
			w.Free()
		}
	}
	for k, v := range o.ModelConfig {
		config[k] = v
	}
	a, err := arch.LookupConfig(config)
	if err != nil {
		freeAll()
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	eos, err := EOSTokenIDs(config)
	if err != nil {
		freeAll()
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	// The same size checks as Load, against the weights given.
	st := &weightStats{files: []string{source}, tensors: len(weights)}
	for _, w := range weights {
		for _, d := range w.Shape() {
			st.maxDim = max(st.maxDim, d)
		}
	}
	if err := checkConfigTree(source, config, st); err != nil {
		freeAll()
		return nil, err
	}
	origin := make(map[string]string, len(weights))
	for n := range weights {
		origin[n] = source
	}
	return build(ctx, a, config, eos, source, source, []string{source}, func() (map[string]*mlx.Array, map[string]string, error) {
		return weights, origin, nil
	}, freeAll, o)
}

func build(ctx context.Context, a arch.Arch, config map[string]any, eos []int, cfgPath, dir string, files []string,
	read func() (map[string]*mlx.Array, map[string]string, error), discard func(), o Options) (*Model, error) {
	model, err := newModel(a, config)
	if err != nil {
		if discard != nil {
			discard()
		}
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	m := &Model{Model: model, Arch: a, Dir: dir, Config: config, EOSTokenIDs: eos,
		VocabSize: VocabSize(config), WeightFiles: files}
	ok := false
	defer func() {
		if !ok {
			m.Free()
		}
	}()

	weights, origin, err := read()
	if err != nil {
		return nil, err
	}
	freeAll := func(ws map[string]*mlx.Array) {
		for _, w := range ws {
			w.Free()
		}
	}
	sanitized, err := model.Sanitize(weights)
	if err != nil {
		freeAll(weights)
		return nil, fmt.Errorf("%s sanitize: %w", a.ModelType, err)
	}
	// Free what sanitize dropped (e.g. rotary inv_freq, a tied lm_head).
	kept := make(map[*mlx.Array]bool, len(sanitized))
	for _, w := range sanitized {
		kept[w] = true
	}
	for _, w := range weights {
		if !kept[w] {
			w.Free()
		}
	}
	weights = sanitized

	q, err := resolveQuantization(config)
	if err != nil {
		freeAll(weights)
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if q != nil {
		var perr []error
		err := nn.Quantize(model.Module(), q.predicate(weights, &perr))
		if err = errors.Join(append(perr, err)...); err != nil {
			freeAll(weights)
			return nil, fmt.Errorf("%s: quantizing the model: %w", cfgPath, err)
		}
	}
	if qa, ok := config["quantize_activations"]; ok && truthy(qa) {
		// 0.32: nvfp4/mxfp8 layers become nn.QQLinear (activations quantized
		// too), which runtime/mlx/nn does not have.
		freeAll(weights)
		return nil, fmt.Errorf("%s: quantize_activations: activation-quantized layers (nn.QQLinear) are not supported by hf2go yet", cfgPath)
	}
	if err := nn.Update(model.Module(), weights); err != nil {
		freeAll(weights)
		var ue *nn.UpdateError
		if errors.As(err, &ue) {
			return nil, fmt.Errorf("%s: %w", describeFiles(dir, files), annotate(ue, origin))
		}
		return nil, fmt.Errorf("%s: %w", describeFiles(dir, files), err)
	}
	if err := castParams(m, o); err != nil {
		return nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if !o.Lazy {
		if err := evalParams(ctx, model, progressWriter(o)); err != nil {
			return nil, fmt.Errorf("%s: reading weights: %w", describeFiles(dir, files), err)
		}
	}
	if m.VocabSize == 0 {
		// No vocab_size in the config: the embedding's rows.
		for name, p := range nn.Parameters(model.Module()) {
			if strings.HasSuffix(name, "embed_tokens.weight") && p.Ndim() == 2 {
				m.VocabSize = p.Dim(0)
			}
		}
	}
	ok = true
	return m, nil
}

// newModel runs the generated constructor, turning a panic that escaped it
// into an error rather than a crash.
func newModel(a arch.Arch, config map[string]any) (m arch.Model, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%s: building the model failed: %v", a.ModelType, r)
		}
	}()
	m, err = a.New(config)
	if err == nil && m == nil {
		err = fmt.Errorf("%s: constructor returned no model", a.ModelType)
	}
	return m, err
}

// weightFiles is load_model's glob of model*.safetensors (sorted), each a
// regular file inside the model. A model.safetensors.index.json, when
// present, must name only plain file names that exist.
func weightFiles(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "model*.safetensors"))
	if err != nil {
		return nil, err
	}
	if len(matches) > MaxWeightFiles {
		return nil, fmt.Errorf("%s: %d model*.safetensors files, more than the %d any model needs", dir, len(matches), MaxWeightFiles)
	}
	sort.Strings(matches)
	files := make([]string, 0, len(matches))
	for _, m := range matches {
		p, err := modelfs.Check(dir, filepath.Base(m))
		if err != nil {
			return nil, err
		}
		files = append(files, p)
	}
	const idxName = "model.safetensors.index.json"
	idx := filepath.Join(dir, idxName)
	data, err := modelfs.ReadFile(dir, idxName)
	switch {
	case err == nil:
		var index struct {
			WeightMap map[string]string `json:"weight_map"`
		}
		if err := json.Unmarshal(data, &index); err != nil {
			return nil, fmt.Errorf("%s: invalid: %s", idx, describeJSONError(data, err))
		}
		var missing []string
		seen := map[string]bool{}
		for _, f := range index.WeightMap {
			if seen[f] {
				continue
			}
			seen[f] = true
			if len(seen) > MaxWeightFiles {
				return nil, fmt.Errorf("%s names more than %d shards", idx, MaxWeightFiles)
			}
			if err := checkShardName(idx, f); err != nil {
				return nil, err
			}
			if _, err := modelfs.Resolve(dir, f); err != nil {
				if !errors.Is(err, fs.ErrNotExist) {
					return nil, err
				}
				missing = append(missing, f)
			}
		}
		sort.Strings(missing)
		if len(missing) > 0 {
			more := ""
			if len(missing) > 5 {
				more = fmt.Sprintf(" (and %d more)", len(missing)-5)
				missing = missing[:5]
			}
			return nil, fmt.Errorf("%s names shards that are missing: %s%s", idx, strings.Join(missing, ", "), more)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no safetensors found in %s (expected model*.safetensors)", dir)
	}
	return files, nil
}

// readWeights loads every file; a tensor name in two files is an error. It
// returns each name's file for error messages.
func readWeights(files []string) (map[string]*mlx.Array, map[string]string, error) {
	weights := map[string]*mlx.Array{}
	origin := map[string]string{}
	for _, f := range files {
		ts, err := mlx.LoadSafetensors(f)
		if err != nil {
			for _, w := range weights {
				w.Free()
			}
			return nil, nil, err
		}
		for name, a := range ts.Arrays {
			if prev, dup := origin[name]; dup {
				ts.Free()
				for _, w := range weights {
					w.Free()
				}
				return nil, nil, fmt.Errorf("tensor %q is in both %s and %s", name, filepath.Base(prev), filepath.Base(f))
			}
			weights[name] = a
			origin[name] = f
		}
	}
	return weights, origin, nil
}

func describeFiles(dir string, files []string) string {
	if len(files) == 1 {
		return files[0]
	}
	return fmt.Sprintf("%s (%d model*.safetensors files)", dir, len(files))
}

// annotate adds the file to unexpected and mismatched names when the weights
// come from several files.
func annotate(ue *nn.UpdateError, origin map[string]string) error {
	files := map[string]bool{}
	for _, f := range origin {
		files[f] = true
	}
	if len(files) < 2 {
		return ue
	}
	out := &nn.UpdateError{Missing: ue.Missing}
	for _, n := range ue.Unexpected {
		out.Unexpected = append(out.Unexpected, fmt.Sprintf("%s (%s)", n, filepath.Base(origin[n])))
	}
	for _, n := range ue.Mismatched {
		name, _, _ := strings.Cut(n, ":")
		if f, ok := origin[name]; ok {
			n = fmt.Sprintf("%s (%s)", n, filepath.Base(f))
		}
		out.Mismatched = append(out.Mismatched, n)
	}
	return out
}

// evalParams evaluates the parameters in batches, drawing progress.
func evalParams(ctx context.Context, model arch.Model, w io.Writer) error {
	params := nn.Parameters(model.Module())
	names := make([]string, 0, len(params))
	total := 0
	for n, p := range params {
		names = append(names, n)
		total += p.Nbytes()
	}
	sort.Strings(names)
	bar := newBar(w, total)
	defer bar.done()
	var batch []*mlx.Array
	batchBytes, doneBytes := 0, 0
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := mlx.Eval(batch...); err != nil {
			return err
		}
		doneBytes += batchBytes
		bar.set(doneBytes)
		batch, batchBytes = batch[:0], 0
		return ctx.Err()
	}
	for _, n := range names {
		p := params[n]
		batch = append(batch, p)
		batchBytes += p.Nbytes()
		if batchBytes >= 64<<20 || len(batch) >= 64 {
			if err := flush(); err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
		}
	}
	return flush()
}

func progressWriter(o Options) io.Writer {
	if o.NoProgress {
		return nil
	}
	if o.Progress != nil {
		return o.Progress
	}
	if st, err := os.Stderr.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		return os.Stderr
	}
	return nil
}

type bar struct {
	w     io.Writer
	total int
	last  int
}

func newBar(w io.Writer, total int) *bar { return &bar{w: w, total: total, last: -1} }

func (b *bar) set(done int) {
	if b.w == nil || b.total == 0 {
		return
	}
	pct := done * 100 / b.total
	if pct == b.last {
		return
	}
	b.last = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(b.w, "\rloading weights [%s%s] %3d%% %.2f/%.2f GB", strings.Repeat("=", fill),
		strings.Repeat(" ", width-fill), pct, float64(done)/1e9, float64(b.total)/1e9)
}

func (b *bar) done() {
	if b.w != nil && b.last >= 0 {
		fmt.Fprintln(b.w)
	}
}
