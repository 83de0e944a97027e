variable "env" { default = "dev" }
variable "cfg" {
  type    = object({ a = optional(number, 2), b = optional(list(string), []) })
  default = {}
}
locals {
  names = [for i in range(3) : "${var.env}-${i}"]
  byk   = { for n in local.names : n => upper(n) }
  grp   = { for n in local.names : substr(n, 0, 3) => n... }
}
resource "aws_s3_bucket" "c" {
  count  = var.cfg.a
  bucket = local.names[count.index]
}
resource "aws_s3_bucket" "f" {
  for_each = local.byk
  bucket   = "${each.key}-${each.value}"
  tags     = merge({ a = "1" }, try(var.cfg.missing, {}))
}
resource "aws_security_group" "sg" {
  dynamic "ingress" {
    for_each = toset([22, 443])
    content {
      from_port = ingress.value
      to_port   = ingress.value
    }
  }
}
module "self" { source = "./" }
module "remote" { source = "hashicorp/consul/aws" }
locals {
  a = local.b
  b = local.a
}
output "o" { value = aws_s3_bucket.c[*].bucket }
