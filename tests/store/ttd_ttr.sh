#!/usr/bin/env bash
# Time to detect and time to respond on fixture alerts with known times: three events at
# 10:00, 10:05 and 10:20 detected at 10:30 (TTD 30, 25, 10 min); alert 1 acknowledged at
# 10:40, alert 2 closed at 11:30, alert 3 acknowledged at 10:35 and closed at 11:00
# (TTR 10, 60, 5 min). A second hunt over the same events stores no duplicates.
source "$(dirname "$0")/lib.sh"
rule=$SRC/detections/aws/admin_policy_attached.yml
hunt() {
  "$S" detect "$SRC/tests/store/fixtures/alerts" --no-builtin-rules -r "$rule" -f json -q --store "$DB" \
    --now 2026-01-01T10:30:00Z > "$WORK/alerts.jsonl" || fail "detect"
}
hunt
hunt
"$S" alert list --format json --store "$DB" > "$WORK/alerts.json" || fail "alert list"
expect_eq "alerts stored once" "$(q "$WORK/alerts.json" "size(input.alerts)")" "3"
"$S" alert ack 1 --by alice --now 2026-01-01T10:40:00Z --store "$DB" > /dev/null || fail "ack 1"
"$S" alert close 2 --by bob --note "false positive" --now 2026-01-01T11:30:00Z --store "$DB" > /dev/null || fail "close 2"
"$S" alert ack 3 --by carol --now 2026-01-01T10:35:00Z --store "$DB" > /dev/null || fail "ack 3"
"$S" alert close 3 --by dave --now 2026-01-01T11:00:00Z --store "$DB" > /dev/null || fail "close 3"
"$S" alert list --format json --store "$DB" > "$WORK/alerts.json" || fail "alert list"
expect_eq "statuses" "$(q "$WORK/alerts.json" "input.alerts.map(a, a.status)")" '["acknowledged","closed","closed"]'
expect_eq "who" "$(q "$WORK/alerts.json" "input.alerts.map(a, a.status_by)")" '["alice","bob","dave"]'
"$S" metrics --format json --store "$DB" > "$WORK/metrics.json" || fail "metrics"
expect_eq "ttd count" "$(q "$WORK/metrics.json" "input.time_to_detect.count")" "3"
expect_eq "ttd mean" "$(q "$WORK/metrics.json" "input.time_to_detect.mean_ms")" "1300000"
expect_eq "ttd median" "$(q "$WORK/metrics.json" "input.time_to_detect.median_ms")" "1500000"
expect_eq "ttd p90" "$(q "$WORK/metrics.json" "input.time_to_detect.p90_ms")" "1800000"
expect_eq "ttr count" "$(q "$WORK/metrics.json" "input.time_to_respond.count")" "3"
expect_eq "ttr mean" "$(q "$WORK/metrics.json" "input.time_to_respond.mean_ms")" "1500000"
expect_eq "ttr median" "$(q "$WORK/metrics.json" "input.time_to_respond.median_ms")" "600000"
expect_eq "ttr p90" "$(q "$WORK/metrics.json" "input.time_to_respond.p90_ms")" "3600000"
# --since leaves out what came before.
"$S" metrics --format json --since 2026-01-02 --store "$DB" > "$WORK/metrics2.json" || fail "metrics --since"
expect_eq "ttd since" "$(q "$WORK/metrics2.json" "input.time_to_detect.count")" "0"
echo "ttd_ttr: ok"
