package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
	"unsafe"
)

// Safetensors files: mx.load(path) / mx.save_safetensors(path, arrays, metadata).

// MaxSafetensorsHeader is MLX's limit on the JSON header's length (the same
// as the Rust safetensors crate's): load_safetensors accepts 0 < n < 1e8.
const MaxSafetensorsHeader = 100_000_000

// Tensors is the content of a safetensors file.
type Tensors struct {
	Arrays   map[string]*Array
	Metadata map[string]string
}

// Names returns the tensor names in sorted order.
func (t *Tensors) Names() []string {
	names := make([]string, 0, len(t.Arrays))
	for n := range t.Arrays {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Free frees every array of the file.
func (t *Tensors) Free() {
	for _, a := range t.Arrays {
		a.Free()
	}
}

// LoadSafetensors is mx.load(path) for a .safetensors file (with metadata).
// The header is read and checked first (ReadSafetensorsHeader), so a
// truncated, corrupt or hostile file is an error naming the file and the
// tensor, never a crash; what MLX then loads must be what was checked.
func LoadSafetensors(path string) (*Tensors, error) {
	hdr, err := ReadSafetensorsHeader(path)
	if err != nil {
		return nil, err
	}
	if err := ensureInit(); err != nil {
		return nil, err
	}
	t, err := loadSafetensorsLocked(path)
	if err != nil {
		return nil, err
	}
	// MLX parsed the file a second time: it must have seen the header that
	// was checked (it differs only if the file changed in between).
	if err := hdr.matches(t); err != nil {
		t.Free()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

func loadSafetensorsLocked(path string) (*Tensors, error) {
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	mu.Lock()
	defer mu.Unlock()
	var f C.mlxg_st
	if msg := C.mlxg_st_load(cpath, &f); msg != nil {
		return nil, fmt.Errorf("%s: %w", path, takeError("load", msg))
	}
	defer C.mlxg_st_free(f)
	t := &Tensors{Arrays: map[string]*Array{}, Metadata: map[string]string{}}
	for i := range int(C.mlxg_st_count(f)) {
		name := C.GoString(C.mlxg_st_name(f, C.int(i)))
		t.Arrays[name] = newArray(C.mlxg_st_take(f, C.int(i)))
	}
	for i := range int(C.mlxg_st_meta_count(f)) {
		t.Metadata[C.GoString(C.mlxg_st_meta_key(f, C.int(i)))] = C.GoString(C.mlxg_st_meta_value(f, C.int(i)))
	}
	return t, nil
}

// SafetensorsHeader is the checked header of a safetensors file.
type SafetensorsHeader struct {
	Tensors    []SafetensorsTensor // sorted by name
	Metadata   map[string]string
	DataOffset int64 // where the data starts: 8 + the header length
	FileSize   int64
}

// SafetensorsTensor is one header entry.
type SafetensorsTensor struct {
	Name       string
	Dtype      string // the safetensors name ("BF16", "U32", ...)
	Shape      []int
	Begin, End int64 // data_offsets, relative to DataOffset
}

// stDtypes are the dtype names MLX's load_safetensors accepts (checked
// against MLX by TestSafetensorsDtypesAsMLX), with their MLX dtype: the two
// 8-bit float formats are read as raw uint8, as MLX reads them.
var stDtypes = map[string]Dtype{
	"BOOL": Bool, "U8": Uint8, "I8": Int8, "U16": Uint16, "I16": Int16, "F16": Float16, "BF16": Bfloat16,
	"U32": Uint32, "I32": Int32, "F32": Float32, "U64": Uint64, "I64": Int64, "C64": Complex64,
	"F8_E4M3": Uint8, "F8_E8M0": Uint8,
}

// stItemSize is each dtype's element size in bytes (the file's, which is
// also the MLX dtype's).
var stItemSize = map[string]uint64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E8M0": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
	"U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "C64": 8,
}

// CheckSafetensors validates a safetensors file's framing without reading
// its data (ReadSafetensorsHeader).
func CheckSafetensors(path string) error {
	_, err := ReadSafetensorsHeader(path)
	return err
}

// ReadSafetensorsHeader reads and checks a safetensors header the way MLX's
// load_safetensors reads it, plus what MLX leaves unchecked:
//
//   - the same parse: keys are case-sensitive ("dtype", "shape",
//     "data_offsets"; MLX's JSON library has no case folding, so neither may
//     the check), the last of duplicate keys wins, trailing whitespace is
//     allowed and anything else after the object is not, the header must be
//     valid UTF-8 with no lone surrogate escapes, __metadata__ must map
//     strings to strings;
//   - the same dtypes, exactly 2 data offsets, end − begin equal to the
//     shape's byte size, the data inside the file, header length < 1e8;
//   - stricter, where MLX accepts something no writer produces and that
//     cannot be loaded safely: every dimension a non-negative JSON integer
//     that fits MLX's int32 dimensions (MLX casts, so 2^32+1 becomes 1 and
//     true becomes 1), the size arithmetic overflow-checked (MLX multiplies
//     in wrapping size_t, so [-1, -1] or four dimensions of 65536 pass its
//     offset check), no NUL in a name or metadata string (they cross into Go
//     as C strings), nesting within Go's JSON depth limit.
//
// Every error names the file and, where there is one, the tensor.
func ReadSafetensorsHeader(path string) (*SafetensorsHeader, error) {
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return nil, fmt.Errorf("%s: not a safetensors file: shorter than its 8-byte header length", path)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n == 0 || n >= MaxSafetensorsHeader {
		return nil, fmt.Errorf("%s: corrupt safetensors: header length %d is outside MLX's limit (1 to %d bytes)", path, n, MaxSafetensorsHeader-1)
	}
	if int64(n) > size-8 {
		return nil, fmt.Errorf("%s: corrupt safetensors: header length %d exceeds the file (%d bytes): truncated file?", path, n, size)
	}
	raw := make([]byte, n)
	if _, err := io.ReadFull(f, raw); err != nil {
		return nil, fmt.Errorf("%s: corrupt safetensors: %v", path, err)
	}
	h, err := parseSafetensorsHeader(raw, size-8-int64(n))
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt safetensors: %w", path, err)
	}
	h.DataOffset, h.FileSize = 8+int64(n), size
	return h, nil
}

// openRegular opens path for reading only if it is a regular file: a FIFO
// would block the open (hence O_NONBLOCK, harmless for regular files) and a
// device such as /dev/zero never ends.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, fmt.Errorf("%s: not a regular file (%s)", path, fileKind(st.Mode()))
	}
	return f, nil
}

func fileKind(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeCharDevice != 0:
		return "a character device"
	case m&os.ModeDevice != 0:
		return "a device"
	case m&os.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}

// ParseSafetensorsHeader checks a header's JSON (the bytes after the 8-byte
// length) against a data section of dataLen bytes, as ReadSafetensorsHeader
// does; it is what the fuzz target drives.
func ParseSafetensorsHeader(raw []byte, dataLen int64) (*SafetensorsHeader, error) {
	return parseSafetensorsHeader(raw, dataLen)
}

func parseSafetensorsHeader(raw []byte, dataLen int64) (*SafetensorsHeader, error) {
	if !utf8.Valid(raw) {
		return nil, fmt.Errorf("header is not valid UTF-8")
	}
	if err := checkSurrogates(raw); err != nil {
		return nil, err
	}
	if err := jsonKindIs(raw, '{'); err != nil {
		return nil, fmt.Errorf("header is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	var entries map[string]json.RawMessage
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("header is not valid JSON: %v", err)
	}
	if rest := bytes.TrimLeft(raw[dec.InputOffset():], " \t\r\n"); len(rest) > 0 {
		return nil, fmt.Errorf("header has %d bytes after its JSON object", len(rest))
	}
	h := &SafetensorsHeader{Metadata: map[string]string{}}
	names := make([]string, 0, len(entries))
	for name := range entries {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if strings.IndexByte(name, 0) >= 0 {
			return nil, fmt.Errorf("tensor %q: the name contains a NUL character", name)
		}
		v := entries[name]
		if name == "__metadata__" {
			if err := readMetadata(v, h.Metadata); err != nil {
				return nil, fmt.Errorf("__metadata__: %w", err)
			}
			continue
		}
		t, err := readEntry(name, v, dataLen)
		if err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, err)
		}
		h.Tensors = append(h.Tensors, t)
	}
	return h, nil
}

// readMetadata is MLX's loop over __metadata__.items(): null is empty, an
// object's values must be strings (MLX: "type must be string").
func readMetadata(raw json.RawMessage, out map[string]string) error {
	if string(bytes.TrimSpace(raw)) == "null" {
		return nil
	}
	if jsonKindIs(raw, '{') != nil {
		return fmt.Errorf("expected an object of strings")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	for k, v := range m {
		var s string
		if jsonKindIs(v, '"') != nil || json.Unmarshal(v, &s) != nil {
			return fmt.Errorf("%q: expected a string", k)
		}
		if strings.IndexByte(k, 0) >= 0 || strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("%q: contains a NUL character", k)
		}
		out[k] = s
	}
	return nil
}

func readEntry(name string, raw json.RawMessage, dataLen int64) (SafetensorsTensor, error) {
	t := SafetensorsTensor{Name: name}
	if jsonKindIs(raw, '{') != nil {
		return t, fmt.Errorf("header entry is not an object")
	}
	var e map[string]json.RawMessage // exact, case-sensitive keys, as MLX's item.value().at(...)
	if err := json.Unmarshal(raw, &e); err != nil {
		return t, err
	}
	for _, k := range []string{"dtype", "shape", "data_offsets"} {
		if _, ok := e[k]; !ok {
			return t, fmt.Errorf("key %q not found", k)
		}
	}
	if jsonKindIs(e["dtype"], '"') != nil || json.Unmarshal(e["dtype"], &t.Dtype) != nil {
		return t, fmt.Errorf("dtype: expected a string")
	}
	item, ok := stItemSize[t.Dtype]
	if !ok {
		return t, fmt.Errorf("unsupported dtype %q", t.Dtype)
	}
	dims, err := jsonInts("shape", e["shape"])
	if err != nil {
		return t, err
	}
	nbytes := item
	for i, d := range dims {
		if d.neg || d.v > math.MaxInt32 {
			return t, fmt.Errorf("shape %s: dimension %d is %s, outside MLX's dimensions (0 to 2^31-1)", compact(e["shape"]), i, d)
		}
		hi, lo := bits.Mul64(nbytes, d.v)
		if hi != 0 || lo > math.MaxInt64 {
			return t, fmt.Errorf("shape %s: the byte size overflows 64 bits", compact(e["shape"]))
		}
		nbytes = lo
		t.Shape = append(t.Shape, int(d.v))
	}
	offs, err := jsonInts("data_offsets", e["data_offsets"])
	if err != nil {
		return t, err
	}
	if len(offs) != 2 {
		return t, fmt.Errorf("data_offsets must have exactly 2 entries but has %d", len(offs))
	}
	for _, o := range offs {
		if o.neg || o.v > math.MaxInt64 {
			return t, fmt.Errorf("data_offsets %s: %s is not a valid offset", compact(e["data_offsets"]), o)
		}
	}
	begin, end := offs[0].v, offs[1].v
	if end < begin || end-begin != nbytes {
		return t, fmt.Errorf("data_offsets [%d, %d] do not match shape %v of %s (%d bytes)", begin, end, t.Shape, t.Dtype, nbytes)
	}
	if end > uint64(dataLen) {
		return t, fmt.Errorf("data_offsets [%d, %d] run past the end of the data (%d bytes): truncated file?", begin, end, dataLen)
	}
	t.Begin, t.End = int64(begin), int64(end)
	return t, nil
}

// jsonInt is a JSON integer literal: its sign and magnitude.
type jsonInt struct {
	neg bool
	v   uint64
}

func (i jsonInt) String() string {
	if i.neg {
		return "-" + strconv.FormatUint(i.v, 10)
	}
	return strconv.FormatUint(i.v, 10)
}

// jsonInts reads a JSON array whose elements are all integer literals (no
// fraction, exponent, bool or string: nothing MLX would have to cast).
func jsonInts(key string, raw json.RawMessage) ([]jsonInt, error) {
	if jsonKindIs(raw, '[') != nil {
		return nil, fmt.Errorf("%s: expected an array of integers", key)
	}
	var elems []json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, fmt.Errorf("%s: %v", key, err)
	}
	out := make([]jsonInt, len(elems))
	for i, el := range elems {
		s := string(bytes.TrimSpace(el))
		neg := strings.HasPrefix(s, "-")
		digits := strings.TrimPrefix(s, "-")
		v, err := strconv.ParseUint(digits, 10, 64)
		if err != nil || digits == "" || digits[0] == '+' {
			return nil, fmt.Errorf("%s %s: element %d (%s) is not an integer that fits 64 bits", key, compact(raw), i, truncate(s, 40))
		}
		out[i] = jsonInt{neg: neg && v != 0, v: v}
	}
	return out, nil
}

// jsonKindIs checks the first non-space byte of a JSON value.
func jsonKindIs(raw []byte, want byte) error {
	s := bytes.TrimLeft(raw, " \t\r\n")
	if len(s) == 0 || s[0] != want {
		return errors.New("unexpected JSON kind")
	}
	return nil
}

// checkSurrogates rejects \u escapes that are not valid UTF-16: MLX's JSON
// parser rejects a lone surrogate, where Go's would turn it into U+FFFD (and
// two different names into the same one).
func checkSurrogates(raw []byte) error {
	inStr := false
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if !inStr {
			if c == '"' {
				inStr = true
			}
			continue
		}
		switch c {
		case '"':
			inStr = false
		case '\\':
			if i+1 < len(raw) && raw[i+1] == 'u' {
				u, ok := hex4(raw, i+2)
				if ok && u >= 0xDC00 && u <= 0xDFFF {
					return fmt.Errorf("header has a lone surrogate escape \\u%04x", u)
				}
				if ok && u >= 0xD800 && u <= 0xDBFF {
					lo, ok2 := uint16(0), false
					if i+7 < len(raw) && raw[i+6] == '\\' && raw[i+7] == 'u' {
						lo, ok2 = hex4(raw, i+8)
					}
					if !ok2 || lo < 0xDC00 || lo > 0xDFFF {
						return fmt.Errorf("header has a lone surrogate escape \\u%04x", u)
					}
					i += 6
				}
			}
			i++ // skip the escaped character
		}
	}
	return nil
}

func hex4(b []byte, i int) (uint16, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[i:i+4]), 16, 16)
	return uint16(v), err == nil
}

func compact(raw []byte) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return truncate(string(raw), 80)
	}
	return truncate(b.String(), 80)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// matches checks that MLX loaded exactly the checked tensors.
func (h *SafetensorsHeader) matches(t *Tensors) error {
	if len(t.Arrays) != len(h.Tensors) {
		return fmt.Errorf("MLX read %d tensors, the checked header has %d (did the file change while loading?)", len(t.Arrays), len(h.Tensors))
	}
	for _, e := range h.Tensors {
		a, ok := t.Arrays[e.Name]
		if !ok {
			return fmt.Errorf("MLX did not read tensor %q of the checked header (did the file change while loading?)", e.Name)
		}
		if got := a.Shape(); !slices.Equal(got, e.Shape) || a.Dtype() != stDtypes[e.Dtype] {
			return fmt.Errorf("tensor %q: MLX read %s%v, the checked header says %s%v", e.Name, a.Dtype(), got, e.Dtype, e.Shape)
		}
	}
	return nil
}

// SaveSafetensors is mx.save_safetensors(path, arrays, metadata). The file is
// written to a temporary name and renamed, so it appears only when complete.
func SaveSafetensors(path string, arrays map[string]*Array, metadata map[string]string) error {
	if err := ensureInit(); err != nil {
		return err
	}
	names := make([]string, 0, len(arrays))
	for n, a := range arrays {
		if err := a.usable("save_safetensors"); err != nil {
			return fmt.Errorf("tensor %q: %w", n, err)
		}
		if a.weak != weakNone {
			return fmt.Errorf("tensor %q: a Python scalar cannot be saved", n)
		}
		names = append(names, n)
	}
	sort.Strings(names)
	keys := make([]string, 0, len(metadata))
	for k := range metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	var cfree []unsafe.Pointer
	defer func() {
		for _, p := range cfree {
			C.free(p)
		}
	}()
	cstr := func(s string) *C.char {
		p := C.CString(s)
		cfree = append(cfree, unsafe.Pointer(p))
		return p
	}
	// The C arrays of pointers live in C memory: cgo forbids passing Go memory
	// that holds Go pointers, and C strings are C pointers anyway.
	ptrSize := C.size_t(unsafe.Sizeof(uintptr(0)))
	alloc := func(n int) unsafe.Pointer {
		p := C.malloc(ptrSize * C.size_t(n+1))
		cfree = append(cfree, p)
		return p
	}
	cnames := unsafe.Slice((**C.char)(alloc(len(names))), len(names)+1)
	carrs := unsafe.Slice((*C.mlxg_array)(alloc(len(names))), len(names)+1)
	ckeys := unsafe.Slice((**C.char)(alloc(len(keys))), len(keys)+1)
	cvals := unsafe.Slice((**C.char)(alloc(len(keys))), len(keys)+1)
	for i, n := range names {
		cnames[i] = cstr(n)
	}
	for i, k := range keys {
		ckeys[i], cvals[i] = cstr(k), cstr(metadata[k])
	}
	tmp, err := os.CreateTemp(dirOf(path), ".tmp-*.safetensors")
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	tmp.Close()
	ctmp := cstr(tmpName)

	mu.Lock()
	for i, n := range names {
		carrs[i] = arrays[n].c.h
	}
	msg := C.mlxg_st_save(ctmp, &cnames[0], &carrs[0], C.int(len(names)), &ckeys[0], &cvals[0], C.int(len(keys)))
	mu.Unlock()
	if msg != nil {
		os.Remove(tmpName)
		return fmt.Errorf("%s: %w", path, takeError("save_safetensors", msg))
	}
	if err := os.Rename(tmpName, path); err != nil {
		os.Remove(tmpName)
		return err
	}
	return nil
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i+1]
		}
	}
	return "."
}
