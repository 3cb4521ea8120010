package gguf

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/paritytest"
)

// ggufBuilder writes GGUF v3 headers for tests (what llama.cpp's gguf.py
// writes: little-endian, uint64 lengths, 32-byte alignment).
type ggufBuilder struct {
	kv      bytes.Buffer
	nkv     int
	tensors bytes.Buffer
	nt      int
	data    []byte
}

func (b *ggufBuilder) str(w *bytes.Buffer, s string) {
	binary.Write(w, binary.LittleEndian, uint64(len(s)))
	w.WriteString(s)
}

func (b *ggufBuilder) addKV(key string, typ ValueType, val any) {
	b.str(&b.kv, key)
	binary.Write(&b.kv, binary.LittleEndian, uint32(typ))
	switch v := val.(type) {
	case string:
		b.str(&b.kv, v)
	case []string:
		binary.Write(&b.kv, binary.LittleEndian, uint32(TypeString))
		binary.Write(&b.kv, binary.LittleEndian, uint64(len(v)))
		for _, s := range v {
			b.str(&b.kv, s)
		}
	case []int32:
		binary.Write(&b.kv, binary.LittleEndian, uint32(TypeInt32))
		binary.Write(&b.kv, binary.LittleEndian, uint64(len(v)))
		binary.Write(&b.kv, binary.LittleEndian, v)
	default:
		binary.Write(&b.kv, binary.LittleEndian, v)
	}
	b.nkv++
}

func (b *ggufBuilder) addTensor(name string, dims []uint64, typ TensorType, nbytes int) {
	b.str(&b.tensors, name)
	binary.Write(&b.tensors, binary.LittleEndian, uint32(len(dims)))
	for _, d := range dims {
		binary.Write(&b.tensors, binary.LittleEndian, d)
	}
	binary.Write(&b.tensors, binary.LittleEndian, uint32(typ))
	binary.Write(&b.tensors, binary.LittleEndian, uint64(len(b.data)))
	b.data = append(b.data, make([]byte, nbytes)...)
	for len(b.data)%32 != 0 {
		b.data = append(b.data, 0)
	}
	b.nt++
}

func (b *ggufBuilder) bytes() []byte {
	var out bytes.Buffer
	out.WriteString(Magic)
	binary.Write(&out, binary.LittleEndian, uint32(3))
	binary.Write(&out, binary.LittleEndian, uint64(b.nt))
	binary.Write(&out, binary.LittleEndian, uint64(b.nkv))
	out.Write(b.kv.Bytes())
	out.Write(b.tensors.Bytes())
	for out.Len()%32 != 0 {
		out.WriteByte(0)
	}
	out.Write(b.data)
	return out.Bytes()
}

func sample() *ggufBuilder {
	b := &ggufBuilder{}
	b.addKV("general.architecture", TypeString, "llama")
	b.addKV("llama.block_count", TypeUint32, uint32(1))
	b.addKV("llama.rope.freq_base", TypeFloat32, float32(10000))
	b.addKV("tokenizer.ggml.tokens", TypeArray, []string{"a", "b", "ab"})
	b.addKV("tokenizer.ggml.token_type", TypeArray, []int32{1, 1, 3})
	b.addKV("tokenizer.ggml.add_bos_token", TypeBool, uint8(1))
	b.addTensor("token_embd.weight", []uint64{64, 3}, F32, 64*3*4)
	b.addTensor("blk.0.attn_q.weight", []uint64{64, 64}, Q4_0, 64*64/32*18)
	return b
}

func TestParseValid(t *testing.T) {
	data := sample().bytes()
	g, err := Parse(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if s, _, _ := g.String("general.architecture"); s != "llama" {
		t.Errorf("architecture %q", s)
	}
	if n, _, _ := g.Int("llama.block_count"); n != 1 {
		t.Errorf("block_count %d", n)
	}
	if toks, _, _ := g.Strings("tokenizer.ggml.tokens"); strings.Join(toks, ",") != "a,b,ab" {
		t.Errorf("tokens %v", toks)
	}
	if b, _, _ := g.Bool("tokenizer.ggml.add_bos_token"); !b {
		t.Error("add_bos_token")
	}
	if len(g.Tensors) != 2 || g.Tensors[1].Size != 64*64/32*18 || g.Tensors[1].Shape()[0] != 64 {
		t.Errorf("tensors %+v", g.Tensors)
	}
}

// TestParseRejects: corrupt headers are errors naming the problem, never a
// panic or a huge allocation.
func TestParseRejects(t *testing.T) {
	good := sample().bytes()
	patch := func(f func(b []byte) []byte) []byte { return f(append([]byte{}, good...)) }
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a GGUF file"},
		{"magic", patch(func(b []byte) []byte { b[0] = 'X'; return b }), "not a GGUF file"},
		{"version", patch(func(b []byte) []byte { b[4] = 9; return b }), "version 9"},
		{"huge tensor count", patch(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[8:], math.MaxUint64); return b }), "tensors"},
		{"huge kv count", patch(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[16:], 1<<40); return b }), "metadata entries"},
		{"huge key length", patch(func(b []byte) []byte { binary.LittleEndian.PutUint64(b[24:], 1<<62); return b }), "exceeds the file"},
		{"truncated header", good[:100], "metadata"},
		{"truncated data", good[:len(good)-100], "ends past the end of the file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(c.data), int64(len(c.data)))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one saying %q", err, c.want)
			}
		})
	}
	b := &ggufBuilder{}
	b.addTensor("x.weight", []uint64{31, 1}, Q4_0, 18)
	data := b.bytes()
	if _, err := Parse(bytes.NewReader(data), int64(len(data))); err == nil || !strings.Contains(err.Error(), "multiple of 32") {
		t.Errorf("a Q4_0 row of 31: %v", err)
	}
}

// TestMetadataMatchesMLX: the Go header parser reads SmolLM2's metadata as
// mx.load(..., return_metadata=True) does (scalars, strings, array lengths
// and samples) and the same tensor names and shapes as libmlx returns.
func TestMetadataMatchesMLX(t *testing.T) {
	path := smolLM2(t)
	out := paritytest.Generate(t, "metadata_reference.py", path)
	data, err := os.ReadFile(filepath.Join(out, "metadata.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Scalars map[string]any       `json:"scalars"`
		Lists   map[string][]any     `json:"lists"`
		Lengths map[string]int       `json:"lengths"`
		Tensors map[string][]float64 `json:"tensors"`
	}
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	g, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(g.Metadata) != len(ref.Scalars)+len(ref.Lengths) {
		t.Errorf("%d metadata keys, mx.load has %d", len(g.Metadata), len(ref.Scalars)+len(ref.Lengths))
	}
	for k, want := range ref.Scalars {
		v, ok := g.Metadata[k]
		if !ok {
			t.Errorf("%s missing", k)
			continue
		}
		var got any
		switch x := v.V.(type) {
		case uint64:
			got = float64(x)
		case int64:
			got = float64(x)
		case float64:
			got = float64(float32(x))
		case bool, string:
			got = x
		}
		if w, ok := want.(float64); ok {
			want = float64(float32(w))
		}
		if got != want {
			t.Errorf("%s = %v, mx.load says %v", k, got, want)
		}
	}
	for k, n := range ref.Lengths {
		var got []any
		switch x := g.Metadata[k].V.(type) {
		case []string:
			for _, s := range x {
				got = append(got, s)
			}
		case []int64:
			for _, i := range x {
				got = append(got, float64(i))
			}
		case []float64:
			for _, f := range x {
				got = append(got, f)
			}
		}
		if len(got) != n {
			t.Errorf("%s has %d elements, mx.load %d", k, len(got), n)
			continue
		}
		for i, w := range ref.Lists[k] {
			j := (i * 997) % n
			if got[j] != w {
				t.Errorf("%s[%d] = %v, mx.load %v", k, j, got[j], w)
			}
		}
	}
	// libmlx splits each quantized tensor into weight/scales/biases.
	names := map[string]bool{}
	for _, ti := range g.Tensors {
		names[ti.Name] = true
	}
	for n := range ref.Tensors {
		base := strings.TrimSuffix(strings.TrimSuffix(n, ".scales"), ".biases")
		if !names[n] && !names[base+".weight"] {
			t.Errorf("libmlx tensor %s has no header entry", n)
		}
	}
	t.Logf("%d metadata keys and %d tensors agree with mx.load", len(g.Metadata), len(g.Tensors))
}

// FuzzParse: any bytes parse to a header or an error, without panics or
// allocations beyond the input's size. Seeds: testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	f.Add(sample().bytes())
	f.Add(sample().bytes()[:64])
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := Parse(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		_, _, _ = g.Config()
		_, _ = g.Vocab()
	})
}
