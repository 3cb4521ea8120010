package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"unsafe"
)

// Safetensors files: mx.load(path) / mx.save_safetensors(path, arrays, metadata).

// maxHeader bounds the JSON header we accept; real headers are far smaller.
const maxHeader = 100 << 20

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
// The file is checked before MLX reads it, so a truncated or corrupt file is
// an error naming the file and the problem, never a crash.
func LoadSafetensors(path string) (*Tensors, error) {
	if err := CheckSafetensors(path); err != nil {
		return nil, err
	}
	if err := ensureInit(); err != nil {
		return nil, err
	}
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

var stDtypes = map[string]int{
	"BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "BF16": 2,
	"U32": 4, "I32": 4, "F32": 4, "U64": 8, "I64": 8, "F64": 8, "C64": 8,
}

// CheckSafetensors validates a safetensors file's framing without reading
// its data: the header length, the header JSON, every tensor's dtype, shape
// and offsets against the file size.
func CheckSafetensors(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	var lenBuf [8]byte
	if _, err := io.ReadFull(f, lenBuf[:]); err != nil {
		return fmt.Errorf("%s: not a safetensors file: shorter than its 8-byte header length", path)
	}
	n := binary.LittleEndian.Uint64(lenBuf[:])
	if n > maxHeader || int64(n) > size-8 {
		return fmt.Errorf("%s: corrupt safetensors: header length %d exceeds the file (%d bytes)", path, n, size)
	}
	hdr := make([]byte, n)
	if _, err := io.ReadFull(f, hdr); err != nil {
		return fmt.Errorf("%s: corrupt safetensors: %v", path, err)
	}
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &entries); err != nil {
		return fmt.Errorf("%s: corrupt safetensors: header is not a JSON object: %v", path, err)
	}
	dataLen := size - 8 - int64(n)
	for name, raw := range entries {
		if name == "__metadata__" {
			var meta map[string]string
			if err := json.Unmarshal(raw, &meta); err != nil {
				return fmt.Errorf("%s: corrupt safetensors: __metadata__ is not a string map: %v", path, err)
			}
			continue
		}
		var e struct {
			Dtype   string  `json:"dtype"`
			Shape   []int64 `json:"shape"`
			Offsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(raw, &e); err != nil {
			return fmt.Errorf("%s: tensor %q: bad header entry: %v", path, name, err)
		}
		esize, ok := stDtypes[e.Dtype]
		if !ok {
			return fmt.Errorf("%s: tensor %q: unknown dtype %q", path, name, e.Dtype)
		}
		if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] {
			return fmt.Errorf("%s: tensor %q: bad data_offsets %v", path, name, e.Offsets)
		}
		if e.Offsets[1] > dataLen {
			return fmt.Errorf("%s: tensor %q: data_offsets %v run past the end of the data (%d bytes): truncated file?", path, name, e.Offsets, dataLen)
		}
		count := int64(1)
		for _, d := range e.Shape {
			if d < 0 || (d > 0 && count > (1<<62)/d) {
				return fmt.Errorf("%s: tensor %q: bad shape %v", path, name, e.Shape)
			}
			count *= d
		}
		if count*int64(esize) != e.Offsets[1]-e.Offsets[0] {
			return fmt.Errorf("%s: tensor %q: shape %v of %s needs %d bytes, offsets give %d", path, name, e.Shape, e.Dtype, count*int64(esize), e.Offsets[1]-e.Offsets[0])
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
