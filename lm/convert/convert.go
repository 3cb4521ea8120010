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
// renamed at the end, so it appears only when complete.
package convert

import (
	"bytes"
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

	"github.com/hf2go/hf2go/lm/loader"
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

// Convert runs the conversion.
func Convert(ctx context.Context, o Options) (*Result, error) {
	logf := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, format+"\n", args...)
		}
	}
	if o.MLXPath == "" {
		o.MLXPath = "mlx_model"
	}
	if o.Mode == "" {
		o.Mode = "affine"
	}
	if _, err := os.Lstat(o.MLXPath); err == nil {
		return nil, fmt.Errorf("cannot save to the path %s as it already exists; delete it or choose another --mlx-path", o.MLXPath)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if o.Dtype != "" && !contains(ConversionDtypes, o.Dtype) {
		return nil, fmt.Errorf("--dtype %q: expected one of %s", o.Dtype, strings.Join(ConversionDtypes, ", "))
	}
	gs, bits, err := modeDefaults(o.Mode)
	if err != nil {
		return nil, err
	}
	if o.GroupSize != 0 {
		gs = o.GroupSize
	}
	if o.Bits != 0 {
		bits = o.Bits
	}
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
		if err := castFloating(m.Module(), dt, castExclusions[m.Arch.ModelType]); err != nil {
			return nil, err
		}
	}

	bitsOf := map[string]int{}
	res := &Result{}
	if o.Quantize {
		logf("[INFO] Quantizing")
		var over *quantOverride
		if p, ok := quantPredicates[m.Arch.ModelType]; ok {
			over = &p
		}
		n, err := quantize(m.Module(), rawConfig, gs, bits, o.Mode, over, bitsOf)
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

	if err := os.MkdirAll(filepath.Dir(filepath.Clean(o.MLXPath)), 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(filepath.Clean(o.MLXPath)), "."+filepath.Base(o.MLXPath)+".tmp-")
	if err != nil {
		return nil, err
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
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
	if _, err := os.Lstat(o.MLXPath); err == nil {
		return nil, fmt.Errorf("cannot save to the path %s: it appeared while converting", o.MLXPath)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, o.MLXPath); err != nil {
		return nil, err
	}
	done = true
	return res, nil
}

// castFloating is convert's set_dtype: every floating parameter becomes dt
// (the generated models have no cast_predicate, so all are cast).
func castFloating(module any, dt mlx.Dtype, exclude string) error {
	params := nn.Parameters(module)
	all := make(map[string]*mlx.Array, len(params))
	for name, p := range params {
		keep := exclude != "" && strings.Contains(name, exclude)
		if !keep && p.Dtype().IsFloating() && p.Dtype() != dt {
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
// weight's last dimension is a multiple of group_size is quantized, with the
// model's quant_predicate (over, nil when it has none) choosing its own
// parameters for some layers. When the config already has "quantization" (a
// partially quantized checkpoint), each newly quantized layer gets its own
// entry, as fine_grained_config does.
func quantize(module any, config map[string]any, gs, bits int, mode string, over *quantOverride, bitsOf map[string]int) (int, error) {
	existing, fine := config["quantization"].(map[string]any)
	if !fine {
		existing = map[string]any{"group_size": gs, "bits": bits, "mode": mode}
		config["quantization"] = existing
	}
	n := 0
	err := nn.Quantize(module, func(path string, layer any) *nn.QuantParams {
		ps := nn.Parameters(layer)
		w := ps["weight"]
		if w == nil || w.Ndim() == 0 || w.Dim(w.Ndim()-1)%gs != 0 {
			return nil
		}
		if _, ok := ps["scales"]; ok {
			return nil // already quantized by the checkpoint
		}
		n++
		if over != nil && over.match(path) {
			existing[path] = map[string]any{"group_size": over.groupSize, "bits": over.bits}
			bitsOf[path] = over.bits
			return &nn.QuantParams{GroupSize: over.groupSize, Bits: over.bits, Mode: "affine"}
		}
		if fine {
			existing[path] = map[string]any{"group_size": gs, "bits": bits, "mode": mode}
		}
		bitsOf[path] = bits
		return &nn.QuantParams{GroupSize: gs, Bits: bits, Mode: mode}
	})
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
	data, err := os.ReadFile(filepath.Join(dir, "config.json"))
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

// copyExtras copies the tokenizer files, *.py and generation_config.json.
func copyExtras(src, dst string) error {
	var names []string
	for _, n := range tokenizerFiles {
		if st, err := os.Stat(filepath.Join(src, n)); err == nil && st.Mode().IsRegular() {
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
	if _, err := os.Stat(filepath.Join(src, "generation_config.json")); err == nil {
		names = append(names, "generation_config.json")
	}
	for _, n := range names {
		if err := copyFile(filepath.Join(src, n), filepath.Join(dst, n)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", src, err)
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
