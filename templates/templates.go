// Package templates holds the boilerplate of a generated model package, as
// text/template files: the registration that plugs the translated Model into
// the lm/arch registry (recovering Python exceptions into errors at this,
// the package's only exported entry point), and the all-architectures import
// list.
package templates

import (
	"embed"
	"text/template"
)

//go:embed *.tmpl
var files embed.FS

// Set is every template, by file name.
var Set = template.Must(template.New("").ParseFS(files, "*.tmpl"))
