#!/usr/bin/env bash
# Two processes writing at once: a `watch` recording alerts from a growing CloudTrail file
# while `scan`s record runs, plus two store_tool processes hammering writes. Everything
# must succeed (WAL mode and the busy timeout make writers wait, not fail).
source "$(dirname "$0")/lib.sh"
events=$WORK/trail.jsonl
: > "$events"
"$S" watch -r "$SRC/detections/aws/admin_policy_attached.yml" -i "$events" --interval 0.1 -a "jsonl:$WORK/out.jsonl" \
  --store "$DB" > "$WORK/watch.out" 2> "$WORK/watch.err" &
watch=$!
sleep 0.5
"$TOOL" hammer "$DB" 20 one > "$WORK/h1.out" 2>&1 &
h1=$!
"$TOOL" hammer "$DB" 20 two > "$WORK/h2.out" 2>&1 &
h2=$!
scans=()
for i in 1 2 3; do
  "$S" scan "$SRC/tests/store/fixtures/lifecycle/v3" --store "$DB" --format json --mode guardrail \
    > /dev/null 2> "$WORK/scan$i.err" &
  scans+=($!)
done
cat "$SRC/tests/store/fixtures/alerts/admin_attached.jsonl" >> "$events"
for p in "${scans[@]}"; do wait "$p" || fail "a scan failed: $(cat "$WORK"/scan*.err)"; done
wait $h1 || fail "hammer one: $(cat "$WORK/h1.out")"
wait $h2 || fail "hammer two: $(cat "$WORK/h2.out")"
for _ in $(seq 1 200); do
  [ "$(wc -l < "$WORK/out.jsonl" 2>/dev/null || echo 0)" -ge 3 ] && break
  sleep 0.1
done
sleep 0.3
kill -TERM $watch
wait $watch || fail "watch exited with an error: $(cat "$WORK/watch.err")"
grep -q "recorded run" "$WORK/watch.err" || fail "watch did not record its run: $(cat "$WORK/watch.err")"
"$S" history --format json --store "$DB" > "$WORK/runs.json" || fail "history"
expect_eq "every run complete" "$(q "$WORK/runs.json" "input.runs.all(r, r.status == 'complete')")" "true"
expect_eq "runs" "$(q "$WORK/runs.json" "size(input.runs)")" "44"
expect_eq "scan runs of the fixture" "$(q "$WORK/runs.json" "input.runs.filter(r, r.kind == 'scan' && r.scope[0].endsWith('v3')).size()")" "3"
expect_eq "watch alerts" "$(q "$WORK/runs.json" "input.runs.filter(r, r.kind == 'watch').map(r, r.alerts)")" "[3]"
"$S" exception list --format json --store "$DB" > "$WORK/ex.json" || fail "exception list"
expect_eq "exceptions" "$(q "$WORK/ex.json" "size(input.exceptions)")" "40"
"$TOOL" integrity "$DB" > /dev/null || fail "integrity"
echo "concurrency: ok"
