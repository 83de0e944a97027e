resource "aws_security_group" "dyn" {
  name = "dyn"
  dynamic "ingress" {
    for_each = var.rules
    iterator = rule
    content {
      from_port   = rule.value.from
      to_port     = rule.value.to
      cidr_blocks = rule.value.cidrs
    }
  }
}

module "vpc" {
  source   = "./modules/vpc"
  for_each = toset(["a", "b"])
  name     = each.key
  cidr     = cidrsubnet("10.0.0.0/16", 8, index(["a", "b"], each.key))
}
