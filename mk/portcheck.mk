# portcheck: provenance and upstream drift (see docs/portcheck.md).
.PHONY: portcheck-verify portcheck-lock portcheck-drift

# Every ported/ and generated/ Go file names an upstream blob that matches upstream.lock.
portcheck-verify: setup
	$(GO) run ./cmd/portcheck verify

# Recompute upstream.lock's hashes (venv) and derived lists (headers) for the pinned revision.
portcheck-lock: setup
	$(GO) run ./cmd/portcheck lock

# Compare the pin with the newest mlx-lm on PyPI (needs the network).
portcheck-drift: setup
	$(GO) run ./cmd/portcheck --to latest

# Move the mlx-lm pin: make bump VERSION=0.33.0 (drift report, requirements/constraints, setup, lock,
# regenerate, then what is left to re-port by hand; see scripts/bump.sh and docs/drift/).
.PHONY: bump
bump:
	@GO=$(GO) ./scripts/bump.sh $(VERSION)
