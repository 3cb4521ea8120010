package mlx

/*
#include "shim.h"
*/
import "C"

import "fmt"

// Dtype is an MLX element type. The values equal mlx::core::Dtype::Val.
type Dtype int

const (
	Bool Dtype = iota
	Uint8
	Uint16
	Uint32
	Uint64
	Int8
	Int16
	Int32
	Int64
	Float16
	Float32
	Float64
	Bfloat16
	Complex64
)

var dtypeNames = [...]string{"bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
	"float16", "float32", "float64", "bfloat16", "complex64"}

// String is the name Python prints after "mlx.core.".
func (d Dtype) String() string {
	if d >= 0 && int(d) < len(dtypeNames) {
		return dtypeNames[d]
	}
	return fmt.Sprintf("Dtype(%d)", int(d))
}

// DtypeFromString parses a name as String prints it ("bfloat16", "float32", ...).
func DtypeFromString(s string) (Dtype, error) {
	for i, n := range dtypeNames {
		if n == s {
			return Dtype(i), nil
		}
	}
	if s == "bool_" {
		return Bool, nil
	}
	return 0, fmt.Errorf("mlx: unknown dtype %q", s)
}

// dtypeSizes are the element sizes in bytes, as mlx::core::size_of gives them
// (checked against the shim by TestDtypeSizes).
var dtypeSizes = [...]int{1, 1, 2, 4, 8, 1, 2, 4, 8, 2, 4, 8, 2, 8}

// Size is the size of one element in bytes (0 for an invalid dtype).
func (d Dtype) Size() int {
	if !d.valid() {
		return 0
	}
	return dtypeSizes[d]
}

// shimSize is the shim's answer for Size (for the test that checks the table).
func (d Dtype) shimSize() int { return int(C.mlxg_dtype_size(C.int(d))) }

// IsFloating reports whether d is a floating-point type (mx.floating).
func (d Dtype) IsFloating() bool {
	return d == Float16 || d == Float32 || d == Float64 || d == Bfloat16
}

// IsInteger reports whether d is a signed or unsigned integer type.
func (d Dtype) IsInteger() bool { return d >= Uint8 && d <= Int64 }

func (d Dtype) valid() bool { return d >= Bool && d <= Complex64 }

// Finfo is the subset of mx.finfo the models use.
type Finfo struct{ Min, Max, Eps float64 }

// FinfoOf returns the limits of a floating dtype (mx.finfo).
func FinfoOf(d Dtype) (Finfo, error) {
	switch d {
	case Float16:
		return Finfo{Min: -65504, Max: 65504, Eps: 0.0009765625}, nil
	case Bfloat16:
		return Finfo{Min: -3.3895313892515355e+38, Max: 3.3895313892515355e+38, Eps: 0.0078125}, nil
	case Float32:
		return Finfo{Min: -3.4028234663852886e+38, Max: 3.4028234663852886e+38, Eps: 1.1920928955078125e-07}, nil
	case Float64:
		return Finfo{Min: -1.7976931348623157e+308, Max: 1.7976931348623157e+308, Eps: 2.220446049250313e-16}, nil
	}
	return Finfo{}, fmt.Errorf("mlx.finfo: %s is not a floating dtype", d)
}
