// Ported from mlx_lm/tool_parsers/laguna.py
// Upstream: mlx-lm 0.32.2
// Blob: dbcf7da86f8b7f07d3f038ee09895e8ad48afda9

package toolcall

// Laguna emits GLM-4.7's format; its checkpoints name "laguna".
func init() {
	register(Parser{Name: "laguna", Start: "<tool_call>", End: "</tool_call>", Parse: parseGLM47})
}
