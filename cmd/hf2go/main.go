// Command hf2go translates mlx-lm model files into Go packages under
// generated/models and keeps them current.
//
//	hf2go add <model_type | config.json | model dir>
//	hf2go generate [--check]
//	hf2go list [--json]
//	hf2go explain <model_type>
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	root := &cobra.Command{
		Use:           "hf2go",
		Short:         "Translate mlx-lm model architectures into Go packages",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	var repo string
	root.PersistentFlags().StringVar(&repo, "repo", "", "repository root (default: found from the working directory)")
	root.AddCommand(addCmd(&repo), generateCmd(&repo), listCmd(&repo), explainCmd(&repo), coverageCmd(&repo))
	if err := root.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "hf2go:", err)
		var ee *exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		os.Exit(2)
	}
}
