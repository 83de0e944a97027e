#!/usr/bin/env bash
# Crash safety: a process writing a large run (store_tool write: 400,000 findings in
# transactions of 1,000) is killed with SIGKILL part-way. The database must pass
# PRAGMA integrity_check with no foreign-key violations, the next open must mark the
# interrupted run incomplete, and the store must keep working.
source "$(dirname "$0")/lib.sh"
"$S" scan "$SRC/tests/store/fixtures/lifecycle/v1" --store "$DB" --format json --now 2026-01-01T00:00:00Z \
  --mode guardrail > /dev/null 2>&1 || fail "first scan"
"$TOOL" write "$DB" 400000 1000 > "$WORK/writer.out" 2> "$WORK/writer.err" &
pid=$!
for _ in $(seq 1 600); do
  grep -q "^batch 5$" "$WORK/writer.out" && break
  sleep 0.05
done
grep -q "^batch 5$" "$WORK/writer.out" || { kill -9 $pid; fail "writer made no progress: $(cat "$WORK/writer.err")"; }
kill -9 $pid
wait $pid 2>/dev/null
grep -q "^done$" "$WORK/writer.out" && fail "the writer finished before it was killed; nothing was tested"
run=$(sed -n 's/^run //p' "$WORK/writer.out")
[ -n "$run" ] || fail "no run id"

"$TOOL" integrity "$DB" > "$WORK/integrity.out" || fail "integrity check: $(cat "$WORK/integrity.out")"
expect_eq "integrity_check" "$(head -1 "$WORK/integrity.out")" "ok"

"$S" history --format json --store "$DB" > "$WORK/runs.json" 2> "$WORK/history.err" || fail "history"
grep -q "run $run did not finish" "$WORK/history.err" || fail "no note about run $run: $(cat "$WORK/history.err")"
expect_eq "interrupted run" "$(q "$WORK/runs.json" "input.runs.filter(r, r.id == $run).map(r, r.status)")" \
  '["incomplete"]'
# Committed batches are there, the lifecycle of the interrupted run was never applied.
"$S" history --findings --format json --store "$DB" > "$WORK/findings.json" || fail "findings"
expect_eq "findings of the interrupted run" \
  "$(q "$WORK/findings.json" "input.findings.filter(f, f.last_run == $run).size()")" "0"
# The store goes on working: a new scan resolves nothing wrongly and completes.
"$S" scan "$SRC/tests/store/fixtures/lifecycle/v1" --store "$DB" --format json --now 2026-01-02T00:00:00Z \
  --mode guardrail > /dev/null 2> "$WORK/scan2.err" || fail "scan after crash: $(cat "$WORK/scan2.err")"
"$S" history --format json --store "$DB" > "$WORK/runs2.json" || fail "history 2"
expect_eq "statuses" "$(q "$WORK/runs2.json" "input.runs.map(r, r.status)")" '["complete","incomplete","complete"]'
"$TOOL" integrity "$DB" > /dev/null || fail "integrity after recovery"
echo "crash: ok"
