package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/server"
)

type serverFlags struct {
	model, revision, dtype, host, chatTemplate, chatTemplateArgs, logLevel string
	allowedOrigins, promptCacheBytes, toolParser, draftModel               string
	adapterPath, pprofAddr                                                 string
	port, maxTokens, topK, decodeConc, promptConc, prefillStep             int
	promptCacheSize, kvBits, kvGroupSize, quantizedKVStart                 int
	queueSize, numDraftTokens, maxKVSize                                   int
	maxBody                                                                int64
	temp, topP, minP                                                       float64
	trustRemoteCode, useDefaultChatTemplate, pipeline                      bool
	shutdownTimeout                                                        time.Duration
}

// serverCmd is mlx_lm.server: the same flags and defaults, plus --queue-size,
// --max-body-bytes, --tool-parser and --shutdown-timeout.
func serverCmd() *cobra.Command {
	var f serverFlags
	cmd := &cobra.Command{
		Use:   "server --model DIR|org/name [--host 127.0.0.1] [--port 8080]",
		Short: "OpenAI-compatible HTTP server with continuous batching (mlx_lm.server)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return runServer(cmd, &f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "", "model directory or Hugging Face repository id (org/name)")
	fl.StringVar(&f.revision, "revision", "main", revisionUsage)
	fl.StringVar(&f.dtype, "dtype", "auto", dtypeUsage)
	fl.StringVar(&f.host, "host", "127.0.0.1", "host for the HTTP server")
	fl.IntVar(&f.port, "port", 8080, "port for the HTTP server")
	fl.StringVar(&f.allowedOrigins, "allowed-origins", "*", "allowed CORS origins, comma-separated")
	fl.StringVar(&f.logLevel, "log-level", "INFO", "DEBUG, INFO, WARNING, ERROR or CRITICAL")
	fl.StringVar(&f.chatTemplate, "chat-template", "", "a chat template to use instead of the tokenizer's")
	fl.BoolVar(&f.useDefaultChatTemplate, "use-default-chat-template", false, "accepted for compatibility (tokenizers here have no default template)")
	fl.Float64Var(&f.temp, "temp", 0.0, "default sampling temperature")
	fl.Float64Var(&f.topP, "top-p", 1.0, "default nucleus sampling top-p")
	fl.IntVar(&f.topK, "top-k", 0, "default top-k sampling (0 disables)")
	fl.Float64Var(&f.minP, "min-p", 0.0, "default min-p sampling (0 disables)")
	fl.IntVar(&f.maxTokens, "max-tokens", 512, "default maximum number of tokens to generate")
	fl.StringVar(&f.chatTemplateArgs, "chat-template-args", "{}", `JSON arguments for the chat template, e.g. '{"enable_thinking":false}'`)
	fl.IntVar(&f.decodeConc, "decode-concurrency", 32, "requests decoded in one batch")
	fl.IntVar(&f.promptConc, "prompt-concurrency", 8, "prompts processed at once")
	fl.IntVar(&f.prefillStep, "prefill-step-size", 2048, "prompt processing chunk size")
	fl.IntVar(&f.promptCacheSize, "prompt-cache-size", 10, "most distinct KV caches held in the prompt cache")
	fl.StringVar(&f.promptCacheBytes, "prompt-cache-bytes", "", "most bytes of KV caches held (e.g. 2GB)")
	fl.IntVar(&f.kvBits, "kv-bits", 0, "KV cache quantization bits (not supported by this server yet)")
	fl.IntVar(&f.kvGroupSize, "kv-group-size", 64, "group size for KV cache quantization")
	fl.IntVar(&f.quantizedKVStart, "quantized-kv-start", 5000, "token position to start KV cache quantization")
	fl.IntVar(&f.maxKVSize, "max-kv-size", 0, "rotating KV cache size for models without their own (0: unbounded)")
	fl.IntVar(&f.queueSize, "queue-size", 256, "requests that may wait for a batch slot; more get 429")
	fl.Int64Var(&f.maxBody, "max-body-bytes", 8<<20, "largest request body accepted (413 beyond)")
	fl.StringVar(&f.toolParser, "tool-parser", "", "tool parser (default: tokenizer_config.json's tool_parser_type, else inferred from the chat template)")
	fl.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long running requests may take to finish")
	fl.StringVar(&f.draftModel, "draft-model", "", "speculative decoding (not supported)")
	fl.IntVar(&f.numDraftTokens, "num-draft-tokens", 3, "speculative decoding (not supported)")
	fl.StringVar(&f.adapterPath, "adapter-path", "", "LoRA adapters (not supported)")
	fl.BoolVar(&f.trustRemoteCode, "trust-remote-code", false, "accepted for compatibility (no remote code is ever run)")
	fl.BoolVar(&f.pipeline, "pipeline", false, "distributed pipelining (not supported)")
	fl.StringVar(&f.pprofAddr, "pprof", "", "serve Go's net/http/pprof (CPU profile, execution trace) on this loopback address, e.g. 127.0.0.1:6060")
	return cmd
}

// parseSize is utils._parse_size: digits, then "", M, G, MB or GB.
func parseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	v, err := strconv.ParseFloat(s[:i], 64)
	if err != nil {
		return 0, fmt.Errorf("--prompt-cache-bytes %q: not a size (e.g. 2GB, 500M)", s)
	}
	unit := map[string]float64{"M": 1e6, "G": 1e9, "MB": 1e6, "GB": 1e9, "": 1}
	m, ok := unit[strings.ToUpper(strings.TrimSpace(s[i:]))]
	if !ok {
		return 0, fmt.Errorf("--prompt-cache-bytes %q: unknown unit (use M, G, MB or GB)", s)
	}
	return int64(v * m), nil
}

func logLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(s) {
	case "DEBUG":
		return slog.LevelDebug, nil
	case "INFO":
		return slog.LevelInfo, nil
	case "WARNING":
		return slog.LevelWarn, nil
	case "ERROR", "CRITICAL":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("--log-level %q: choose DEBUG, INFO, WARNING, ERROR or CRITICAL", s)
}

func runServer(cmd *cobra.Command, f *serverFlags) error {
	switch {
	case f.draftModel != "":
		return errors.New("--draft-model: speculative decoding is not supported by mlxlm server")
	case f.adapterPath != "":
		return errors.New("--adapter-path: adapters are not supported by mlxlm server")
	case f.pipeline:
		return errors.New("--pipeline: distributed serving is not supported by mlxlm server")
	case f.kvBits != 0:
		return errors.New("--kv-bits: KV cache quantization is not supported by mlxlm server yet")
	case f.port < 0 || f.port > 65535:
		return fmt.Errorf("--port %d is not a TCP port", f.port)
	case f.maxTokens < 1:
		return fmt.Errorf("--max-tokens must be >= 1, got %d", f.maxTokens)
	}
	level, err := logLevel(f.logLevel)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewJSONHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	var tplArgs map[string]any
	if err := json.Unmarshal([]byte(f.chatTemplateArgs), &tplArgs); err != nil {
		return fmt.Errorf("--chat-template-args is not a JSON object: %v", err)
	}
	var cacheBytes int64
	if f.promptCacheBytes != "" {
		if cacheBytes, err = parseSize(f.promptCacheBytes); err != nil {
			return err
		}
	}
	ctx := cmd.Context()
	modelID := f.model
	m, tokFn, err := loadModel(ctx, &f.model, f.revision, f.dtype)
	if err != nil {
		return err
	}
	defer m.Free()
	tok, err := tokFn()
	if err != nil {
		return err
	}
	if f.chatTemplate != "" {
		tpl := f.chatTemplate
		if data, err := os.ReadFile(tpl); err == nil {
			tpl = string(data)
		}
		tok = tok.WithChatTemplate(tpl)
	}
	eos, err := eosIDs(m, tok, nil)
	if err != nil {
		return err
	}
	// TokenizerWrapper adds the tokenizer's eos_token_id to the config's.
	if id, ok := tok.EOS(); ok && !containsInt(eos, id) {
		eos = append(eos, id)
	}
	cacheSize := f.promptCacheSize
	if cacheSize == 0 {
		cacheSize = -1
	}
	eng, err := engine.New(m, engine.Options{
		DecodeConcurrency: f.decodeConc, PromptConcurrency: f.promptConc, PrefillStepSize: f.prefillStep,
		QueueSize: f.queueSize, PromptCacheSize: cacheSize, PromptCacheBytes: cacheBytes,
		MaxKVSize: f.maxKVSize, EOSTokenIDs: eos, Logger: log,
	})
	if err != nil {
		return err
	}
	defer eng.Close()
	srv, err := server.New(eng, tok, server.Config{
		ModelID: modelID, ModelDir: f.model,
		Defaults:         server.Defaults{Temp: f.temp, TopP: f.topP, TopK: f.topK, MinP: f.minP, MaxTokens: f.maxTokens},
		ChatTemplateArgs: tplArgs, AllowedOrigins: strings.Split(f.allowedOrigins, ","),
		MaxBodyBytes: f.maxBody, ToolParser: f.toolParser, Logger: log,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(f.host, strconv.Itoa(f.port)))
	if err != nil {
		return err
	}
	if f.pprofAddr != "" {
		if err := servePprof(f.pprofAddr, log); err != nil {
			return err
		}
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	log.Info("mlxlm server listening", "addr", ln.Addr().String(), "model", modelID,
		"batchable", eng.Batchable(), "tool_parser", srv.ToolParser())
	// The address on stdout, one line, for scripts that asked for port 0.
	fmt.Fprintf(cmd.OutOrStdout(), "listening on http://%s\n", ln.Addr().String())
	sigCtx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-sigCtx.Done():
	}
	// Graceful: stop accepting, let running requests finish, then stop the
	// scheduler.
	log.Info("shutting down", "timeout", f.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), f.shutdownTimeout)
	defer cancel()
	err = hs.Shutdown(sctx)
	eng.Close()
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

func containsInt(xs []int, v int) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// servePprof serves net/http/pprof on its own listener (never on the API's
// mux), loopback only: profiles name the program's internals.
func servePprof(addr string, log *slog.Logger) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--pprof %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("--pprof %q: only a loopback address is allowed", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	go func() {
		if err := http.Serve(ln, mux); err != nil {
			log.Warn("pprof server stopped", "err", err)
		}
	}()
	log.Info("pprof listening", "addr", ln.Addr().String())
	return nil
}
