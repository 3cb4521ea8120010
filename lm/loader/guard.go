// Not ported from mlx-lm: untrusted-input checks (config sizes against the weights, quantization parameters
// as mx.quantize accepts them) that mlx-lm does not make; see PORTING_DECISIONS.md (issue 18).

package loader

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/lm/modelfs"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// Sane maxima for what a checkpoint may ask for. A model is built from its
// config.json before any weight is read, and building allocates per layer
// and per expert (Go structs, lazy MLX arrays, eager RoPE tables): a config
// asking for 10^12 layers ends in Go's unrecoverable "out of memory", which
// no recover() can turn into an error. So the sizes are checked first,
// against these maxima and against the weights actually present.
const (
	MaxWeightFiles = 10_000  // model*.safetensors files (50 TB at mlx-lm's 5 GB shards)
	MaxTensors     = 1 << 20 // tensors over all files (DeepSeek-V3 in HF layout has ~92 000)
	MaxLayers      = 4096    // any *_layers count (the largest released models have < 200)
	MaxExperts     = 1 << 16 // any *_experts count (released MoE models have ≤ 512)
	// minDimBound: a dimension below it is never refused, whatever the
	// weights (it keeps tiny test models with real-sized windows loadable).
	minDimBound = 1 << 16
)

// weightStats summarizes the checked safetensors headers of a checkpoint.
type weightStats struct {
	files   []string
	tensors int
	maxDim  int               // the largest dimension of any tensor
	origin  map[string]string // tensor name → file
}

// readHeaders checks every weight file's header (no tensor data is read)
// and the tensor names across files.
func readHeaders(files []string) (*weightStats, error) {
	st := &weightStats{files: files, origin: map[string]string{}}
	for _, f := range files {
		h, err := mlx.ReadSafetensorsHeader(f)
		if err != nil {
			return nil, err
		}
		st.tensors += len(h.Tensors)
		if st.tensors > MaxTensors {
			return nil, fmt.Errorf("%s: the weights hold more than %d tensors (the limit for any model)", filepath.Dir(f), MaxTensors)
		}
		for _, t := range h.Tensors {
			if prev, dup := st.origin[t.Name]; dup {
				return nil, fmt.Errorf("tensor %q is in both %s and %s", t.Name, filepath.Base(prev), filepath.Base(f))
			}
			st.origin[t.Name] = f
			for _, d := range t.Shape {
				st.maxDim = max(st.maxDim, d)
			}
		}
	}
	return st, nil
}

var (
	// countKey: a number of layers or experts, which constructors and
	// sanitize loop over.
	countKey = regexp.MustCompile(`(^|_)(layers?|experts)$`)
	// dimKey: a size that becomes an array dimension.
	dimKey = regexp.MustCompile(`(_size|_dim|_dims|_rank|heads)$|^(dim|n_embd|d_model|n_inner|n_head|n_positions|n_ctx)$`)
)

// textConfigs are the sub-configurations a language model is built from
// (mlx-lm's text_config / llm_config / language_config); their layer and
// expert counts are checked against the weights like top-level ones. Other
// sub-configurations (vision_config, audio_config, …) describe towers these
// text-only models do not build, so only the maxima apply to them.
var textConfigs = map[string]bool{"text_config": true, "llm_config": true, "language_config": true, "text_model": true}

// checkConfigSizes checks every layer/expert count and every dimension in
// config.json (data, as written) against the maxima and the weights.
func checkConfigSizes(path string, data []byte, st *weightStats) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("%s: invalid JSON: %v", path, err)
	}
	m, _ := v.(map[string]any)
	return checkConfigTree(path, m, st)
}

// checkConfigTree is checkConfigSizes on a decoded config (numbers as
// json.Number, as written, or float64).
func checkConfigTree(path string, m map[string]any, st *weightStats) error {
	var errs []string
	walkSizes(m, "", true, st, &errs)
	switch {
	case len(errs) == 1:
		return fmt.Errorf("%s: %s", path, errs[0])
	case len(errs) > 1:
		sort.Strings(errs)
		more := ""
		if len(errs) > 3 {
			more = fmt.Sprintf(" (and %d more)", len(errs)-3)
			errs = errs[:3]
		}
		return fmt.Errorf("%s: %s%s", path, strings.Join(errs, "; "), more)
	}
	return nil
}

func walkSizes(m map[string]any, prefix string, weighed bool, st *weightStats, errs *[]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		key := prefix + k
		switch x := m[k].(type) {
		case map[string]any:
			walkSizes(x, key+".", prefix == "" && textConfigs[k], st, errs)
		case json.Number:
			if msg := checkSize(strings.ToLower(k), x, weighed, st); msg != "" {
				*errs = append(*errs, key+" = "+truncateNum(x.String())+": "+msg)
			}
		case float64:
			n := json.Number(strconv.FormatFloat(x, 'g', -1, 64))
			if msg := checkSize(strings.ToLower(k), n, weighed, st); msg != "" {
				*errs = append(*errs, key+" = "+truncateNum(n.String())+": "+msg)
			}
		}
		// Lists (layer_types, no_rope_layers, …) hold per-layer values,
		// bounded by the file's size limit.
	}
}

func checkSize(k string, n json.Number, weighed bool, st *weightStats) string {
	f, err := strconv.ParseFloat(n.String(), 64)
	if err != nil || f != math.Trunc(f) || math.IsInf(f, 0) {
		return "" // not an integer: the architecture's own argument check reports it
	}
	switch {
	case countKey.MatchString(k):
		limit, what := float64(MaxLayers), "layers"
		if strings.HasSuffix(k, "experts") {
			limit, what = MaxExperts, "experts"
		}
		if f > limit {
			return fmt.Sprintf("more %s than any model has (at most %d)", what, int(limit))
		}
		if !weighed {
			return ""
		}
		// Every layer has at least one tensor; experts are either tensors
		// of their own (Hugging Face layout) or one dimension of a stacked
		// tensor (MLX layout).
		have := st.tensors
		if what == "experts" {
			have = max(st.tensors, st.maxDim)
		}
		if f > float64(have) {
			return fmt.Sprintf("more %s than the weights can hold (%d tensors in %s)", what, st.tensors, describeWeightFiles(st.files))
		}
	case dimKey.MatchString(k):
		if f > math.MaxInt32 || f < math.MinInt32 {
			return "outside MLX's 32-bit dimensions"
		}
		// A dimension appears in some tensor, packed at most 32 values to a
		// uint32 when quantized.
		if bound := max(32*float64(st.maxDim), minDimBound); f > bound {
			return fmt.Sprintf("larger than the weights can hold (their largest dimension is %d)", st.maxDim)
		}
	}
	return ""
}

func truncateNum(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

func describeWeightFiles(files []string) string {
	if len(files) == 1 {
		return filepath.Base(files[0])
	}
	return fmt.Sprintf("%d model*.safetensors files", len(files))
}

// CheckQuantParams is what mx.quantize accepts (checked against it by
// TestQuantParamsAsMLX): affine with group size 32, 64 or 128 and 1–6 or 8
// bits; mxfp4 32/4, nvfp4 16/4, mxfp8 32/8. MLX divides by the group size
// before checking it, so a group size of 0 reaching MLX is a SIGFPE, not
// an error: everything is checked here first.
func CheckQuantParams(mode string, groupSize, bits int) error {
	switch mode {
	case "affine":
		if groupSize != 32 && groupSize != 64 && groupSize != 128 {
			return fmt.Errorf("group size %d is not supported for affine quantization (32, 64 or 128)", groupSize)
		}
		if bits < 1 || bits > 8 || bits == 7 {
			return fmt.Errorf("%d bits are not supported for affine quantization (1, 2, 3, 4, 5, 6 or 8)", bits)
		}
		return nil
	case "mxfp4", "nvfp4", "mxfp8":
		gs, b := fpModes[mode][0], fpModes[mode][1]
		if groupSize != gs {
			return fmt.Errorf("%s quantization requires group size %d, not %d", mode, gs, groupSize)
		}
		if bits != b {
			return fmt.Errorf("%s quantization requires %d bits, not %d", mode, b, bits)
		}
		return nil
	}
	return fmt.Errorf("unknown quantization mode %q (affine, mxfp4, nvfp4, mxfp8)", mode)
}

// fpModes are the fixed (group size, bits) of the floating-point modes.
var fpModes = map[string][2]int{"mxfp4": {32, 4}, "nvfp4": {16, 4}, "mxfp8": {32, 8}}

// checkShardName checks a file name from model.safetensors.index.json.
func checkShardName(idx, name string) error {
	if err := modelfs.CheckName(name); err != nil {
		return fmt.Errorf("%s: weight_map names %v", idx, err)
	}
	return nil
}
