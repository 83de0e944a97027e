#!/usr/bin/env bash
# Input that goes back in time (one account's logs after another's, the same logs twice):
# `detect` and `watch` close their correlation windows and start again, say so on stderr
# ([detect.correlation.restart]), and correlate the older logs as if they were read alone.
# Matches without eventTime are named too ([detect.correlation.untimed]).
#
#   tests/integration/detect_restart_test.sh SEKIMORI
bin=${1:?usage: detect_restart_test.sh SEKIMORI}
source "$(dirname "$0")/lib.sh"

cat > "$work/rules.yml" <<'YML'
title: Access denied
name: denied
id: 5b0e6f2c-3d4a-4e8b-9c1d-2f3a4b5c6d7e
status: test
level: low
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    errorCode: AccessDenied
  condition: selection
---
title: Denials per window
id: 6c1f7a3d-4e5b-4f9c-8d2e-3a4b5c6d7e8f
status: test
level: medium
correlation:
  type: event_count
  rules: [denied]
  group-by: [sourceIPAddress]
  timespan: 5m
  condition:
    lte: 1000
YML
denied() {  # denied TIME: one AccessDenied record from 198.51.100.7
  printf '{"eventTime":"%s","eventName":"GetObject","eventSource":"s3.amazonaws.com",' "$1"
  printf '"errorCode":"AccessDenied","sourceIPAddress":"198.51.100.7"}\n'
}
mkdir -p "$work/a" "$work/b" "$work/follow"
# account a: one denial at 10:00 on the 2nd, then a record two hours later (so that the
# denial's window is open, not only held for reordering, when b comes)
{ denied 2026-01-02T10:00:00Z; denied 2026-01-02T12:00:00Z; } > "$work/a/a.jsonl"
# account b, a day earlier: two denials in one window
{ denied 2026-01-01T10:00:00Z; denied 2026-01-01T10:01:00Z; } > "$work/b/b.jsonl"

counts() {  # the event_count of each correlation alert in FILE, sorted
  grep -o '"event_count":[0-9]*' "$1" | cut -d: -f2 | sort -n | tr '\n' ' '
}

"$bin" detect --no-builtin-rules -r "$work/rules.yml" -f json -o "$work/out.json" "$work/a" "$work/b" \
  2> "$work/err.txt"
check "detect exit code" 0 "$?"
check "detect says it started again" 1 "$(grep -c 'went back in time.* 1 time(s).*\[detect.correlation.restart\]' "$work/err.txt")"
# apart: a's two windows of one denial each, b's window of two (not b's joined to a's)
check "detect windows as if read apart" "1 1 2 " "$(counts "$work/out.json")"
check "statistics name the matches correlated" 1 "$(grep -c '(4 match(es) fed to them, at most [0-9]* held at once)' "$work/err.txt")"
sed -n '1,/^---$/p' "$work/rules.yml" | sed '$d' > "$work/no-correlation.yml"
"$bin" detect --no-builtin-rules -r "$work/no-correlation.yml" -f json -o /dev/null "$work/a" 2> "$work/err5.txt"
check "no correlation state without correlations" 1 "$(grep -c ' 0 correlation(s); ' "$work/err5.txt")"

check "the warning names the reorder window" 1 "$(grep -c 'reorder window (1h)' "$work/err.txt")"

# a reorder window longer than the jump back: the older logs are held and put in order
"$bin" detect --no-builtin-rules -r "$work/rules.yml" --reorder-window 2d -f json -o "$work/out6.json" \
  "$work/a" "$work/b" 2> "$work/err6.txt"
check "a 2d reorder window: exit code" 0 "$?"
check "a 2d reorder window: no restart" 0 "$(grep -c 'detect.correlation' "$work/err6.txt")"
check "a 2d reorder window: the same windows" "1 1 2 " "$(counts "$work/out6.json")"
for cmd in "detect --no-builtin-rules $work/a" "watch --once -i $work/a"; do
  # shellcheck disable=SC2086  # the command and its arguments are words
  "$bin" $cmd -r "$work/rules.yml" --reorder-window 5x > /dev/null 2> "$work/err7.txt"
  check "${cmd%% *}: a reorder window that is no duration is bad usage" 2 "$?"
  check "${cmd%% *}: says why" 1 "$(grep -c 'not a duration .*: 5x' "$work/err7.txt")"
done

"$bin" detect --no-builtin-rules -r "$work/rules.yml" -f json -o "$work/out2.json" "$work/b" "$work/a" \
  2> "$work/err2.txt"
check "in time order: no restart" 0 "$(grep -c 'detect.correlation.restart' "$work/err2.txt")"
check "in time order: the same windows" "1 1 2 " "$(counts "$work/out2.json")"

# a denial without eventTime: counted and named, not correlated
printf '{"eventName":"GetObject","errorCode":"AccessDenied","sourceIPAddress":"198.51.100.7"}\n' \
  > "$work/untimed.jsonl"
"$bin" detect --no-builtin-rules -r "$work/rules.yml" -f json -o /dev/null "$work/untimed.jsonl" 2> "$work/err3.txt"
check "detect names untimed matches" 1 "$(grep -c '^warning: 1 match(es) .*\[detect.correlation.untimed\]' "$work/err3.txt")"
"$bin" watch --once -r "$work/rules.yml" -i "$work/untimed.jsonl" > /dev/null 2> "$work/err4.txt"
check "watch names untimed matches" 1 "$(grep -c '^warning: 1 match(es) .*\[detect.correlation.untimed\]' "$work/err4.txt")"

# watch: a is read in one poll, b in a later one
"$bin" watch -r "$work/rules.yml" -i "$work/follow" --interval 0.1 -a "jsonl:$work/watch.jsonl" \
  > /dev/null 2> "$work/watch-err.txt" &
pid=$!
wait_for() {  # wait_for PATTERN FILE: up to 60 s
  for _ in $(seq 600); do
    grep -q "$1" "$2" 2> /dev/null && return 0
    sleep 0.1
  done
  return 1
}
cp "$work/a/a.jsonl" "$work/follow/a.jsonl"
# (the denial rule only feeds the correlation: its matches are not alerts of their own)
wait_for '"event_count":1' "$work/watch.jsonl"  # a's first window, closed by its second record
check "watch read a" 0 "$?"
cp "$work/b/b.jsonl" "$work/follow/b.jsonl"
wait_for 'detect.correlation.restart' "$work/watch-err.txt"  # written as b's matches are correlated
check "watch says it started again" 0 "$?"
kill -TERM "$pid"
wait "$pid"
check "watch exit code" 0 "$?"
check "watch windows as if read apart" "1 1 2 " "$(counts "$work/watch.jsonl")"
exit $fail
