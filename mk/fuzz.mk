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
# enough that all targets together cost seconds (plus their builds).
FUZZ_SHORT_TIME ?= 3s

fuzz: setup
	@GO=$(GO) ./scripts/fuzz.sh $(FUZZTIME) 30s

fuzz-short: setup
	@GO=$(GO) ./scripts/fuzz.sh $(FUZZ_SHORT_TIME) 1s

CHECKS += fuzz-short
