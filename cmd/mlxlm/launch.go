package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/launch"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// launchCmd is mlx.launch for mlxlm: `mlxlm launch -n 2 -- generate --model DIR …` starts
// mlxlm generate as two ranks of an MLX group on this machine (one GPU each with
// --backend nccl); a command that is not an mlxlm subcommand is run as a program.
func launchCmd() *cobra.Command {
	var o launch.Options
	cmd := &cobra.Command{
		Use:   "launch [-n N] [--backend ring|nccl] -- (generate|logits|PROGRAM) ARGS...",
		Short: "Run mlxlm (or a program) as the ranks of an MLX distributed group (mlx.launch)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Backend == "" {
				// mlx.launch's default: NCCL where MLX has CUDA, else the ring.
				o.Backend = launch.Ring
				if mlx.OnGPU() && mlx.DistributedIsAvailable(launch.NCCL) {
					o.Backend = launch.NCCL
				}
			}
			argv := args
			if slices.Contains([]string{"generate", "logits"}, args[0]) {
				exe, err := os.Executable()
				if err != nil {
					return fmt.Errorf("launch: cannot find the mlxlm executable: %w", err)
				}
				argv = append([]string{exe}, args...)
			}
			o.Stdout, o.Stderr = cmd.OutOrStdout(), cmd.ErrOrStderr()
			return launch.Run(cmd.Context(), o, argv)
		},
	}
	fl := cmd.Flags()
	fl.IntVarP(&o.N, "repeat-hosts", "n", 1, "number of ranks on this host")
	fl.StringVar(&o.Backend, "backend", "", "distributed backend: ring or nccl (default: nccl with CUDA, else ring)")
	fl.IntVarP(&o.StartingPort, "starting-port", "p", launch.DefaultStartingPort, "ring backend: the first rank's port, +1 per rank (0 picks free ports)")
	fl.IntVar(&o.NCCLPort, "nccl-port", launch.DefaultNCCLPort, "nccl backend: rank 0's rendezvous port")
	fl.StringArrayVar(&o.Env, "env", nil, "KEY=VALUE added to every rank's environment (repeatable)")
	return cmd
}
