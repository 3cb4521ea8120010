package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// freePort is a TCP port on 127.0.0.1 whose successor was free too a moment ago
// (the ring backend listens on consecutive ports, one per rank).
func freePort(t *testing.T) int {
	t.Helper()
	for range 20 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l2, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
		l.Close()
		if err == nil {
			l2.Close()
			return p
		}
	}
	t.Fatal("no two consecutive free ports")
	return 0
}

// TestLaunchShardedGenerate runs `mlxlm launch -n 2 -- generate` on a tiny
// llama: two ranks on MLX's ring backend, each holding half of every sharded
// linear layer (the generated llama Shard, i.e. llama.py's shard()). Only rank 0
// prints, once; its 16 greedy tokens equal the unsharded `mlxlm generate`'s and
// mlx-lm's own sharded generation under mlx.launch (sharding changes float32
// rounding, not the greedy tokens of these models).
func TestLaunchShardedGenerate(t *testing.T) {
	dir := filepath.Join(fixture, "tiny-llama")
	gen := []string{"generate", "--model", dir, "--prompt-tokens", refTokens, "--max-tokens", "16", "--temp", "0", "--json"}

	type result struct {
		Tokens         []int `json:"tokens"`
		ParameterBytes int   `json:"parameter_bytes"`
		WorldSize      int   `json:"world_size"`
	}
	parse := func(what, stdout string) result {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if len(lines) != 1 {
			t.Fatalf("%s printed %d lines, want one JSON line (rank 0 only):\n%s", what, len(lines), stdout)
		}
		var res result
		if err := json.Unmarshal([]byte(lines[0]), &res); err != nil || len(res.Tokens) != 16 {
			t.Fatalf("%s: %q is not {\"tokens\": [16 ids], ...}: %v", what, lines[0], err)
		}
		return res
	}
	tokensOf := func(what, stdout string) []int { t.Helper(); return parse(what, stdout).Tokens }

	r := mlxlm(t, gen...)
	if r.code != 0 {
		t.Fatalf("mlxlm generate: exit %d: %s", r.code, r.stderr)
	}
	aloneRes := parse("mlxlm generate", r.stdout)
	alone := aloneRes.Tokens

	var sharded []int
	for attempt := 0; ; attempt++ { // a port picked free can be taken before a rank binds it
		r = mlxlm(t, append([]string{"launch", "-n", "2", "--backend", "ring", "-p", fmt.Sprint(freePort(t)), "--"}, gen...)...)
		if r.code == 0 || attempt == 2 || !strings.Contains(r.stderr, "bind") {
			break
		}
	}
	if r.code != 0 {
		t.Fatalf("mlxlm launch: exit %d: %s", r.code, r.stderr)
	}
	shardedRes := parse("mlxlm launch -n 2 -- generate", r.stdout)
	sharded = shardedRes.Tokens
	// Each rank holds half of every sharded projection; embeddings and norms stay whole.
	if shardedRes.WorldSize != 2 || shardedRes.ParameterBytes*10 > aloneRes.ParameterBytes*9 || shardedRes.ParameterBytes*2 < aloneRes.ParameterBytes {
		t.Errorf("rank 0 of %d holds %d parameter bytes, the whole model %d: not a 2-way tensor-parallel shard",
			shardedRes.WorldSize, shardedRes.ParameterBytes, aloneRes.ParameterBytes)
	}
	if !slices.Equal(sharded, alone) {
		t.Errorf("sharded tokens %v\nunsharded     %v", sharded, alone)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	cmd := exec.CommandContext(ctx, filepath.Join(repo, ".venv", "bin", "mlx.launch"), "--backend", "ring", "-n", "2",
		"--starting-port", fmt.Sprint(freePort(t)), "--", filepath.Join(repo, ".venv", "bin", "python"),
		filepath.Join(repo, "cmd", "mlxlm", "testdata", "sharded_generate.py"), dir, refTokens, "16")
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("mlx.launch sharded_generate.py: %v\n%s", err, errb.String())
	}
	// mlx.launch exits 0 even when a rank failed, so its output is the verdict.
	py := tokensOf("mlx-lm sharded (stderr: "+errb.String()+")", out.String())
	if !slices.Equal(sharded, py) {
		t.Errorf("sharded tokens %v\nmlx-lm sharded %v", sharded, py)
	}
	t.Logf("2 ranks: %v (= unsharded = mlx-lm sharded)", sharded)
}

// TestLaunchErrors: a bad launch is one error line and exit 1 (here: -n 0,
// an unknown backend, a malformed --env).
func TestLaunchErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"launch", "-n", "0", "--", "generate"}, "-n must be at least 1"},
		{[]string{"launch", "-n", "2", "--backend", "mpi", "--", "generate"}, `backend "mpi"`},
		{[]string{"launch", "-n", "2", "--env", "X", "--", "generate"}, "not KEY=VALUE"},
	} {
		r := mlxlm(t, c.args...)
		if r.code != 1 || !strings.Contains(r.stderr, c.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one line containing %q", c.args, r.code, r.stderr, c.want)
		}
	}
}
