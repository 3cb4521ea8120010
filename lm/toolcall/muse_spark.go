// Ported from mlx_lm/tool_parsers/muse_spark.py
// Upstream: mlx-lm 0.32.2
// Blob: 1614e78f76ea18ed33a77e353bb9ffa62def4172

package toolcall

var (
	museInvoke = re(`(?s)<atem:invoke\b[^>]*?\bname="([^"]+)">((?:<atem:parameter\b.*?</atem:parameter>|.)*?)(?:</atem:invoke>|\n?\z)`)
	museParam  = re(`(?s)<atem:parameter\b[^>]*?\bname="([^"]+)"[^>]*?>(.*?)</atem:parameter>`)
)

func init() {
	register(Parser{Name: "muse_spark", Start: "<atem:function_calls>", End: "</atem:function_calls>", Parse: parseMuseSpark})
}

func parseMuseSpark(text string, _ []any) ([]*Dict, error) {
	var calls []*Dict
	for _, inv := range museInvoke.FindAllStringSubmatch(text, -1) {
		args := &Dict{}
		for _, p := range museParam.FindAllStringSubmatch(inv[2], -1) {
			v, err := Loads(p[2], true)
			if err != nil {
				v = strip(p[2])
			}
			args.Set(p[1], v)
		}
		calls = append(calls, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{inv[1], args}})
	}
	if len(calls) == 0 {
		return nil, valueErr("No function provided.")
	}
	return calls, nil
}
