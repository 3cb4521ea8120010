package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/convert"
	"github.com/hf2go/hf2go/lm/gguf"
)

// convertCmd is mlx_lm.convert's CLI (the flags this port supports).
func convertCmd() *cobra.Command {
	var o convert.Options
	var revision string
	cmd := &cobra.Command{
		Use:   "convert --hf-path DIR|org/name --mlx-path OUT [-q] [--q-bits 4] [--q-group-size 64] [--dtype bfloat16]",
		Short: "Convert a Hugging Face checkpoint directory to MLX format (optionally quantized), as mlx_lm.convert",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("mlx-path") && o.MLXPath == "" {
				return fmt.Errorf("--mlx-path is empty: give the directory to write (it must not exist)")
			}
			// Every flag is checked before anything is downloaded or read.
			if err := convert.CheckOptions(&o); err != nil {
				return err
			}
			if gguf.IsGGUF(o.HFPath) {
				// Staged as an HF-style directory beside the output, then
				// converted like any other; the staging is removed after.
				parent := filepath.Dir(filepath.Clean(o.MLXPath))
				if err := os.MkdirAll(parent, 0o755); err != nil {
					return err
				}
				stage, err := os.MkdirTemp(parent, "."+filepath.Base(o.MLXPath)+".gguf-")
				if err != nil {
					return err
				}
				defer os.RemoveAll(stage)
				dir := filepath.Join(stage, "hf")
				fmt.Fprintf(os.Stdout, "[INFO] Reading %s\n", o.HFPath)
				if err := gguf.WriteHFDir(cmd.Context(), o.HFPath, dir); err != nil {
					return err
				}
				o.HFPath = dir
			} else {
				dir, err := resolveModel(cmd.Context(), o.HFPath, revision)
				if err != nil {
					return err
				}
				o.HFPath = dir
			}
			o.Log = os.Stdout
			res, err := convert.Convert(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintf(os.Stdout, "[INFO] Wrote %s (%d shard(s), %.3f GB)\n", o.MLXPath, len(res.Shards), float64(res.TotalSize)/1e9)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.HFPath, "hf-path", "", "path to the Hugging Face model directory, a .gguf file, or a Hub repository id (org/name)")
	f.StringVar(&o.HFPath, "model", "", "alias of --hf-path")
	f.StringVar(&revision, "revision", "", revisionUsage)
	f.StringVar(&o.MLXPath, "mlx-path", "mlx_model", "path to save the MLX model (must not exist)")
	f.BoolVarP(&o.Quantize, "quantize", "q", false, "generate a quantized model")
	f.IntVar(&o.GroupSize, "q-group-size", 0, "group size for quantization (default: the mode's, 64 for affine)")
	f.IntVar(&o.Bits, "q-bits", 0, "bits per weight for quantization (default: the mode's, 4 for affine)")
	f.StringVar(&o.Mode, "q-mode", "affine", "quantization mode: affine, mxfp4, nvfp4, mxfp8")
	f.StringVar(&o.Dtype, "dtype", "", "type of the non-quantized parameters: float16, bfloat16, float32 (default: config's torch_dtype)")
	return cmd
}
