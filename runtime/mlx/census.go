package mlx

/*
#include <stdlib.h>
#include "shim.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// GraphCensus is a diagnostic, not an op: the primitives one evaluation of
// arrs would run (the unevaluated graph below them), as "name count" lines
// sorted by name. scripts/gpu/memprobe -census compares a decode step's
// graph with mlx-lm's (bench_gpu.py --census walks the same in Python).
func GraphCensus(arrs ...*Array) (string, error) {
	if err := ensureInit(); err != nil {
		return "", err
	}
	hs := make([]C.mlxg_array, 0, len(arrs))
	for i, a := range arrs {
		if err := a.usable("graph_census"); err != nil {
			return "", fmt.Errorf("argument %d: %w", i, err)
		}
		if a.weak == weakNone {
			hs = append(hs, a.c.h)
		}
	}
	if len(hs) == 0 {
		return "", nil
	}
	var out *C.char
	if msg := C.mlxg_graph_census(&hs[0], C.int(len(hs)), &out); msg != nil {
		return "", takeError("graph_census", msg)
	}
	defer C.free(unsafe.Pointer(out))
	return C.GoString(out), nil
}
