package mlx

import (
	"fmt"
	"math"
)

// Python indexing: a[idx] is a.Index(idx...), a[idx] = v is
// a = a.SetIndex(v, idx...). An index element is one of
//
//	int                      a[3], a[-1]         (drops the axis)
//	Slice(start, stop, step) a[1:4], a[::2]     (None for an omitted bound)
//	Colon                    a[:]
//	Ellipsis                 a[..., 0]
//	NewAxis                  a[:, None]
//	*Array                   a[idx], a[..., idx] (one integer array index)

// None marks an omitted slice bound: Slice(None, n, 1) is Python's [:n].
const None = math.MinInt

// SliceIndex is one Python slice. Build it with Slice or use Colon.
type SliceIndex struct{ Start, Stop, Step int }

// Slice is Python's start:stop:step; pass None for an omitted bound and 0 or
// 1 for the default step.
func Slice(start, stop, step int) SliceIndex {
	if step == 0 {
		step = 1
	}
	return SliceIndex{start, stop, step}
}

type ellipsisIndex struct{}
type newAxisIndex struct{}

var (
	// Colon is Python's bare ":".
	Colon = SliceIndex{None, None, 1}
	// Ellipsis is Python's "...".
	Ellipsis = ellipsisIndex{}
	// NewAxis is Python's None inside an index.
	NewAxis = newAxisIndex{}
)

// indices resolves a slice against an axis of size n the way Python's
// slice.indices does, returning start, stop and the resulting length.
func (s SliceIndex) indices(n int) (start, stop, length int) {
	step := s.Step
	if step > 0 {
		start, stop = 0, n
		if s.Start != None {
			start = clampIndex(s.Start, n, 0, n)
		}
		if s.Stop != None {
			stop = clampIndex(s.Stop, n, 0, n)
		}
		if stop > start {
			length = (stop - start + step - 1) / step
		}
		return start, stop, length
	}
	start, stop = n-1, -1
	if s.Start != None {
		start = clampIndex(s.Start, n, -1, n-1)
	}
	if s.Stop != None {
		stop = clampIndex(s.Stop, n, -1, n-1)
	}
	if start > stop {
		length = (start - stop + (-step) - 1) / (-step)
	}
	return start, stop, length
}

func clampIndex(i, n, lo, hi int) int {
	if i < 0 {
		i += n
	}
	return min(max(i, lo), hi)
}

// plan is an index resolved against a shape.
type plan struct {
	start, stop, strides []int // per input axis, for mx.slice
	trivial              bool  // the slice selects everything
	arrayAxis            int   // input axis of the array index, or -1
	arrayIdx             *Array
	outShape             []int // the shape of a[idx]
	slicedShape          []int // the slice's shape before dropping/adding axes
	newAxes              []int // positions in outShape of the axes None adds
	dropsAxes            bool  // an int index removes an axis
}

func resolve(op string, shape []int, idx []any) (*plan, error) {
	consuming, ellipses := 0, 0
	for _, e := range idx {
		switch e.(type) {
		case int, SliceIndex, *Array:
			consuming++
		case ellipsisIndex:
			ellipses++
		case newAxisIndex:
		default:
			return nil, &Error{Op: op, Msg: fmt.Sprintf("unsupported index element %T", e)}
		}
	}
	if ellipses > 1 {
		return nil, &Error{Op: op, Msg: "an index can only have a single ellipsis"}
	}
	if consuming > len(shape) {
		return nil, &Error{Op: op, Msg: fmt.Sprintf("too many indices (%d) for an array of %d dimensions", consuming, len(shape))}
	}
	// Expand the ellipsis (or pad at the end) with full slices.
	full := make([]any, 0, len(idx)+len(shape))
	for _, e := range idx {
		if _, ok := e.(ellipsisIndex); ok {
			for range len(shape) - consuming {
				full = append(full, Colon)
			}
			continue
		}
		full = append(full, e)
	}
	if ellipses == 0 {
		for range len(shape) - consuming {
			full = append(full, Colon)
		}
	}
	p := &plan{arrayAxis: -1, trivial: true}
	axis := 0
	for _, e := range full {
		switch v := e.(type) {
		case newAxisIndex:
			p.newAxes = append(p.newAxes, len(p.outShape))
			p.outShape = append(p.outShape, 1)
		case int:
			p.dropsAxes = true
			n := shape[axis]
			i := v
			if i < 0 {
				i += n
			}
			if i < 0 || i >= n {
				return nil, &Error{Op: op, Msg: fmt.Sprintf("index %d is out of bounds for axis %d with size %d", v, axis, n)}
			}
			p.start, p.stop, p.strides = append(p.start, i), append(p.stop, i+1), append(p.strides, 1)
			p.slicedShape = append(p.slicedShape, 1)
			p.trivial = p.trivial && n == 1
			axis++
		case SliceIndex:
			n := shape[axis]
			start, stop, length := v.indices(n)
			if v.Step < 0 && stop == -1 {
				stop = -(n + 1) // MLX reads stop -1 as n-1; -(n+1) means "before 0"
			}
			p.start, p.stop, p.strides = append(p.start, start), append(p.stop, stop), append(p.strides, v.Step)
			p.slicedShape = append(p.slicedShape, length)
			p.outShape = append(p.outShape, length)
			p.trivial = p.trivial && length == n && v.Step == 1
			axis++
		case *Array:
			if p.arrayIdx != nil {
				return nil, &Error{Op: op, Msg: "only one array index is supported"}
			}
			if err := v.usable(op); err != nil {
				return nil, err
			}
			n := shape[axis]
			p.arrayAxis, p.arrayIdx = axis, v
			p.start, p.stop, p.strides = append(p.start, 0), append(p.stop, n), append(p.strides, 1)
			p.slicedShape = append(p.slicedShape, n)
			p.outShape = append(p.outShape, v.Shape()...)
			axis++
		}
	}
	return p, nil
}

// Index is Python's a[idx...]. See the file comment for the elements.
func (a *Array) Index(idx ...any) *Array {
	if err := a.usable("getitem"); err != nil {
		return errArray(err)
	}
	shape := a.Shape()
	p, err := resolve("getitem", shape, idx)
	if err != nil {
		return errArray(err)
	}
	if p.trivial && p.arrayIdx == nil && !p.dropsAxes && len(p.newAxes) > 0 {
		// Only None (and full slices): expand_dims, as MLX's Python indexing
		// does, which does not depend on the input's shape (a reshape to
		// the shape seen would, and breaks shapeless mx.compile traces:
		// bailing_moe's aggregate_expert_outputs, scores[..., None]).
		return ExpandDims(a, p.newAxes...)
	}
	x := a
	if !p.trivial {
		x = SliceStrided(a, p.start, p.stop, p.strides)
	}
	if p.arrayIdx != nil {
		t := Take(x, p.arrayIdx, p.arrayAxis)
		if x != a {
			x.Free()
		}
		x = t
	}
	if x == a || !equalShape(x.Shape(), p.outShape) {
		r := Reshape(x, p.outShape...)
		if x != a {
			x.Free()
		}
		x = r
	}
	return x
}

// SetIndex is Python's a[idx...] = value: it returns the updated array (the
// receiver is unchanged, as in MLX, where assignment rebinds the name).
// value may be a Python scalar; it is broadcast to a[idx]'s shape and cast
// to a's dtype.
func (a *Array) SetIndex(value *Array, idx ...any) *Array {
	if err := a.usable("setitem"); err != nil {
		return errArray(err)
	}
	if err := value.usable("setitem"); err != nil {
		return errArray(err)
	}
	shape := a.Shape()
	dt := a.Dtype()
	p, err := resolve("setitem", shape, idx)
	if err != nil {
		return errArray(err)
	}
	v := Astype(value, dt)
	vb := BroadcastTo(v, p.outShape...)
	v.Free()
	if p.arrayIdx == nil {
		upd := Reshape(vb, p.slicedShape...)
		vb.Free()
		defer upd.Free()
		return SliceUpdateStrided(a, upd, p.start, p.stop, p.strides)
	}
	// One array index at axis k: scatter rows. The updates need the shape
	// idx.shape + a.shape with axis k set to 1; with a 1-D index that is the
	// broadcast value with axis k moved to the front and a unit axis after it.
	if p.arrayIdx.Ndim() != 1 || !p.trivialExcept(shape) {
		vb.Free()
		return Errorf("setitem", "assignment through an array index supports one 1-D index with full slices elsewhere")
	}
	k := p.arrayAxis
	moved := Moveaxis(vb, k, 0)
	vb.Free()
	upd := ExpandDims(moved, k+1)
	moved.Free()
	defer upd.Free()
	return Scatter(a, []*Array{p.arrayIdx}, upd, []int{k})
}

func (p *plan) trivialExcept(shape []int) bool {
	for i := range p.start {
		if i == p.arrayAxis {
			continue
		}
		if p.start[i] != 0 || p.stop[i] != shape[i] || p.strides[i] != 1 {
			return false
		}
	}
	return len(p.outShape) == len(shape)+p.arrayIdx.Ndim()-1
}

func equalShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
