package main

import (
	"fmt"
	"os"

	"github.com/hf2go/hf2go/lm/arch"
	"github.com/hf2go/hf2go/lm/loader"
	"github.com/hf2go/hf2go/runtime/mlx"
	"github.com/hf2go/hf2go/runtime/mlx/nn"
)

// launchedBackend is the MLX backend whose environment `mlxlm launch` (or
// mlx.launch) gave this process, or "" when it was not launched as a rank.
func launchedBackend() string {
	switch {
	case os.Getenv("MLX_RANK") == "":
		return ""
	case os.Getenv("MLX_HOSTFILE") != "":
		return "ring"
	case os.Getenv("MLX_WORLD_SIZE") != "":
		return "nccl"
	}
	return ""
}

// shardLaunched is mlx_lm.utils.sharded_load's tensor-parallel path for a
// process started as a rank: it joins the group and shards m with the model's
// shard() (the generated Shard). It returns the group (nil when not launched
// or alone) so the caller prints on rank 0 only. Pipeline parallelism
// (pipeline()) is not translated yet, so a model without shard() is refused.
func shardLaunched(m *loader.Model) (*mlx.Group, error) {
	backend := launchedBackend()
	if backend == "" {
		return nil, nil
	}
	g, err := mlx.DistributedInit(true, backend)
	if err != nil {
		return nil, fmt.Errorf("joining the %s group (MLX_RANK=%s): %w", backend, os.Getenv("MLX_RANK"), err)
	}
	if g.Size() == 1 {
		return nil, nil
	}
	sh, ok := m.Model.(arch.Sharder)
	if !ok {
		return nil, fmt.Errorf("%s (%s) has no shard(): tensor parallelism is not available for it", m.Dir, m.Arch.ModelType)
	}
	if err := sh.Shard(g); err != nil {
		return nil, fmt.Errorf("sharding %s over %d ranks: %w", m.Dir, g.Size(), err)
	}
	// As sharded_load: evaluate the sharded parameters, then synchronise the ranks
	// so a slow rank does not time out the first collective of the forward pass.
	if err := mlx.Eval(paramsOf(m)...); err != nil {
		return nil, err
	}
	if err := mlx.Eval(mlx.AllSum(mlx.Scalar(1, mlx.Float32), g)); err != nil {
		return nil, fmt.Errorf("synchronising %d ranks: %w", g.Size(), err)
	}
	return g, nil
}

func paramsOf(m *loader.Model) []*mlx.Array {
	ps := nn.Parameters(m.Module())
	out := make([]*mlx.Array, 0, len(ps))
	for _, a := range ps {
		out = append(out, a)
	}
	return out
}

func parameterBytes(m *loader.Model) int {
	n := 0
	for _, a := range paramsOf(m) {
		n += a.Nbytes()
	}
	return n
}
