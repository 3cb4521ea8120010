package syntax

import "testing"

// TestDesugarStarredTarget: `*indices, out = accumulate(xs)` becomes a
// list() local of the value, the starred name its slice [0:-1] and out its
// item [-1]; `a, *rest = v` takes rest = tmp[1:].
func TestDesugarStarredTarget(t *testing.T) {
	f, diags := Parse("u.py", []byte("def g(xs):\n    *indices, out = accumulate(xs)\n    a, *rest = xs\n    return out\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	body := f.Body[0].(*FuncDef).Body
	if len(body) != 7 {
		t.Fatalf("%d statements, want 7", len(body))
	}
	tmp := body[0].(*Assign)
	if n, ok := tmp.Targets[0].(*Name); !ok || n.Id != "_unpack_2_5" {
		t.Fatalf("first statement binds %#v, want _unpack_2_5", tmp.Targets[0])
	}
	if c, ok := tmp.Value.(*Call); !ok || c.Func.(*Name).Id != "list" {
		t.Fatalf("the local holds %#v, want list(accumulate(xs))", tmp.Value)
	}
	star := body[1].(*Assign)
	if star.Targets[0].(*Name).Id != "indices" {
		t.Fatalf("second statement binds %#v, want indices", star.Targets[0])
	}
	sl := star.Value.(*Subscript).Index[0].(*Slice)
	if sl.Lo.(*Constant).Value != "0" || sl.Hi.(*UnaryOp).X.(*Constant).Value != "1" {
		t.Fatalf("indices = tmp[%#v:%#v], want [0:-1]", sl.Lo, sl.Hi)
	}
	last := body[2].(*Assign)
	if last.Targets[0].(*Name).Id != "out" || last.Value.(*Subscript).Index[0].(*UnaryOp).X.(*Constant).Value != "1" {
		t.Fatalf("third statement %#v, want out = tmp[-1]", last)
	}
	rest := body[5].(*Assign)
	sl = rest.Value.(*Subscript).Index[0].(*Slice)
	if rest.Targets[0].(*Name).Id != "rest" || sl.Lo.(*Constant).Value != "1" || sl.Hi != nil {
		t.Fatalf("rest = %#v, want tmp[1:]", rest.Value)
	}
}

// TestDesugarStarredListRebound: a file that binds `list` itself keeps the
// starred assignment (the rewrite would call its list).
func TestDesugarStarredListRebound(t *testing.T) {
	f, diags := Parse("u.py", []byte("def list(x):\n    return x\n\ndef g(xs):\n    *a, b = xs\n    return b\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	if n := len(f.Body[1].(*FuncDef).Body); n != 2 {
		t.Fatalf("%d statements, want the 2 of the source", n)
	}
}

// TestDesugarAttrTargets: `ql.weight, ql.scales = f()` becomes the tuple
// assignment to fresh locals, then the attribute assignments in order.
func TestDesugarAttrTargets(t *testing.T) {
	f, diags := Parse("u.py", []byte("def g(ql):\n    ql.weight, ql.scales = f()\n    return ql\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	body := f.Body[0].(*FuncDef).Body
	if len(body) != 4 {
		t.Fatalf("%d statements, want 4", len(body))
	}
	tup := body[0].(*Assign).Targets[0].(*Tuple)
	for i, e := range tup.Elts {
		if _, ok := e.(*Name); !ok {
			t.Fatalf("tuple target %d is %#v, want a local", i, e)
		}
	}
	for i, attr := range []string{"weight", "scales"} {
		a := body[1+i].(*Assign)
		at, ok := a.Targets[0].(*Attribute)
		if !ok || at.Attr != attr || a.Value.(*Name).Id != tup.Elts[i].(*Name).Id {
			t.Fatalf("statement %d is %#v, want ql.%s = %s", 1+i, a, attr, tup.Elts[i].(*Name).Id)
		}
	}
}

// TestDesugarMixedStoreTargets: item, attribute and nested-tuple targets of
// one tuple are assigned left to right, as Python does.
func TestDesugarMixedStoreTargets(t *testing.T) {
	f, diags := Parse("u.py", []byte("def g(ql, c):\n    ql.w, c[0], (a, b) = f()\n    return a\n"))
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	body := f.Body[0].(*FuncDef).Body
	if len(body) != 5 {
		t.Fatalf("%d statements, want 5", len(body))
	}
	if _, ok := body[1].(*Assign).Targets[0].(*Attribute); !ok {
		t.Fatalf("statement 1 is %#v, want ql.w = ...", body[1])
	}
	if _, ok := body[2].(*Assign).Targets[0].(*Subscript); !ok {
		t.Fatalf("statement 2 is %#v, want c[0] = ...", body[2])
	}
	if _, ok := body[3].(*Assign).Targets[0].(*Tuple); !ok {
		t.Fatalf("statement 3 is %#v, want a, b = ...", body[3])
	}
}
