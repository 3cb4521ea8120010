package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

// Array is a handle to an MLX array: a node of a lazy computation graph that
// holds data once evaluated. See the package comment for errors and lifetime.
type Array struct {
	c     *cell
	err   error
	weak  weakKind // a Python scalar whose dtype follows the array it meets
	val   float64  // the value of a weak scalar
	scope *Scope   // the scope that frees this array, if any
	armed bool     // a cleanup is attached (see newArray)
}

// cell holds the C handle apart from the Array so the cleanup (which may not
// reference the Array itself) can free it, and Free can disarm it.
type cell struct {
	h        C.mlxg_array
	embedded bool // allocated inside a scopedArray
}

type weakKind uint8

const (
	weakNone weakKind = iota
	weakBool
	weakInt
	weakFloat
)

func freeCell(c *cell) {
	if c.h != nil {
		C.mlxg_free(c.h)
		c.h = nil
	}
}

// freeLocked releases the handle (kept for callers that hold mu).
func freeLocked(c *cell) { freeCell(c) }

// newArray wraps a handle returned by the shim, attributing it to the
// innermost open scope of the context that made it (see context.go).
//
// An array created inside a scope gets no cleanup: the open scope references
// it, so the collector could not run a cleanup before the scope frees it
// anyway. It gets one when it outlives its scopes (Keep with no enclosing
// scope, or a Close that drops inner scopes left open). Skipping it matters:
// runtime.AddCleanup costs about as much as MLX's own op construction
// (docs/bench/profile.md).
func newArray(h C.mlxg_array) *Array {
	c := ctxTable[metaOf(h).ctx].Load()
	if c == shared {
		sharedMu.Lock()
		if top := c.top; top != nil {
			a := top.alloc(h)
			sharedMu.Unlock()
			return a
		}
		sharedMu.Unlock()
	} else if top := c.top; top != nil {
		return top.alloc(h)
	}
	a := &Array{c: &cell{h: h}}
	a.armCleanup()
	return a
}

// scopedArray is an Array allocated together with its cell.
type scopedArray struct {
	a Array
	c cell
}

// armCleanup attaches, once, the safety-net cleanup that frees the handle
// when the Array becomes unreachable. Caller owns a (or holds its context).
func (a *Array) armCleanup() {
	if !a.armed {
		a.armed = true
		if a.c != nil && a.c.embedded {
			// The cell shares the Array's allocation (see newArray); a cleanup
			// argument must not keep its object alive, so move the handle out.
			a.c = &cell{h: a.c.h}
		}
		runtime.AddCleanup(a, freeCell, a.c)
	}
}

// Errorf returns an Array carrying an error, for code that builds on this
// package and wants to report through the same sticky-error channel.
func Errorf(op, format string, args ...any) *Array {
	return &Array{err: &Error{Op: op, Msg: fmt.Sprintf(format, args...)}}
}

func errArray(err error) *Array { return &Array{err: err} }

// Err is the error this array carries: the first op that failed on the way to
// it, or nil.
func (a *Array) Err() error {
	if a == nil {
		return &Error{Op: "array", Msg: "nil array"}
	}
	if a.err != nil {
		return a.err
	}
	if a.weak == weakNone && (a.c == nil || a.c.h == nil) {
		return &Error{Op: "array", Msg: "array used after Free"}
	}
	return nil
}

// usable reports why a cannot be an input of op.
func (a *Array) usable(op string) error {
	if a == nil {
		return &Error{Op: op, Msg: "nil array argument"}
	}
	if a.err != nil {
		return a.err
	}
	if a.weak == weakNone && (a.c == nil || a.c.h == nil) {
		return &Error{Op: op, Msg: "array used after Free"}
	}
	return nil
}

// Free releases the array's MLX memory now. It is safe to call twice, on an
// error array and on nil. Using a freed array in an op yields an error.
func (a *Array) Free() {
	if a == nil || a.c == nil {
		return
	}
	freeCell(a.c)
}

// Valid reports whether the array can be used: not nil, no error, not freed.
func (a *Array) Valid() bool { return a.Err() == nil }

// ---- metadata ----

// handle returns the C handle of a usable, non-weak array.
func (a *Array) handle() C.mlxg_array { return a.c.h }

// dims is the shape as the shim stored it (see mlxg_meta): no cgo call.
func (a *Array) dims() []C.int32_t {
	m := metaOf(a.c.h)
	if m.ndim == 0 {
		return nil
	}
	return unsafe.Slice((*C.int32_t)(unsafe.Pointer(m.shape)), int(m.ndim))
}

// Ndim is the number of dimensions (0 for an error array).
func (a *Array) Ndim() int {
	if a.weak != weakNone {
		return 0
	}
	if a.Err() != nil {
		return 0
	}
	return int(metaOf(a.c.h).ndim)
}

// Shape is the array's shape (nil for an error array; empty for a scalar).
func (a *Array) Shape() []int {
	if a.weak != weakNone || a.Err() != nil {
		return nil
	}
	d := a.dims()
	out := make([]int, len(d))
	for i, v := range d {
		out[i] = int(v)
	}
	return out
}

// Dim is the size of axis i; negative i counts from the end as in Python.
// It returns 0 for an axis that does not exist.
func (a *Array) Dim(i int) int {
	if a.weak != weakNone || a.Err() != nil {
		return 0
	}
	d := a.dims()
	if i < 0 {
		i += len(d)
	}
	if i < 0 || i >= len(d) {
		return 0
	}
	return int(d[i])
}

// Dtype is the element type. A weak scalar reports the dtype it would have on
// its own (int32, float32 or bool).
func (a *Array) Dtype() Dtype {
	switch a.weak {
	case weakBool:
		return Bool
	case weakInt:
		return Int32
	case weakFloat:
		return Float32
	}
	if a.Err() != nil {
		return Float32
	}
	return Dtype(metaOf(a.c.h).dtype)
}

// Size is the number of elements.
func (a *Array) Size() int {
	if a.weak != weakNone {
		return 1
	}
	if a.Err() != nil {
		return 0
	}
	n := 1
	for _, d := range a.dims() {
		n *= int(d)
	}
	return n
}

// Nbytes is the number of bytes of the array's data.
func (a *Array) Nbytes() int {
	if a.Err() != nil || a.weak != weakNone {
		return 0
	}
	return a.Size() * Dtype(metaOf(a.c.h).dtype).Size()
}

func (a *Array) String() string {
	if err := a.Err(); err != nil {
		return fmt.Sprintf("array(error: %v)", err)
	}
	if a.weak != weakNone {
		return fmt.Sprintf("scalar(%v)", a.val)
	}
	return fmt.Sprintf("array(shape=%v, dtype=%s)", a.Shape(), a.Dtype())
}

// ---- Python scalars ----

// Float is a Python float literal: in an op with an array it takes the
// array's dtype when that is floating, else float32 (MLX's weak typing).
func Float(v float64) *Array { return &Array{weak: weakFloat, val: v} }

// Int is a Python int literal: in an op with an array it takes that array's dtype.
func Int(v int) *Array { return &Array{weak: weakInt, val: float64(v)} }

// BoolScalar is a Python bool literal.
func BoolScalar(v bool) *Array {
	f := 0.0
	if v {
		f = 1
	}
	return &Array{weak: weakBool, val: f}
}

// weakDtype is the dtype a weak scalar takes next to an array of dtype peer,
// following mlx's to_array(scalar, dtype) in the Python binding.
func (a *Array) weakDtype(peer Dtype, hasPeer bool) Dtype {
	switch a.weak {
	case weakBool:
		return Bool
	case weakInt:
		if hasPeer {
			return peer
		}
		return Int32
	default:
		if hasPeer && peer.IsFloating() {
			return peer
		}
		return Float32
	}
}

// materialize returns a handle for a, creating a scalar array for a weak
// scalar (owned=true: the caller frees it after the op).
func (a *Array) materialize(op string, peer Dtype, hasPeer bool) (C.mlxg_array, bool, error) {
	if a.weak == weakNone {
		return a.c.h, false, nil
	}
	var h C.mlxg_array
	if msg := C.mlxg_scalar(C.double(a.val), C.int(a.weakDtype(peer, hasPeer)), &h); msg != nil {
		return nil, false, takeError(op, msg)
	}
	return h, true, nil
}

// ---- creation ----

// Elem is a Go type that maps onto an MLX dtype one to one.
type Elem interface {
	~bool | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~int8 | ~int16 | ~int32 | ~int64 | ~float32 | ~float64
}

func dtypeOf[T Elem]() Dtype {
	var z T
	switch any(z).(type) {
	case bool:
		return Bool
	case uint8:
		return Uint8
	case uint16:
		return Uint16
	case uint32:
		return Uint32
	case uint64:
		return Uint64
	case int8:
		return Int8
	case int16:
		return Int16
	case int32:
		return Int32
	case int64:
		return Int64
	case float32:
		return Float32
	case float64:
		return Float64
	}
	return Float32
}

func product(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// FromSlice copies data into a new array of the given shape (a 1-D array of
// len(data) when no shape is given).
func FromSlice[T Elem](data []T, shape ...int) *Array {
	if shape == nil {
		shape = []int{len(data)}
	}
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(&data[0])
	}
	return fromRaw("array", p, len(data), shape, dtypeOf[T]())
}

// FromBytes makes an array from raw little-endian element bytes, for dtypes
// Go has no type for (float16, bfloat16).
func FromBytes(raw []byte, dtype Dtype, shape ...int) *Array {
	if !dtype.valid() {
		return Errorf("array", "invalid dtype %d", int(dtype))
	}
	if len(raw)%dtype.Size() != 0 {
		return Errorf("array", "%d bytes is not a whole number of %s elements", len(raw), dtype)
	}
	var p unsafe.Pointer
	if len(raw) > 0 {
		p = unsafe.Pointer(&raw[0])
	}
	return fromRaw("array", p, len(raw)/dtype.Size(), shape, dtype)
}

func fromRaw(op string, p unsafe.Pointer, n int, shape []int, dtype Dtype) *Array {
	for _, d := range shape {
		if d < 0 {
			return Errorf(op, "negative dimension in shape %v", shape)
		}
	}
	if product(shape) != n {
		return Errorf(op, "%d elements cannot have shape %v", n, shape)
	}
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	cs := cInts(shape)
	var h C.mlxg_array
	var sp *C.int
	if len(cs) > 0 {
		sp = &cs[0]
	}
	// The shim copies the data before returning, so p need not outlive the call.
	if msg := C.mlxg_from_data(p, sp, C.int(len(shape)), C.int(dtype), &h); msg != nil {
		return errArray(takeError(op, msg))
	}
	return newArray(h)
}

// Scalar makes a 0-d array of the given dtype (mx.array(v, dtype=...)).
func Scalar(v float64, dtype Dtype) *Array {
	if !dtype.valid() {
		return Errorf("array", "invalid dtype %d", int(dtype))
	}
	if err := ensureInit(); err != nil {
		return errArray(err)
	}
	var h C.mlxg_array
	if msg := C.mlxg_scalar(C.double(v), C.int(dtype), &h); msg != nil {
		return errArray(takeError("array", msg))
	}
	return newArray(h)
}

// ---- readback ----

// ToSlice evaluates a and copies its elements out in row-major order. T must
// match the dtype exactly (use Astype first to convert).
func ToSlice[T Elem](a *Array) ([]T, error) {
	if err := a.usable("tolist"); err != nil {
		return nil, err
	}
	if a.weak != weakNone {
		return nil, &Error{Op: "tolist", Msg: "a Python scalar has no buffer"}
	}
	want := dtypeOf[T]()
	if d := a.Dtype(); d != want {
		return nil, &Error{Op: "tolist", Msg: fmt.Sprintf("array is %s, not %s", d, want)}
	}
	out := make([]T, a.Size())
	if err := copyOut(a, unsafe.Pointer(unsafe.SliceData(out)), len(out)*want.Size()); err != nil {
		return nil, err
	}
	return out, nil
}

// Bytes evaluates a and returns its raw element bytes in row-major order.
func (a *Array) Bytes() ([]byte, error) {
	if err := a.usable("tobytes"); err != nil {
		return nil, err
	}
	if a.weak != weakNone {
		return nil, &Error{Op: "tobytes", Msg: "a Python scalar has no buffer"}
	}
	out := make([]byte, a.Nbytes())
	if err := copyOut(a, unsafe.Pointer(unsafe.SliceData(out)), len(out)); err != nil {
		return nil, err
	}
	return out, nil
}

func copyOut(a *Array, dst unsafe.Pointer, n int) error {
	return takeError("tolist", C.mlxg_copy_out(a.c.h, dst, C.size_t(n)))
}

// Item evaluates a one-element array and returns its value as float64
// (exact for every dtype but int64/uint64 beyond 2^53).
func (a *Array) Item() (float64, error) {
	if err := a.usable("item"); err != nil {
		return 0, err
	}
	if a.weak != weakNone {
		return a.val, nil
	}
	var v C.double
	if msg := C.mlxg_item(a.c.h, &v); msg != nil {
		return 0, takeError("item", msg)
	}
	return float64(v), nil
}

// IntItem is Item for integer results (e.g. an argmax).
func (a *Array) IntItem() (int, error) {
	v, err := a.Item()
	return int(v), err
}

// cInts converts shapes and axes for the shim. Small ones (all of a model's)
// use a fixed array, which stays on the caller's stack once cInts is inlined.
func cInts(v []int) []C.int {
	var small [8]C.int
	out := small[:0]
	if len(v) > len(small) {
		out = make([]C.int, 0, len(v))
	}
	for _, x := range v {
		out = append(out, C.int(x))
	}
	return out
}

// intsPtr returns a pointer to the first element, or nil for an empty slice.
func intsPtr(v []C.int) *C.int {
	if len(v) == 0 {
		return nil
	}
	return &v[0]
}

// IsAvailable reports whether a's data is computed and no work on it is
// pending: Eval returned for it (Eval waits on every array it is given). A
// lazy array (the zeros a layer's constructor makes before loading, any op
// not evaluated yet) is not, nor one that an AsyncEval, or an Eval of another
// array, computes or computed as part of a graph: another thread may be
// evaluating it. It reads the status only (no wait, no side effect), so many
// goroutines may ask about one weight at once.
func (a *Array) IsAvailable() bool {
	if a.Err() != nil || a.weak != weakNone {
		return false
	}
	return C.mlxg_is_available(a.c.h) != 0
}
