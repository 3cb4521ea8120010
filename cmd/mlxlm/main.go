// Command mlxlm runs generated models, with flags named as mlx_lm's CLI:
//
//	mlxlm generate --model DIR --prompt TEXT [--max-tokens --temp --top-p --top-k --min-p --seed
//	               --max-kv-size --kv-bits --system-prompt --ignore-chat-template]
//	mlxlm generate --model DIR --prompt-tokens 1,2,3 --max-tokens N --temp 0 --json
//	mlxlm cache_prompt --model DIR --prompt TEXT --prompt-cache-file FILE   (then generate --prompt-cache-file FILE)
//	mlxlm chat --model DIR
//	mlxlm logits --model DIR --tokens 1,2,3 --out FILE.safetensors
//	mlxlm server --model DIR [--host 127.0.0.1] [--port 8080] (mlx_lm.server flags)
//	mlxlm convert --hf-path DIR --mlx-path OUT [-q] [--q-bits 4] [--q-group-size 64] [--dtype bfloat16]
//	mlxlm template --model DIR|FILE.gguf --messages FILE.json [--tools FILE.json] [--no-generation-prompt]
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
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	_ "github.com/hf2go/hf2go/generated/models/all"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) (code int) {
	defer func() {
		if r := recover(); r != nil {
			// A bug, not bad input: still one line, no trace (HF2GO_TRACE=1 prints it).
			fmt.Fprintf(os.Stderr, "mlxlm: internal error: %s\n", errorText(fmt.Sprint(r)))
			if os.Getenv("HF2GO_TRACE") != "" {
				os.Stderr.Write(debug.Stack())
			}
			code = 1
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := &cobra.Command{
		Use:           "mlxlm",
		Short:         "Run generated mlx-lm models in Go",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(generateCmd(), cachePromptCmd(), chatCmd(), logitsCmd(), convertCmd(), templateCmd(), launchCmd(), serverCmd())
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "mlxlm: "+errorText(err.Error()))
		return 1
	}
	return 0
}

// Error messages quote untrusted text (tensor and file names, config keys,
// a server's error body): errorText makes sure what reaches the terminal is
// at most maxErrorLines lines of at most maxErrorLine characters, with every
// control character (an ESC starting a terminal escape sequence, a CR that
// would overwrite the line) shown escaped.
const (
	maxErrorLines = 4
	maxErrorLine  = 600
)

func errorText(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	more := 0
	if len(lines) > maxErrorLines {
		more = len(lines) - maxErrorLines
		lines = lines[:maxErrorLines]
	}
	for i, l := range lines {
		var b strings.Builder
		n := 0
		for _, r := range l {
			if n >= maxErrorLine {
				b.WriteString(" …")
				break
			}
			switch {
			case r == '\t':
				b.WriteRune(' ')
			case r == utf8.RuneError || unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r):
				fmt.Fprintf(&b, "\\x{%x}", r)
			default:
				b.WriteRune(r)
			}
			n++
		}
		lines[i] = b.String()
	}
	if more > 0 {
		lines = append(lines, fmt.Sprintf("(%d more lines)", more))
	}
	return strings.Join(lines, "\n")
}
