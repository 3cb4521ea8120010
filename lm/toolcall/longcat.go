// Ported from mlx_lm/tool_parsers/longcat.py
// Upstream: mlx-lm 0.32.2
// Blob: 228d789d0d4218d2b8e1b708b1c9e6e64342654d

package toolcall

import (
	"errors"
	"strings"
)

var (
	longcatFuncName = re(`(?s)^(.*?)<longcat_arg_key>`)
	longcatFuncArg  = re(`(?s)<longcat_arg_key>(.*?)</longcat_arg_key>(?:\\n|\s)*<longcat_arg_value>(.*?)</longcat_arg_value>`)
)

func init() {
	register(Parser{Name: "longcat", Start: "<longcat_tool_call>", End: "</longcat_tool_call>", Parse: parseLongcat})
}

// longcatIsString is _is_string_type (tool["function"] etc. raise KeyError
// upstream; a missing key reads as "not a string" here).
func longcatIsString(tool, arg string, tools []any) bool {
	for _, t := range tools {
		fn := asMap(asMap(t)["function"])
		if fn["name"] == tool {
			params := asMap(fn["parameters"])
			if params == nil {
				return false
			}
			return asMap(asMap(params["properties"])[arg])["type"] == "string"
		}
	}
	return false
}

func parseLongcat(text string, tools []any) ([]*Dict, error) {
	text = strip(text)
	if strings.HasPrefix(text, "{") {
		if v, err := Loads(text, true); err == nil {
			return one(v)
		}
	}
	m := longcatFuncName.FindStringSubmatch(text)
	if m == nil {
		return nil, errors.New("AttributeError: 'NoneType' object has no attribute 'group'")
	}
	name := strip(m[1])
	args := &Dict{}
	for _, a := range longcatFuncArg.FindAllStringSubmatch(text, -1) {
		key, val := strip(a[1]), strip(a[2])
		if longcatIsString(name, key, tools) {
			args.Set(key, val)
			continue
		}
		v, err := deserialize(val)
		if err != nil {
			return nil, err
		}
		args.Set(key, v)
	}
	return call(name, args), nil
}
