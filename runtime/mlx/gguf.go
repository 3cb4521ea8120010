package mlx

/*
#include <stdlib.h>
#include "shim_gguf.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// LoadGGUFTensors is mx.load(path) for a .gguf file, tensors only: libmlx's
// load_gguf, which turns Q4_0 / Q4_1 / Q8_0 tensors into affine-quantized
// triples (name.weight as packed uint32, name.scales, name.biases; group size
// 32) and copies F32 / F16 / integer tensors as they are.
//
// libmlx trusts the file's header: callers must validate it first (lm/gguf
// does, completely, before calling this).
func LoadGGUFTensors(path string) (map[string]*Array, error) {
	if err := ensureInit(); err != nil {
		return nil, err
	}
	cpath := C.CString(path)
	defer C.free(unsafe.Pointer(cpath))
	mu.Lock()
	defer mu.Unlock()
	var f C.mlxg_gguf
	if msg := C.mlxg_gguf_load(cpath, &f); msg != nil {
		return nil, fmt.Errorf("%s: %w", path, takeError("load", msg))
	}
	defer C.mlxg_gguf_free(f)
	out := map[string]*Array{}
	for i := range int(C.mlxg_gguf_count(f)) {
		out[C.GoString(C.mlxg_gguf_name(f, C.int(i)))] = newArray(C.mlxg_gguf_take(f, C.int(i)))
	}
	return out, nil
}
