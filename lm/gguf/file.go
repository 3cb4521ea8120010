// Package gguf reads GGUF model files (llama.cpp's format) so that mlxlm can
// run them and `mlxlm convert` can turn them into mlx-lm model directories.
//
// The header (metadata and tensor table) is parsed here, in Go, and checked
// completely against the file before libmlx is asked for the tensors
// (mlx::core::load_gguf, as Python's mx.load does): a GGUF file is untrusted
// input, and the C reader inside libmlx trusts the header it reads.
package gguf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"unicode/utf8"
)

// Magic is the first four bytes of a GGUF file.
const Magic = "GGUF"

// Limits on what a header may declare. Real files are far below them; they
// exist so that a hostile header cannot make the parser allocate without
// bound before the file size check catches it.
const (
	maxKV        = 1 << 20
	maxTensors   = 1 << 20
	maxArrayLen  = 1 << 26
	maxStringLen = 1 << 26
	maxDims      = 4 // GGML_MAX_DIMS
)

// ValueType is a GGUF metadata value type.
type ValueType uint32

// The metadata value types of the GGUF specification.
const (
	TypeUint8 ValueType = iota
	TypeInt8
	TypeUint16
	TypeInt16
	TypeUint32
	TypeInt32
	TypeFloat32
	TypeBool
	TypeString
	TypeArray
	TypeUint64
	TypeInt64
	TypeFloat64
)

var valueTypeNames = map[ValueType]string{
	TypeUint8: "uint8", TypeInt8: "int8", TypeUint16: "uint16", TypeInt16: "int16",
	TypeUint32: "uint32", TypeInt32: "int32", TypeFloat32: "float32", TypeBool: "bool",
	TypeString: "string", TypeArray: "array", TypeUint64: "uint64", TypeInt64: "int64",
	TypeFloat64: "float64",
}

func (t ValueType) String() string {
	if s, ok := valueTypeNames[t]; ok {
		return s
	}
	return fmt.Sprintf("type %d", uint32(t))
}

func (t ValueType) size() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// Value is one metadata value. Scalars are held as uint64 / int64 / float64 /
// bool / string in V; arrays as []uint64, []int64, []float64, []bool or
// []string with Elem naming the element type.
type Value struct {
	Type ValueType
	Elem ValueType // for arrays
	V    any
}

// TensorType is a ggml tensor type.
type TensorType uint32

// The ggml tensor types this package knows the size of.
const (
	F32  TensorType = 0
	F16  TensorType = 1
	Q4_0 TensorType = 2
	Q4_1 TensorType = 3
	Q5_0 TensorType = 6
	Q5_1 TensorType = 7
	Q8_0 TensorType = 8
	Q8_1 TensorType = 9
	Q2_K TensorType = 10
	Q3_K TensorType = 11
	Q4_K TensorType = 12
	Q5_K TensorType = 13
	Q6_K TensorType = 14
	Q8_K TensorType = 15
	I8   TensorType = 24
	I16  TensorType = 25
	I32  TensorType = 26
	I64  TensorType = 27
	F64  TensorType = 28
	BF16 TensorType = 30
)

type typeInfo struct {
	name        string
	blockElems  int // elements per block
	blockBytes  int // bytes per block
	mlxQuantize int // bits when libmlx turns it into an affine-quantized array (group 32), else 0
	mlxLoads    bool
}

// typeInfos: block sizes from ggml; mlxLoads marks the types libmlx's
// load_gguf reads (copied as is: F32, F16, I8, I16, I32; quantized with group
// size 32: Q4_0, Q4_1, Q8_0). Other quantized types would go through
// gguflib's dequantization to float16, which is not part of what hf2go
// supports, so they are refused with a clear error.
var typeInfos = map[TensorType]typeInfo{
	F32:  {"F32", 1, 4, 0, true},
	F16:  {"F16", 1, 2, 0, true},
	Q4_0: {"Q4_0", 32, 18, 4, true},
	Q4_1: {"Q4_1", 32, 20, 4, true},
	Q5_0: {"Q5_0", 32, 22, 0, false},
	Q5_1: {"Q5_1", 32, 24, 0, false},
	Q8_0: {"Q8_0", 32, 34, 8, true},
	Q8_1: {"Q8_1", 32, 36, 0, false},
	Q2_K: {"Q2_K", 256, 84, 0, false},
	Q3_K: {"Q3_K", 256, 110, 0, false},
	Q4_K: {"Q4_K", 256, 144, 0, false},
	Q5_K: {"Q5_K", 256, 176, 0, false},
	Q6_K: {"Q6_K", 256, 210, 0, false},
	Q8_K: {"Q8_K", 256, 292, 0, false},
	I8:   {"I8", 1, 1, 0, true},
	I16:  {"I16", 1, 2, 0, true},
	I32:  {"I32", 1, 4, 0, true},
	I64:  {"I64", 1, 8, 0, false},
	F64:  {"F64", 1, 8, 0, false},
	BF16: {"BF16", 1, 2, 0, false},
}

func (t TensorType) String() string {
	if ti, ok := typeInfos[t]; ok {
		return ti.name
	}
	return fmt.Sprintf("ggml type %d", uint32(t))
}

// QuantBits is the bit width libmlx gives a tensor of this type (affine,
// group size 32), or 0 when it is not quantized on load.
func (t TensorType) QuantBits() int { return typeInfos[t].mlxQuantize }

// TensorInfo is one entry of the tensor table.
type TensorInfo struct {
	Name string
	// Shape in ggml order (fastest-varying first), as stored.
	Dims   []uint64
	Type   TensorType
	Offset uint64 // from the start of the data section
	Size   uint64 // bytes
}

// Shape is the MLX shape (ggml's dims reversed).
func (t TensorInfo) Shape() []int {
	s := make([]int, len(t.Dims))
	for i, d := range t.Dims {
		s[len(t.Dims)-1-i] = int(d)
	}
	return s
}

// File is a parsed GGUF header.
type File struct {
	Path       string
	Version    uint32
	Metadata   map[string]Value
	Keys       []string // metadata keys in file order
	Tensors    []TensorInfo
	Alignment  uint64
	DataOffset uint64 // where the data section starts
	Size       int64  // file size
}

// Open parses path's header and validates the tensor table against the file.
func Open(path string) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	g, err := Parse(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	g.Path = path
	return g, nil
}

// IsGGUF reports whether path names a file that starts with the GGUF magic.
func IsGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return false
	}
	var b [4]byte
	if _, err := io.ReadFull(f, b[:]); err != nil {
		return false
	}
	return string(b[:]) == Magic
}

// reader tracks how many bytes remain so that every length read from the
// header is checked against the file before anything is allocated.
type reader struct {
	r    *bufio.Reader
	off  int64
	size int64
	err  error
}

var errShort = errors.New("unexpected end of file")

func (r *reader) remaining() int64 { return r.size - r.off }

func (r *reader) bytes(n int64) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.remaining() {
		r.err = errShort
		return nil
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r.r, b); err != nil {
		r.err = errShort
		return nil
	}
	r.off += n
	return b
}

func (r *reader) u32() uint32 {
	b := r.bytes(4)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(b)
}

func (r *reader) u64() uint64 {
	b := r.bytes(8)
	if b == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(b)
}

func (r *reader) str(what string) string {
	n := r.u64()
	if r.err != nil {
		return ""
	}
	if n > maxStringLen || int64(n) > r.remaining() {
		r.err = fmt.Errorf("%s: string length %d exceeds the file", what, n)
		return ""
	}
	return string(r.bytes(int64(n)))
}

// Parse reads a GGUF header from r, a file of the given size.
func Parse(rd io.Reader, size int64) (*File, error) {
	r := &reader{r: bufio.NewReaderSize(rd, 1<<16), size: size}
	magic := r.bytes(4)
	if r.err != nil || string(magic) != Magic {
		return nil, errors.New("not a GGUF file (no GGUF magic)")
	}
	g := &File{Version: r.u32(), Metadata: map[string]Value{}, Alignment: 32, Size: size}
	if r.err == nil && g.Version != 2 && g.Version != 3 {
		return nil, fmt.Errorf("GGUF version %d is not supported (2 and 3 are)", g.Version)
	}
	nTensors, nKV := r.u64(), r.u64()
	if r.err != nil {
		return nil, fmt.Errorf("truncated header: %w", r.err)
	}
	if nTensors > maxTensors {
		return nil, fmt.Errorf("header declares %d tensors (at most %d are accepted)", nTensors, maxTensors)
	}
	if nKV > maxKV {
		return nil, fmt.Errorf("header declares %d metadata entries (at most %d are accepted)", nKV, maxKV)
	}
	for i := uint64(0); i < nKV; i++ {
		key := r.str(fmt.Sprintf("metadata key %d", i))
		if r.err != nil {
			return nil, fmt.Errorf("metadata entry %d: %w", i, r.err)
		}
		if !utf8.ValidString(key) {
			return nil, fmt.Errorf("metadata entry %d: key is not valid UTF-8", i)
		}
		if _, dup := g.Metadata[key]; dup {
			return nil, fmt.Errorf("metadata key %q appears twice", key)
		}
		v, err := readValue(r, key)
		if err != nil {
			return nil, err
		}
		g.Metadata[key] = v
		g.Keys = append(g.Keys, key)
	}
	if v, ok := g.Metadata["general.alignment"]; ok {
		a, ok := v.V.(uint64)
		if !ok || v.Type != TypeUint32 || a == 0 || a&(a-1) != 0 || a > 1<<20 {
			return nil, fmt.Errorf("general.alignment: expected a power of two as uint32, found %v", v.V)
		}
		g.Alignment = a
	}
	seen := map[string]bool{}
	for i := uint64(0); i < nTensors; i++ {
		name := r.str(fmt.Sprintf("tensor %d name", i))
		nd := r.u32()
		if r.err != nil {
			return nil, fmt.Errorf("tensor table entry %d: %w", i, r.err)
		}
		if name == "" || !utf8.ValidString(name) {
			return nil, fmt.Errorf("tensor table entry %d: empty or invalid name", i)
		}
		if seen[name] {
			return nil, fmt.Errorf("tensor %q appears twice", name)
		}
		seen[name] = true
		if nd == 0 || nd > maxDims {
			return nil, fmt.Errorf("tensor %q: %d dimensions (1 to %d are valid)", name, nd, maxDims)
		}
		t := TensorInfo{Name: name, Dims: make([]uint64, nd)}
		elems := uint64(1)
		for d := range t.Dims {
			t.Dims[d] = r.u64()
			if r.err != nil {
				return nil, fmt.Errorf("tensor %q: %w", name, r.err)
			}
			if t.Dims[d] == 0 || t.Dims[d] > math.MaxInt32 {
				return nil, fmt.Errorf("tensor %q: dimension %d is %d", name, d, t.Dims[d])
			}
			hi, lo := mulU64(elems, t.Dims[d])
			if hi != 0 || lo > 1<<40 {
				return nil, fmt.Errorf("tensor %q: %v elements is too many", name, t.Dims)
			}
			elems = lo
		}
		t.Type = TensorType(r.u32())
		t.Offset = r.u64()
		if r.err != nil {
			return nil, fmt.Errorf("tensor %q: %w", name, r.err)
		}
		ti, ok := typeInfos[t.Type]
		if !ok {
			return nil, fmt.Errorf("tensor %q: unknown ggml type %d", name, uint32(t.Type))
		}
		if t.Dims[0]%uint64(ti.blockElems) != 0 {
			return nil, fmt.Errorf("tensor %q: %s needs rows that are a multiple of %d elements, found %d", name, ti.name, ti.blockElems, t.Dims[0])
		}
		t.Size = elems / uint64(ti.blockElems) * uint64(ti.blockBytes)
		if t.Offset%g.Alignment != 0 {
			return nil, fmt.Errorf("tensor %q: offset %d is not aligned to %d", name, t.Offset, g.Alignment)
		}
		g.Tensors = append(g.Tensors, t)
	}
	if r.err != nil {
		return nil, fmt.Errorf("truncated header: %w", r.err)
	}
	g.DataOffset = uint64(r.off)
	if pad := g.DataOffset % g.Alignment; pad != 0 {
		g.DataOffset += g.Alignment - pad
	}
	if int64(g.DataOffset) > size {
		if len(g.Tensors) > 0 {
			return nil, fmt.Errorf("data section starts at %d, past the end of the file (%d bytes)", g.DataOffset, size)
		}
		g.DataOffset = uint64(size) // no tensors: writers may omit the padding
	}
	dataLen := uint64(size) - g.DataOffset
	// Tensors must lie inside the data section and not overlap.
	order := make([]int, len(g.Tensors))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return g.Tensors[order[a]].Offset < g.Tensors[order[b]].Offset })
	end := uint64(0)
	for _, i := range order {
		t := g.Tensors[i]
		if t.Offset > dataLen || t.Size > dataLen-t.Offset {
			return nil, fmt.Errorf("tensor %q (%s, %v) ends past the end of the file: the file is truncated or corrupt", t.Name, t.Type, t.Dims)
		}
		if t.Offset < end {
			return nil, fmt.Errorf("tensor %q overlaps the tensor before it", t.Name)
		}
		end = t.Offset + t.Size
	}
	return g, nil
}

func mulU64(a, b uint64) (hi, lo uint64) {
	if a == 0 || b == 0 {
		return 0, 0
	}
	lo = a * b
	if lo/b != a {
		return 1, lo
	}
	return 0, lo
}

func readValue(r *reader, key string) (Value, error) {
	t := ValueType(r.u32())
	if r.err != nil {
		return Value{}, fmt.Errorf("metadata %q: %w", key, r.err)
	}
	if t == TypeArray {
		et := ValueType(r.u32())
		n := r.u64()
		if r.err != nil {
			return Value{}, fmt.Errorf("metadata %q: %w", key, r.err)
		}
		if et == TypeArray {
			return Value{}, fmt.Errorf("metadata %q: nested arrays are not supported", key)
		}
		minSize := int64(et.size())
		if et == TypeString {
			minSize = 8
		}
		if minSize == 0 {
			return Value{}, fmt.Errorf("metadata %q: unknown array element %s", key, et)
		}
		if n > maxArrayLen || int64(n) > r.remaining()/minSize {
			return Value{}, fmt.Errorf("metadata %q: array of %d elements exceeds the file", key, n)
		}
		v := Value{Type: TypeArray, Elem: et}
		switch {
		case et == TypeString:
			s := make([]string, n)
			for i := range s {
				s[i] = r.str(key)
				if r.err != nil {
					return Value{}, fmt.Errorf("metadata %q[%d]: %w", key, i, r.err)
				}
			}
			v.V = s
		case et == TypeBool:
			s := make([]bool, n)
			for i := range s {
				b := r.bytes(1)
				if r.err != nil {
					return Value{}, fmt.Errorf("metadata %q[%d]: %w", key, i, r.err)
				}
				s[i] = b[0] != 0
			}
			v.V = s
		case et == TypeFloat32 || et == TypeFloat64:
			s := make([]float64, n)
			for i := range s {
				s[i] = readFloat(r, et)
			}
			v.V = s
		case isSigned(et):
			s := make([]int64, n)
			for i := range s {
				s[i] = readSigned(r, et)
			}
			v.V = s
		default:
			s := make([]uint64, n)
			for i := range s {
				s[i] = readUnsigned(r, et)
			}
			v.V = s
		}
		if r.err != nil {
			return Value{}, fmt.Errorf("metadata %q: %w", key, r.err)
		}
		return v, nil
	}
	v := Value{Type: t}
	switch {
	case t == TypeString:
		v.V = r.str(key)
	case t == TypeBool:
		b := r.bytes(1)
		if b != nil {
			v.V = b[0] != 0
		}
	case t == TypeFloat32 || t == TypeFloat64:
		v.V = readFloat(r, t)
	case isSigned(t):
		v.V = readSigned(r, t)
	case t.size() > 0:
		v.V = readUnsigned(r, t)
	default:
		return Value{}, fmt.Errorf("metadata %q: unknown value %s", key, t)
	}
	if r.err != nil {
		return Value{}, fmt.Errorf("metadata %q: %w", key, r.err)
	}
	return v, nil
}

func isSigned(t ValueType) bool {
	return t == TypeInt8 || t == TypeInt16 || t == TypeInt32 || t == TypeInt64
}

func readUnsigned(r *reader, t ValueType) uint64 {
	b := r.bytes(int64(t.size()))
	if b == nil {
		return 0
	}
	switch t {
	case TypeUint8:
		return uint64(b[0])
	case TypeUint16:
		return uint64(binary.LittleEndian.Uint16(b))
	case TypeUint32:
		return uint64(binary.LittleEndian.Uint32(b))
	}
	return binary.LittleEndian.Uint64(b)
}

func readSigned(r *reader, t ValueType) int64 {
	b := r.bytes(int64(t.size()))
	if b == nil {
		return 0
	}
	switch t {
	case TypeInt8:
		return int64(int8(b[0]))
	case TypeInt16:
		return int64(int16(binary.LittleEndian.Uint16(b)))
	case TypeInt32:
		return int64(int32(binary.LittleEndian.Uint32(b)))
	}
	return int64(binary.LittleEndian.Uint64(b))
}

func readFloat(r *reader, t ValueType) float64 {
	b := r.bytes(int64(t.size()))
	if b == nil {
		return 0
	}
	if t == TypeFloat32 {
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	}
	return math.Float64frombits(binary.LittleEndian.Uint64(b))
}

// String returns a string metadata value.
func (g *File) String(key string) (string, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return "", false, nil
	}
	s, ok := v.V.(string)
	if !ok {
		return "", true, fmt.Errorf("metadata %s: expected a string, found %s", key, v.Type)
	}
	return s, true, nil
}

// Int returns an integer metadata value (any integer type).
func (g *File) Int(key string) (int64, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return 0, false, nil
	}
	switch x := v.V.(type) {
	case uint64:
		if x > math.MaxInt64 {
			return 0, true, fmt.Errorf("metadata %s: %d is out of range", key, x)
		}
		return int64(x), true, nil
	case int64:
		return x, true, nil
	}
	return 0, true, fmt.Errorf("metadata %s: expected an integer, found %s", key, v.Type)
}

// Float returns a numeric metadata value.
func (g *File) Float(key string) (float64, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return 0, false, nil
	}
	switch x := v.V.(type) {
	case float64:
		return x, true, nil
	case uint64:
		return float64(x), true, nil
	case int64:
		return float64(x), true, nil
	}
	return 0, true, fmt.Errorf("metadata %s: expected a number, found %s", key, v.Type)
}

// Bool returns a bool metadata value.
func (g *File) Bool(key string) (bool, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return false, false, nil
	}
	b, ok := v.V.(bool)
	if !ok {
		return false, true, fmt.Errorf("metadata %s: expected a bool, found %s", key, v.Type)
	}
	return b, true, nil
}

// Strings returns a string-array metadata value.
func (g *File) Strings(key string) ([]string, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return nil, false, nil
	}
	s, ok := v.V.([]string)
	if !ok {
		return nil, true, fmt.Errorf("metadata %s: expected an array of strings, found %s", key, describe(v))
	}
	return s, true, nil
}

// Ints returns an integer-array metadata value.
func (g *File) Ints(key string) ([]int64, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return nil, false, nil
	}
	switch x := v.V.(type) {
	case []int64:
		return x, true, nil
	case []uint64:
		out := make([]int64, len(x))
		for i, u := range x {
			if u > math.MaxInt64 {
				return nil, true, fmt.Errorf("metadata %s[%d]: %d is out of range", key, i, u)
			}
			out[i] = int64(u)
		}
		return out, true, nil
	}
	return nil, true, fmt.Errorf("metadata %s: expected an array of integers, found %s", key, describe(v))
}

// Floats returns a numeric-array metadata value.
func (g *File) Floats(key string) ([]float64, bool, error) {
	v, ok := g.Metadata[key]
	if !ok {
		return nil, false, nil
	}
	if x, ok := v.V.([]float64); ok {
		return x, true, nil
	}
	return nil, true, fmt.Errorf("metadata %s: expected an array of numbers, found %s", key, describe(v))
}

func describe(v Value) string {
	if v.Type == TypeArray {
		return "an array of " + v.Elem.String()
	}
	return v.Type.String()
}

// Tensor returns the tensor-table entry of name.
func (g *File) Tensor(name string) (TensorInfo, bool) {
	for _, t := range g.Tensors {
		if t.Name == name {
			return t, true
		}
	}
	return TensorInfo{}, false
}

// checkLoadable reports the first tensor libmlx cannot load as hf2go uses it.
func (g *File) checkLoadable() error {
	var bad []string
	for _, t := range g.Tensors {
		ti := typeInfos[t.Type]
		if !ti.mlxLoads {
			bad = append(bad, fmt.Sprintf("%s (%s)", t.Name, ti.name))
			continue
		}
		if ti.mlxQuantize > 0 && !strings.HasSuffix(t.Name, ".weight") {
			return fmt.Errorf("%s: quantized tensor %q does not end in .weight", g.Path, t.Name)
		}
	}
	if len(bad) > 0 {
		more := ""
		if len(bad) > 3 {
			more = fmt.Sprintf(" and %d more", len(bad)-3)
			bad = bad[:3]
		}
		return fmt.Errorf("%s: tensor types that MLX does not load exactly: %s%s (supported: F32, F16, Q4_0, Q4_1, Q8_0, I8, I16, I32)",
			g.Path, strings.Join(bad, ", "), more)
	}
	return nil
}
