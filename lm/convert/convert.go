// Ported from mlx_lm/convert.py
// Upstream: mlx-lm 0.32.2
// Blob: 32f87d045a64a9115b20234e6264521d48a30242
//
// Ported from mlx_lm/utils.py
// Upstream: mlx-lm 0.32.2
// Blob: aff825e8092b0452ea6f97fc8feca4d414ab1d2b

// Package convert turns a Hugging Face checkpoint directory into an MLX one
// the way mlx_lm.convert.convert does at the pinned mlx-lm: load
// the model lazily (config, the architecture's sanitize, the checkpoint's own
// quantization), cast the floating parameters to the requested dtype
// (default: config's torch_dtype), optionally quantize with mlx_lm's
// quantize_model rule, and save as mlx_lm.utils.save does: weights sharded
// into ≤5 GB safetensors files with metadata {"format": "mlx"}, an index,
// config.json with "quantization" and "quantization_config", the tokenizer
// files, *.py and generation_config.json.
//
// The output directory is built under a temporary name beside mlx-path and
// renamed at the end, so it appears only when complete. A cancelled context
// (Ctrl-C, SIGTERM) returns at once and removes that directory, even while a
// shard is being written; one left by a run that was killed outright is
// removed by the next conversion into the same parent directory (see
// workdir.go).
package convert

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/hf2go/hf2go/lm/arch"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/lm/modelfs"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// MaxFileSize is mlx_lm.utils.MAX_FILE_SIZE_GB (5) in bytes (5 << 30).
const MaxFileSize = 5 << 30

// ConversionDtypes are mlx_lm.convert.MODEL_CONVERSION_DTYPES.
var ConversionDtypes = []string{"float16", "bfloat16", "float32"}

// Options are convert()'s arguments.
type Options struct {
	HFPath   string
	MLXPath  string
	Quantize bool
	// GroupSize and Bits default (0) to the mode's defaults: affine 64/4,
	// mxfp4 32/4, nvfp4 16/4, mxfp8 32/8.
	GroupSize int
	Bits      int
	Mode      string // "affine" when empty
	// Dtype is one of ConversionDtypes, or empty for config's torch_dtype,
	// else (0.32) its text_config's dtype; no cast when that is not one of
	// them.
	Dtype string
	// Log receives mlx_lm's [INFO] lines; nil discards them.
	Log io.Writer
	// MaxFileSize overrides the shard size limit (tests); 0 means 5 GB.
	MaxFileSize int
}

// Result says what was written.
type Result struct {
	Shards        []string
	TotalSize     int
	Quantized     int // layers quantized by this conversion
	BitsPerWeight float64
}

// tokenizerFiles are the files tokenizer.save_pretrained writes (or may
// write) for the tokenizers mlx-lm loads; they are copied as they are.
var tokenizerFiles = []string{
	"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json",
	"tokenizer.model", "vocab.json", "vocab.txt", "merges.txt", "chat_template.jinja", "chat_template.json",
}

func modeDefaults(mode string) (int, int, error) {
	switch mode {
	case "affine":
		return 64, 4, nil
	case "mxfp4":
		return 32, 4, nil
	case "nvfp4":
		return 16, 4, nil
	case "mxfp8":
		return 32, 8, nil
	}
	return 0, 0, fmt.Errorf("unknown quantization mode %q (affine, mxfp4, nvfp4, mxfp8)", mode)
}

// CheckOptions validates the options as mlx_lm.convert's argument parser
// and its quantize_model do, before anything is read: an unknown mode or
// dtype, a group size or bit width that mx.quantize refuses for the mode
// (checked only with Quantize, as mlx_lm ignores them otherwise), and values
// that no mode accepts (negative), which are refused either way. It fills in
// the defaults.
func CheckOptions(o *Options) error {
	if o.HFPath == "" {
		return fmt.Errorf("--hf-path is required: the Hugging Face model directory (or repository id org/name) to convert")
	}
	if o.MLXPath == "" {
		o.MLXPath = "mlx_model"
	}
	if o.Mode == "" {
		o.Mode = "affine"
	}
	if o.Dtype != "" && !contains(ConversionDtypes, o.Dtype) {
		return fmt.Errorf("--dtype %q: expected one of %s", o.Dtype, strings.Join(ConversionDtypes, ", "))
	}
	gs, bits, err := modeDefaults(o.Mode)
	if err != nil {
		return fmt.Errorf("--q-mode: %w", err)
	}
	if o.GroupSize < 0 {
		return fmt.Errorf("--q-group-size %d: a group size must be positive", o.GroupSize)
	}
	if o.Bits < 0 {
		return fmt.Errorf("--q-bits %d: the number of bits must be positive", o.Bits)
	}
	if o.MaxFileSize < 0 {
		return fmt.Errorf("shard size limit %d must be positive", o.MaxFileSize)
	}
	// mlx_lm: `group_size or default`, `bits or default`.
	if o.GroupSize != 0 {
		gs = o.GroupSize
	}
	if o.Bits != 0 {
		bits = o.Bits
	}
	if o.Quantize {
		if err := loader.CheckQuantParams(o.Mode, gs, bits); err != nil {
			return fmt.Errorf("--q-group-size %d --q-bits %d --q-mode %s: %w", gs, bits, o.Mode, err)
		}
	}
	o.GroupSize, o.Bits = gs, bits
	return nil
}

// Convert runs the conversion. If ctx is cancelled it returns ctx's error
// at once and removes the partial output; the work already handed to MLX
// finishes in the background (its results go nowhere), so a caller that
// exits right away, as mlxlm does, stops within moments.
func Convert(ctx context.Context, o Options) (*Result, error) {
	if err := CheckOptions(&o); err != nil {
		return nil, err
	}
	if _, err := os.Lstat(o.MLXPath); err == nil {
		return nil, fmt.Errorf("cannot save to the path %s as it already exists; delete it or choose another --mlx-path", o.MLXPath)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	parent := filepath.Dir(filepath.Clean(o.MLXPath))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	removeStaleWorkDirs(parent, o.Log)
	w := &workDir{parent: parent, base: filepath.Base(filepath.Clean(o.MLXPath))}
	type outcome struct {
		res *Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := convert(ctx, o, w)
		done <- outcome{res, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			w.abort()
			if ctx.Err() != nil {
				return nil, interrupted(ctx, w)
			}
			return nil, r.err
		}
		return r.res, nil
	case <-ctx.Done():
		w.abort()
		return nil, interrupted(ctx, w)
	}
}

func interrupted(ctx context.Context, w *workDir) error {
	if p := w.path(); p != "" {
		return fmt.Errorf("conversion interrupted (%v); its partial output %s was removed", ctx.Err(), p)
	}
	return fmt.Errorf("conversion interrupted (%v) before anything was written", ctx.Err())
}

// convert is Convert's work, writing into w.
func convert(ctx context.Context, o Options, w *workDir) (*Result, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	gs, bits := o.GroupSize, o.Bits
	rawConfig, err := readRawConfig(o.HFPath)
	if err != nil {
		return nil, err
	}

	logf("[INFO] Loading")
	m, err := loader.Load(ctx, o.HFPath, loader.Options{Lazy: true, NoProgress: true})
	if err != nil {
		return nil, err
	}
	defer m.Free()
	// load_model may have resolved a legacy quantization_config.
	for _, k := range []string{"quantization", "quantization_config"} {
		if v, ok := m.Config[k]; ok {
			rawConfig[k] = v
		}
	}
	if v, ok := m.Config["eos_token_id"]; ok {
		rawConfig["eos_token_id"] = v
	}

	dtype := o.Dtype
	if dtype == "" {
		if s, ok := m.Config["torch_dtype"].(string); ok {
			dtype = s
		} else if tc, ok := m.Config["text_config"].(map[string]any); ok && m.Config["torch_dtype"] == nil && len(tc) > 0 {
			// dtype = text_config.get("dtype") when torch_dtype is None and
			// text_config is a non-empty dict (transformers 5 writes "dtype").
			if s, ok := tc["dtype"].(string); ok {
				dtype = s
			}
		}
	}
	if contains(ConversionDtypes, dtype) {
		logf("[INFO] Using dtype: %s", dtype)
		dt, err := mlx.DtypeFromString(dtype)
		if err != nil {
			return nil, err
		}
		if err := castFloating(m.Module(), dt, converter(m.Model)); err != nil {
			return nil, err
		}
	}

	bitsOf := map[string]int{}
	res := &Result{}
	if o.Quantize {
		logf("[INFO] Quantizing")
		n, err := quantize(m.Module(), rawConfig, gs, bits, o.Mode, converter(m.Model), bitsOf)
		if err != nil {
			return nil, err
		}
		res.Quantized = n
	}
	if v, ok := rawConfig["quantization"].(map[string]any); ok {
		// Layers quantized by the checkpoint itself: their bits come from
		// the config (per-layer entry, else the global one).
		for path, e := range v {
			if d, ok := e.(map[string]any); ok {
				if b, ok := num(d["bits"]); ok {
					if _, set := bitsOf[path]; !set {
						bitsOf[path] = b
					}
				}
			}
		}
		if b, ok := num(v["bits"]); ok {
			bitsOf[""] = b
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tmp, err := w.create()
	if err != nil {
		return nil, err
	}
	limit := o.MaxFileSize
	if limit == 0 {
		limit = MaxFileSize
	}
	params := nn.Parameters(m.Module())
	shards, total, err := saveWeights(ctx, tmp, params, totalParameters(params, bitsOf), limit)
	if err != nil {
		return nil, err
	}
	res.Shards, res.TotalSize = shards, total
	if err := saveConfig(rawConfig, filepath.Join(tmp, "config.json")); err != nil {
		return nil, err
	}
	if err := copyExtras(o.HFPath, tmp); err != nil {
		return nil, err
	}
	if err := w.finish(o.MLXPath); err != nil {
		return nil, err
	}
	return res, nil
}

// converter is the model's quant_predicate and cast_predicate (the
// generated packages translate them); a model without them (lm/toy) has
// mlx-lm's defaults: every layer quantized, every parameter cast.
func converter(m arch.Model) arch.Converter {
	if c, ok := m.(arch.Converter); ok {
		return c
	}
	return defaults{}
}

type defaults struct{}

func (defaults) QuantPredicate(string, any) (any, error) { return true, nil }
func (defaults) CastPredicate(string) (bool, error)      { return true, nil }

// castFloating is convert's set_dtype: every floating parameter the
// model's cast_predicate accepts becomes dt.
func castFloating(module any, dt mlx.Dtype, pred arch.Converter) error {
	params := nn.Parameters(module)
	all := make(map[string]*mlx.Array, len(params))
	for name, p := range params {
		cast, err := pred.CastPredicate(name)
		if err != nil {
			return fmt.Errorf("cast_predicate(%q): %w", name, err)
		}
		if cast && p.Dtype().IsFloating() && p.Dtype() != dt {
			all[name] = mlx.Astype(p, dt)
		} else {
			all[name] = p
		}
	}
	// Update frees the replaced arrays (the lazy casts keep their data).
	if err := nn.Update(module, all); err != nil {
		return fmt.Errorf("casting parameters: %w", err)
	}
	return nil
}

// quantize is quantize_model: a layer with a quantized counterpart whose
// weight's last dimension is a multiple of group_size is quantized, unless
// the model's quant_predicate says false, with the predicate's own
// parameters where it gives them. When the config already has
// "quantization" (a partially quantized checkpoint), each newly quantized
// layer gets its own entry, as fine_grained_config does.
func quantize(module any, config map[string]any, gs, bits int, mode string, pred arch.Converter, bitsOf map[string]int) (int, error) {
	existing, fine := config["quantization"].(map[string]any)
	if !fine {
		existing = map[string]any{"group_size": gs, "bits": bits, "mode": mode}
		config["quantization"] = existing
	}
	n := 0
	var predErr error
	err := nn.Quantize(module, func(path string, layer any) *nn.QuantParams {
		ps := nn.Parameters(layer)
		w := ps["weight"]
		if w == nil || w.Ndim() == 0 || w.Dim(w.Ndim()-1)%gs != 0 {
			return nil
		}
		if _, ok := ps["scales"]; ok {
			return nil // already quantized by the checkpoint
		}
		answer, err := pred.QuantPredicate(path, layer)
		if err != nil && predErr == nil {
			predErr = fmt.Errorf("quant_predicate(%q): %w", path, err)
		}
		own, isDict := predicateParams(answer)
		if b, ok := answer.(bool); (ok && !b) || (!ok && !isDict) {
			return nil
		}
		n++
		if isDict {
			qp := nn.QuantParams{GroupSize: gs, Bits: bits, Mode: mode}
			entry := map[string]any{}
			for k, v := range own {
				entry[k] = v
				switch k {
				case "group_size":
					qp.GroupSize, _ = num(v)
				case "bits":
					qp.Bits, _ = num(v)
				case "mode":
					qp.Mode, _ = v.(string)
				}
			}
			if _, ok := own["mode"]; !ok {
				qp.Mode = "affine" // nn.quantize's default for a layer's own parameters
			}
			existing[path] = entry
			bitsOf[path] = qp.Bits
			return &qp
		}
		if fine {
			existing[path] = map[string]any{"group_size": gs, "bits": bits, "mode": mode}
		}
		bitsOf[path] = bits
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: mode}
	})
	if err == nil {
		err = predErr
	}
	if err != nil {
		return 0, fmt.Errorf("quantizing: %w", err)
	}
	config["quantization_config"] = config["quantization"]
	return n, nil
}

// totalParameters is get_total_parameters: a quantized layer counts
// weight.size*32/bits (+ bias), any other parameter its size.
func totalParameters(params map[string]*mlx.Array, bitsOf map[string]int) int {
	quantized := map[string]bool{}
	for name := range params {
		if p, ok := strings.CutSuffix(name, ".scales"); ok {
			quantized[p] = true
		}
	}
	total := 0
	for name, a := range params {
		prefix, leaf := name, name
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			prefix, leaf = name[:i], name[i+1:]
		}
		if quantized[prefix] {
			switch leaf {
			case "weight":
				b := bitsOf[prefix]
				if b == 0 {
					b = bitsOf[""]
				}
				if b == 0 {
					b = 32
				}
				total += a.Size() * 32 / b
			case "bias":
				total += a.Size()
			}
			continue
		}
		total += a.Size()
	}
	return total
}

// makeShards is make_shards over the parameters in name order.
func makeShards(names []string, params map[string]*mlx.Array, limit int) [][]string {
	var shards [][]string
	var cur []string
	size := 0
	for _, n := range names {
		nb := params[n].Nbytes()
		if size+nb > limit {
			shards = append(shards, cur)
			cur, size = nil, 0
		}
		cur = append(cur, n)
		size += nb
	}
	return append(shards, cur)
}

func saveWeights(ctx context.Context, dir string, params map[string]*mlx.Array, totalParams, limit int) ([]string, int, error) {
	names := make([]string, 0, len(params))
	total := 0
	for n, p := range params {
		names = append(names, n)
		total += p.Nbytes()
	}
	sort.Strings(names)
	shards := makeShards(names, params, limit)
	weightMap := map[string]string{}
	var files []string
	for i, shard := range shards {
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		name := "model.safetensors"
		if len(shards) > 1 {
			name = fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, len(shards))
		}
		arrays := make(map[string]*mlx.Array, len(shard))
		for _, n := range shard {
			arrays[n] = params[n]
			weightMap[n] = name
		}
		if err := mlx.SaveSafetensors(filepath.Join(dir, name), arrays, map[string]string{"format": "mlx"}); err != nil {
			return nil, 0, fmt.Errorf("writing %s: %w", name, err)
		}
		files = append(files, name)
		// save_model(donate_model=True): a written shard's memory goes now
		// (freeing is idempotent; the caller's Free of the model is safe).
		for _, a := range arrays {
			a.Free()
		}
	}
	// encoding/json writes map keys sorted, as save_model sorts weight_map.
	index := map[string]any{
		"metadata":   map[string]any{"total_size": total, "total_parameters": totalParams},
		"weight_map": weightMap,
	}
	data, err := json.MarshalIndent(index, "", "    ")
	if err != nil {
		return nil, 0, err
	}
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), data, 0o644); err != nil {
		return nil, 0, err
	}
	return files, total, nil
}

// readRawConfig reads config.json keeping numbers as written, so that
// 10000.0 stays 10000.0 in the converted config.
func readRawConfig(dir string) (map[string]any, error) {
	if _, err := loader.ReadConfig(dir); err != nil {
		return nil, err
	}
	data, err := modelfs.ReadFile(dir, "config.json")
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var cfg map[string]any
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "config.json"), err)
	}
	return cfg, nil
}

// saveConfig is save_config: drop _name_or_path and vision_config, mirror
// quantization into quantization_config, keys sorted, indent 4.
func saveConfig(config map[string]any, path string) error {
	delete(config, "_name_or_path")
	delete(config, "vision_config")
	if q, ok := config["quantization"]; ok {
		config["quantization_config"] = q
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(config); err != nil {
		return err
	}
	return os.WriteFile(path, bytes.TrimRight(buf.Bytes(), "\n"), 0o644)
}

// copyExtras copies the tokenizer files, *.py and generation_config.json:
// regular files inside the model only, each within its size limit.
func copyExtras(src, dst string) error {
	var names []string
	for _, n := range tokenizerFiles {
		if _, err := os.Lstat(filepath.Join(src, n)); err == nil {
			names = append(names, n)
		}
	}
	py, err := filepath.Glob(filepath.Join(src, "*.py"))
	if err != nil {
		return err
	}
	for _, p := range py {
		names = append(names, filepath.Base(p))
	}
	if _, err := os.Lstat(filepath.Join(src, "generation_config.json")); err == nil {
		names = append(names, "generation_config.json")
	}
	for _, n := range names {
		if err := copyFile(src, n, filepath.Join(dst, n)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(dir, name, dst string) error {
	in, st, err := modelfs.Open(dir, name)
	if err != nil {
		return err
	}
	defer in.Close()
	limit := modelfs.Limit(name)
	if st.Size() > limit {
		return fmt.Errorf("%s: %d bytes, more than the %d-byte limit for %s", filepath.Join(dir, name), st.Size(), limit, name)
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(in, limit)); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", filepath.Join(dir, name), err)
	}
	return out.Close()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func num(v any) (int, bool) {
	switch x := v.(type) {
	case float64:
		return int(x), true
	case int:
		return x, true
	case json.Number:
		i, err := x.Int64()
		return int(i), err == nil
	}
	return 0, false
}

// predicateParams reads a quant_predicate's dict answer (the generated
// predicates return map[string]int or map[string]any).
func predicateParams(v any) (map[string]any, bool) {
	switch d := v.(type) {
	case map[string]any:
		return d, true
	case map[string]int:
		out := make(map[string]any, len(d))
		for k, x := range d {
			out[k] = x
		}
		return out, true
	}
	return nil, false
}
