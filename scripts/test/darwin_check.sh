#!/bin/sh
# darwin-check (mk/platform.mk): what can be checked on Linux about the macOS build.
#  1. Every package of the module whose dependencies include no cgo package builds and vets
#     for GOOS=darwin GOARCH=arm64 with CGO_ENABLED=0.
#  2. runtime/mlx, the one cgo package of ours, selects the macOS link flags under GOOS=darwin
#     (libmlx through the rpath, libc++ rather than libstdc++). Compiling it needs Apple's
#     toolchain, so this checks the flags cgo would pass, not the object code.
set -eu
cd "$(dirname "$0")/../.."
GO=${GO:-go}
export GOOS=darwin GOARCH=arm64

cgo=$(CGO_ENABLED=1 "$GO" list -deps -f '{{if and .CgoFiles (not .Standard)}}{{.ImportPath}}{{end}}' ./... | sort -u)
# go vet checks test files too, so a package counts as cgo-free only when its tests' imports
# are as well (lm/launch's test imports runtime/mlx): -test lists the test variants
# ("p [p.test]", "p_test [p.test]", "p.test"), each folded back onto p.
pure=$(CGO_ENABLED=1 "$GO" list -test -f '{{.ImportPath}}|{{join .Deps " "}}' ./... |
  awk -F'|' -v cgo="$cgo" 'BEGIN { n = split(cgo, a, "\n"); for (i = 1; i <= n; i++) c[a[i]] = 1 }
    { split($1, ip, " "); p = ip[1]; sub(/\.test$/, "", p); sub(/_test$/, "", p); seen[p] = 1
      if (p in c) bad[p] = 1
      m = split($2, d, " "); for (i = 1; i <= m; i++) if (d[i] in c) bad[p] = 1 }
    END { for (p in seen) if (!(p in bad)) print p }' | sort)
n=$(printf '%s\n' "$pure" | grep -c . || true)
# A floor, so that a change that drags cgo into everything fails here instead of checking nothing.
if [ "$n" -lt 5 ]; then
  echo "darwin-check: only $n packages are free of cgo; expected lm/hub, lm/tokenizer, upstream and others" >&2
  exit 1
fi
# shellcheck disable=SC2086 # $pure is a list of import paths
CGO_ENABLED=0 "$GO" build $pure
# shellcheck disable=SC2086
CGO_ENABLED=0 "$GO" vet $pure

flags=$(CGO_ENABLED=1 "$GO" list -f '{{join .CgoLDFLAGS " "}}' ./runtime/mlx)
case " $flags " in
  *" -lmlx "*) ;;
  *) echo "darwin-check: runtime/mlx does not link libmlx under GOOS=darwin: $flags" >&2; exit 1 ;;
esac
case " $flags " in
  *" -lc++ "*) ;;
  *) echo "darwin-check: runtime/mlx does not link libc++ under GOOS=darwin: $flags" >&2; exit 1 ;;
esac
case " $flags " in
  *" -lstdc++ "*) echo "darwin-check: runtime/mlx links libstdc++ under GOOS=darwin: $flags" >&2; exit 1 ;;
  *-Wl,-rpath,*) ;;
  *) echo "darwin-check: runtime/mlx sets no rpath under GOOS=darwin: $flags" >&2; exit 1 ;;
esac
echo "darwin (GOOS=darwin GOARCH=arm64)  ok ($n cgo-free packages build and vet; runtime/mlx links libmlx.dylib + libc++)"
