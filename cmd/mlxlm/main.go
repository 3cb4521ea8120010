// Command mlxlm runs generated models, with flags named as mlx_lm's CLI:
//
//	mlxlm generate --model DIR --prompt TEXT [--max-tokens --temp --top-p --top-k --min-p --seed
//	               --max-kv-size --kv-bits --system-prompt --ignore-chat-template]
//	mlxlm generate --model DIR --prompt-tokens 1,2,3 --max-tokens N --temp 0 --json
//	mlxlm chat --model DIR
//	mlxlm logits --model DIR --tokens 1,2,3 --out FILE.safetensors
//	mlxlm convert --hf-path DIR --mlx-path OUT [-q] [--q-bits 4] [--q-group-size 64] [--dtype bfloat16]
//	mlxlm launch -n 2 [--backend ring|nccl] -- generate --model DIR --prompt TEXT   (tensor parallel)
//
// Any failure is one or two lines on stderr and exit status 1.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	_ "github.com/hf2go/hf2go/generated/models/all"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// A bug, not bad input: still one line, no trace (HF2GO_TRACE=1 prints it).
			fmt.Fprintf(os.Stderr, "mlxlm: internal error: %v\n", r)
			if os.Getenv("HF2GO_TRACE") != "" {
				os.Stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	root := &cobra.Command{
		Use:           "mlxlm",
		Short:         "Run generated mlx-lm models in Go",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(generateCmd(), chatCmd(), logitsCmd(), convertCmd(), launchCmd())
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		msg := strings.TrimSpace(err.Error())
		fmt.Fprintln(os.Stderr, "mlxlm: "+msg)
		return 1
	}
	return 0
}
