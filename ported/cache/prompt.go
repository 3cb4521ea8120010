// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 0.32.2
// Blob: bb3d62f060ff89f31b28182ddf5870d721e7067d

package cache

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hf2go/hf2go/runtime/mlx"
)

// CacheMaker is a model with make_cache.
type CacheMaker interface {
	MakeCache() []Cache
}

// LayerCounter is what make_prompt_cache needs of a model without
// make_cache: len(model.layers).
type LayerCounter interface {
	NumLayers() int
}

// MakePromptCache is make_prompt_cache(model, max_kv_size): the model's own
// caches, else one RotatingKVCache(max_kv_size, keep=4) per layer when
// maxKVSize > 0 (Python's not-None), else one KVCache per layer.
func MakePromptCache(model any, maxKVSize int) ([]Cache, error) {
	if m, ok := model.(CacheMaker); ok {
		return m.MakeCache(), nil
	}
	lc, ok := model.(LayerCounter)
	if !ok {
		return nil, fmt.Errorf("make_prompt_cache: %T has neither MakeCache nor NumLayers", model)
	}
	out := make([]Cache, lc.NumLayers())
	for i := range out {
		if maxKVSize > 0 {
			out[i] = NewRotatingKVCache(maxKVSize, 4)
		} else {
			out[i] = NewKVCache()
		}
	}
	return out, nil
}

// CanTrimPromptCache is can_trim_prompt_cache.
func CanTrimPromptCache(cache []Cache) bool {
	for _, c := range cache {
		if !c.IsTrimmable() {
			return false
		}
	}
	return true
}

// TrimPromptCache is trim_prompt_cache: trims every cache by numTokens and
// returns the first cache's count (0 when untrimmable or empty).
func TrimPromptCache(cache []Cache, numTokens int) int {
	if !CanTrimPromptCache(cache) || len(cache) == 0 {
		return 0
	}
	first := 0
	for i, c := range cache {
		n := c.Trim(numTokens)
		if i == 0 {
			first = n
		}
	}
	return first
}

// ---- prompt-cache files ----
//
// The file is a safetensors file. Its tensors are tree_flatten([c.state for c
// in cache]), with every leaf that is not an array stored as one (an int,
// float or bool as a 0-d array, a str as the int32 array of its code points,
// None as an empty float32 array) and listed in the "scalars". Its metadata
// is tree_flatten([metadata, class_names, scalars]) where scalars is
// ["", (key, "scalar" | "string" | "none"), ...]:
//
//	0.<key>          user metadata
//	1.<i>            type(cache[i]).__name__
//	2.0              "" (keeps the list non-empty)
//	2.<j>.0, 2.<j>.1 the tensor key of a converted leaf and its kind

type flatItem struct {
	key   string
	value any
}

// treeFlatten is mlx.utils.tree_flatten over a State: dotted keys, lists
// numbered from 0, an empty list contributing nothing.
func treeFlatten(prefix string, s State, out []flatItem) []flatItem {
	for i, v := range s {
		key := prefix + "." + strconv.Itoa(i)
		if prefix == "" {
			key = strconv.Itoa(i)
		}
		if sub, ok := v.(State); ok {
			out = treeFlatten(key, sub, out)
			continue
		}
		out = append(out, flatItem{key, v})
	}
	return out
}

// scalarArray is save_prompt_cache's map_data for a leaf that is not an
// array: mx.array(x) as Python makes it, and the kind recorded for it.
func scalarArray(v any) (*mlx.Array, string, error) {
	scalar := []int{}
	switch x := v.(type) {
	case nil:
		return mlx.FromSlice([]float32{}), "none", nil
	case *mlx.Array:
		if x == nil {
			return mlx.FromSlice([]float32{}), "none", nil
		}
	case bool:
		return mlx.FromSlice([]bool{x}, scalar...), "scalar", nil
	case int:
		// mx.array(int) is int32, int64 when the value does not fit.
		if x >= math.MinInt32 && x <= math.MaxInt32 {
			return mlx.FromSlice([]int32{int32(x)}, scalar...), "scalar", nil
		}
		return mlx.FromSlice([]int64{int64(x)}, scalar...), "scalar", nil
	case float64:
		return mlx.FromSlice([]float32{float32(x)}, scalar...), "scalar", nil
	case string:
		if x == "" {
			return mlx.FromSlice([]float32{}), "string", nil // mx.array([]) is float32
		}
		if !utf8.ValidString(x) {
			return nil, "", fmt.Errorf("string %q is not valid UTF-8", x)
		}
		cps := make([]int32, 0, len(x))
		for _, r := range x {
			cps = append(cps, r)
		}
		return mlx.FromSlice(cps), "string", nil
	}
	return nil, "", fmt.Errorf("Model state is not serializable: %v (%T)", v, v)
}

// SavePromptCache is save_prompt_cache(file_name, cache, metadata), in
// mlx-lm 0.32's file layout (see above), written atomically.
func SavePromptCache(fileName string, cache []Cache, metadata map[string]string) error {
	var owned []*mlx.Array
	defer func() {
		for _, a := range owned {
			a.Free()
		}
	}()
	var flat []flatItem
	top := make(State, len(cache))
	for i, c := range cache {
		if c == nil {
			return fmt.Errorf("save_prompt_cache %s: cache %d is nil", fileName, i)
		}
		s := c.State()
		owned = append(owned, s.Arrays()...)
		top[i] = s
	}
	flat = treeFlatten("", top, flat)
	arrays := make(map[string]*mlx.Array, len(flat))
	meta := map[string]string{"2.0": ""}
	nScalars := 0
	for _, it := range flat {
		if a, ok := it.value.(*mlx.Array); ok && a != nil {
			if err := a.Err(); err != nil {
				return fmt.Errorf("save_prompt_cache %s: state %s: %w", fileName, it.key, err)
			}
			arrays[it.key] = a
			continue
		}
		a, kind, err := scalarArray(it.value)
		if err != nil {
			return fmt.Errorf("save_prompt_cache %s: state %s: %w", fileName, it.key, err)
		}
		owned = append(owned, a)
		arrays[it.key] = a
		nScalars++
		meta[fmt.Sprintf("2.%d.0", nScalars)] = it.key
		meta[fmt.Sprintf("2.%d.1", nScalars)] = kind
	}
	for i, c := range cache {
		meta["1."+strconv.Itoa(i)] = c.ClassName()
	}
	for k, v := range metadata {
		meta["0."+k] = v
	}
	if err := mlx.SaveSafetensors(fileName, arrays, meta); err != nil {
		return fmt.Errorf("save_prompt_cache: %w", err)
	}
	return nil
}

// maxListIndex bounds the list indices tree_unflatten accepts from a file
// (Python would pad a list up to any index it finds).
const maxListIndex = 1 << 20

type treeItem struct {
	key   string
	value any
}

// listIndex is Python's int(idx) for the indices a list key can have (plain
// decimal digits; signs, spaces and underscores, which int() also accepts,
// make the node a dict here).
func listIndex(s string) (int, bool) {
	if s == "" || len(s) > 9 {
		return 0, false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// treeUnflatten is mlx.utils.tree_unflatten: lists where every child key is
// an integer (gaps padded with empty dicts), dicts otherwise. Items keep the
// order given (a dict's children follow it).
func treeUnflatten(items []treeItem) (any, error) {
	if len(items) == 1 && items[0].key == "" {
		return items[0].value, nil
	}
	var order []string
	children := map[string][]treeItem{}
	for _, it := range items {
		cur, next, _ := strings.Cut(it.key, ".")
		if _, ok := children[cur]; !ok {
			order = append(order, cur)
		}
		children[cur] = append(children[cur], treeItem{next, it.value})
	}
	idx := map[int]string{}
	isList := true
	for _, k := range order {
		n, ok := listIndex(k)
		if !ok {
			isList = false
			break
		}
		idx[n] = k
	}
	if isList && len(idx) != len(children) {
		isList = false // "01" and "1" are one key
	}
	if !isList {
		out := make(map[string]any, len(order))
		for _, k := range order {
			v, err := treeUnflatten(children[k])
			if err != nil {
				return nil, err
			}
			out[k] = v
		}
		return out, nil
	}
	nums := make([]int, 0, len(idx))
	for n := range idx {
		if n > maxListIndex {
			return nil, fmt.Errorf("list index %d too large", n)
		}
		nums = append(nums, n)
	}
	slices.Sort(nums)
	var out []any
	for _, n := range nums {
		for len(out) < n {
			out = append(out, map[string]any{})
		}
		v, err := treeUnflatten(children[idx[n]])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if out == nil {
		out = []any{}
	}
	return out, nil
}

// toState turns an unflattened node into a State: lists become States, an
// empty dict (tree_unflatten's padding for a missing index) an empty one.
func toState(node any, where string) (State, error) {
	switch x := node.(type) {
	case []any:
		out := make(State, len(x))
		for i, v := range x {
			switch v.(type) {
			case []any, map[string]any:
				s, err := toState(v, fmt.Sprintf("%s.%d", where, i))
				if err != nil {
					return nil, err
				}
				out[i] = s
			default:
				out[i] = v
			}
		}
		return out, nil
	case map[string]any:
		if len(x) == 0 {
			return State{}, nil
		}
		return nil, fmt.Errorf("state %s is a dict (keys that are not list indices)", where)
	}
	return nil, fmt.Errorf("state %s is a %s, want a list", where, kindOf(node))
}

// fromScalar is load_prompt_cache's conversion of a listed leaf.
func fromScalar(a *mlx.Array, kind string) (any, error) {
	switch kind {
	case "none":
		return nil, nil
	case "scalar":
		if a.Size() != 1 {
			return nil, fmt.Errorf("a scalar of shape %v (item() needs one element)", a.Shape())
		}
		switch d := a.Dtype(); {
		case d == mlx.Bool:
			v, err := a.Item()
			return v != 0, err
		case d.IsFloating():
			return a.Item()
		default:
			b := mlx.Astype(a, mlx.Int64)
			defer b.Free()
			v, err := mlx.ToSlice[int64](b)
			if err != nil {
				return nil, err
			}
			return int(v[0]), nil
		}
	case "string":
		if a.Size() == 0 {
			return "", nil
		}
		if a.Dtype().IsFloating() || a.Dtype() == mlx.Bool {
			return nil, fmt.Errorf("a string stored as %s (chr() needs ints)", a.Dtype())
		}
		flat := mlx.Reshape(a, -1)
		defer flat.Free()
		cps, err := ints(flat)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		for _, cp := range cps {
			if cp < 0 || cp > utf8.MaxRune {
				return nil, fmt.Errorf("code point %d out of range (chr())", cp)
			}
			b.WriteRune(rune(cp))
		}
		return b.String(), nil
	}
	return nil, fmt.Errorf("[load_prompt_cache] Unknown type %s", kind)
}

// promptMeta is the parsed metadata of a prompt-cache file.
type promptMeta struct {
	user    map[string]string
	classes []string
	scalars [][2]string // (tensor key, kind)
}

func parsePromptMeta(md map[string]string) (promptMeta, error) {
	pm := promptMeta{user: map[string]string{}}
	if head, ok := md["2.0"]; !ok {
		return pm, fmt.Errorf("metadata has no scalars list (2.0): not an mlx-lm >= 0.32 prompt cache")
	} else if head != "" {
		return pm, fmt.Errorf("metadata 2.0 is %q, want \"\": not an mlx-lm >= 0.32 prompt cache (0.30/0.31 files kept meta_state there)", head)
	}
	classes := map[int]string{}
	scalarKeys := map[int][2]string{}
	scalarSet := map[int][2]bool{}
	for k, v := range md {
		top, rest, _ := strings.Cut(k, ".")
		switch top {
		case "0":
			if rest == "" {
				return pm, fmt.Errorf("metadata key %q: user metadata must be a dict", k)
			}
			pm.user[rest] = v
		case "1":
			i, ok := listIndex(rest)
			if !ok || i > maxListIndex {
				return pm, fmt.Errorf("metadata key %q: not a cache index", k)
			}
			classes[i] = v
		case "2":
			if rest == "0" {
				continue
			}
			js, part, _ := strings.Cut(rest, ".")
			j, ok := listIndex(js)
			if !ok || j == 0 || j > maxListIndex || (part != "0" && part != "1") {
				return pm, fmt.Errorf("metadata key %q: not a scalars entry", k)
			}
			p := 0
			if part == "1" {
				p = 1
			}
			e := scalarKeys[j]
			e[p] = v
			scalarKeys[j] = e
			s := scalarSet[j]
			s[p] = true
			scalarSet[j] = s
		default:
			return pm, fmt.Errorf("metadata key %q: want [metadata, classes, scalars]", k)
		}
	}
	for i := range len(classes) {
		c, ok := classes[i]
		if !ok {
			return pm, fmt.Errorf("metadata has no class for cache %d", i)
		}
		pm.classes = append(pm.classes, c)
	}
	for j := 1; j <= len(scalarKeys); j++ {
		if s := scalarSet[j]; !s[0] || !s[1] {
			return pm, fmt.Errorf("metadata scalars entry %d is incomplete or missing", j)
		}
		pm.scalars = append(pm.scalars, scalarKeys[j])
	}
	return pm, nil
}

// LoadPromptCache is load_prompt_cache(file_name, return_metadata=True): the
// caches and the user metadata. A file that is not a prompt cache of mlx-lm
// 0.32's layout is an error naming the file and what is wrong.
func LoadPromptCache(fileName string) ([]Cache, map[string]string, error) {
	fail := func(format string, args ...any) ([]Cache, map[string]string, error) {
		return nil, nil, fmt.Errorf("load_prompt_cache %s: %s", fileName, fmt.Sprintf(format, args...))
	}
	ts, err := mlx.LoadSafetensors(fileName)
	if err != nil {
		return nil, nil, fmt.Errorf("load_prompt_cache: %w", err)
	}
	defer ts.Free() // the caches hold their own handles
	// Evaluate the tensors at once so that a bad file fails here, not at the
	// first decode step that touches the cache (mx.load is lazy).
	names := ts.Names()
	all := make([]*mlx.Array, 0, len(names))
	for _, n := range names {
		all = append(all, ts.Arrays[n])
	}
	if err := mlx.Eval(all...); err != nil {
		return fail("%v", err)
	}
	pm, err := parsePromptMeta(ts.Metadata)
	if err != nil {
		return fail("%v", err)
	}
	values := make(map[string]any, len(ts.Arrays))
	for n, a := range ts.Arrays {
		values[n] = a
	}
	for _, sc := range pm.scalars {
		a, ok := ts.Arrays[sc[0]]
		if !ok {
			return fail("scalars name tensor %q, which the file does not have", sc[0])
		}
		v, err := fromScalar(a, sc[1])
		if err != nil {
			return fail("tensor %q: %v", sc[0], err)
		}
		values[sc[0]] = v
	}
	items := make([]treeItem, 0, len(names))
	for _, n := range names {
		items = append(items, treeItem{n, values[n]})
	}
	tree, err := treeUnflatten(items)
	if err != nil {
		return fail("%v", err)
	}
	var states []any
	switch x := tree.(type) {
	case []any:
		states = x
	case map[string]any:
		if len(x) != 0 {
			return fail("tensor names are not cache indices")
		}
	default:
		return fail("tensor names are not cache indices")
	}
	// zip(classes, arrays): as many caches as both lists have.
	n := min(len(pm.classes), len(states))
	out := make([]Cache, 0, n)
	for i := range n {
		s, err := toState(states[i], strconv.Itoa(i))
		if err == nil {
			var c Cache
			if c, err = FromState(pm.classes[i], s); err == nil {
				out = append(out, c)
				continue
			}
		}
		Free(out...)
		return fail("cache %d (%s): %v", i, pm.classes[i], err)
	}
	return out, pm.user, nil
}
