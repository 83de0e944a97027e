#!/usr/bin/env bash
# Bad input to every store command gets a clear error (exit 2, "error: ..." on stderr) and
# changes nothing: the database's full contents are compared before and after each one.
source "$(dirname "$0")/lib.sh"
N="--now 2026-01-10T00:00:00Z"
ok() { "$S" "$@" --store "$DB" > /dev/null 2> "$WORK/setup.err" || fail "setup: $* -> $(cat "$WORK/setup.err")"; }
# One of everything.
"$S" scan "$SRC/tests/store/fixtures/lifecycle/v1" --store "$DB" --format json --mode guardrail \
  --now 2026-01-01T00:00:00Z > /dev/null 2>&1 || fail "setup scan"
"$S" detect "$SRC/tests/store/fixtures/alerts" --no-builtin-rules -r "$SRC/detections/aws/admin_policy_attached.yml" \
  -q -f json --store "$DB" --now 2026-01-01T10:30:00Z > /dev/null 2>&1 || fail "setup detect"
ok exception add --rule SKM-AWS-S3-004 --resource '*' --reason r --approver a --expires 2026-12-31 $N
ok exception add --rule SKM-AWS-S3-002 --resource '*' --reason r --approver a --expires 2026-12-31 $N
ok exception revoke 2 --reason "no longer needed" $N
ok risk add --title T --likelihood 3 --impact 4 --owner security --review-date 2026-06-30 --threat T01 $N
ok risk add --title Closed --likelihood 1 --impact 1 --owner o --review-date 2026-06-30 $N
ok risk close 2 --reason done $N
ok vendor add --name Okta --service idp --model SaaS --attestation "SOC 2 Type II:2027-03-31" $N
ok vendor add --name Other --service x --model PaaS $N
ok alert close 1 --by alice --now 2026-01-01T11:00:00Z
"$S" governance export --store "$DB" -o "$WORK/gov.json" || fail "export"

"$TOOL" dump "$DB" > "$WORK/before.txt" || fail "dump"
count=0
bad() {  # bad PATTERN ARGS... : must exit 2, print PATTERN, change nothing
  local pattern=$1
  shift
  count=$((count + 1))
  "$S" "$@" --store "$DB" > "$WORK/out.txt" 2> "$WORK/err.txt"
  local rc=$?
  [ $rc -eq 2 ] || fail "'$*' exited $rc, want 2 (stderr: $(cat "$WORK/err.txt"))"
  grep -q -- "$pattern" "$WORK/err.txt" || fail "'$*': stderr lacks '$pattern': $(cat "$WORK/err.txt")"
  "$TOOL" dump "$DB" > "$WORK/after.txt" || fail "dump"
  cmp -s "$WORK/before.txt" "$WORK/after.txt" || { diff "$WORK/before.txt" "$WORK/after.txt" | head -20 >&2; fail "'$*' changed the database"; }
}

# exception
bad "approver is required" exception add --rule R --resource '*' --reason r --expires 2026-12-31 $N
bad "rule is required" exception add --resource '*' --reason r --approver a --expires 2026-12-31 $N
bad "'2026-02-30' is not a valid date" exception add --rule R --resource '*' --reason r --approver a --expires 2026-02-30 $N
bad "in the past" exception add --rule R --resource '*' --reason r --approver a --expires 2026-01-09 $N
bad "expires is required" exception add --rule R --resource '*' --reason r --approver a $N
bad "no exception with id 99" exception revoke 99 --reason r $N
bad "already revoked" exception revoke 2 --reason r $N
bad "reason is required" exception revoke 1 $N
bad "Could not convert: id = abc" exception revoke abc --reason r
bad "unknown --format" exception list --format xml
bad "error: --now" exception add --rule R --resource '*' --reason r --approver a --expires 2026-12-31 --now yesterday
# risk
bad "title is required" risk add --likelihood 3 --impact 4 --owner o --review-date 2026-06-30 $N
bad "likelihood must be 1..5, got 7" risk add --title T --likelihood 7 --impact 4 --owner o --review-date 2026-06-30 $N
bad "likelihood is required" risk add --title T --impact 4 --owner o --review-date 2026-06-30 $N
bad "impact must be 1..5, got -1" risk add --title T --likelihood 2 --impact -1 --owner o --review-date 2026-06-30 $N
bad "owner is required" risk add --title T --likelihood 2 --impact 2 --review-date 2026-06-30 $N
bad "treatment must be one of" risk add --title T --likelihood 2 --impact 2 --owner o --treatment ignore --review-date 2026-06-30 $N
bad "unknown threat 'T99'" risk add --title T --likelihood 2 --impact 2 --owner o --threat T99 --review-date 2026-06-30 $N
bad "unknown rule 'SKM-NOPE'" risk add --title T --likelihood 2 --impact 2 --owner o --rule SKM-NOPE --review-date 2026-06-30 $N
bad "not a finding fingerprint" risk add --title T --likelihood 2 --impact 2 --owner o --finding xyz --review-date 2026-06-30 $N
bad "review-date '2026-6-30'" risk add --title T --likelihood 2 --impact 2 --owner o --review-date 2026-6-30 $N
bad "review-date is required" risk add --title T --likelihood 2 --impact 2 --owner o $N
bad "no risk with id 99" risk update 99 --impact 2 $N
bad "impact must be 1..5, got 9" risk update 1 --impact 9 $N
bad "nothing to update" risk update 1 $N
bad "no risk with id 99" risk show 99
bad "no risk with id 99" risk close 99 --reason r $N
bad "reason is required" risk close 1 $N
bad "already closed" risk close 2 --reason again $N
bad "Could not convert: --likelihood" risk add --title T --likelihood high --impact 2 --owner o --review-date 2026-06-30
# vendor
bad "name is required" vendor add --service s --model SaaS $N
bad "service is required" vendor add --name N --model SaaS $N
bad "unknown service model 'Mainframe'" vendor add --name N --service s --model Mainframe $N
bad "attestation expects NAME:YYYY-MM-DD" vendor add --name N --service s --model SaaS --attestation "SOC 2" $N
bad "'2027-02-30' is not a valid date" vendor add --name N --service s --model SaaS --attestation "SOC 2:2027-02-30" $N
bad "classification must be one of" vendor add --name N --service s --model SaaS --classification secret $N
bad "already exists" vendor add --name Okta --service s --model SaaS $N
bad "no vendor with id or name 'Nope'" vendor show Nope
bad "no vendor with id or name 'Nope'" vendor update Nope --sla x $N
bad "already exists" vendor update Other --name Okta $N
bad "due-diligence date '2026-13-01'" vendor update Okta --dd-date 2026-13-01 $N
bad "due-diligence status must be one of" vendor update Okta --dd-status maybe $N
bad "nothing to update" vendor update Okta $N
bad "status must be pending" vendor assess Okta --status maybe $N
bad "status must be pending" vendor assess Okta $N
bad "is not a valid date" vendor assess Okta --status approved --date 2026-02-30 $N
bad "in the future" vendor assess Okta --status approved --date 2026-12-01 $N
bad "no vendor with id or name 'Nope'" vendor assess Nope --status approved $N
# alert
bad "no alert with id 99" alert ack 99 --by x
bad "by NAME is required" alert ack 2
bad "already closed" alert ack 1 --by x
bad "cannot be closed before" alert close 2 --by x --now 2020-01-01T00:00:00Z
bad "error: --now" alert close 2 --by x --now soon
bad "status must be new, acknowledged or closed" alert list --status open
# history, metrics
bad "neither a date" history --since last-week
bad "state must be" history --state gone
bad "unknown --format" metrics --format xml
bad "neither a date" metrics --since 2026-13-01
# governance import: every problem is reported with its location and nothing is imported
printf '{"format": 1, "risks": [' > "$WORK/broken.json"
bad "error" governance import "$WORK/broken.json"
sed -e 's/"likelihood": 3/"likelihood": 8/' -e 's/"service_model": "SaaS"/"service_model": "Cloud"/' \
  "$WORK/gov.json" > "$WORK/invalid.json"
bad "invalid.json:[0-9]*:[0-9]*: error: risk: --likelihood must be 1..5, got 8" governance import "$WORK/invalid.json"
bad "unknown service model 'Cloud'" governance import "$WORK/invalid.json"
bad "cannot read" governance import "$WORK/missing.json"
sed -e 's/"format": 1/"format": 2/' "$WORK/gov.json" > "$WORK/v2.json"
bad "'format' must be 1" governance import "$WORK/v2.json"
# Importing the database's own export changes nothing either (idempotent), exit 0.
"$S" governance import "$WORK/gov.json" --store "$DB" --now 2026-01-11T00:00:00Z > "$WORK/imp.txt" || fail "import"
grep -q "0 added, 0 updated, 6 unchanged" "$WORK/imp.txt" || fail "import of own export: $(cat "$WORK/imp.txt")"
"$TOOL" dump "$DB" > "$WORK/after.txt"
cmp -s "$WORK/before.txt" "$WORK/after.txt" || fail "re-importing the export changed the database"
echo "bad_input: ok ($count bad commands)"
