# A plain resource with every literal kind.
resource "aws_s3_bucket" "logs" {
  bucket        = "my-logs"
  force_destroy = true
  count         = 3
  ratio         = 1.5
  big           = 1e3
  nothing       = null
  negative      = -12
  not_true      = !true
}

provider "aws" {
  region = "us-east-1"
}
