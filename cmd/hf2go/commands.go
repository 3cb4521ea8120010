package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hf2go/hf2go/generator"
	"github.com/spf13/cobra"
)

func addCmd(repo *string) *cobra.Command {
	return &cobra.Command{
		Use:   "add <model_type | config.json | model dir>",
		Short: "Translate one architecture and add it to the manifest",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWorkspace(*repo)
			if err != nil {
				return err
			}
			mt, err := modelTypeOf(args[0])
			if err != nil {
				return &exitError{1, err}
			}
			file := w.gen.Resolve(mt)
			out, err := w.gen.Generate(file)
			if err != nil {
				return &exitError{1, err}
			}
			if len(out.Diagnostics) > 0 {
				for _, d := range out.Diagnostics {
					fmt.Fprintln(os.Stderr, d)
				}
				return &exitError{1, fmt.Errorf("%s cannot be translated (%d diagnostics); nothing written", file, len(out.Diagnostics))}
			}
			if !slices.Contains(w.manifest.Models, file) {
				w.manifest.Models = append(w.manifest.Models, file)
			}
			files, _, err := w.plan()
			if err != nil {
				return &exitError{1, err}
			}
			// Type-check the new package against the module before writing
			// anything: a translation that does not compile is not added.
			overlay := map[string][]byte{}
			for rel, b := range files {
				overlay[filepath.Join(w.modelsDir(), rel)] = b
			}
			terrs, err := generator.TypeCheck(w.root, overlay, []string{"github.com/hf2go/hf2go/generated/models/" + out.Dir})
			if err != nil {
				return err
			}
			if len(terrs) > 0 {
				for _, e := range terrs {
					fmt.Fprintln(os.Stderr, e)
				}
				return &exitError{1, fmt.Errorf("%s: the translation does not type-check (%d errors; a translator bug); nothing written", out.PyPath, len(terrs))}
			}
			if err := w.write(files); err != nil {
				return err
			}
			if err := w.saveManifest(); err != nil {
				return err
			}
			if _, err := w.syncLock(false); err != nil {
				return err
			}
			fmt.Printf("generated/models/%s: %s translated from %s\n", out.Dir, file, out.PyPath)
			return nil
		},
	}
}

// modelTypeOf reads the model_type from a config.json, a model directory, or
// takes the argument as a model_type.
func modelTypeOf(arg string) (string, error) {
	p := arg
	if st, err := os.Stat(arg); err == nil {
		if st.IsDir() {
			p = filepath.Join(arg, "config.json")
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return "", err
		}
		var cfg struct {
			ModelType string `json:"model_type"`
		}
		if err := json.Unmarshal(b, &cfg); err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		if cfg.ModelType == "" {
			return "", fmt.Errorf("%s: no model_type", p)
		}
		return cfg.ModelType, nil
	}
	if strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".json") {
		return "", fmt.Errorf("%s: no such file or directory", arg)
	}
	return arg, nil
}

func generateCmd(repo *string) *cobra.Command {
	var check bool
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Regenerate every architecture of the manifest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			w, err := openWorkspace(*repo)
			if err != nil {
				return err
			}
			files, outs, err := w.plan()
			if err != nil {
				for _, o := range outs {
					for _, d := range o.Diagnostics {
						fmt.Fprintln(os.Stderr, d)
					}
				}
				return &exitError{1, err}
			}
			if check {
				var stale []string
				for rel, b := range files {
					old, err := os.ReadFile(filepath.Join(w.modelsDir(), rel))
					if err != nil || !bytes.Equal(old, b) {
						stale = append(stale, rel)
					}
				}
				extra, err := w.stale(files)
				if err != nil {
					return err
				}
				stale = append(stale, extra...)
				sort.Strings(stale)
				if changed, err := w.syncLock(true); err != nil {
					return err
				} else if changed {
					stale = append(stale, "../../upstream.lock (derived lists)")
				}
				if len(stale) > 0 {
					for _, s := range stale {
						fmt.Fprintf(os.Stderr, "stale: generated/models/%s\n", s)
					}
					return &exitError{1, fmt.Errorf("%d generated files are not current: run `go generate ./generated/...`", len(stale))}
				}
				fmt.Printf("%d architectures, %d files current (%.2fs)\n", len(outs), len(files), time.Since(start).Seconds())
				return nil
			}
			if err := w.write(files); err != nil {
				return err
			}
			if _, err := w.syncLock(false); err != nil {
				return err
			}
			fmt.Printf("generated %d architectures, %d files in %.2fs\n", len(outs), len(files), time.Since(start).Seconds())
			return nil
		},
	}
	cmd.Flags().BoolVar(&check, "check", false, "report stale generated files and exit 1 instead of writing")
	return cmd
}

// status of one architecture at the pin.
type status struct {
	ModelType string `json:"model_type"`
	File      string `json:"file"`
	Status    string `json:"status"`
	Reason    string `json:"reason"`
	construct string // the blocking construct, for the histogram
}

func (w *workspace) statuses() ([]status, error) {
	files, err := w.gen.ModelFiles()
	if err != nil {
		return nil, err
	}
	var out []status
	for _, mt := range files {
		s := status{ModelType: mt, File: "mlx_lm/models/" + mt + ".py"}
		res, err := w.gen.Generate(mt)
		switch {
		case err != nil:
			s.Status, s.Reason = "blocked", err.Error()
			s.construct = "upstream source"
		case len(res.Diagnostics) > 0:
			d := res.Diagnostics[0]
			s.Status, s.Reason = "blocked", fmt.Sprintf("%d:%d: %s: %s", d.Pos.Line, d.Pos.Col, d.Construct, d.Why)
			if d.File != "" && d.File != res.PyPath {
				// In code the file imports (a sibling, mlx_lm/kernels).
				s.Reason = d.Error()
			}
			s.construct = blockingKind(d.Construct, d.Why)
		case slices.Contains(w.manifest.Models, mt):
			s.Status = "generated"
		default:
			s.Status = "translatable"
		}
		out = append(out, s)
	}
	return out, nil
}

func listCmd(repo *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Every architecture at the pin: generated, translatable or blocked (with the first reason)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWorkspace(*repo)
			if err != nil {
				return err
			}
			st, err := w.statuses()
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(os.Stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			counts := map[string]int{}
			for _, s := range st {
				counts[s.Status]++
				fmt.Printf("%-22s %-12s %s\n", s.ModelType, s.Status, s.Reason)
			}
			fmt.Printf("\n%d architectures: %d generated, %d translatable, %d blocked\n", len(st),
				counts["generated"], counts["translatable"], counts["blocked"])
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of {model_type, file, status, reason}")
	return cmd
}

func explainCmd(repo *string) *cobra.Command {
	return &cobra.Command{
		Use:   "explain <model_type>",
		Short: "Every diagnostic that keeps an architecture from translating",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			w, err := openWorkspace(*repo)
			if err != nil {
				return err
			}
			file := w.gen.Resolve(args[0])
			out, err := w.gen.Generate(file)
			if err != nil {
				return &exitError{1, err}
			}
			if len(out.Diagnostics) == 0 {
				fmt.Printf("%s translates cleanly\n", out.PyPath)
				return nil
			}
			for _, d := range out.Diagnostics {
				fmt.Println(d)
			}
			return &exitError{1, fmt.Errorf("%s: %d diagnostics", out.PyPath, len(out.Diagnostics))}
		},
	}
}
