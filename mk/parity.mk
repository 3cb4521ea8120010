# parity-mutants: plant the bugs of parity/mutants/mutants.json in a scratch
# copy of the tree (.cache/mutants/tree) and check that the parity tests fail
# on each (parity/README.md). PARITY_MUTANTS_FLAGS passes flags, e.g.
# PARITY_MUTANTS_FLAGS="-run gpt_oss".
PARITY_MUTANTS_FLAGS ?=

.PHONY: parity-mutants

parity-mutants: setup
	$(GO) run ./parity/mutants $(PARITY_MUTANTS_FLAGS)
