data "aws_caller_identity" "me" {}
resource "aws_iam_role" "r" { name = "r-${data.aws_caller_identity.me.account_id}" }
data "aws_iam_policy_document" "p" {
  source_policy_documents = [jsonencode({ Statement = [{ Sid = "A", Effect = "Allow", Action = "s3:*", Resource = "*" }] })]
  statement {
    sid       = "A"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.me.account_id}:root", aws_iam_role.r.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalAccount"
      values   = [data.aws_caller_identity.me.account_id]
    }
  }
}
resource "aws_kms_key" "k" {
  for_each = { a = aws_iam_role.r.id }
  policy   = data.aws_iam_policy_document.p.json
  description = "%{if data.aws_caller_identity.me.id != ""}x%{endif}-${each.key}"
}
resource "aws_sqs_queue" "q" {
  name   = "q"
  policy = jsonencode({ Statement = [{ Principal = { AWS = "${aws_iam_role.r.arn}/\u0000" } }] })
}
