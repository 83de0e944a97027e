# Shared helpers of the store's CLI tests (sourced). Each test is run as
#   bash tests/store/NAME.sh SEKIMORI STORE_TOOL SOURCE_DIR WORK_DIR
set -uo pipefail
S=${1:?usage: NAME.sh SEKIMORI STORE_TOOL SOURCE_DIR WORK_DIR}
TOOL=${2:?store_tool}
SRC=${3:?source dir}
WORK=${4:?work dir}
rm -rf "$WORK"
mkdir -p "$WORK"
DB=$WORK/sekimori.db
export SEKIMORI_USER=tester
unset SEKIMORI_STORE

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# q JSON_FILE CEL: evaluates a CEL expression over a JSON file, prints the JSON result.
q() {
  "$S" eval -i "$1" "$2" || fail "eval '$2' over $1"
}

# expect_eq WHAT GOT WANT
expect_eq() {
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}
