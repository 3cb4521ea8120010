package tokenizer

import (
	"path/filepath"
	"strings"
	"testing"
)

// Benchmarks use the committed tokenizers and a fixed mixed-script text; they
// need no Python. Run: go test -run '^$' -bench . ./lm/tokenizer/

var benchText = strings.Repeat("The quick brown fox jumps over the lazy dog. "+
	"Привет, мир! 你好，世界。 func main() { fmt.Println(\"hi\") } 12345 👩‍💻\n", 50)

func BenchmarkLoad(b *testing.B) {
	for _, fam := range realFamilies {
		b.Run(fam, func(b *testing.B) {
			for b.Loop() {
				if _, err := Load(filepath.Join("testdata", fam)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkEncode(b *testing.B) {
	for _, fam := range realFamilies {
		tok, err := Load(filepath.Join("testdata", fam))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fam, func(b *testing.B) {
			b.SetBytes(int64(len(benchText)))
			for b.Loop() {
				if _, err := tok.Encode(benchText, true); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkStreamDecode(b *testing.B) {
	for _, fam := range realFamilies {
		tok, err := Load(filepath.Join("testdata", fam))
		if err != nil {
			b.Fatal(err)
		}
		ids, err := tok.Encode(benchText, true)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fam, func(b *testing.B) {
			for b.Loop() {
				sd := tok.NewStreamDecoder()
				for _, id := range ids {
					sd.Add(id)
				}
				sd.Flush()
			}
		})
	}
}
