package generator

import (
	"fmt"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"
)

// TypeCheck type-checks generated packages before they are written: files
// maps absolute paths to contents (an overlay on the module at root), and
// pkgs are the import paths to check. It returns the type errors as
// "file:line:col: message" lines.
func TypeCheck(root string, files map[string][]byte, pkgs []string) ([]string, error) {
	cfg := &packages.Config{
		Mode:    packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo | packages.NeedDeps | packages.NeedImports,
		Dir:     root,
		Overlay: files,
		Tests:   false,
	}
	loaded, err := packages.Load(cfg, pkgs...)
	if err != nil {
		return nil, fmt.Errorf("type-checking the generated packages: %w", err)
	}
	var errs []string
	packages.Visit(loaded, nil, func(p *packages.Package) {
		if !strings.Contains(p.PkgPath, "/generated/models/") {
			return
		}
		for _, e := range p.Errors {
			pos := e.Pos
			if rel, err := filepath.Rel(root, strings.SplitN(pos, ":", 2)[0]); err == nil && pos != "" {
				pos = rel + pos[len(strings.SplitN(pos, ":", 2)[0]):]
			}
			errs = append(errs, fmt.Sprintf("%s: %s", pos, e.Msg))
		}
	})
	return errs, nil
}
