//go:build hf2go_toy

package main

import "github.com/hf2go/hf2go/lm/toy"

// Built with -tags hf2go_toy (cmd/mlxlm's tests), the binary also knows the
// hand-written toy architecture of lm/toy.
func init() { toy.Register() }
