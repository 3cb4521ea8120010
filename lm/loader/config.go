// Ported from mlx_lm/utils.py
// Upstream: mlx-lm 0.32.2
// Blob: aff825e8092b0452ea6f97fc8feca4d414ab1d2b

package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/hf2go/hf2go/lm/modelfs"
)

// ReadConfig is mlx_lm.utils.load_config: config.json, with eos_token_id
// overridden by generation_config.json's when that is present and truthy. As
// in Python, a generation_config.json that is not valid JSON is ignored.
func ReadConfig(dir string) (map[string]any, error) {
	config, _, err := readConfig(dir)
	return config, err
}

// readConfig is ReadConfig that also returns config.json's bytes, for the
// size checks that need the numbers as written.
func readConfig(dir string) (map[string]any, []byte, error) {
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("model directory %s does not exist", dir)
	case err != nil:
		return nil, nil, fmt.Errorf("model directory: %w", err)
	case !st.IsDir():
		return nil, nil, fmt.Errorf("model path %s is not a directory", dir)
	}
	config, data, err := readJSONObject(dir, "config.json")
	if err != nil {
		return nil, nil, err
	}
	config = decodeTaggedFloats(config).(map[string]any)
	// As Python: an absent or unparsable generation_config.json is ignored,
	// but one that cannot be read safely (not a regular file, too large,
	// outside the model) is an error, not a hang.
	gdata, err := modelfs.ReadFile(dir, "generation_config.json")
	switch {
	case err == nil:
		var gen map[string]any
		if json.Unmarshal(gdata, &gen) == nil && truthy(gen["eos_token_id"]) {
			config["eos_token_id"] = gen["eos_token_id"]
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, nil, err
	}
	return config, data, nil
}

// transformers tags non-finite floats so that config.json stays valid JSON,
// e.g. {"__float__": "Infinity"}; load_config (0.32) undoes it.
var floatTags = map[string]float64{"Infinity": math.Inf(1), "-Infinity": math.Inf(-1), "NaN": math.NaN()}

// decodeTaggedFloats is _decode_tagged_floats: a dict whose only key is
// "__float__" with a known tag becomes that float, recursively.
func decodeTaggedFloats(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if t, ok := x["__float__"].(string); ok && len(x) == 1 {
			if f, ok := floatTags[t]; ok {
				return f
			}
		}
		for k, e := range x {
			x[k] = decodeTaggedFloats(e)
		}
	case []any:
		for i, e := range x {
			x[i] = decodeTaggedFloats(e)
		}
	}
	return v
}

// truthy is Python's bool() of a decoded JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case float64:
		return x != 0
	case string:
		return x != ""
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}

// readJSONObject reads dir/name (size-limited, regular file inside the
// model only) as a JSON object.
func readJSONObject(dir, name string) (map[string]any, []byte, error) {
	path := filepath.Join(dir, name)
	data, err := modelfs.ReadFile(dir, name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: no such file", path)
		}
		return nil, nil, err
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, nil, fmt.Errorf("%s: invalid JSON: %s", path, describeJSONError(data, err))
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s: expected a JSON object, found %s", path, jsonKind(v))
	}
	return m, data, nil
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("%v (line %d)", se, line)
	}
	return err.Error()
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case float64:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// EOSTokenIDs reads config's eos_token_id: an int, a list of ints, or absent.
func EOSTokenIDs(config map[string]any) ([]int, error) {
	v, ok := config["eos_token_id"]
	if !ok || v == nil {
		return nil, nil
	}
	asInt := func(x any) (int, bool) {
		f, ok := x.(float64)
		if !ok || f != float64(int(f)) || f < 0 {
			return 0, false
		}
		return int(f), true
	}
	if id, ok := asInt(v); ok {
		return []int{id}, nil
	}
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("config eos_token_id: expected an integer or a list of integers, found %s", jsonKind(v))
	}
	out := make([]int, 0, len(list))
	for i, x := range list {
		id, ok := asInt(x)
		if !ok {
			return nil, fmt.Errorf("config eos_token_id[%d]: expected a non-negative integer, found %v", i, x)
		}
		out = append(out, id)
	}
	return out, nil
}

// VocabSize is config's vocab_size (or text_config.vocab_size), 0 if absent.
func VocabSize(config map[string]any) int {
	for _, c := range []map[string]any{config, sub(config, "text_config")} {
		if f, ok := c["vocab_size"].(float64); ok && f > 0 && f == float64(int(f)) {
			return int(f)
		}
	}
	return 0
}

func sub(m map[string]any, key string) map[string]any {
	s, _ := m[key].(map[string]any)
	return s
}
