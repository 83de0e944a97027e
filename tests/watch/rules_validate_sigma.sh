#!/usr/bin/env bash
# `sekimori rules validate` on Sigma files: a good rule passes (exit 0), a bad one fails
# (exit 1) with located sigma.* diagnostics, a mix with posture rules is told apart by
# content, and with no path the bundled detections are checked too.
#   rules_validate_sigma.sh SEKIMORI_EXE SOURCE_DIR
set -u
exe=$1 src=$2 dir=$src/tests/watch/sigma fail=0
check() {  # check NAME EXPECTED_RC PATTERN -- ARGS...
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$exe" rules validate "$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then echo "FAIL $name: exit $rc, want $want"; echo "$out"; fail=1; return; fi
  if ! grep -qE -- "$pattern" <<<"$out"; then echo "FAIL $name: no match for /$pattern/"; echo "$out"; fail=1; return; fi
  echo "ok   $name"
}
check good 0 '^0 rules and 1 Sigma rules \(compiled\) valid, 0 errors' -- "$dir/good.yml"
check bad 1 'bad\.yml:8:5: error: .*\[sigma\.unknown_modifier\]' -- "$dir/bad.yml"
check mixed 1 '^[1-9][0-9]* rules and 2 Sigma rules .* 1 error' -- "$dir" "$src/rules/aws/s3"
check missing 1 "does not exist \[rule\.io\]" -- "$dir/none.yml"
check bundled 0 '^[1-9][0-9]* rules and [1-9][0-9]* Sigma rules .* 0 errors' --
exit $fail
