// Ported from mlx_lm/tool_parsers/minicpm5.py
// Upstream: mlx-lm 0.32.2
// Blob: c89a7fe330a6c8db150d0dea53ac7918f375809c

package toolcall

var (
	cpmFunction = re(`(?s)(?:<function\s+)?(?:name\s*=\s*)?("[^"]*"|'[^']*'|` + pyNotS + `"'<>]+)\s*>(.*?)(?:</function>|\n?\z)`)
	cpmParam    = re(`(?s)<param\s+name\s*=\s*("[^"]*"|'[^']*'|` + pyNotS + `"'<>]+)\s*>(.*?)</param>`)
	cpmCDATA    = re(`(?s)^\s*<!\[CDATA\[(.*?)\]\]>\s*\z`)
)

func init() {
	register(Parser{Name: "minicpm5", Start: "<function name=", End: "</function>", Parse: parseMiniCPM5})
}

func parseMiniCPM5(text string, tools []any) ([]*Dict, error) {
	fms := cpmFunction.FindAllStringSubmatch(text, -1)
	if len(fms) == 0 {
		return nil, valueErr("No function provided.")
	}
	configs := paramConfigs(tools)
	var calls []*Dict
	for _, fm := range fms {
		fname := extractName(fm[1])
		config := configs[fname]
		args := &Dict{}
		for _, pm := range cpmParam.FindAllStringSubmatch(fm[2], -1) {
			pname := extractName(pm[1])
			raw := pm[2]
			value := strip(raw)
			if c := cpmCDATA.FindStringSubmatch(raw); c != nil {
				value = c[1]
			}
			v, err := convertWithTypes(value, paramTypes(pname, config))
			if err != nil {
				return nil, err
			}
			args.Set(pname, v)
		}
		calls = append(calls, &Dict{Keys: []any{"name", "arguments"}, Vals: []any{fname, args}})
	}
	return calls, nil
}
