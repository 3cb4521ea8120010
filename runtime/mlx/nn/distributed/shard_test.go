package distributed

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

type shardCase struct {
	Name     string          `json:"name"`
	Kind     string          `json:"kind"`
	Segments json.RawMessage `json:"segments"`
}

// segmentsOf reads Python's segments argument: an int, a list of ints
// (split indices) or a list of floats (fractions).
func segmentsOf(raw json.RawMessage) (Segments, error) {
	var n int
	if err := json.Unmarshal(raw, &n); err == nil {
		return Segments{N: n}, nil
	}
	var idx []int
	if err := json.Unmarshal(raw, &idx); err == nil {
		return Segments{Indices: idx}, nil
	}
	var fr []float64
	if err := json.Unmarshal(raw, &fr); err != nil {
		return Segments{}, fmt.Errorf("segments %s: %w", raw, err)
	}
	return Segments{Fractions: fr}, nil
}

func arraysEqual(a, b *mlx.Array) (bool, error) {
	if fmt.Sprint(a.Shape()) != fmt.Sprint(b.Shape()) || a.Dtype() != b.Dtype() {
		return false, nil
	}
	v, err := mlx.All(mlx.Equal(a, b), false).Item()
	return v != 0, err
}

// TestShardMatchesMLX checks the sharding of parameter trees against mlx's
// own _shard for both ranks of a group of 2: plain, fused (segments 2 and
// 3), split indices and fractions, 3-D expert weights, quantized weights
// with scales and biases, with and without bias.
func TestShardMatchesMLX(t *testing.T) {
	out := t.TempDir()
	cases := filepath.Join("testdata", "shard_cases.json")
	pyref.Run(t, filepath.Join("testdata", "shard_reference.py"), cases, out)
	ref, err := mlx.LoadSafetensors(filepath.Join(out, "shards.safetensors"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(cases)
	if err != nil {
		t.Fatal(err)
	}
	var cs []shardCase
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&cs); err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		t.Run(c.Name, func(t *testing.T) {
			segs, err := segmentsOf(c.Segments)
			if err != nil {
				t.Fatal(err)
			}
			sh, err := shardingOf(c.Kind, segs)
			if err != nil {
				t.Fatal(err)
			}
			in := map[string]*mlx.Array{}
			for k, v := range ref.Arrays {
				if p, ok := strings.CutPrefix(k, c.Name+".in."); ok {
					in[p] = v
				}
			}
			for r := range 2 {
				got, err := shardParamsAs(in, sh, 2, r)
				if err != nil {
					t.Fatalf("rank %d: %v", r, err)
				}
				var names []string
				for k := range got {
					names = append(names, k)
				}
				sort.Strings(names)
				for _, k := range names {
					want := ref.Arrays[fmt.Sprintf("%s.r%d.%s", c.Name, r, k)]
					if want == nil {
						t.Fatalf("rank %d: %s: no reference", r, k)
					}
					ok, err := arraysEqual(got[k], want)
					if err != nil {
						t.Fatal(err)
					}
					if !ok {
						t.Errorf("rank %d: %s: shard %v differs from mlx's %v", r, k, got[k].Shape(), want.Shape())
					}
				}
			}
		})
	}
}

// singleton is the group init gives without a distributed environment.
func singleton(t *testing.T) *mlx.Group {
	t.Helper()
	t.Setenv("MLX_RANK", "")
	t.Setenv("MLX_HOSTFILE", "")
	os.Unsetenv("MLX_RANK")
	os.Unsetenv("MLX_HOSTFILE")
	g, err := mlx.DistributedInit(false, "ring")
	if err != nil {
		t.Fatal(err)
	}
	if g.Size() != 1 {
		t.Fatalf("singleton group has size %d", g.Size())
	}
	return g
}

// On a group of one, every sharded layer computes what the layer it came
// from computes, bit for bit.
func TestShardLinearSingleton(t *testing.T) {
	g := singleton(t)
	ks := []*mlx.Array{mlx.RandomKey(3), mlx.RandomKey(4), mlx.RandomKey(5)}
	lin := &nn.Linear{Weight: mlx.Normal([]int{16, 64}, mlx.Float32, 0, 1, ks[0]), Bias: mlx.Normal([]int{16}, mlx.Float32, 0, 1, ks[1])}
	x := mlx.Normal([]int{2, 3, 64}, mlx.Float32, 0, 1, ks[2])
	q, err := lin.ToQuantized(nn.QuantParams{GroupSize: 32, Bits: 4})
	if err != nil {
		t.Fatal(err)
	}
	for _, base := range []nn.LinearLayer{lin, q.(*nn.QuantizedLinear), &nn.Linear{Weight: lin.Weight}} {
		want := base.Forward(x)
		for _, kind := range []string{AllToSharded, ShardedToAll} {
			s, err := ShardLinear(base, kind, g)
			if err != nil {
				t.Fatalf("%T %s: %v", base, kind, err)
			}
			ok, err := arraysEqual(s.Forward(x), want)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				t.Errorf("%T sharded %s on a group of one differs from the layer", base, kind)
			}
		}
	}
	// A nil group is the global group.
	if _, err := ShardLinear(lin, AllToSharded, nil); err != nil {
		t.Errorf("nil group: %v", err)
	}
}

type otherLayer struct{}

func (otherLayer) Forward(x *mlx.Array) *mlx.Array { return x }

func TestShardErrors(t *testing.T) {
	g := singleton(t)
	lin := nn.NewLinear(8, 4, true)
	if _, err := ShardLinear(lin, "rows", g); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("unknown sharding: %v", err)
	}
	if _, err := ShardLinear(otherLayer{}, AllToSharded, g); err == nil {
		t.Error("sharding a non-linear layer succeeded")
	}
	if err := ShardInplace(lin, "columns", g); err == nil {
		t.Error("ShardInplace with an unknown sharding succeeded")
	}
	// Indivisible: a group of 2 cannot split 3 rows.
	if _, err := shardParamsAs(map[string]*mlx.Array{"weight": mlx.Zeros(mlx.Float32, 3, 4)}, AllToShardedSharding(Segments{}), 2, 0); err == nil ||
		!strings.Contains(err.Error(), "weight") {
		t.Errorf("indivisible shard: %v", err)
	}
	if _, err := shardParamsAs(map[string]*mlx.Array{"weight": mlx.Errorf("load", "boom")}, AllToShardedSharding(Segments{}), 2, 0); err == nil ||
		!strings.Contains(err.Error(), "boom") {
		t.Errorf("error array: %v", err)
	}
}

// shard_inplace replaces a module's parameters by their shards, in nested
// modules and lists, leaving its code alone.
func TestShardInplace(t *testing.T) {
	type block struct {
		Proj    *nn.Linear   `mlx:"proj"`
		Experts []*nn.Linear `mlx:"experts"`
		Hidden  int          `mlx:"-"`
	}
	w := mlx.Reshape(mlx.Arange(0, 32, 1, mlx.Float32), 8, 4)
	m := &block{Proj: &nn.Linear{Weight: w, Bias: mlx.Arange(0, 8, 1, mlx.Float32)},
		Experts: []*nn.Linear{{Weight: mlx.Reshape(mlx.Arange(0, 32, 1, mlx.Float32), 8, 4)}}}
	if err := shardInplaceAs(m, AllToShardedSharding(Segments{}), 2, 1); err != nil {
		t.Fatal(err)
	}
	got, _ := mlx.ToSlice[float32](m.Proj.Bias)
	if fmt.Sprint(m.Proj.Weight.Shape(), m.Experts[0].Weight.Shape(), got) != "[4 4] [4 4] [4 5 6 7]" {
		t.Errorf("after shard_inplace rank 1 of 2: %v %v bias %v", m.Proj.Weight.Shape(), m.Experts[0].Weight.Shape(), got)
	}
	if err := shardInplaceAs(m.Proj, ShardedToAllSharding(Segments{}), 2, 0); err != nil {
		t.Fatal(err)
	}
	wv, _ := mlx.ToSlice[float32](m.Proj.Weight)
	if fmt.Sprint(m.Proj.Weight.Shape(), wv) != "[4 2] [16 17 20 21 24 25 28 29]" {
		t.Errorf("sharded-to-all of rows 4..7: %v %v", m.Proj.Weight.Shape(), wv)
	}
}
