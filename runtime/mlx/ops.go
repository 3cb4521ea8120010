package mlx

/*
#include "shim.h"
*/
import "C"

// Element-wise ops, reductions and matmul. Names follow mlx.core (mx.add is
// Add, mx.stop_gradient is StopGradient); each is documented by its Python name.

func Abs(a *Array) *Array          { return unop(C.MLXG_ABS, "abs", a) }
func Negative(a *Array) *Array     { return unop(C.MLXG_NEG, "negative", a) }
func Exp(a *Array) *Array          { return unop(C.MLXG_EXP, "exp", a) }
func Log(a *Array) *Array          { return unop(C.MLXG_LOG, "log", a) }
func Log2(a *Array) *Array         { return unop(C.MLXG_LOG2, "log2", a) }
func Sqrt(a *Array) *Array         { return unop(C.MLXG_SQRT, "sqrt", a) }
func Rsqrt(a *Array) *Array        { return unop(C.MLXG_RSQRT, "rsqrt", a) }
func Square(a *Array) *Array       { return unop(C.MLXG_SQUARE, "square", a) }
func Sigmoid(a *Array) *Array      { return unop(C.MLXG_SIGMOID, "sigmoid", a) }
func Tanh(a *Array) *Array         { return unop(C.MLXG_TANH, "tanh", a) }
func Sin(a *Array) *Array          { return unop(C.MLXG_SIN, "sin", a) }
func Cos(a *Array) *Array          { return unop(C.MLXG_COS, "cos", a) }
func Floor(a *Array) *Array        { return unop(C.MLXG_FLOOR, "floor", a) }
func Ceil(a *Array) *Array         { return unop(C.MLXG_CEIL, "ceil", a) }
func Erf(a *Array) *Array          { return unop(C.MLXG_ERF, "erf", a) }
func Erfinv(a *Array) *Array       { return unop(C.MLXG_ERFINV, "erfinv", a) }
func Expm1(a *Array) *Array        { return unop(C.MLXG_EXPM1, "expm1", a) }
func Log1p(a *Array) *Array        { return unop(C.MLXG_LOG1P, "log1p", a) }
func LogicalNot(a *Array) *Array   { return unop(C.MLXG_LOGICAL_NOT, "logical_not", a) }
func StopGradient(a *Array) *Array { return unop(C.MLXG_STOP_GRADIENT, "stop_gradient", a) }
func Isinf(a *Array) *Array        { return unop(C.MLXG_ISINF, "isinf", a) }
func Isnan(a *Array) *Array        { return unop(C.MLXG_ISNAN, "isnan", a) }
func Isposinf(a *Array) *Array     { return unop(C.MLXG_ISPOSINF, "isposinf", a) }
func Isneginf(a *Array) *Array     { return unop(C.MLXG_ISNEGINF, "isneginf", a) }
func Sign(a *Array) *Array         { return unop(C.MLXG_SIGN, "sign", a) }
func Reciprocal(a *Array) *Array   { return unop(C.MLXG_RECIPROCAL, "reciprocal", a) }
func Copy(a *Array) *Array         { return unop(C.MLXG_COPY, "copy", a) }

// Contiguous is mx.contiguous(a): a row-major copy when a is not one already.
func Contiguous(a *Array) *Array { return unop(C.MLXG_CONTIGUOUS, "contiguous", a) }

func Add(a, b *Array) *Array          { return binop(C.MLXG_ADD, "add", a, b) }
func Subtract(a, b *Array) *Array     { return binop(C.MLXG_SUBTRACT, "subtract", a, b) }
func Multiply(a, b *Array) *Array     { return binop(C.MLXG_MULTIPLY, "multiply", a, b) }
func Divide(a, b *Array) *Array       { return binop(C.MLXG_DIVIDE, "divide", a, b) }
func FloorDivide(a, b *Array) *Array  { return binop(C.MLXG_FLOOR_DIVIDE, "floor_divide", a, b) }
func Remainder(a, b *Array) *Array    { return binop(C.MLXG_REMAINDER, "remainder", a, b) }
func Power(a, b *Array) *Array        { return binop(C.MLXG_POWER, "power", a, b) }
func Maximum(a, b *Array) *Array      { return binop(C.MLXG_MAXIMUM, "maximum", a, b) }
func Minimum(a, b *Array) *Array      { return binop(C.MLXG_MINIMUM, "minimum", a, b) }
func Equal(a, b *Array) *Array        { return binop(C.MLXG_EQUAL, "equal", a, b) }
func NotEqual(a, b *Array) *Array     { return binop(C.MLXG_NOT_EQUAL, "not_equal", a, b) }
func Less(a, b *Array) *Array         { return binop(C.MLXG_LESS, "less", a, b) }
func LessEqual(a, b *Array) *Array    { return binop(C.MLXG_LESS_EQUAL, "less_equal", a, b) }
func Greater(a, b *Array) *Array      { return binop(C.MLXG_GREATER, "greater", a, b) }
func GreaterEqual(a, b *Array) *Array { return binop(C.MLXG_GREATER_EQUAL, "greater_equal", a, b) }
func LogicalAnd(a, b *Array) *Array   { return binop(C.MLXG_LOGICAL_AND, "logical_and", a, b) }
func LogicalOr(a, b *Array) *Array    { return binop(C.MLXG_LOGICAL_OR, "logical_or", a, b) }
func Matmul(a, b *Array) *Array       { return binop(C.MLXG_MATMUL, "matmul", a, b) }
func Arctan2(a, b *Array) *Array      { return binop(C.MLXG_ARCTAN2, "arctan2", a, b) }
func Logaddexp(a, b *Array) *Array    { return binop(C.MLXG_LOGADDEXP, "logaddexp", a, b) }
func BitwiseAnd(a, b *Array) *Array   { return binop(C.MLXG_BITWISE_AND, "bitwise_and", a, b) }
func BitwiseOr(a, b *Array) *Array    { return binop(C.MLXG_BITWISE_OR, "bitwise_or", a, b) }
func LeftShift(a, b *Array) *Array    { return binop(C.MLXG_LEFT_SHIFT, "left_shift", a, b) }
func RightShift(a, b *Array) *Array   { return binop(C.MLXG_RIGHT_SHIFT, "right_shift", a, b) }

// Addmm is mx.addmm(c, a, b, alpha, beta) = alpha * (a @ b) + beta * c.
func Addmm(c, a, b *Array, alpha, beta float32) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("addmm", 3, c, a, b)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_addmm(hs[0], hs[1], hs[2], C.float(alpha), C.float(beta), &out)
	return finish("addmm", msg, out, owned)
}

func reduce(op C.int, name string, a *Array, keepdims bool, axes []int) *Array {
	ax := cInts(axes)
	all := b2i(len(axes) == 0)
	var ob opBuf
	hs, owned, err := ob.prep(name, 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_reduce(op, hs[0], intsPtr(ax), C.int(len(ax)), all, b2i(keepdims), &out)
	return finish(name, msg, out, owned)
}

// Sum is mx.sum(a, axis=axes, keepdims=keepdims); no axes reduces over all.
func Sum(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_SUM, "sum", a, keepdims, axes)
}

// Mean is mx.mean; no axes reduces over all.
func Mean(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_MEAN, "mean", a, keepdims, axes)
}

// Max is mx.max; no axes reduces over all.
func Max(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_MAX, "max", a, keepdims, axes)
}

// Min is mx.min; no axes reduces over all.
func Min(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_MIN, "min", a, keepdims, axes)
}

// Prod is mx.prod; no axes reduces over all.
func Prod(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_PROD, "prod", a, keepdims, axes)
}

// All is mx.all; no axes reduces over all.
func All(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_ALL, "all", a, keepdims, axes)
}

// Any is mx.any; no axes reduces over all.
func Any(a *Array, keepdims bool, axes ...int) *Array {
	return reduce(C.MLXG_ANY, "any", a, keepdims, axes)
}

func argReduce(op C.int, name string, a *Array, axis int, all, keepdims bool) *Array {
	var ob opBuf
	hs, owned, err := ob.prep(name, 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_arg_reduce(op, hs[0], C.int(axis), b2i(all), b2i(keepdims), &out)
	return finish(name, msg, out, owned)
}

// Argmax is mx.argmax(a, axis=axis, keepdims=keepdims).
func Argmax(a *Array, axis int, keepdims bool) *Array {
	return argReduce(C.MLXG_ARGMAX, "argmax", a, axis, false, keepdims)
}

// ArgmaxAll is mx.argmax(a) over the flattened array.
func ArgmaxAll(a *Array) *Array { return argReduce(C.MLXG_ARGMAX, "argmax", a, 0, true, false) }

// Argmin is mx.argmin(a, axis=axis, keepdims=keepdims).
func Argmin(a *Array, axis int, keepdims bool) *Array {
	return argReduce(C.MLXG_ARGMIN, "argmin", a, axis, false, keepdims)
}

// Softmax is mx.softmax(a, axis=axes, precise=precise); no axes means all.
func Softmax(a *Array, precise bool, axes ...int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep("softmax", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_softmax(hs[0], intsPtr(ax), C.int(len(ax)), b2i(len(axes) == 0), b2i(precise), &out)
	return finish("softmax", msg, out, owned)
}

// Logsumexp is mx.logsumexp; no axes reduces over all.
func Logsumexp(a *Array, keepdims bool, axes ...int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep("logsumexp", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_logsumexp(hs[0], intsPtr(ax), C.int(len(ax)), b2i(len(axes) == 0), b2i(keepdims), &out)
	return finish("logsumexp", msg, out, owned)
}

func variance(std bool, name string, a *Array, keepdims bool, ddof int, axes []int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep(name, 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_var(b2i(std), hs[0], intsPtr(ax), C.int(len(ax)), b2i(len(axes) == 0), b2i(keepdims), C.int(ddof), &out)
	return finish(name, msg, out, owned)
}

// Var is mx.var(a, axis=axes, keepdims=keepdims, ddof=ddof); no axes means all.
func Var(a *Array, keepdims bool, ddof int, axes ...int) *Array {
	return variance(false, "var", a, keepdims, ddof, axes)
}

// Std is mx.std(a, axis=axes, keepdims=keepdims, ddof=ddof); no axes means all.
func Std(a *Array, keepdims bool, ddof int, axes ...int) *Array {
	return variance(true, "std", a, keepdims, ddof, axes)
}

// Norm is mx.linalg.norm(a, axis=axes, keepdims=keepdims) (the 2-norm over
// the given axes; Frobenius for two); no axes means over all.
func Norm(a *Array, keepdims bool, axes ...int) *Array { return norm(a, 0, false, keepdims, axes) }

// NormOrd is mx.linalg.norm(a, ord=ord, axis=axes, keepdims=keepdims).
func NormOrd(a *Array, ord float64, keepdims bool, axes ...int) *Array {
	return norm(a, ord, true, keepdims, axes)
}

func norm(a *Array, ord float64, hasOrd, keepdims bool, axes []int) *Array {
	ax := cInts(axes)
	var ob opBuf
	hs, owned, err := ob.prep("linalg.norm", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_norm(hs[0], C.double(ord), b2i(hasOrd), intsPtr(ax), C.int(len(ax)), b2i(len(axes) == 0), b2i(keepdims), &out)
	return finish("linalg.norm", msg, out, owned)
}

// Round is mx.round(a, decimals).
func Round(a *Array, decimals int) *Array {
	var ob opBuf
	hs, owned, err := ob.prep("round", 1, a)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_round(hs[0], C.int(decimals), &out)
	return finish("round", msg, out, owned)
}

// Where is mx.where(cond, x, y); x and y may be Python scalars.
func Where(cond, x, y *Array) *Array {
	// x and y come first so that a scalar among them takes its dtype from the
	// other one, as in Python (to_arrays(x, y)); the condition is last.
	var ob opBuf
	hs, owned, err := ob.prep("where", 3, x, y, cond)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_where(hs[2], hs[0], hs[1], &out)
	return finish("where", msg, out, owned)
}

// Clip is mx.clip(a, lo, hi); either bound may be nil (None) or a scalar.
func Clip(a, lo, hi *Array) *Array {
	if lo == nil && hi == nil {
		return Errorf("clip", "at least one of a_min and a_max must be given")
	}
	var ob opBuf
	hs, owned, err := ob.prep("clip", 1, a, lo, hi)
	if err != nil {
		return errArray(err)
	}
	var out C.mlxg_array
	msg := C.mlxg_clip(hs[0], hs[1], hs[2], &out)
	return finish("clip", msg, out, owned)
}
