package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/runtime/mlx"
)

func logitsCmd() *cobra.Command {
	var model, revision, tokens, out, dtype string
	cmd := &cobra.Command{
		Use:   "logits --model DIR --tokens 1,2,3 --out FILE.safetensors",
		Short: "Write the full-sequence logits (float32 [L, vocab], no cache) of a token sequence",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return fmt.Errorf("--out is required: the .safetensors file to write")
			}
			if tokens == "" {
				return fmt.Errorf("--tokens is required: comma-separated token ids, e.g. 1,2,3")
			}
			m, _, err := loadModel(cmd.Context(), &model, revision, dtype)
			if err != nil {
				return err
			}
			defer m.Free()
			ids, err := parseTokens("tokens", tokens, m.VocabSize)
			if err != nil {
				return err
			}
			in := make([]int32, len(ids))
			for i, t := range ids {
				in[i] = int32(t)
			}
			s := mlx.NewScope()
			defer s.Close()
			logits, err := m.Forward(mlx.FromSlice(in, 1, len(in)), nil)
			if err != nil {
				return fmt.Errorf("forward pass: %w", err)
			}
			l := mlx.Astype(logits.Index(0), mlx.Float32)
			if err := mlx.Eval(l); err != nil {
				return fmt.Errorf("forward pass: %w", err)
			}
			if err := mlx.SaveSafetensors(out, map[string]*mlx.Array{"logits": l}, nil); err != nil {
				return fmt.Errorf("writing %s: %w", out, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&model, "model", "", "model directory, .gguf file or Hugging Face repository id (org/name)")
	cmd.Flags().StringVar(&revision, "revision", "main", revisionUsage)
	cmd.Flags().StringVar(&dtype, "dtype", "auto", dtypeUsage)
	cmd.Flags().StringVar(&tokens, "tokens", "", "comma-separated token ids")
	cmd.Flags().StringVar(&out, "out", "", "output .safetensors file (written atomically)")
	return cmd
}
