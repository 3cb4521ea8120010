//go:build race

package mlx_test

// raceEnabled reports a -race build: the race runtime's own metadata grows
// RSS without bound under cgo-heavy loops (golang/go#63276, #37233), so RSS
// is not a measure of the binding there.
const raceEnabled = true
