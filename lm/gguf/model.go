package gguf

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// GroupSize is the quantization group size libmlx gives GGUF's Q4_0, Q4_1
// and Q8_0 tensors (one ggml block of 32 elements).
const GroupSize = 32

// archSpec is what differs between the GGUF architectures this package maps
// onto mlx-lm model types.
type archSpec struct {
	modelType string
	// permuteQK: llama.cpp's converter permuted the rows of Q and K so that
	// its interleaved RoPE sees the halves mlx-lm's (non-traditional) RoPE
	// rotates; undo it. Only LlamaModel does this in convert_hf_to_gguf.py.
	permuteQK bool
	// qkNorm: per-head RMSNorm on Q and K (Qwen3).
	qkNorm bool
}

var archs = map[string]archSpec{
	"llama": {modelType: "llama", permuteQK: true},
	"qwen2": {modelType: "qwen2"},
	"qwen3": {modelType: "qwen3", qkNorm: true},
}

// SupportedArchitectures lists the general.architecture values Model maps.
func SupportedArchitectures() []string {
	out := make([]string, 0, len(archs))
	for a := range archs {
		out = append(out, a)
	}
	sort.Strings(out)
	return out
}

// tensorNames maps llama.cpp's per-block tensor names to mlx-lm's.
var blockNames = map[string]string{
	"attn_norm":   "input_layernorm",
	"ffn_norm":    "post_attention_layernorm",
	"attn_q":      "self_attn.q_proj",
	"attn_k":      "self_attn.k_proj",
	"attn_v":      "self_attn.v_proj",
	"attn_output": "self_attn.o_proj",
	"attn_q_norm": "self_attn.q_norm",
	"attn_k_norm": "self_attn.k_norm",
	"ffn_gate":    "mlp.gate_proj",
	"ffn_up":      "mlp.up_proj",
	"ffn_down":    "mlp.down_proj",
}

var topNames = map[string]string{
	"token_embd":  "model.embed_tokens",
	"output_norm": "model.norm",
	"output":      "lm_head",
}

var blockRe = regexp.MustCompile(`^blk\.(\d+)\.([a-z_]+)$`)

// MLXName is the mlx-lm parameter name of a llama.cpp tensor name (with its
// suffix: .weight, .bias, or libmlx's .scales / .biases), or "" when the
// name is not one this package knows.
func MLXName(name string) string {
	base, suffix, ok := cutSuffix(name)
	if !ok {
		return ""
	}
	if n, ok := topNames[base]; ok {
		return n + suffix
	}
	m := blockRe.FindStringSubmatch(base)
	if m == nil {
		return ""
	}
	n, ok := blockNames[m[2]]
	if !ok {
		return ""
	}
	return "model.layers." + m[1] + "." + n + suffix
}

func cutSuffix(name string) (string, string, bool) {
	for _, s := range []string{".weight", ".bias", ".scales", ".biases"} {
		if b, ok := strings.CutSuffix(name, s); ok {
			return b, s, true
		}
	}
	return "", "", false
}

// Config is the Hugging Face config.json of a GGUF file, built from its
// metadata as transformers' and llama.cpp's converters read it back.
func (g *File) Config() (map[string]any, archSpec, error) {
	arch, ok, err := g.String("general.architecture")
	if err != nil {
		return nil, archSpec{}, err
	}
	if !ok {
		return nil, archSpec{}, fmt.Errorf("%s: general.architecture is missing", g.Path)
	}
	spec, ok := archs[arch]
	if !ok {
		return nil, archSpec{}, fmt.Errorf("%s: general.architecture %q is not supported (supported: %s)", g.Path, arch,
			strings.Join(SupportedArchitectures(), ", "))
	}
	cfg := map[string]any{"model_type": spec.modelType}
	var errs []error
	need := func(key, to string) int {
		v, ok, err := g.Int(arch + "." + key)
		switch {
		case err != nil:
			errs = append(errs, err)
		case !ok:
			errs = append(errs, fmt.Errorf("%s.%s is missing", arch, key))
		case v <= 0 || v > 1<<24:
			errs = append(errs, fmt.Errorf("%s.%s: %d is out of range", arch, key, v))
		default:
			cfg[to] = int(v)
			return int(v)
		}
		return 0
	}
	hidden := need("embedding_length", "hidden_size")
	need("block_count", "num_hidden_layers")
	need("feed_forward_length", "intermediate_size")
	heads := need("attention.head_count", "num_attention_heads")
	if len(errs) > 0 {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, errs[0])
	}
	kvHeads := heads
	if v, ok, err := g.Int(arch + ".attention.head_count_kv"); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	} else if ok {
		if v <= 0 || int(v) > heads || heads%int(v) != 0 {
			return nil, spec, fmt.Errorf("%s: %s.attention.head_count_kv: %d does not divide head_count %d", g.Path, arch, v, heads)
		}
		kvHeads = int(v)
	}
	cfg["num_key_value_heads"] = kvHeads
	headDim := hidden / heads
	if v, ok, err := g.Int(arch + ".attention.key_length"); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	} else if ok {
		if v <= 0 || v > 1<<16 {
			return nil, spec, fmt.Errorf("%s: %s.attention.key_length: %d is out of range", g.Path, arch, v)
		}
		headDim = int(v)
		cfg["head_dim"] = headDim
	} else if hidden%heads != 0 {
		return nil, spec, fmt.Errorf("%s: embedding_length %d is not a multiple of head_count %d", g.Path, hidden, heads)
	}
	if v, ok, err := g.Int(arch + ".rope.dimension_count"); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	} else if ok && int(v) != headDim {
		return nil, spec, fmt.Errorf("%s: %s.rope.dimension_count %d differs from the head size %d (partial rotary is not supported for %s)",
			g.Path, arch, v, headDim, arch)
	}
	f32 := func(key, to string, def float64) error {
		v, ok, err := g.Float(arch + "." + key)
		if err != nil {
			return err
		}
		if !ok {
			cfg[to] = def
			return nil
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("%s.%s: %v is out of range", arch, key, v)
		}
		cfg[to] = shortest32(v)
		return nil
	}
	if err := f32("attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-5); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	}
	if err := f32("rope.freq_base", "rope_theta", 10000); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	}
	if v, ok, err := g.Int(arch + ".context_length"); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	} else if ok && v > 0 {
		cfg["max_position_embeddings"] = int(v)
	}
	if st, ok, err := g.String(arch + ".rope.scaling.type"); err != nil {
		return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
	} else if ok && st != "none" {
		if st != "linear" {
			return nil, spec, fmt.Errorf("%s: %s.rope.scaling.type %q is not supported (linear is)", g.Path, arch, st)
		}
		f, ok, err := g.Float(arch + ".rope.scaling.factor")
		if err != nil || !ok || !(f > 0) {
			return nil, spec, fmt.Errorf("%s: %s.rope.scaling.factor is missing or invalid", g.Path, arch)
		}
		cfg["rope_scaling"] = map[string]any{"type": "linear", "factor": shortest32(f)}
	}
	if _, ok := g.Tensor("rope_freqs.weight"); ok {
		return nil, spec, fmt.Errorf("%s: rope_freqs.weight (Llama 3.1 style RoPE scaling stored as a tensor) is not supported yet", g.Path)
	}
	_, hasOutput := g.Tensor("output.weight")
	cfg["tie_word_embeddings"] = !hasOutput
	_, qBias := g.Tensor("blk.0.attn_q.bias")
	_, fBias := g.Tensor("blk.0.ffn_up.bias")
	if spec.modelType == "llama" {
		cfg["attention_bias"] = qBias
		cfg["mlp_bias"] = fBias
	}
	vocab := 0
	if v, ok, err := g.Int(arch + ".vocab_size"); err == nil && ok && v > 0 {
		vocab = int(v)
	} else if toks, ok, _ := g.Strings("tokenizer.ggml.tokens"); ok {
		vocab = len(toks)
	}
	if t, ok := g.Tensor("token_embd.weight"); ok && len(t.Dims) == 2 {
		rows := int(t.Dims[1])
		if vocab == 0 {
			vocab = rows
		} else if vocab != rows {
			return nil, spec, fmt.Errorf("%s: vocabulary size %d differs from token_embd.weight's %d rows", g.Path, vocab, rows)
		}
	} else {
		return nil, spec, fmt.Errorf("%s: token_embd.weight is missing or not 2-dimensional", g.Path)
	}
	cfg["vocab_size"] = vocab
	for key, to := range map[string]string{"tokenizer.ggml.bos_token_id": "bos_token_id", "tokenizer.ggml.eos_token_id": "eos_token_id"} {
		if v, ok, err := g.Int(key); err != nil {
			return nil, spec, fmt.Errorf("%s: %w", g.Path, err)
		} else if ok {
			if v < 0 || int(v) >= vocab {
				return nil, spec, fmt.Errorf("%s: %s %d is outside the vocabulary (%d)", g.Path, key, v, vocab)
			}
			cfg[to] = int(v)
		}
	}
	if q := g.quantization(); q != nil {
		cfg["quantization"] = q
		cfg["quantization_config"] = q
	}
	return cfg, spec, nil
}

// shortest32 is a float32 metadata value as the shortest decimal that reads
// back as the same float32 (1e-05, not 9.999999747378752e-06), which is what
// the original config.json said.
func shortest32(v float64) float64 {
	f, err := strconv.ParseFloat(strconv.FormatFloat(float64(float32(v)), 'g', -1, 32), 64)
	if err != nil {
		return v
	}
	return f
}

// quantization is config.json's "quantization" for what libmlx makes of the
// file's quantized tensors: group size 32, the most common bit width as the
// default, and a per-layer entry for layers of another width (as mlx-lm
// writes mixed-precision models).
func (g *File) quantization() map[string]any {
	bitsOf := map[string]int{}
	count := map[int]int{}
	for _, t := range g.Tensors {
		b := t.Type.QuantBits()
		if b == 0 {
			continue
		}
		name := MLXName(t.Name)
		if name == "" {
			continue
		}
		layer := strings.TrimSuffix(name, ".weight")
		bitsOf[layer] = b
		count[b]++
	}
	if len(bitsOf) == 0 {
		return nil
	}
	def := 0
	for b, n := range count {
		if n > count[def] || (n == count[def] && b < def) {
			def = b
		}
	}
	q := map[string]any{"group_size": GroupSize, "bits": def, "mode": "affine"}
	layers := make([]string, 0, len(bitsOf))
	for l := range bitsOf {
		layers = append(layers, l)
	}
	sort.Strings(layers)
	for _, l := range layers {
		if bitsOf[l] != def {
			q[l] = map[string]any{"group_size": GroupSize, "bits": bitsOf[l]}
		}
	}
	return q
}

// Weights reads the tensors through libmlx and returns them under mlx-lm's
// names, with llama.cpp's Q/K row permutation undone where the converter
// applied it. Every tensor must map to a name; the arrays are lazy.
func (g *File) Weights(spec archSpec, cfg map[string]any) (map[string]*mlx.Array, error) {
	for _, t := range g.Tensors {
		if MLXName(t.Name) == "" {
			return nil, fmt.Errorf("%s: tensor %q has no mlx-lm counterpart for %s", g.Path, t.Name, spec.modelType)
		}
	}
	if err := g.checkLoadable(); err != nil {
		return nil, err
	}
	raw, err := mlx.LoadGGUFTensors(g.Path)
	if err != nil {
		return nil, err
	}
	if err := owned(raw); err != nil {
		for _, a := range raw {
			a.Free()
		}
		return nil, fmt.Errorf("%s: %w", g.Path, err)
	}
	out := make(map[string]*mlx.Array, len(raw))
	fail := func(err error) (map[string]*mlx.Array, error) {
		for _, a := range raw {
			a.Free()
		}
		for _, a := range out {
			a.Free()
		}
		return nil, err
	}
	heads, _ := cfg["num_attention_heads"].(int)
	kvHeads, _ := cfg["num_key_value_heads"].(int)
	if spec.permuteQK && (heads <= 0 || kvHeads <= 0) {
		return nil, fmt.Errorf("%s: head counts missing from the config", g.Path)
	}
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		a := raw[n]
		delete(raw, n)
		to := MLXName(n)
		if to == "" {
			out[n] = a
			return fail(fmt.Errorf("%s: libmlx returned tensor %q, which has no mlx-lm counterpart", g.Path, n))
		}
		if spec.permuteQK {
			h := 0
			switch {
			case strings.Contains(to, ".self_attn.q_proj."):
				h = heads
			case strings.Contains(to, ".self_attn.k_proj."):
				h = kvHeads
			}
			if h > 0 {
				p, err := unpermute(a, h)
				a.Free()
				if err != nil {
					return fail(fmt.Errorf("%s: %s: %w", g.Path, n, err))
				}
				a = p
			}
		}
		out[to] = a
	}
	return out, nil
}

// owned copies each array libmlx's GGUF reader made into an array computed
// on the binding's stream. The reader's arrays are bare buffers; an
// async_eval of a graph reading them directly failed ("There is no
// Stream(cpu, N) in current thread") where the same graph over copies runs.
func owned(ws map[string]*mlx.Array) error {
	for n, a := range ws {
		c := mlx.Copy(a)
		if err := c.Err(); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		a.Free()
		ws[n] = c
	}
	return nil
}

// unpermute inverts convert_hf_to_gguf.py's LlamaModel.permute on the rows
// (axis 0) of a weight, bias, or libmlx's packed quantized weight, scales and
// biases: llama.cpp stores row (h, i, j) of head h as HF's row (h, j, i) for
// i < head_dim/2, j < 2. Rows are moved whole, so it is exact for any dtype.
func unpermute(a *mlx.Array, heads int) (*mlx.Array, error) {
	shape := a.Shape()
	if len(shape) == 0 || shape[0]%(2*heads) != 0 {
		return nil, fmt.Errorf("%d rows cannot be split into %d heads of pairs", shape[0], heads)
	}
	half := shape[0] / heads / 2
	rest := shape[1:]
	s := append([]int{heads, half, 2}, rest...)
	r := mlx.Reshape(mlx.Swapaxes(mlx.Reshape(a, s...), 1, 2), shape...)
	if err := r.Err(); err != nil {
		return nil, err
	}
	return r, nil
}
