terraform {
  required_version = ">= 1.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  backend "s3" {
    bucket = "state"
  }
}

resource "aws_security_group" "sg" {
  name = "sg"
  ingress {
    from_port = 22
    to_port   = 22
  }
  ingress {
    from_port = 443
    to_port   = 443
  }
  lifecycle {
    ignore_changes = [tags]
  }
}

resource "aws_security_group" "sg2" {
  name = "sg2"
}

data "aws_iam_policy_document" "p" {
  statement {
    actions = ["s3:GetObject"]
  }
}
