package py

// StrSlice is Python's s[lo:hi] on a str: bounds count code points (not
// bytes), negative bounds count from the end, out-of-range bounds clamp,
// SliceNone is an omitted bound.
func StrSlice(s string, lo, hi int) string {
	return string(Slice([]rune(s), lo, hi))
}
