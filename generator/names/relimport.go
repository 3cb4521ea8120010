package names

import (
	"path"
	"strings"

	"github.com/hf2go/hf2go/generator/syntax"
)

// Relative imports across mlx-lm's packages. A model file imports its
// siblings with one dot (`from .llama import Model`), and code of another
// mlx-lm package with two (`from ..kernels import qk_norm`: muse_spark's
// fused kernels live in mlx_lm/kernels/, a package whose __init__.py
// re-exports one function per submodule). Python resolves a relative
// import against the importing file's package; so does the translator:
// every module file it may load is named by its path relative to
// mlx_lm/models without ".py" ("llama", "../kernels", "../kernels/_common"),
// and the loader reads <name>.py, else <name>/__init__.py. Files of
// mlx_lm/models keep their plain names, so nothing changes for them.

// modelsDir is the package every translated file is named relative to.
const modelsDir = "mlx_lm/models"

// packageOf is the package directory of a parsed file: its path's
// directory when the path is inside mlx_lm/ (a test snippet's "t.py" is
// taken as a model file).
func packageOf(filePath string) string {
	dir := path.Dir(filePath)
	if !strings.HasPrefix(dir, "mlx_lm/") && dir != "mlx_lm" {
		return modelsDir
	}
	return dir
}

// relModule names the module `from <dots><module> import ...` refers to in
// a file of package pkg, relative to mlx_lm/models ("" with ok false when
// the dots climb above mlx_lm/).
func relModule(pkg string, level int, module string) (string, bool) {
	dir := pkg
	for i := 1; i < level; i++ {
		if dir == "mlx_lm" || dir == "." || dir == "" {
			return "", false
		}
		dir = path.Dir(dir)
	}
	target := dir
	if module != "" {
		target = path.Join(dir, strings.ReplaceAll(module, ".", "/"))
	}
	if target != "mlx_lm" && !strings.HasPrefix(target, "mlx_lm/") {
		return "", false
	}
	if path.Dir(target) == modelsDir {
		return path.Base(target), true
	}
	if target == modelsDir {
		return "", true
	}
	return "../" + strings.TrimPrefix(target, "mlx_lm/"), true
}

// outsideModels reports whether a module name (as relModule gives it) is a
// file of another mlx-lm package than mlx_lm/models.
func outsideModels(module string) bool { return strings.HasPrefix(module, "../") }

// FilePath is the path of the file whose module scope s is (or is nested
// in): diagnostics about code taken from a sibling or from another mlx-lm
// package name that file, not the one being translated.
func (s *Scope) FilePath() string {
	if s == nil {
		return ""
	}
	if f, ok := s.module().Node.(*syntax.File); ok {
		return f.Path
	}
	return ""
}
