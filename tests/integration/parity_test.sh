#!/usr/bin/env bash
# Parity: the example estate is written five times (CloudFormation YAML and JSON,
# Terraform plan JSON, Terraform HCL, an AWS Config snapshot). Scanning each must give the
# same set of failing (rule id, canonical type, logical resource) triples, and that set
# must not be empty. The logical-resource key is described in docs/parity.md.
#
#   tests/integration/parity_test.sh SEKIMORI [SOURCE_DIR] [WORK_DIR]
#
# PARITY_STRICT=1 also fails when a failing pair comes from a rule that declares fewer
# formats than all of them (it then cannot be compared everywhere).
# PARITY_RULES=DIR scans with the rule files in DIR instead of the bundled pack (to check
# rules in the tree before the binary is rebuilt). Exit 0 on parity, 1 on a difference,
# 2 on a broken set-up (a scan that failed, an input not detected as expected).
set -uo pipefail
bin=${1:?usage: parity_test.sh SEKIMORI [SOURCE_DIR] [WORK_DIR]}
src=${2:-$(cd "$(dirname "$0")/../.." && pwd)}
work=${3:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT   # a temporary work directory goes; a given one stays for inspection
fi
mkdir -p "$work"
examples=$src/examples

# format name (as sekimori reports it) : example file
cases=(
  "cloudformation:cloudformation/estate.yaml"
  "cloudformation:cloudformation-json/estate.json"
  "terraform-plan:terraform-plan/plan.json"
  "terraform:terraform"
  "aws-config:aws-config/snapshot.json"
)
rules_args=()
show_args=()
if [ -n "${PARITY_RULES:-}" ]; then
  rules_args=(--no-builtin-rules --rules "$PARITY_RULES")
  show_args=(--rules "$PARITY_RULES")
fi

# `sekimori eval` prints a JSON list of strings; none of ours holds a comma or a quote.
cel_lines() {
  { "$bin" eval --input "$1" "$2" | tr -d '[]\n'; echo; } | tr ',' '\n' | sed -e 's/^ *"//' -e 's/" *$//' | sed '/^$/d'
}
# The logical name: lower case, without '_' and '-' (LogsBucket = logs_bucket).
norm() { tr 'A-Z' 'a-z' | tr -d '_-'; }

status=0
sets=()
for c in "${cases[@]}"; do
  want_format=${c%%:*}
  rel=${c#*:}
  file=$examples/$rel
  tag=$(echo "$rel" | tr '/.' '__')
  report=$work/$tag.report.json
  if [ ! -e "$file" ]; then echo "parity: missing $file"; exit 2; fi
  "$bin" scan "$file" "${rules_args[@]}" --format json --mode guardrail --no-progress --threads 2 \
    --root "$src" -o "$report" 2> "$work/$tag.stderr"
  rc=$?
  if [ $rc -ne 0 ]; then
    echo "parity: scanning $rel exited $rc:"; cat "$work/$tag.stderr"; exit 2
  fi
  got_format=$(cel_lines "$report" 'input.inputs.map(i, string(i.format))' | sort -u)
  if [ "$got_format" != "$want_format" ]; then
    echo "parity: $rel was read as '$got_format', expected '$want_format'"; exit 2
  fi
  # id -> logical name, per format.
  map=$work/$tag.names
  case $want_format in
    cloudformation)
      cel_lines "$report" 'input.findings.map(f, f.resource.id)' | sort -u | while read -r id; do
        printf '%s\t%s\n' "$id" "$(printf '%s' "$id" | norm)"; done > "$map" ;;
    terraform-plan|terraform)
      # module.database.aws_db_instance.database["k"] -> database
      cel_lines "$report" 'input.findings.map(f, f.resource.id)' | sort -u | while read -r id; do
        local_name=$(printf '%s' "$id" | sed -e 's/\[[^]]*\]$//' -e 's/.*\.//')
        printf '%s\t%s\n' "$id" "$(printf '%s' "$local_name" | norm)"; done > "$map" ;;
    aws-config)
      # The stack's logical ID, from the tag CloudFormation puts on what it deploys; else
      # the resource name. sekimori names a Config item by its ARN, else its resource ID.
      cel_lines "$file" 'input.configurationItems.map(i, (has(i.tags) && "aws:cloudformation:logical-id" in i.tags ? i.tags["aws:cloudformation:logical-id"] : (has(i.resourceName) && i.resourceName != null ? i.resourceName : i.resourceId)) + "\t" + i.resourceId + "\t" + (has(i.ARN) && i.ARN != null ? i.ARN : ""))' \
        | sed 's/\\t/\t/g' | while IFS=$'\t' read -r name rid arn; do
        n=$(printf '%s' "$name" | norm)
        printf '%s\t%s\n' "$rid" "$n"
        if [ -n "$arn" ]; then printf '%s\t%s\n' "$arn" "$n"; fi
      done > "$map" ;;
  esac
  pairs=$work/$tag.pairs
  cel_lines "$report" 'input.findings.filter(f, f.status == "fail").map(f, f.resource.id + "\t" + f.rule_id + "\t" + f.resource.type)' \
    | sed 's/\\t/\t/g' | sort > "$work/$tag.raw"
  awk -F'\t' 'NR == FNR { name[$1] = $2; next }
              { n = ($1 in name) ? name[$1] : "?" $1; print $2 "\t" $3 "\t" n }' "$map" "$work/$tag.raw" | sort -u > "$pairs"
  summary=$(cel_lines "$report" '[input.summary].map(s, "resources=" + string(s.resources) + " pass=" + string(s.pass) + " fail=" + string(s.fail) + " unknown=" + string(s.unknown) + " error=" + string(s.error))')
  printf 'parity: %-32s %3d failing pairs  (%s)\n' "$rel" "$(wc -l < "$pairs")" "$summary"
  sets+=("$pairs")
done

# A rule may declare that it supports fewer formats (`formats:` in the rule file, e.g. MFA
# delete cannot be written in CloudFormation). Each failing pair must then appear in
# exactly the cases whose format the rule supports: all of them for most rules.
union=$work/union.pairs
sort -u "${sets[@]}" > "$union"
rule_formats=$work/rule.formats
cut -f1 "$union" | sort -u | while read -r id; do
  f=$("$bin" rules show "${show_args[@]}" "$id" 2>/dev/null | sed -n 's/^formats: *//p' | tr -d ' ')
  printf '%s\t%s\n' "$id" "${f:-?}"
done > "$rule_formats"
if grep -q $'\t?$' "$rule_formats"; then
  echo "parity: could not read the formats of: $(awk -F'\t' '$2 == "?" { printf "%s ", $1 }' "$rule_formats")('$bin rules show ID')"
  status=1
fi
case_formats=$(for c in "${cases[@]}"; do printf '%s ' "${c%%:*}"; done)
report=$work/parity.txt
awk -F'\t' -v nsets=${#sets[@]} -v fmts="$case_formats" -v files="${sets[*]}" '
  BEGIN { split(fmts, cf, " "); split(files, sf, " ")
          for (i = 1; i <= nsets; i++) while ((getline line < sf[i]) > 0) have[i, line] = 1 }
  FILENAME == ARGV[1] { sup[$1] = $2; next }
  { key = $0; rule = $1; ok = 1; marks = ""; nsup = 0
    for (i = 1; i <= nsets; i++) {
      s = "," sup[rule] ","; supported = (index(s, "," cf[i] ",") > 0)
      # Terraform HCL is scanned by every rule that supports Terraform plans.
      if (cf[i] == "terraform" && index(s, ",terraform-plan,") > 0) supported = 1
      nsup += supported
      got = ((i, key) in have)
      marks = marks (got ? "F" : (supported ? "-" : "."))
      if (got != supported) ok = 0 }
    printf "%s  %s  %s%s\n", (ok ? "ok  " : "DIFF"), marks, key, (nsup < nsets ? "   (rule formats: " sup[rule] ")" : "")
    if (!ok) bad++; else if (nsup == nsets) full++; else part++ }
  END { printf "#summary\t%d\t%d\t%d\n", full, part, bad }' "$rule_formats" "$union" > "$report"
read -r _ full part bad < <(grep '^#summary' "$report" | tr '\t' ' ')
echo "parity: F = fails, - = passes or no result where the rule supports the format, . = the rule does not support it"
echo "        columns: ${cases[*]#*:}" | sed 's/ /  /g'
grep -v '^#summary' "$report" | sed 's/^/  /'
if [ "${full:-0}" -eq 0 ]; then
  echo "parity: FAILED: no pair fails in all ${#cases[@]} cases (the estate or the rule pack is broken)"; status=1
fi
if [ -n "${PARITY_STRICT:-}" ] && [ "${part:-0}" -ne 0 ]; then
  echo "parity: FAILED (PARITY_STRICT): $part pairs come from rules that do not support every format"; status=1
fi
if [ "${bad:-0}" -ne 0 ]; then
  echo "parity: FAILED: $bad pairs do not fail in exactly the formats their rule supports (DIFF above)"; status=1
fi
if [ $status -eq 0 ]; then
  echo "parity: OK: $full (rule, type, logical resource) failures identical in all ${#cases[@]} cases;" \
       "$part more from rules limited to fewer formats, each identical in those"
fi
exit $status
