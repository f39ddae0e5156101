#!/usr/bin/env bash
# Compares, test by test, the host digests of two runs of the emulated GPU tests under different
# orders (scripts/test-emulated.sh): each test process wrote "name<TAB>digest<TAB>copies<TAB>bytes"
# lines to <pid>.digest in its run's directory (tests/emulated_cuda/README.md). A test whose bytes
# handed to the host differ is order-dependent: most likely a float atomicAdd (or another
# unordered combination) where the result must not depend on the order. Exits 1 naming each.
# Usage: scripts/compare-host-digests.sh DIR1 DIR2 ORDER1 ORDER2
set -euo pipefail
export LC_ALL=C

# Tests whose bytes handed to the host may depend on the order or on timing by design, with the
# reason for each; the regular expression matches the test's name (the binary's name, ':' and the
# gtest filter). None so far.
exclusions='^$'

# One line per test: its name, then the digests of its processes (sorted: their order is not the
# test's). join marks a test that wrote none in one run "none".
collect() {
  local files=("$1"/*.digest)
  if [[ ! -e "${files[0]}" ]]; then
    echo "no host digests in $1: was CUNMF_EMU_DIGEST_DIR set for its run?" >&2
    exit 1
  fi
  cat "${files[@]}" | sort | awk -F'\t' '
    $1 != name { if (NR > 1) print name "\t" digests; name = $1; digests = $2 "/" $3; next }
    { digests = digests "," $2 "/" $3 }
    END { if (NR > 0) print name "\t" digests }' | sort -t $'\t' -k1,1
}

first=$(collect "$1")
second=$(collect "$2")
differ=$(join -t $'\t' -a 1 -a 2 -e none -o 0,1.2,2.2 <(echo "$first") <(echo "$second") |
         awk -F'\t' -v skip="$exclusions" '$1 !~ skip && $2 != $3')
compared=$(wc -l <<< "$first")
if [[ -z "$differ" ]]; then
  echo "== host digests agree: $compared tests and child processes, the same bits in both orders"
  exit 0
fi
echo "== host digests: these tests handed the host other bits when the order changed (a result"
echo "   that depends on the order, such as a float atomicAdd in a reduction):"
while IFS=$'\t' read -r name digests_1 digests_2; do
  echo "  $name"
  echo "    $3: digest/copies $digests_1"
  echo "    $4: digest/copies $digests_2"
done <<< "$differ"
echo "   Rerun one in either order: <its settings> <build>/tests/<binary> --gtest_filter=<case>"
exit 1
