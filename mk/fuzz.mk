# fuzz: Go fuzz targets (func FuzzXxx(f *testing.F)) anywhere in the
# repository, found by scripts/fuzz.sh: a short run of each in `make test`,
# a longer one on demand. Seed corpora live in <package>/testdata/fuzz/<Target>/
# and also run as plain tests with `go test`.
#
#   make fuzz                  # every target for FUZZTIME (default 1m) each
#   make fuzz FUZZTIME=10m
.PHONY: fuzz fuzz-short

FUZZTIME ?= 1m
# A short run per target: long enough to mutate past the seeds, short
# enough that all targets together cost seconds (plus their builds). Counted
# in executions, not seconds: with a duration, Go's fuzz coordinator
# (before Go 1.27, golang/go#75804) can report its own -fuzztime deadline as
# a failure ("context deadline exceeded", no failing input) when the
# machine is loaded; seen here on FuzzSafetensorsHeader at load 5.
FUZZ_SHORT_TIME ?= 3000x
FUZZ_SHORT_MINIMIZE ?= 200x

fuzz: setup
	@GO=$(GO) ./scripts/fuzz.sh $(FUZZTIME) 30s

fuzz-short: setup
	@GO=$(GO) ./scripts/fuzz.sh $(FUZZ_SHORT_TIME) $(FUZZ_SHORT_MINIMIZE)

CHECKS += fuzz-short
