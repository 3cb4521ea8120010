package syntax

import "testing"

// TestDesugarItemTargets: `out, cache[0] = f()` becomes the tuple assignment
// to out and a fresh local, then the item assignment from that local, in
// Python's left-to-right order.
func TestDesugarItemTargets(t *testing.T) {
	f, diags := Parse("u.py", []byte("def g(cache):\n    out, cache[0] = f()\n    return out\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	body := f.Body[0].(*FuncDef).Body
	if len(body) != 3 {
		t.Fatalf("%d statements, want 3: %#v", len(body), body)
	}
	tup := body[0].(*Assign).Targets[0].(*Tuple)
	tmp, ok := tup.Elts[1].(*Name)
	if !ok || tup.Elts[0].(*Name).Id != "out" || tmp.Id != "_unpack_2_10" {
		t.Fatalf("tuple targets %s, %s, want out, _unpack_2_10", tup.Elts[0].(*Name).Id, tmp.Id)
	}
	item := body[1].(*Assign)
	sub, ok := item.Targets[0].(*Subscript)
	if !ok || sub.X.(*Name).Id != "cache" {
		t.Fatalf("second statement %#v, want cache[0] = _unpack_2_10", item)
	}
	if v, ok := item.Value.(*Name); !ok || v.Id != tmp.Id {
		t.Fatalf("item assigned %#v, want %s", item.Value, tmp.Id)
	}
}
