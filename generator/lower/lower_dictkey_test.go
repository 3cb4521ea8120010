package lower_test

import (
	"strings"
	"testing"

	"github.com/hf2go/hf2go/generator/model"
)

// TestDictKeys checks longcat_flash_ngram's dicts built from `{}`: one
// stored by int is a map[int]..., one stored by a pair of ints is keyed by
// the comparable array [2]int, its tuple keys written as [2]int literals
// both where it is stored and where it is read.
func TestDictKeys(t *testing.T) {
	src := header + `
    def _mods(self, x, n: int):
        shifted = {}
        for i in range(n):
            shifted[i] = x
        mods = {}
        for i in range(n):
            for j in range(2):
                mods[(i, j)] = [i, j]
        return shifted[0] * mods[(1, 0)][0]
`
	fn := lowerSrc(t, src, "Model", "Mods_")
	got := model.Dump(fn.Body)
	for _, w := range []string{"ident shifted):Dict[int, array]", "ident mods):Dict[Tuple[int, int], List[int]]", "(composite map[[2]int][]int)", "(index (ident mods):Dict[Tuple[int, int], List[int]] (composite [2]int (ident i):int (ident j):int)"} {
		if !strings.Contains(got, w) {
			t.Errorf("_mods lacks %s:\n%s", w, got)
		}
	}
}
