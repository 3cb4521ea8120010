package py

// Divmod is Python's divmod(a, b) on ints: (a // b, a % b), the quotient
// rounded toward negative infinity and the remainder with the sign of b.
func Divmod(a, b int) (int, int) {
	return FloorDiv(a, b), Mod(a, b)
}
