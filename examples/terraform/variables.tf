# The example estate as Terraform HCL: the same resources as ../terraform-plan/plan.json
# (docs/parity.md), written with a variable, a local, a local module and for_each.

variable "environment" {
  type        = string
  description = "Deployment stage; part of every resource name."
  default     = "prod"
}

locals {
  name_prefix = "acme-${var.environment}"
  admin_ingress = {
    web_ssh_ingress = { cidr_ipv4 = "0.0.0.0/0", cidr_ipv6 = null, port = 22, description = "ssh for the on-call engineer" }
    web_rdp_ingress = { cidr_ipv4 = null, cidr_ipv6 = "::/0", port = 3389, description = "rdp over IPv6" }
  }
}
