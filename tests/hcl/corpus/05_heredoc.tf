locals {
  plain = <<EOT
line one
  line two
    ${var.x} three
EOT
  flush = <<-EOT
    indented
      more
    ${var.y}
    last
    EOT
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Resource": "${aws_s3_bucket.b.arn}/*"}]
}
POLICY
  escapes_kept = <<EOT
back\slash \n not an escape $${lit}
EOT
}
