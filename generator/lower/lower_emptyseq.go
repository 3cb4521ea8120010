package lower

import (
	"github.com/hf2go/hf2go/generator/model"
	"github.com/hf2go/hf2go/generator/syntax"
	"github.com/hf2go/hf2go/generator/types"
)

// An empty tuple or list literal where a list of a known type is expected
// (deepseek_v41's `compress_ratios: tuple[int, ...] = ()`) is an empty
// value of that type: the literal alone has no element type.

// emptySeq is the Go of the empty literal n as a value of type to.
func (t *translator) emptySeq(to *types.Type, n syntax.Node) (model.Expr, bool) {
	var elts []syntax.Expr
	switch x := n.(type) {
	case *syntax.Tuple:
		elts = x.Elts
	case *syntax.List:
		elts = x.Elts
	default:
		return nil, false
	}
	if len(elts) != 0 || to.Kind != types.List {
		return nil, false
	}
	return &model.Composite{Typed: model.Typed{T: to}, Type: t.goType(to)}, true
}
