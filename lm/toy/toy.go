// Package toy is a small attention-only transformer written by hand against
// the same runtime the generated models use, with a Python twin in toy.py
// (plain mlx.nn, driven by mlx-lm's own load_model and generate_step). It lets
// lm/loader and lm/generate be compared with mlx-lm before any generated
// architecture exists, including paths a generated model may not exercise
// (a quantized KV cache). It registers as model_type "hf2go_toy" only when
// Register is called (tests, and cmd/mlxlm built with -tags hf2go_toy).
package toy

import (
	"fmt"
	"math"
	"sync"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/ported/base"
	"github.com/hf2go/hf2go/ported/cache"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// ModelType is the model_type the toy registers.
const ModelType = "hf2go_toy"

var once sync.Once

// Register adds the toy to the architecture registry (idempotent).
func Register() {
	once.Do(func() {
		arch.Register(arch.Arch{ModelType: ModelType, File: "lm/toy/toy.py", New: New})
	})
}

// Args are the toy's ModelArgs.
type Args struct {
	VocabSize         int     `json:"vocab_size,required"`
	HiddenSize        int     `json:"hidden_size,required"`
	NumAttentionHeads int     `json:"num_attention_heads,required"`
	NumHiddenLayers   int     `json:"num_hidden_layers,required"`
	RMSNormEps        float64 `json:"rms_norm_eps"`
	RopeTheta         float64 `json:"rope_theta"`
	TieWordEmbeddings bool    `json:"tie_word_embeddings"`
}

// Attention is one attention block.
type Attention struct {
	QProj nn.LinearLayer `mlx:"q_proj"`
	KProj nn.LinearLayer `mlx:"k_proj"`
	VProj nn.LinearLayer `mlx:"v_proj"`
	OProj nn.LinearLayer `mlx:"o_proj"`

	heads int
	scale float64
	rope  *nn.RoPE
}

// Layer is a pre-norm residual attention layer.
type Layer struct {
	SelfAttn       *Attention  `mlx:"self_attn"`
	InputLayernorm *nn.RMSNorm `mlx:"input_layernorm"`
}

// Inner is Model.model.
type Inner struct {
	EmbedTokens nn.EmbeddingLayer `mlx:"embed_tokens"`
	Layers      []*Layer          `mlx:"layers"`
	Norm        *nn.RMSNorm       `mlx:"norm"`
}

// Model is the toy model.
type Model struct {
	Model  *Inner         `mlx:"model"`
	LmHead nn.LinearLayer `mlx:"lm_head"`

	args Args
}

// New builds the toy from a config map.
func New(config map[string]any) (arch.Model, error) {
	a := Args{RMSNormEps: 1e-5, RopeTheta: 10000}
	if err := base.FromDict(&a, config); err != nil {
		return nil, err
	}
	if a.NumAttentionHeads <= 0 || a.HiddenSize%a.NumAttentionHeads != 0 {
		return nil, fmt.Errorf("hidden_size %d is not a multiple of num_attention_heads %d", a.HiddenSize, a.NumAttentionHeads)
	}
	d, h := a.HiddenSize, a.NumAttentionHeads
	m := &Model{args: a, Model: &Inner{EmbedTokens: nn.NewEmbedding(a.VocabSize, d), Norm: nn.NewRMSNorm(d, float32(a.RMSNormEps))}}
	for range a.NumHiddenLayers {
		m.Model.Layers = append(m.Model.Layers, &Layer{
			SelfAttn: &Attention{
				QProj: nn.NewLinear(d, d, false), KProj: nn.NewLinear(d, d, false),
				VProj: nn.NewLinear(d, d, false), OProj: nn.NewLinear(d, d, false),
				heads: h, scale: math.Pow(float64(d/h), -0.5),
				rope: nn.NewRoPE(d/h, false, float32(a.RopeTheta), 1),
			},
			InputLayernorm: nn.NewRMSNorm(d, float32(a.RMSNormEps)),
		})
	}
	if !a.TieWordEmbeddings {
		m.LmHead = nn.NewLinear(d, a.VocabSize, false)
	}
	return m, nil
}

func (at *Attention) forward(x *mlx.Array, mask mlx.AttentionMask, c cache.Cache) *mlx.Array {
	b, l := x.Dim(0), x.Dim(1)
	split := func(p nn.LinearLayer) *mlx.Array {
		return p.Forward(x).Reshape(b, l, at.heads, -1).Transpose(0, 2, 1, 3)
	}
	q, k, v := split(at.QProj), split(at.KProj), split(at.VProj)
	var o *mlx.Array
	if c == nil {
		q, k = at.rope.Forward(q, 0), at.rope.Forward(k, 0)
		o = base.ScaledDotProductAttention(q, k, v, nil, at.scale, mask, nil)
	} else {
		kv, ok := c.(cache.KeyValue)
		if !ok {
			return mlx.Errorf("attention", "unsupported cache %s", c.ClassName())
		}
		off, err := cache.OffsetOf(c)
		if err != nil {
			return mlx.Errorf("attention", "%v", err)
		}
		if off.IsArray() {
			// The batch caches hold one offset per sequence, as mlx-lm's
			// BatchKVCache.offset; nn.RoPE takes the array, as Python's does.
			q, k = at.rope.ForwardArray(q, off.Array), at.rope.ForwardArray(k, off.Array)
			off.Free()
		} else {
			q, k = at.rope.Forward(q, off.Int), at.rope.Forward(k, off.Int)
		}
		k, v = kv.UpdateAndFetch(k, v)
		o = cache.ScaledDotProductAttention(q, k, v, c, at.scale, mask, nil)
	}
	return at.OProj.Forward(o.Transpose(0, 2, 1, 3).Reshape(b, l, -1))
}

// Forward is Model.__call__.
func (m *Model) Forward(inputs *mlx.Array, caches []cache.Cache) (*mlx.Array, error) {
	h := m.Model.EmbedTokens.Forward(inputs)
	var c0 any
	if caches != nil {
		if len(caches) != len(m.Model.Layers) {
			return nil, fmt.Errorf("%d caches for %d layers", len(caches), len(m.Model.Layers))
		}
		c0 = caches[0]
	}
	mask := base.CreateAttentionMask(h, c0, base.MaskOpts{})
	for i, l := range m.Model.Layers {
		var c cache.Cache
		if caches != nil {
			c = caches[i]
		}
		h = mlx.Add(h, l.SelfAttn.forward(l.InputLayernorm.Forward(h), mask, c))
	}
	h = m.Model.Norm.Forward(h)
	var out *mlx.Array
	if m.args.TieWordEmbeddings {
		out = m.Model.EmbedTokens.AsLinear(h)
	} else {
		out = m.LmHead.Forward(h)
	}
	return out, out.Err()
}

// Sanitize drops lm_head.weight when the embeddings are tied.
func (m *Model) Sanitize(w map[string]*mlx.Array) (map[string]*mlx.Array, error) {
	if m.args.TieWordEmbeddings {
		out := make(map[string]*mlx.Array, len(w))
		for k, v := range w {
			if k != "lm_head.weight" {
				out[k] = v
			}
		}
		return out, nil
	}
	return w, nil
}

// MakeCache is absent in the Python toy: nil.
func (m *Model) MakeCache() ([]cache.Cache, error) { return nil, nil }

// NumLayers is len(model.layers).
func (m *Model) NumLayers() int { return len(m.Model.Layers) }

// Module is the root of the parameter tree.
func (m *Model) Module() any { return m }
