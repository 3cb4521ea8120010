package jinja

import (
	"fmt"
	"html"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/language"
)

// pyUpper and pyLower are str.upper / str.lower, with Unicode's special
// casing (ß → SS) as Python applies it.
func pyUpper(s string) string { return cases.Upper(language.Und).String(s) }
func pyLower(s string) string { return cases.Lower(language.Und).String(s) }

// isPySpace is str.isspace for one character.
func isPySpace(r rune) bool {
	return unicode.IsSpace(r) || (r >= 0x1c && r <= 0x1f)
}

func pyStrip(s string, chars Value, left, right bool) string {
	pred := isPySpace
	if c, ok := chars.(string); ok {
		pred = func(r rune) bool { return strings.ContainsRune(c, r) }
	}
	if left {
		s = strings.TrimLeftFunc(s, pred)
	}
	if right {
		s = strings.TrimRightFunc(s, pred)
	}
	return s
}

func arg(args []Value, kwargs map[string]Value, i int, name string, def Value) Value {
	if i < len(args) {
		return args[i]
	}
	if v, ok := kwargs[name]; ok {
		return v
	}
	return def
}

func strList(ss []string) *List {
	l := &List{Items: make([]Value, len(ss))}
	for i, s := range ss {
		l.Items[i] = s
	}
	return l
}

func pySplit(s string, sep Value, maxsplit int64) []string {
	if sep == nil {
		var out []string
		rest := strings.TrimLeftFunc(s, isPySpace)
		for rest != "" {
			if maxsplit >= 0 && int64(len(out)) == maxsplit {
				out = append(out, strings.TrimRightFunc(rest, isPySpace))
				break
			}
			i := strings.IndexFunc(rest, isPySpace)
			if i < 0 {
				out = append(out, rest)
				break
			}
			out = append(out, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], isPySpace)
		}
		return out
	}
	n := -1
	if maxsplit >= 0 {
		n = int(maxsplit) + 1
	}
	return strings.SplitN(s, sep.(string), n)
}

func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevCased {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevCased = true
		} else {
			b.WriteRune(r)
			prevCased = false
		}
	}
	return b.String()
}

func pyCapitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToTitle(r)) + pyLower(s[n:])
}

func strMethod(s string, name string) Value {
	m := func(f func(args []Value, kw map[string]Value) (Value, error)) Value {
		return builtin(func(_ *evaluator, args []Value, kw map[string]Value) (Value, error) { return f(args, kw) })
	}
	needStr := func(v Value, what string) (string, error) {
		x, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("TypeError: %s arg must be str, not %s", what, typeName(v))
		}
		return x, nil
	}
	switch name {
	case "strip", "lstrip", "rstrip":
		return m(func(a []Value, kw map[string]Value) (Value, error) {
			c := arg(a, kw, 0, "chars", nil)
			return pyStrip(s, c, name != "rstrip", name != "lstrip"), nil
		})
	case "split", "rsplit":
		return m(func(a []Value, kw map[string]Value) (Value, error) {
			sep := arg(a, kw, 0, "sep", nil)
			if sep != nil {
				if x, ok := sep.(string); !ok || x == "" {
					return nil, fmt.Errorf("ValueError: empty separator")
				}
			}
			ms, _ := asIndex(arg(a, kw, 1, "maxsplit", int64(-1)))
			if name == "rsplit" && ms >= 0 && sep != nil {
				parts := strings.Split(s, sep.(string))
				if int64(len(parts)) > ms+1 {
					head := strings.Join(parts[:int64(len(parts))-ms], sep.(string))
					parts = append([]string{head}, parts[int64(len(parts))-ms:]...)
				}
				return strList(parts), nil
			}
			return strList(pySplit(s, sep, ms)), nil
		})
	case "splitlines":
		return m(func(a []Value, kw map[string]Value) (Value, error) {
			keep := truthy(arg(a, kw, 0, "keepends", false))
			var out []string
			start := 0
			for i := 0; i < len(s); i++ {
				if s[i] == '\n' || s[i] == '\r' {
					end := i
					if s[i] == '\r' && i+1 < len(s) && s[i+1] == '\n' {
						i++
					}
					if keep {
						end = i + 1
					}
					out = append(out, s[start:end])
					start = i + 1
				}
			}
			if start < len(s) {
				out = append(out, s[start:])
			}
			return strList(out), nil
		})
	case "startswith", "endswith":
		return m(func(a []Value, kw map[string]Value) (Value, error) {
			p := arg(a, kw, 0, "prefix", nil)
			var cands []Value
			if l, ok := p.(*List); ok {
				cands = l.Items
			} else {
				cands = []Value{p}
			}
			for _, c := range cands {
				x, err := needStr(c, name)
				if err != nil {
					return nil, err
				}
				if name == "startswith" && strings.HasPrefix(s, x) || name == "endswith" && strings.HasSuffix(s, x) {
					return true, nil
				}
			}
			return false, nil
		})
	case "lower":
		return m(func([]Value, map[string]Value) (Value, error) { return pyLower(s), nil })
	case "upper":
		return m(func([]Value, map[string]Value) (Value, error) { return pyUpper(s), nil })
	case "title":
		return m(func([]Value, map[string]Value) (Value, error) { return pyTitle(s), nil })
	case "capitalize":
		return m(func([]Value, map[string]Value) (Value, error) { return pyCapitalize(s), nil })
	case "replace":
		return builtin(func(e *evaluator, a []Value, kw map[string]Value) (Value, error) {
			old, err := needStr(arg(a, kw, 0, "old", nil), "replace")
			if err != nil {
				return nil, err
			}
			nw, err := needStr(arg(a, kw, 1, "new", nil), "replace")
			if err != nil {
				return nil, err
			}
			n, _ := asIndex(arg(a, kw, 2, "count", int64(-1)))
			if old == "" || len(nw) > len(old) {
				if int64(len(s)+1)*int64(len(nw)+1) > int64(e.lim.maxString) {
					return nil, e.lim.stringTooLong()
				}
			}
			return strings.Replace(s, old, nw, int(n)), nil
		})
	case "find", "rfind", "index", "rindex", "count":
		return m(func(a []Value, kw map[string]Value) (Value, error) {
			sub, err := needStr(arg(a, kw, 0, "sub", nil), name)
			if err != nil {
				return nil, err
			}
			var i int
			switch name {
			case "find", "index":
				i = strings.Index(s, sub)
			case "rfind", "rindex":
				i = strings.LastIndex(s, sub)
			case "count":
				return int64(strings.Count(s, sub)), nil
			}
			if i < 0 && (name == "index" || name == "rindex") {
				return nil, fmt.Errorf("ValueError: substring not found")
			}
			if i >= 0 {
				i = utf8.RuneCountInString(s[:i])
			}
			return int64(i), nil
		})
	case "join":
		return builtin(func(e *evaluator, a []Value, kw map[string]Value) (Value, error) {
			items := e.iterate(arg(a, kw, 0, "iterable", nil))
			parts := make([]string, len(items))
			for i, it := range items {
				x, ok := it.(string)
				if !ok {
					return nil, fmt.Errorf("TypeError: sequence item %d: expected str instance, %s found", i, typeName(it))
				}
				parts[i] = x
			}
			return e.checkString(strings.Join(parts, s)), nil
		})
	case "isdigit", "isnumeric", "isdecimal":
		return m(func([]Value, map[string]Value) (Value, error) {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsDigit(r) }) < 0, nil
		})
	case "isalpha":
		return m(func([]Value, map[string]Value) (Value, error) {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) }) < 0, nil
		})
	case "isalnum":
		return m(func([]Value, map[string]Value) (Value, error) {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) < 0, nil
		})
	case "isspace":
		return m(func([]Value, map[string]Value) (Value, error) {
			return s != "" && strings.IndexFunc(s, func(r rune) bool { return !isPySpace(r) }) < 0, nil
		})
	case "islower", "isupper":
		return m(func([]Value, map[string]Value) (Value, error) {
			cased := false
			for _, r := range s {
				if unicode.IsUpper(r) || unicode.IsTitle(r) {
					if name == "islower" {
						return false, nil
					}
					cased = true
				} else if unicode.IsLower(r) {
					if name == "isupper" {
						return false, nil
					}
					cased = true
				}
			}
			return cased, nil
		})
	case "format":
		return builtin(func(e *evaluator, a []Value, kw map[string]Value) (Value, error) {
			return e.strFormat(s, a, kw)
		})
	}
	return nil
}

// strFormat is str.format for "{}", "{0}" and "{name}" fields.
func (e *evaluator) strFormat(s string, args []Value, kw map[string]Value) (Value, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("ValueError: Single '{' encountered in format string")
			}
			field := s[i+1 : i+j]
			field, _, _ = strings.Cut(field, ":")
			var v Value
			if field == "" {
				if auto >= len(args) {
					return nil, fmt.Errorf("IndexError: Replacement index %d out of range", auto)
				}
				v = args[auto]
				auto++
			} else if n, err := strconv.Atoi(field); err == nil {
				if n >= len(args) {
					return nil, fmt.Errorf("IndexError: Replacement index %d out of range", n)
				}
				v = args[n]
			} else {
				var ok bool
				if v, ok = kw[field]; !ok {
					return nil, fmt.Errorf("KeyError: '%s'", field)
				}
			}
			b.WriteString(toStr(v))
			i += j
			continue
		}
		if c == '}' && i+1 < len(s) && s[i+1] == '}' {
			i++
		}
		b.WriteByte(c)
	}
	return e.checkString(b.String()), nil
}

func dictMethod(d *Dict, name string) Value {
	switch name {
	case "items":
		return builtin(func(*evaluator, []Value, map[string]Value) (Value, error) {
			l := &List{Items: make([]Value, d.Len())}
			for i, k := range d.keys {
				l.Items[i] = &List{Items: []Value{k, d.vals[i]}, Tuple: true}
			}
			return l, nil
		})
	case "keys":
		return builtin(func(*evaluator, []Value, map[string]Value) (Value, error) {
			return &List{Items: append([]Value{}, d.keys...)}, nil
		})
	case "values":
		return builtin(func(*evaluator, []Value, map[string]Value) (Value, error) {
			return &List{Items: append([]Value{}, d.vals...)}, nil
		})
	case "get":
		return builtin(func(_ *evaluator, a []Value, kw map[string]Value) (Value, error) {
			if v, ok := d.Get(arg(a, kw, 0, "key", nil)); ok {
				return v, nil
			}
			return arg(a, kw, 1, "default", nil), nil
		})
	case "copy":
		return builtin(func(*evaluator, []Value, map[string]Value) (Value, error) {
			c := NewDict()
			for i, k := range d.keys {
				c.Set(k, d.vals[i])
			}
			return c, nil
		})
	}
	return nil
}

func listMethod(l *List, name string) Value {
	switch name {
	case "index":
		return builtin(func(_ *evaluator, a []Value, kw map[string]Value) (Value, error) {
			x := arg(a, kw, 0, "value", nil)
			for i, it := range l.Items {
				if pyEqual(it, x) {
					return int64(i), nil
				}
			}
			return nil, fmt.Errorf("ValueError: %s is not in list", repr(x))
		})
	case "count":
		return builtin(func(_ *evaluator, a []Value, kw map[string]Value) (Value, error) {
			x := arg(a, kw, 0, "value", nil)
			n := int64(0)
			for _, it := range l.Items {
				if pyEqual(it, x) {
					n++
				}
			}
			return n, nil
		})
	}
	return nil
}

// ---- globals ----

func (e *evaluator) pyRange(args []Value) Value {
	var ints []int64
	for _, a := range args {
		n, ok := asIndex(a)
		if !ok {
			if u, isU := a.(Undefined); isU {
				e.failUndefined(u)
			}
			e.fail("TypeError: '%s' object cannot be interpreted as an integer", typeName(a))
		}
		ints = append(ints, n)
	}
	start, stop, step := int64(0), int64(0), int64(1)
	switch len(ints) {
	case 1:
		stop = ints[0]
	case 2:
		start, stop = ints[0], ints[1]
	case 3:
		start, stop, step = ints[0], ints[1], ints[2]
	default:
		e.fail("TypeError: range expected 1 to 3 arguments, got %d", len(ints))
	}
	if step == 0 {
		e.fail("ValueError: range() arg 3 must not be zero")
	}
	var n int64
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && start > stop {
		n = (start - stop - step - 1) / -step
	}
	if n > int64(e.lim.MaxRange) {
		e.limit("range of %d items (the sandbox allows %d, as Jinja's MAX_RANGE)", n, e.lim.MaxRange)
	}
	l := &List{Items: make([]Value, n)}
	for i := int64(0); i < n; i++ {
		l.Items[i] = start + i*step
	}
	return l
}

func (e *evaluator) globals() map[string]Value {
	return map[string]Value{
		"range": builtin(func(e *evaluator, a []Value, _ map[string]Value) (Value, error) { return e.pyRange(a), nil }),
		"namespace": builtin(func(_ *evaluator, a []Value, kw map[string]Value) (Value, error) {
			d := NewDict()
			for _, x := range a {
				if src, ok := x.(*Dict); ok {
					for i, k := range src.keys {
						d.Set(k, src.vals[i])
					}
				}
			}
			for _, k := range sortedKeys(kw) {
				d.Set(k, kw[k])
			}
			return &Namespace{d: d}, nil
		}),
		"dict": builtin(func(_ *evaluator, a []Value, kw map[string]Value) (Value, error) {
			d := NewDict()
			if len(a) == 1 {
				if src, ok := a[0].(*Dict); ok {
					for i, k := range src.keys {
						d.Set(k, src.vals[i])
					}
				}
			}
			for _, k := range sortedKeys(kw) {
				d.Set(k, kw[k])
			}
			return d, nil
		}),
	}
}

func sortedKeys(m map[string]Value) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// ---- filters ----

func (e *evaluator) applyFilter(f *filterExpr, v Value, sc *scope) Value {
	args, kw := e.evalArgs(f.args, f.kwargs, sc)
	return e.filter(f.name, v, args, kw)
}

func (e *evaluator) filter(name string, v Value, args []Value, kw map[string]Value) Value {
	a := func(i int, n string, def Value) Value { return arg(args, kw, i, n, def) }
	str := func() string {
		if u, ok := v.(Undefined); ok {
			_ = u
			return ""
		}
		return toStr(v)
	}
	switch name {
	case "safe", "string":
		if name == "string" {
			return str()
		}
		return v
	case "length", "count":
		switch x := v.(type) {
		case string:
			return int64(utf8.RuneCountInString(x))
		case *List:
			return int64(len(x.Items))
		case *Dict:
			return int64(x.Len())
		case *Namespace:
			return int64(x.d.Len())
		case Undefined:
			return int64(0)
		}
		e.fail("TypeError: object of type '%s' has no len()", typeName(v))
	case "trim":
		return pyStrip(str(), a(0, "chars", nil), true, true)
	case "upper":
		return pyUpper(str())
	case "lower":
		return pyLower(str())
	case "title":
		return pyTitle(str())
	case "capitalize":
		return pyCapitalize(str())
	case "replace":
		old, nw := toStr(a(0, "old", "")), toStr(a(1, "new", ""))
		n, _ := asIndex(a(2, "count", int64(-1)))
		if int64(len(str())+1)*int64(len(nw)+1) > int64(e.lim.maxString) && (old == "" || len(nw) > len(old)) {
			e.failErr(e.lim.stringTooLong())
		}
		return strings.Replace(str(), old, nw, int(n))
	case "tojson":
		var indent *int
		if iv := a(0, "indent", nil); iv != nil {
			n, ok := asIndex(iv)
			if !ok {
				e.fail("tojson: indent must be an integer")
			}
			k := int(min(max(n, 0), 64))
			indent = &k
		}
		itemSep, keySep := ", ", ": "
		if indent != nil {
			itemSep = ","
		}
		if sp, ok := a(2, "separators", nil).(*List); ok && len(sp.Items) == 2 {
			itemSep, keySep = toStr(sp.Items[0]), toStr(sp.Items[1])
		}
		s, err := toJSON(v, indent, itemSep, keySep, truthy(a(3, "sort_keys", false)), e.lim)
		if err != nil {
			e.failErr(err)
		}
		return e.checkString(s)
	case "default", "d":
		def := a(0, "default_value", "")
		if _, ok := v.(Undefined); ok || (truthy(a(1, "boolean", false)) && !truthy(v)) {
			return def
		}
		return v
	case "first":
		items := e.iterate(v)
		if len(items) == 0 {
			return Undefined{Name: "first"}
		}
		return items[0]
	case "last":
		items := e.iterate(v)
		if len(items) == 0 {
			return Undefined{Name: "last"}
		}
		return items[len(items)-1]
	case "join":
		items := e.iterate(v)
		attr := a(1, "attribute", nil)
		parts := make([]string, len(items))
		for i, it := range items {
			if attr != nil {
				it = e.getItem(it, attr)
			}
			parts[i] = toStr(it)
		}
		return e.checkString(strings.Join(parts, toStr(a(0, "d", ""))))
	case "list":
		return &List{Items: append([]Value{}, e.iterate(v)...)}
	case "reverse":
		if s, ok := v.(string); ok {
			rs := []rune(s)
			for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
				rs[i], rs[j] = rs[j], rs[i]
			}
			return string(rs)
		}
		items := e.iterate(v)
		out := make([]Value, len(items))
		for i, it := range items {
			out[len(items)-1-i] = it
		}
		return &List{Items: out}
	case "unique":
		var out []Value
		for _, it := range e.iterate(v) {
			dup := false
			for _, o := range out {
				if pyEqual(o, it) {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, it)
			}
		}
		return &List{Items: out}
	case "sort", "dictsort":
		var items []Value
		if name == "dictsort" {
			d, ok := v.(*Dict)
			if !ok {
				e.fail("dictsort: expected a dict")
			}
			items = dictMethod(d, "items").(builtin).callWith(e, nil, nil).(*List).Items
		} else {
			items = append([]Value{}, e.iterate(v)...)
		}
		rev := truthy(a(0, "reverse", false))
		if name == "dictsort" {
			rev = truthy(kw["reverse"])
		}
		attr := a(2, "attribute", nil)
		key := func(x Value) Value {
			if name == "dictsort" {
				return x.(*List).Items[0]
			}
			if attr != nil {
				return e.getItem(x, attr)
			}
			return x
		}
		var serr error
		sort.SliceStable(items, func(i, j int) bool {
			ki, kj := key(items[i]), key(items[j])
			if si, ok := ki.(string); ok {
				if sj, ok := kj.(string); ok && !truthy(a(1, "case_sensitive", false)) {
					ki, kj = pyLower(si), pyLower(sj)
				}
			}
			var lt bool
			var err error
			if rev {
				lt, err = less(kj, ki)
			} else {
				lt, err = less(ki, kj)
			}
			if err != nil {
				serr = err
			}
			return lt
		})
		if serr != nil {
			e.failErr(serr)
		}
		return &List{Items: items}
	case "items":
		if d, ok := v.(*Dict); ok {
			return dictMethod(d, "items").(builtin).callWith(e, nil, nil)
		}
		if _, ok := v.(Undefined); ok {
			return &List{}
		}
		e.fail("items: expected a dict, found %s", typeName(v))
	case "map":
		items := e.iterate(v)
		out := make([]Value, len(items))
		if at, ok := kw["attribute"]; ok {
			def, hasDef := kw["default"]
			for i, it := range items {
				x := e.getItem(it, at)
				if _, u := x.(Undefined); u && hasDef {
					x = def
				}
				out[i] = x
			}
			return &List{Items: out}
		}
		if len(args) == 0 {
			e.fail("map: a filter name or attribute= is required")
		}
		fname := toStr(args[0])
		for i, it := range items {
			out[i] = e.filter(fname, it, args[1:], nil)
		}
		return &List{Items: out}
	case "select", "reject", "selectattr", "rejectattr":
		items := e.iterate(v)
		var out []Value
		attrMode := strings.HasSuffix(name, "attr")
		rest := args
		var at Value
		if attrMode {
			if len(rest) == 0 {
				e.fail("%s: an attribute is required", name)
			}
			at, rest = rest[0], rest[1:]
		}
		want := strings.HasPrefix(name, "select")
		for _, it := range items {
			x := it
			if attrMode {
				x = e.getItem(it, at)
			}
			var ok bool
			if len(rest) == 0 {
				ok = truthy(x)
			} else {
				ok = e.test(toStr(rest[0]), x, rest[1:])
			}
			if ok == want {
				out = append(out, it)
			}
		}
		return &List{Items: out}
	case "abs":
		switch x := v.(type) {
		case int64:
			if x < 0 {
				return -x
			}
			return x
		case float64:
			return math.Abs(x)
		}
		e.fail("TypeError: bad operand type for abs(): '%s'", typeName(v))
	case "int":
		switch x := v.(type) {
		case int64:
			return x
		case bool:
			return b2i(x)
		case float64:
			return int64(x)
		case string:
			if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
				return n
			}
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return int64(f)
			}
		}
		d, _ := asIndex(a(0, "default", int64(0)))
		return d
	case "float":
		switch x := v.(type) {
		case int64:
			return float64(x)
		case float64:
			return x
		case bool:
			return float64(b2i(x))
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
				return f
			}
		}
		f, _, _, _ := num(a(0, "default", 0.0))
		return f
	case "round":
		f, _, _, ok := num(v)
		if !ok {
			e.fail("round: expected a number")
		}
		p, _ := asIndex(a(0, "precision", int64(0)))
		m := math.Pow(10, float64(p))
		switch toStr(a(1, "method", "common")) {
		case "ceil":
			return math.Ceil(f*m) / m
		case "floor":
			return math.Floor(f*m) / m
		}
		return math.Round(f*m) / m
	case "sum":
		var total Value = int64(0)
		if st, ok := kw["start"]; ok {
			total = st
		}
		for _, it := range e.iterate(v) {
			if at, ok := kw["attribute"]; ok {
				it = e.getItem(it, at)
			}
			total = e.binop("+", total, it)
		}
		return total
	case "min", "max":
		items := e.iterate(v)
		if len(items) == 0 {
			return Undefined{Name: name}
		}
		best := items[0]
		for _, it := range items[1:] {
			var lt bool
			var err error
			if name == "min" {
				lt, err = less(it, best)
			} else {
				lt, err = less(best, it)
			}
			if err != nil {
				e.failErr(err)
			}
			if lt {
				best = it
			}
		}
		return best
	case "indent":
		width := "    "
		if w := a(0, "width", int64(4)); w != nil {
			if n, ok := asIndex(w); ok {
				width = strings.Repeat(" ", int(min(max(n, 0), 256)))
			} else {
				width = toStr(w)
			}
		}
		first, blank := truthy(a(1, "first", false)), truthy(a(2, "blank", false))
		lines := strings.Split(str(), "\n")
		for i := range lines {
			if i == 0 && !first {
				continue
			}
			if lines[i] == "" && !blank {
				continue
			}
			lines[i] = width + lines[i]
		}
		return e.checkString(strings.Join(lines, "\n"))
	case "center":
		w, _ := asIndex(a(0, "width", int64(80)))
		s := str()
		n := int(min(w, 1<<16)) - utf8.RuneCountInString(s)
		if n <= 0 {
			return s
		}
		left := n / 2
		if n%2 == 1 && utf8.RuneCountInString(s)%2 == 1 {
			left++
		}
		return strings.Repeat(" ", left) + s + strings.Repeat(" ", n-left)
	case "wordcount":
		return int64(len(pySplit(str(), nil, -1)))
	case "escape", "e", "forceescape":
		return html.EscapeString(str())
	case "striptags":
		s := str()
		var b strings.Builder
		in := false
		for _, r := range s {
			switch {
			case r == '<':
				in = true
			case r == '>':
				in = false
			case !in:
				b.WriteRune(r)
			}
		}
		return strings.Join(pySplit(html.UnescapeString(b.String()), nil, -1), " ")
	case "batch":
		n, _ := asIndex(a(0, "linecount", int64(1)))
		if n <= 0 {
			e.fail("batch: linecount must be positive")
		}
		items := e.iterate(v)
		var out []Value
		for i := 0; i < len(items); i += int(n) {
			out = append(out, &List{Items: append([]Value{}, items[i:min(i+int(n), len(items))]...)})
		}
		return &List{Items: out}
	case "format":
		return e.checkString(e.percentFormat(str(), &List{Items: args, Tuple: true}))
	case "attr":
		return e.getAttr(v, toStr(a(0, "name", "")))
	case "pprint":
		return repr(v)
	}
	e.fail("no filter named '%s'", name)
	return nil
}

// ---- tests ----

func (e *evaluator) applyTest(t *testExpr, sc *scope) bool {
	v := e.eval(t.obj, sc)
	args, _ := e.evalArgs(t.args, nil, sc)
	return e.test(t.name, v, args)
}

func (e *evaluator) test(name string, v Value, args []Value) bool {
	a0 := func() Value {
		if len(args) == 0 {
			e.fail("test '%s' needs an argument", name)
		}
		return args[0]
	}
	switch name {
	case "defined":
		_, u := v.(Undefined)
		return !u
	case "undefined":
		_, u := v.(Undefined)
		return u
	case "none":
		return v == nil
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "true":
		b, ok := v.(bool)
		return ok && b
	case "false":
		b, ok := v.(bool)
		return ok && !b
	case "string":
		_, ok := v.(string)
		return ok
	case "number":
		switch v.(type) {
		case int64, float64, bool:
			return true
		}
		return false
	case "integer":
		_, ok := v.(int64)
		return ok
	case "float":
		_, ok := v.(float64)
		return ok
	case "mapping":
		_, ok := v.(*Dict)
		return ok
	case "sequence":
		switch v.(type) {
		case *List, string, *Dict:
			return true
		}
		return false
	case "iterable":
		switch v.(type) {
		case *List, string, *Dict, *Namespace, Undefined:
			return true
		}
		return false
	case "callable":
		_, ok := v.(callable)
		return ok
	case "even", "odd":
		_, n, isInt, ok := num(v)
		if !ok || !isInt {
			e.fail("test '%s' needs an integer", name)
		}
		return (n%2 == 0) == (name == "even")
	case "divisibleby":
		_, n, _, ok := num(v)
		_, d, _, ok2 := num(a0())
		if !ok || !ok2 || d == 0 {
			e.fail("divisibleby: needs non-zero integers")
		}
		return n%d == 0
	case "eq", "equalto", "==":
		return pyEqual(v, a0())
	case "ne", "!=":
		return !pyEqual(v, a0())
	case "lt", "lessthan", "<":
		return e.compare("<", v, a0())
	case "le", "<=":
		return e.compare("<=", v, a0())
	case "gt", "greaterthan", ">":
		return e.compare(">", v, a0())
	case "ge", ">=":
		return e.compare(">=", v, a0())
	case "in":
		return e.contains(a0(), v)
	case "sameas":
		b := a0()
		switch x := v.(type) {
		case nil, bool:
			return v == b
		case *List:
			y, ok := b.(*List)
			return ok && x == y
		case *Dict:
			y, ok := b.(*Dict)
			return ok && x == y
		}
		return pyEqual(v, b)
	case "lower":
		s, ok := v.(string)
		return ok && s == pyLower(s)
	case "upper":
		s, ok := v.(string)
		return ok && s == pyUpper(s)
	}
	e.fail("no test named '%s'", name)
	return false
}
