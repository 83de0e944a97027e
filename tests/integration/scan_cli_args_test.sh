#!/usr/bin/env bash
# `sekimori scan` command-line handling:
#  - a repeatable option takes one value per occurrence, so a path after it stays a path;
#  - --var and --var-file apply in command-line order (the later one wins, as in Terraform).
#
#   tests/integration/scan_cli_args_test.sh SEKIMORI
bin=${1:?usage: scan_cli_args_test.sh SEKIMORI}
source "$(dirname "$0")/lib.sh"
resources() {  # the summary's resource count of a JSON report
  grep -A1 '"summary"' "$1" | sed -n 's/.*"resources": \([0-9]*\).*/\1/p'
}

mkdir -p "$work/tf"
cat > "$work/tf/main.tf" <<'TF'
variable "n" {
  type = number
}
resource "aws_sqs_queue" "q" {
  count = var.n
  name  = "q-${count.index}"
}
TF
printf 'n = 3\n' > "$work/three.tfvars"

"$bin" scan --include SKM-AWS-SQS-001 --include SKM-AWS-SQS-002 "$work/tf" --var n=2 --format json -o "$work/a.json" --mode guardrail
check "path after a repeatable option is scanned (exit code)" 0 $?
check "path after a repeatable option is scanned (resources)" 2 "$(resources "$work/a.json")"

"$bin" scan "$work/tf" --var n=1 --var-file "$work/three.tfvars" --format json -o "$work/b.json" --mode guardrail
check "--var-file after --var wins" 3 "$(resources "$work/b.json")"

"$bin" scan "$work/tf" --var-file "$work/three.tfvars" --var n=1 --format json -o "$work/c.json" --mode guardrail
check "--var after --var-file wins" 1 "$(resources "$work/c.json")"

"$bin" scan "$work/tf" --var n --format json -o "$work/d.json" --mode guardrail 2> "$work/d.err"
check "--var without NAME=VALUE is a usage error" 2 $?
exit $fail
