package tokenizer

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestConcurrentEncode shares one Tokenizer (and so its BPE merge cache)
// between goroutines; under -race this checks that Encode is safe for
// concurrent use, and that results do not depend on cache state.
func TestConcurrentEncode(t *testing.T) {
	t.Parallel()
	tok := loadShared(t, filepath.Join("testdata", "llama3"))
	runes := []rune(benchText)
	texts := make([]string, 48)
	for i := range texts {
		texts[i] = fmt.Sprintf("item %d: %s", i, string(runes[:(i*29)%400]))
	}
	want := make([][]int, len(texts))
	for i, s := range texts {
		ids, err := tok.Encode(s, true)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = ids
	}
	var wg sync.WaitGroup
	errs := make(chan string, 3*len(texts))
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range texts {
				i := (k + g*17) % len(texts)
				ids, err := tok.Encode(texts[i], true)
				if err != nil || !slices.Equal(ids, want[i]) {
					errs <- fmt.Sprintf("goroutine %d text %d: got %v, %v", g, i, len(ids), err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
