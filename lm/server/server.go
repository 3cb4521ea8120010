// Package server is the OpenAI-compatible HTTP API of `mlxlm server`: the
// endpoints and fields of mlx-lm 0.32.2's server.py (health, models,
// completions, chat completions with streaming, logprobs and tool calls),
// on top of lm/engine's batching scheduler, plus what users of vLLM's and
// llama.cpp's servers expect: Prometheus metrics, OpenAI-style error
// objects, request-body limits, a bounded queue answered with 429, and
// cancellation of a request whose client went away.
package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hf2go/hf2go/lm/engine"
	"github.com/hf2go/hf2go/lm/tokenizer"
	"github.com/hf2go/hf2go/lm/toolcall"
)

// Config is what the server needs besides the engine.
type Config struct {
	// ModelID is --model as given (a path or a Hub id); ModelDir is where
	// it was loaded from.
	ModelID, ModelDir string
	Defaults          Defaults
	// ChatTemplateArgs is --chat-template-args.
	ChatTemplateArgs map[string]any
	// AllowedOrigins is --allowed-origins ("*" allows any).
	AllowedOrigins []string
	// MaxBodyBytes bounds a request body (413 beyond); 0 means 8 MiB.
	MaxBodyBytes int64
	// ToolParser overrides the inferred tool parser ("" infers it from the
	// chat template, as tokenizer_utils does; tokenizer_config.json's
	// tool_parser_type wins over inference).
	ToolParser string
	Logger     *slog.Logger
}

// Server serves one model.
type Server struct {
	cfg     Config
	eng     *engine.Engine
	tok     *tokenizer.Tokenizer
	format  modelFormat
	parser  *toolcall.Parser
	log     *slog.Logger
	metrics *metrics
	created int64
	fp      string
	mux     *http.ServeMux
}

// New builds the HTTP handler.
func New(eng *engine.Engine, tok *tokenizer.Tokenizer, cfg Config) (*Server, error) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if len(cfg.AllowedOrigins) == 0 {
		cfg.AllowedOrigins = []string{"*"}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, eng: eng, tok: tok, log: cfg.Logger, metrics: newMetrics(), created: time.Now().Unix()}
	s.fp = "hf2go-" + runtime.GOOS + "-" + runtime.GOARCH
	f := &s.format
	f.thinkStart, f.thinkEnd, f.thinkStartIDs, f.thinkEndIDs = inferThinking(tok)
	if isXTML(tok) {
		f.structuralMarkers = []string{"<|open|>response<|sep|>", "<|close|>response<|sep|>", "<|close|>message<|sep|>"}
	}
	name := cfg.ToolParser
	if name == "" {
		name = toolParserType(cfg.ModelDir)
	}
	if name == "" {
		name = inferToolParser(tok, tok.ChatTemplate())
	}
	if name != "" {
		p, ok := toolcall.Lookup(name)
		if !ok {
			return nil, &apiError{Message: "tool parser " + name + " is not supported (supported: " + strings.Join(toolcall.Names(), ", ") + ")"}
		}
		s.parser = &p
		f.toolStart, f.toolEnd = p.Start, p.End
	}
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/health", s.health)
	s.mux.HandleFunc("/metrics", s.serveMetrics)
	s.mux.HandleFunc("/v1/models", s.models)
	s.mux.HandleFunc("/v1/models/", s.models)
	s.mux.HandleFunc("/v1/completions", s.completions(false))
	s.mux.HandleFunc("/v1/chat/completions", s.completions(true))
	s.mux.HandleFunc("/chat/completions", s.completions(true))
	return s, nil
}

// toolParserType is tokenizer_config.json's tool_parser_type, if any.
func toolParserType(dir string) string {
	if dir == "" {
		return ""
	}
	data, err := os.ReadFile(filepath.Join(dir, "tokenizer_config.json"))
	if err != nil {
		return ""
	}
	var c struct {
		ToolParserType string `json:"tool_parser_type"`
	}
	_ = json.Unmarshal(data, &c)
	return c.ToolParserType
}

// ToolParser names the tool parser in use ("" for none).
func (s *Server) ToolParser() string {
	if s.parser == nil {
		return ""
	}
	return s.parser.Name
}

// statusWriter records the status for the request log and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// ServeHTTP routes a request, with CORS headers, 404s in the OpenAI error
// shape, and one structured log line per request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := &statusWriter{ResponseWriter: w}
	s.cors(sw, r)
	route := r.URL.Path
	if r.Method == http.MethodOptions {
		sw.WriteHeader(http.StatusNoContent)
	} else if h, pattern := s.mux.Handler(r); pattern == "" {
		route = "unknown"
		writeError(sw, &apiError{Status: http.StatusNotFound, Type: "invalid_request_error", Code: "not_found",
			Message: "Not Found: " + r.Method + " " + r.URL.Path})
	} else {
		h.ServeHTTP(sw, r)
	}
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	s.metrics.observeHTTP(route, sw.status)
	s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
		"duration_ms", time.Since(start).Milliseconds(), "bytes", sw.bytes, "remote", r.RemoteAddr)
}

func (s *Server) cors(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	if slices.Contains(s.cfg.AllowedOrigins, "*") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	} else if origin != "" && slices.Contains(s.cfg.AllowedOrigins, origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Vary", "Origin")
	}
	w.Header().Set("Access-Control-Allow-Methods", "*")
	w.Header().Set("Access-Control-Allow-Headers", "*")
}

func methodOnly(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, &apiError{Status: http.StatusMethodNotAllowed, Type: "invalid_request_error",
		Message: r.Method + " is not allowed on " + r.URL.Path + " (use " + method + ")"})
	return false
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", itoa(len(data)))
	w.WriteHeader(status)
	_, _ = w.Write(data)
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if !methodOnly(w, r, http.MethodGet) {
		return
	}
	if s.eng.Healthy() {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
		return
	}
	writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable"})
}

// modelID is what /v1/models lists: the resolved path of a local model
// directory, else the id as given (a Hub repository).
func (s *Server) modelID() string {
	if st, err := os.Stat(s.cfg.ModelID); err == nil && st.IsDir() {
		if abs, err := filepath.Abs(s.cfg.ModelID); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				return real
			}
			return abs
		}
	}
	return s.cfg.ModelID
}

func (s *Server) models(w http.ResponseWriter, r *http.Request) {
	if !methodOnly(w, r, http.MethodGet) {
		return
	}
	id := s.modelID()
	data := []map[string]any{{"id": id, "object": "model", "created": s.created, "owned_by": "hf2go"}}
	if rest, ok := strings.CutPrefix(r.URL.Path, "/v1/models/"); ok && rest != "" && rest != id && rest != s.cfg.ModelID {
		data = nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

// knownModel: the model field may be omitted, "default_model" or the id.
func (s *Server) knownModel(m string) bool {
	return m == "" || m == "default_model" || m == s.cfg.ModelID || m == s.modelID() || m == s.cfg.ModelDir
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

func itoa(n int) string { return strconv.Itoa(n) }
