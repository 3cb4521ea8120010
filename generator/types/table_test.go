package types

import "testing"

func TestTableLoads(t *testing.T) {
	tab, err := LoadTable()
	if err != nil {
		t.Fatal(err)
	}
	for name, f := range tab.Functions {
		if f.Go == "" {
			t.Errorf("%s has no Go template", name)
		}
		if f.Returns != "" && tab.ParseTypeName(f.Returns).Kind == Unknown {
			t.Errorf("%s returns unknown type %q", name, f.Returns)
		}
	}
	if got := tab.Functions["mx.concatenate"].Params[1]; got.Name != "axis" || got.Default != "0" {
		t.Errorf("mx.concatenate axis param: %+v", got)
	}
	if tab.Types["KVCache"].Attrs["offset"].Go == "" {
		t.Error("KVCache does not inherit Cache.offset")
	}
}
