#!/usr/bin/env bash
# `sekimori detect --format table`: each alert is one row whatever its values' lengths
# (a 1,500-byte principal is written whole, on its own row), and a long title is cut to
# its column without splitting a UTF-8 character.
#
#   tests/integration/detect_table_test.sh SEKIMORI
bin=${1:?usage: detect_table_test.sh SEKIMORI}
source "$(dirname "$0")/lib.sh"

cat > "$work/rule.yml" <<'YML'
title: Très long titre de règle pour vérifier la coûte des colonnes du tableau, byte 48 inside û
id: 0d3c8f7e-2b1a-4c5d-9e8f-7a6b5c4d3e2f
status: test
level: low
logsource:
  product: aws
  service: cloudtrail
detection:
  selection:
    eventName: GetCallerIdentity
  condition: selection
YML
long=$(printf 'x%.0s' $(seq 1500))
for i in 1 2; do
  printf '{"eventTime":"2026-01-0%sT00:00:00Z","eventName":"GetCallerIdentity",' "$i"
  printf '"eventSource":"sts.amazonaws.com","recipientAccountId":"123456789012",'
  printf '"sourceIPAddress":"203.0.113.%s","userIdentity":{"type":"AssumedRole",' "$i"
  printf '"arn":"arn:aws:sts::123456789012:assumed-role/%s/s%s"}}\n' "$long" "$i"
done > "$work/events.jsonl"

"$bin" detect --no-builtin-rules -r "$work/rule.yml" -f table -o "$work/out.txt" -q "$work/events.jsonl"
check "exit code" 0 "$?"
check "rows holding a principal" 2 "$(grep -c "assumed-role/$long/s" "$work/out.txt")"
check "first row's principal whole" 1 "$(grep -c "assumed-role/$long/s1\$" "$work/out.txt")"
check "second row's principal whole" 1 "$(grep -c "assumed-role/$long/s2\$" "$work/out.txt")"
check "rows start with their time" 2 "$(grep -c '^2026-01-0[12]T00:00:00Z ' "$work/out.txt")"
check "title is valid UTF-8" "ok" "$(iconv -f UTF-8 -t UTF-8 "$work/out.txt" >/dev/null 2>&1 && echo ok)"
cut='Très long titre de règle pour vérifier la co  *[0-9]'  # 47 bytes: the 48th starts "û"
check "title cut before the character at its edge" 2 "$(grep -c "$cut" "$work/out.txt")"
check "footer names the rule" 1 "$(grep -c '^ *2  low      Très long titre' "$work/out.txt")"
exit $fail
