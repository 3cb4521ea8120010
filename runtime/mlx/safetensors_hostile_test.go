package mlx_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hf2go/hf2go/parity/pyref"
	"github.com/hf2go/hf2go/runtime/mlx"
)

// stBytes frames a raw JSON header and data as a safetensors file, with the
// header length as given (or the header's own when hlen is 0).
func stBytes(header string, data []byte, hlen uint64) []byte {
	if hlen == 0 {
		hlen = uint64(len(header))
	}
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, hlen)
	b.WriteString(header)
	b.Write(data)
	return b.Bytes()
}

func f32s(v ...float32) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.LittleEndian, v)
	return b.Bytes()
}

// mlxSays is what MLX's loader does with a file: it loads it, or it raises.
type mlxSays string

const (
	mlxLoads  mlxSays = "loads"
	mlxRaises mlxSays = "raises"
)

// hostileCase is one file. ok: Go loads it (then MLX must load it too, to
// the same names, dtypes, shapes, bytes and metadata). Otherwise Go's error
// must contain want. mlx is MLX's verdict, recorded here so that a change in
// MLX shows up; where MLX loads a file Go refuses, why says why.
type hostileCase struct {
	name   string
	file   []byte
	ok     bool
	want   string
	mlx    mlxSays
	why    string
	tensor string // the tensor the error must name, if any
}

func hostileCases() []hostileCase {
	one := f32s(1.5)
	w := func(entry string) string { return `{"w": ` + entry + `}` }
	ok1 := `{"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}`
	return []hostileCase{
		{name: "valid", file: stBytes(`{"__metadata__": {"format": "mlx"}, "a": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}, "b": `+ok1+`}`, append([]byte{0x80, 0x3f, 0, 0xc0}, one...), 0), ok: true, mlx: mlxLoads},
		{name: "padded with spaces", file: stBytes(w(ok1)+"       ", one, 0), ok: true, mlx: mlxLoads},
		{name: "duplicate key: the last wins", file: stBytes(`{"w": `+ok1+`, "w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}`, f32s(1, 2), 0), ok: true, mlx: mlxLoads},
		{name: "empty name", file: stBytes(`{"": `+ok1+`}`, one, 0), ok: true, mlx: mlxLoads},
		{name: "zero-size tensor", file: stBytes(w(`{"dtype": "F32", "shape": [0, 4], "data_offsets": [0, 0]}`), nil, 0), ok: true, mlx: mlxLoads},
		{name: "scalar", file: stBytes(w(`{"dtype": "F32", "shape": [], "data_offsets": [0, 4]}`), one, 0), ok: true, mlx: mlxLoads},
		{name: "metadata null", file: stBytes(`{"__metadata__": null, "w": `+ok1+`}`, one, 0), ok: true, mlx: mlxLoads},
		{name: "fp8 as uint8", file: stBytes(w(`{"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}`), []byte{7, 9}, 0), ok: true, mlx: mlxLoads},
		{name: "rank 40", file: stBytes(w(`{"dtype": "F32", "shape": [`+strings.TrimSuffix(strings.Repeat("1,", 40), ",")+`], "data_offsets": [0, 4]}`), one, 0), ok: true, mlx: mlxLoads},

		{name: "header length 0", file: stBytes(w(ok1), one, 1<<63), want: "header length", mlx: mlxRaises},
		{name: "header length at MLX's limit", file: stBytes(w(ok1), one, 100_000_000), want: "header length 100000000", mlx: mlxRaises},
		{name: "header length past the file", file: stBytes(w(ok1), one, 4096), want: "exceeds the file", mlx: mlxRaises},
		{name: "header an array", file: stBytes(`[1, 2]`, nil, 0), want: "not a JSON object", mlx: mlxRaises},
		{name: "header not JSON", file: stBytes(`{"w": `, one, 0), want: "not valid JSON", mlx: mlxRaises},
		{name: "trailing garbage", file: stBytes(w(ok1)+"x", one, 0), want: "after its JSON object", mlx: mlxRaises},
		{name: "invalid UTF-8 name", file: stBytes("{\"\xff\": "+ok1+"}", one, 0), want: "not valid UTF-8", mlx: mlxRaises},
		{name: "lone surrogate in a name", file: stBytes(`{"\ud800": `+ok1+`}`, one, 0), want: "lone surrogate", mlx: mlxRaises},
		{name: "upper-case keys", file: stBytes(w(`{"DTYPE": "F32", "SHAPE": [1], "DATA_OFFSETS": [0, 4]}`), one, 0), want: `key "dtype" not found`, tensor: "w", mlx: mlxRaises},
		{name: "upper-case keys beside the real ones", file: stBytes(w(`{"dtype": "F32", "shape": [1000000, 1000], "data_offsets": [0, 4], "SHAPE": [1]}`), one, 0), want: "do not match shape [1000000 1000]", tensor: "w", mlx: mlxRaises},
		{name: "unknown dtype", file: stBytes(w(`{"dtype": "F64", "shape": [1], "data_offsets": [0, 8]}`), f32s(0, 0), 0), want: `unsupported dtype "F64"`, tensor: "w", mlx: mlxRaises},
		{name: "lower-case dtype", file: stBytes(w(`{"dtype": "f32", "shape": [1], "data_offsets": [0, 4]}`), one, 0), want: `unsupported dtype "f32"`, tensor: "w", mlx: mlxRaises},
		{name: "entry not an object", file: stBytes(`{"w": 5}`, one, 0), want: "not an object", tensor: "w", mlx: mlxRaises},
		{name: "metadata value not a string", file: stBytes(`{"__metadata__": {"a": 1}, "w": `+ok1+`}`, one, 0), want: "expected a string", mlx: mlxRaises},
		{name: "shape a string", file: stBytes(w(`{"dtype": "F32", "shape": "1", "data_offsets": [0, 4]}`), one, 0), want: "shape: expected an array", tensor: "w", mlx: mlxRaises},
		{name: "one data offset", file: stBytes(w(`{"dtype": "F32", "shape": [1], "data_offsets": [0]}`), one, 0), want: "exactly 2 entries", tensor: "w", mlx: mlxRaises},
		{name: "three data offsets", file: stBytes(w(`{"dtype": "F32", "shape": [1], "data_offsets": [0, 4, 8]}`), one, 0), want: "exactly 2 entries", tensor: "w", mlx: mlxRaises},
		{name: "negative offset", file: stBytes(w(`{"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}`), one, 0), want: "not a valid offset", tensor: "w", mlx: mlxRaises},
		{name: "offsets reversed", file: stBytes(w(`{"dtype": "F32", "shape": [1], "data_offsets": [4, 0]}`), f32s(1, 2), 0), want: "do not match shape", tensor: "w", mlx: mlxRaises},
		{name: "offsets disagree with the shape", file: stBytes(w(`{"dtype": "F32", "shape": [1], "data_offsets": [0, 8]}`), f32s(1, 2), 0), want: "do not match shape", tensor: "w", mlx: mlxRaises},
		{name: "truncated data", file: stBytes(w(`{"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}`), one, 0), want: "run past the end of the data", tensor: "w", mlx: mlxRaises},
		{name: "negative dimension", file: stBytes(w(`{"dtype": "F32", "shape": [-1], "data_offsets": [0, 4]}`), one, 0), want: "dimension 0 is -1", tensor: "w", mlx: mlxRaises},
		{name: "product overflows", file: stBytes(w(`{"dtype": "F32", "shape": [2147483647, 2147483647, 2147483647], "data_offsets": [0, 4]}`), one, 0), want: "overflows 64 bits", tensor: "w", mlx: mlxRaises},

		{name: "two negative dimensions", file: stBytes(w(`{"dtype": "F32", "shape": [-1, -1], "data_offsets": [0, 4]}`), one, 0), want: "dimension 0 is -1", tensor: "w", mlx: mlxLoads,
			why: "MLX multiplies the dimensions as size_t: (2^64-1)^2 wraps to 1, so a (-1, -1) array of 4 bytes passes its check"},
		{name: "product wraps to zero", file: stBytes(w(`{"dtype": "U8", "shape": [65536, 65536, 65536, 65536], "data_offsets": [0, 0]}`), nil, 0), want: "overflows 64 bits", tensor: "w", mlx: mlxLoads,
			why: "2^64 bytes wrap to 0 in MLX's size_t check: an array claiming 2^64 elements with no data"},
		{name: "dimension past int32", file: stBytes(w(`{"dtype": "U8", "shape": [4294967297], "data_offsets": [0, 1]}`), []byte{7}, 0), want: "dimension 0 is 4294967297", tensor: "w", mlx: mlxLoads,
			why: "MLX casts dimensions to int32: 2^32+1 becomes 1"},
		{name: "dimension wraps negative", file: stBytes(w(`{"dtype": "U8", "shape": [2147483648, 0], "data_offsets": [0, 0]}`), nil, 0), want: "dimension 0 is 2147483648", tensor: "w", mlx: mlxLoads,
			why: "2^31 becomes -2^31 in MLX's int32 shape"},
		{name: "boolean dimension", file: stBytes(w(`{"dtype": "F32", "shape": [true], "data_offsets": [0, 4]}`), one, 0), want: "is not an integer", tensor: "w", mlx: mlxLoads,
			why: "MLX's JSON library converts true to 1; no writer emits it"},
		{name: "fractional dimension", file: stBytes(w(`{"dtype": "F32", "shape": [1.0], "data_offsets": [0, 4]}`), one, 0), want: "is not an integer", tensor: "w", mlx: mlxLoads,
			why: "MLX truncates floats to int; no writer emits them"},
		{name: "NUL in a name", file: stBytes(`{"a\u0000b": `+ok1+`}`, one, 0), want: "NUL", mlx: mlxLoads,
			why: "names cross into Go as C strings: a\\0b would arrive as a"},
		{name: "metadata a string", file: stBytes(`{"__metadata__": "x", "w": `+ok1+`}`, one, 0), want: "expected an object of strings", mlx: mlxLoads,
			why: "MLX iterates a string as one item with the key \"\"; no writer emits it"},
		{name: "nesting past Go's JSON depth", file: stBytes(`{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4], "x": `+strings.Repeat("[", 20000)+strings.Repeat("]", 20000)+`}}`, one, 0), want: "not valid JSON", mlx: mlxLoads,
			why: "encoding/json stops at 10000 levels; MLX ignores keys it does not read"},
	}
}

// TestSafetensorsHostileAsMLX writes each hostile file, asks MLX's own
// loader (Python, each file in a forked child) what it makes of it, and
// checks Go against that: every file Go accepts loads in MLX to the same
// content, every file MLX refuses Go refuses (naming the file and the
// tensor), and the files MLX loads but Go refuses are exactly those with a
// stated reason.
func TestSafetensorsHostileAsMLX(t *testing.T) {
	dir := t.TempDir()
	cases := hostileCases()
	file := func(i int) string {
		return filepath.Join(dir, strings.ReplaceAll(cases[i].name, " ", "_")+".safetensors")
	}
	for i, c := range cases {
		if err := os.WriteFile(file(i), c.file, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pyref.Run(t, "testdata/safetensors_verdicts.py", dir)
	b, err := os.ReadFile(filepath.Join(dir, "verdicts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var verdicts map[string]json.RawMessage
	if err := json.Unmarshal(b, &verdicts); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := file(i)
			var v struct {
				seen
				Error, Crash string
			}
			if err := json.Unmarshal(verdicts[filepath.Base(p)], &v); err != nil {
				t.Fatalf("no MLX verdict: %v", err)
			}
			got := mlxLoads
			if v.Error != "" || v.Crash != "" {
				got = mlxRaises
			}
			if got != c.mlx {
				t.Errorf("MLX %s it (%s%s), the table says %s", got, v.Error, v.Crash, c.mlx)
			}
			if c.mlx == mlxLoads && !c.ok && c.why == "" {
				t.Errorf("MLX loads it and Go refuses it with no reason stated")
			}
			ts, err := mlx.LoadSafetensors(p)
			if c.ok {
				if err != nil {
					t.Fatalf("Go refuses a file MLX loads: %v", err)
				}
				defer ts.Free()
				checkSeen(t, "MLX, against Go's load", v.seen, ts.Arrays, ts.Metadata)
				return
			}
			if err == nil {
				ts.Free()
				t.Fatalf("Go loads it; want an error containing %q", c.want)
			}
			msg := err.Error()
			for _, want := range []string{c.want, filepath.Base(p), c.tensor} {
				if !strings.Contains(msg, want) {
					t.Errorf("error %q does not contain %q", msg, want)
				}
			}
			if strings.Count(msg, "\n") > 0 || len(msg) > 600 {
				t.Errorf("error is not one short line (%d bytes)", len(msg))
			}
		})
	}
}

// TestSafetensorsDtypesAsMLX: the dtype names Go accepts are exactly those
// MLX's loader accepts, with the same resulting dtype.
func TestSafetensorsDtypesAsMLX(t *testing.T) {
	dir := t.TempDir()
	names := []string{"BOOL", "U8", "I8", "U16", "I16", "F16", "BF16", "U32", "I32", "F32", "U64", "I64", "C64",
		"F8_E4M3", "F8_E8M0", "F8_E5M2", "F64", "F4", "I4", "C128", "bool", "f32", "BF8", ""}
	for _, n := range names {
		h := `{"w": {"dtype": "` + n + `", "shape": [1], "data_offsets": [0, 8]}}`
		if err := os.WriteFile(filepath.Join(dir, "d_"+n+".safetensors"), stBytes(h, make([]byte, 8), 0), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pyref.Run(t, "testdata/safetensors_verdicts.py", dir)
	b, err := os.ReadFile(filepath.Join(dir, "verdicts.json"))
	if err != nil {
		t.Fatal(err)
	}
	var verdicts map[string]struct {
		seen
		Error string
	}
	if err := json.Unmarshal(b, &verdicts); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		v := verdicts["d_"+n+".safetensors"]
		// The 8-byte data only fits an 8-byte element: other sizes are
		// refused by the offsets check on both sides, so compare the
		// dtype decision on the error text.
		mlxKnows := v.Error == "" || !strings.Contains(v.Error, "unsupported dtype")
		ts, err := mlx.LoadSafetensors(filepath.Join(dir, "d_"+n+".safetensors"))
		goKnows := err == nil || !strings.Contains(err.Error(), "unsupported dtype")
		if mlxKnows != goKnows {
			t.Errorf("dtype %q: MLX knows it: %v (%s), Go: %v (%v)", n, mlxKnows, v.Error, goKnows, err)
		}
		if err == nil {
			if got := ts.Arrays["w"].Dtype().String(); got != v.Arrays["w"].Dtype {
				t.Errorf("dtype %q: Go loads %s, MLX %s", n, got, v.Arrays["w"].Dtype)
			}
			ts.Free()
		}
	}
}

// TestSafetensorsNotARegularFile: a FIFO, a device and a directory are
// refused at once (a FIFO would block the open, /dev/zero never ends).
func TestSafetensorsNotARegularFile(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.safetensors")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero.safetensors")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "dir.safetensors")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{fifo: "named pipe", zero: "character device", sub: "directory"} {
		done := make(chan error, 1)
		go func() { _, err := mlx.LoadSafetensors(p); done <- err }()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
				t.Errorf("%s: error %v, want one naming it as %s", p, err, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: still blocked after 10s", p)
		}
	}
}
