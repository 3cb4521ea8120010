package py

// Accumulate is itertools.accumulate(xs) over ints (the default operator,
// addition): the running sums, xs[0], xs[0]+xs[1], ..., as a new slice.
func Accumulate(xs ...int) []int {
	out := make([]int, len(xs))
	s := 0
	for i, x := range xs {
		s += x
		out[i] = s
	}
	return out
}
