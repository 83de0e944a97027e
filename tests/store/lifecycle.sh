#!/usr/bin/env bash
# Finding lifecycle: three successive scans of a changing estate (fixtures/lifecycle/v1..v3)
# give new -> open / resolved -> reopened, with remediation times from the injected scan
# times; a stored exception suppresses a finding and the finding names it.
source "$(dirname "$0")/lib.sh"
est=$WORK/estate
mkdir -p "$est"
scan() {  # scan VERSION TIME
  cp "$SRC/tests/store/fixtures/lifecycle/$1/estate.yaml" "$est/estate.yaml"
  "$S" scan "$est" --store "$DB" --format json --now "$2" --mode guardrail > "$WORK/scan-$1.json" 2> "$WORK/scan-$1.err" ||
    fail "scan $1: $(cat "$WORK/scan-$1.err")"
  "$S" history --findings --format json --store "$DB" > "$WORK/findings-$1.json" || fail "history after $1"
}
state() {  # state VERSION RESOURCE -> the states of its findings, deduplicated
  q "$WORK/findings-$1.json" "input.findings.filter(f, f.resource_id == '$2').map(f, f.state)" |
    tr -d '[]" ' | tr ',' '\n' | sort -u | tr '\n' ' '
}

scan v1 2026-01-01T00:00:00Z
expect_eq "v1 DataBucket" "$(state v1 DataBucket)" "new "
expect_eq "v1 LogsBucket" "$(state v1 LogsBucket)" "new "
n=$(q "$WORK/findings-v1.json" "size(input.findings)")
expect_eq "v1 finding count" "$n" "8"

scan v2 2026-01-03T00:00:00Z
expect_eq "v2 DataBucket (moved lines, same fingerprints)" "$(state v2 DataBucket)" "open "
expect_eq "v2 LogsBucket (removed)" "$(state v2 LogsBucket)" "resolved "
expect_eq "v2 resolved_at" "$(q "$WORK/findings-v2.json" "input.findings.filter(f, f.state == 'resolved').all(f, f.resolved_at == '2026-01-03T00:00:00Z')")" "true"
grep -q "4 resolved" "$WORK/scan-v2.err" || fail "scan v2 summary: $(cat "$WORK/scan-v2.err")"

# ArchiveBucket's SKM-AWS-S3-007 finding is accepted by a stored exception before scan 3.
"$S" exception add --store "$DB" --rule SKM-AWS-S3-007 --resource 'Archive*' --reason "archive" \
  --approver ciso@example.com --expires 2026-12-31 --now 2026-01-04T00:00:00Z > /dev/null || fail "exception add"
scan v3 2026-01-05T00:00:00Z
expect_eq "v3 DataBucket" "$(state v3 DataBucket)" "open "
expect_eq "v3 LogsBucket (back)" "$(state v3 LogsBucket)" "reopened "
expect_eq "v3 ArchiveBucket" "$(state v3 ArchiveBucket)" "new suppressed "
expect_eq "v3 suppressed by exception 1" \
  "$(q "$WORK/findings-v3.json" "input.findings.filter(f, f.state == 'suppressed').map(f, f.exception_id)")" "[1]"
expect_eq "v3 reopened findings have no resolved_at" \
  "$(q "$WORK/findings-v3.json" "input.findings.filter(f, f.state == 'reopened').all(f, f.resolved_at == null)")" "true"
expect_eq "v3 first_seen kept" \
  "$(q "$WORK/findings-v3.json" "input.findings.filter(f, f.resource_id == 'LogsBucket').all(f, f.first_seen == '2026-01-01T00:00:00Z')")" "true"
grep -q '"status": "suppressed"' "$WORK/scan-v3.json" || fail "scan v3 report shows no suppressed finding"

# Runs and metrics.
"$S" history --format json --store "$DB" > "$WORK/runs.json" || fail "history"
expect_eq "run statuses" "$(q "$WORK/runs.json" "input.runs.map(r, r.status)")" '["complete","complete","complete"]'
expect_eq "new per run" "$(q "$WORK/runs.json" "input.runs.map(r, r.new)")" "[8,0,3]"
expect_eq "reopened per run" "$(q "$WORK/runs.json" "input.runs.map(r, r.reopened)")" "[0,0,4]"
expect_eq "inputs hashed" "$(q "$WORK/runs.json" "input.runs.all(r, r.inputs == 1)")" "true"
"$S" metrics --format json --store "$DB" > "$WORK/metrics.json" || fail "metrics"
# Four LogsBucket findings: first seen 2026-01-01, resolved 2026-01-03 -> 2 days each.
expect_eq "remediation count" "$(q "$WORK/metrics.json" "input.time_to_remediate.count")" "4"
expect_eq "remediation median" "$(q "$WORK/metrics.json" "input.time_to_remediate.median_ms")" "172800000"
expect_eq "remediation p90" "$(q "$WORK/metrics.json" "input.time_to_remediate.p90_ms")" "172800000"
expect_eq "open findings per run (medium)" \
  "$(q "$WORK/metrics.json" "input.open_findings.map(r, r.by_severity.medium)")" "[6,3,8]"
echo "lifecycle: ok"
