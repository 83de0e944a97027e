# Shared start of the CLI tests in tests/integration (sourced after `bin` is set): a work
# directory removed on exit, and check NAME EXPECTED ACTUAL, which prints ok or FAIL and
# makes the script exit 1 at the end (`exit $fail`) when any check failed.
set -uo pipefail
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
check() {  # check NAME EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "FAIL: $1: expected '$2', got '$3'"
    fail=1
  else
    echo "ok: $1"
  fi
}
