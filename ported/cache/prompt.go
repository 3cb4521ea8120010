// Ported from mlx_lm/models/cache.py
// Upstream: mlx-lm 02228601cd125282125fffa93d36c912acba1c41 (v0.30.4)
// Blob: 71aa0126d28fd463ad1bfabba8e9b3770557e4dd

package cache

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

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

// SavePromptCache is save_prompt_cache(file_name, cache, metadata): a
// safetensors file whose tensors are tree_flatten([c.state for c in cache])
// and whose metadata is tree_flatten([meta_states, metadata, class_names]),
// the layout Python's load_prompt_cache reads.
func SavePromptCache(fileName string, cache []Cache, metadata map[string]string) error {
	arrays := map[string]*mlx.Array{}
	meta := map[string]string{}
	var owned []*mlx.Array
	defer func() {
		for _, a := range owned {
			a.Free()
		}
	}()
	for i, c := range cache {
		state := c.State()
		owned = append(owned, state...)
		keys := c.StateKeys()
		if len(keys) != len(state) {
			return fmt.Errorf("save_prompt_cache: cache %d (%s) has %d state arrays but %d keys", i, c.ClassName(), len(state), len(keys))
		}
		for j, a := range state {
			if a == nil {
				return fmt.Errorf("save_prompt_cache: cache %d (%s) state entry %d is None", i, c.ClassName(), j)
			}
			arrays[fmt.Sprintf("%d.%s", i, keys[j])] = a
		}
		ms := c.MetaState()
		if ms == nil {
			meta[fmt.Sprintf("0.%d", i)] = "" // a "" meta_state is a leaf
		}
		for j, s := range ms {
			meta[fmt.Sprintf("0.%d.%d", i, j)] = s
		}
		meta[fmt.Sprintf("2.%d", i)] = c.ClassName()
	}
	for k, v := range metadata {
		meta["1."+k] = v
	}
	return mlx.SaveSafetensors(fileName, arrays, meta)
}

// newByClass is load_prompt_cache's globals()[c]: an empty instance whose
// state and meta_state the loader then sets (Python's from_state).
func newByClass(name string) (Cache, error) {
	switch name {
	case "KVCache":
		return NewKVCache(), nil
	case "RotatingKVCache":
		return &RotatingKVCache{}, nil
	case "QuantizedKVCache":
		return &QuantizedKVCache{}, nil
	case "ChunkedKVCache":
		return &ChunkedKVCache{}, nil
	case "ConcatenateKVCache":
		return NewConcatenateKVCache(), nil
	case "ArraysCache":
		return &ArraysCache{class: "ArraysCache"}, nil
	case "MambaCache":
		return &ArraysCache{class: "MambaCache"}, nil
	case "BatchKVCache":
		return &BatchKVCache{}, nil
	case "BatchRotatingKVCache":
		return &BatchRotatingKVCache{}, nil
	}
	// CacheList.from_state fails upstream too (its state setter reads
	// self.caches, which __new__ never set).
	return nil, fmt.Errorf("load_prompt_cache: cannot restore cache class %q", name)
}

// keyLess orders dotted keys as tree_unflatten rebuilds lists: numerically,
// component by component.
func keyLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		ai, errA := strconv.Atoi(as[i])
		bi, errB := strconv.Atoi(bs[i])
		if errA == nil && errB == nil {
			if ai != bi {
				return ai < bi
			}
			continue
		}
		if as[i] != bs[i] {
			return as[i] < bs[i]
		}
	}
	return len(as) < len(bs)
}

// LoadPromptCache is load_prompt_cache(file_name, return_metadata=True).
func LoadPromptCache(fileName string) ([]Cache, map[string]string, error) {
	// Evaluate the tensors at once so that a bad file fails here, not at the
	// first decode step that touches the cache.
	ts, err := mlx.LoadSafetensors(fileName)
	if err == nil {
		all := make([]*mlx.Array, 0, len(ts.Arrays))
		for _, n := range ts.Names() {
			all = append(all, ts.Arrays[n])
		}
		err = mlx.Eval(all...)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load_prompt_cache: %w", err)
	}
	defer ts.Free() // the caches hold their own handles

	classes := map[int]string{}
	metaLeaf := map[int]bool{}
	metaParts := map[int]map[string]string{}
	user := map[string]string{}
	for k, v := range ts.Metadata {
		top, rest, _ := strings.Cut(k, ".")
		switch top {
		case "2":
			i, err := strconv.Atoi(rest)
			if err != nil {
				return nil, nil, fmt.Errorf("load_prompt_cache: bad class key %q", k)
			}
			classes[i] = v
		case "1":
			user[rest] = v
		case "0":
			is, sub, hasSub := strings.Cut(rest, ".")
			i, err := strconv.Atoi(is)
			if err != nil {
				return nil, nil, fmt.Errorf("load_prompt_cache: bad meta key %q", k)
			}
			if !hasSub {
				metaLeaf[i] = true
				continue
			}
			if metaParts[i] == nil {
				metaParts[i] = map[string]string{}
			}
			metaParts[i][sub] = v
		}
	}
	stateParts := map[int][]string{}
	for name := range ts.Arrays {
		is, sub, ok := strings.Cut(name, ".")
		i, err := strconv.Atoi(is)
		if !ok || err != nil {
			return nil, nil, fmt.Errorf("load_prompt_cache: bad tensor name %q", name)
		}
		stateParts[i] = append(stateParts[i], sub)
	}
	n := len(classes)
	out := make([]Cache, n)
	for i := range n {
		cls, ok := classes[i]
		if !ok {
			return nil, nil, fmt.Errorf("load_prompt_cache: no class for cache %d", i)
		}
		c, err := newByClass(cls)
		if err != nil {
			return nil, nil, err
		}
		keys := stateParts[i]
		sort.Slice(keys, func(a, b int) bool { return keyLess(keys[a], keys[b]) })
		state := make([]*mlx.Array, len(keys))
		for j, k := range keys {
			state[j] = ts.Arrays[fmt.Sprintf("%d.%s", i, k)]
		}
		if err := c.SetState(state); err != nil {
			return nil, nil, fmt.Errorf("load_prompt_cache: cache %d: %w", i, err)
		}
		var meta []string
		if parts := metaParts[i]; len(parts) > 0 {
			mk := make([]string, 0, len(parts))
			for k := range parts {
				mk = append(mk, k)
			}
			sort.Slice(mk, func(a, b int) bool { return keyLess(mk[a], mk[b]) })
			for _, k := range mk {
				meta = append(meta, parts[k])
			}
		} else if !metaLeaf[i] {
			return nil, nil, fmt.Errorf("load_prompt_cache: no meta_state for cache %d", i)
		}
		if err := c.SetMetaState(meta); err != nil {
			return nil, nil, fmt.Errorf("load_prompt_cache: cache %d: %w", i, err)
		}
		out[i] = c
	}
	return out, user, nil
}
