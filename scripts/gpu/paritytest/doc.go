// Package paritytest runs every generated architecture's parity test from one
// test binary. It exists for machines that cannot build Go (the remote GPU
// machine of scripts/gpu/: no registry, no Go toolchain, 64 MiB per transfer):
// one binary of ~8 MB replaces ~35 per-package test binaries of ~6.5 MB each,
// whose code does not compress across binaries.
//
// Each generated package's test file is exactly
//
//	func TestParity(t *testing.T) { modelparity.Run(t, "<model_type>") }
//
// with the package imported for its registration. TestGeneratedParity reads
// those files, checks that each is still that one call, and runs the same
// modelparity.Run for each model_type as a subtest named after the package
// directory, with generated/models/all imported for the registrations. It is
// behind the build tag hf2go_gpu so that `go test ./...` does not run every
// parity case twice.
package paritytest
