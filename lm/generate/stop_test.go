package generate

import "testing"

func TestStopper(t *testing.T) {
	cases := []struct {
		stops  []string
		pieces []string
		want   string
		hit    bool
	}{
		{nil, []string{"ab", "c"}, "abc", false},
		{[]string{"END"}, []string{"hello E", "N", "D more"}, "hello ", true},
		{[]string{"END"}, []string{"hello E", "N", "x"}, "hello ENx", false},
		{[]string{"\n\n", "###"}, []string{"a\n", "#", "\n"}, "a\n#\n", false},
		{[]string{"\n\n", "###"}, []string{"a\n", "\nb"}, "a", true},
		{[]string{"xyz"}, []string{"abcxy"}, "abcxy", false},
	}
	for _, c := range cases {
		s := newStopper(c.stops)
		out, hit := "", false
		for _, p := range c.pieces {
			t, h := s.add(p)
			out += t
			if h {
				hit = true
				break
			}
		}
		if !hit {
			out += s.flush()
		}
		if out != c.want || hit != c.hit {
			t.Errorf("%q %q: got %q hit %v, want %q hit %v", c.stops, c.pieces, out, hit, c.want, c.hit)
		}
	}
}
