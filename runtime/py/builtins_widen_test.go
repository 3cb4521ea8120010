package py

import "testing"

// TestWidenNone checks that a None element widens to a nilable element
// type's nil (`[None] + caches`), and still raises for a type without nil.
func TestWidenNone(t *testing.T) {
	type iface interface{ M() }
	got := Widen[iface]([]any{nil})
	if len(got) != 1 || got[0] != nil {
		t.Fatalf("Widen[iface]([None]) = %v, want [nil]", got)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Widen[int]([None]) did not raise")
		}
	}()
	Widen[int]([]any{nil})
}
