resource "aws_vpc" "vpc" {
  cidr_block                       = "10.20.0.0/16"
  assign_generated_ipv6_cidr_block = false
  enable_dns_hostnames             = false
  enable_dns_support               = true
  instance_tenancy                 = "default"
  tags = {
    Name = "${local.name_prefix}-vpc"
  }
}

resource "aws_security_group" "web_security_group" {
  name                   = "${local.name_prefix}-web"
  description            = "web tier"
  vpc_id                 = aws_vpc.vpc.id
  revoke_rules_on_delete = false

  ingress {
    description = "HTTPS from anywhere"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    description = "postgres inside the VPC"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = [aws_vpc.vpc.cidr_block]
  }
  egress {
    description = ""
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = {
    Name = "${local.name_prefix}-web"
  }
}

# SSH and RDP for administrators, one rule per entry of local.admin_ingress.
resource "aws_vpc_security_group_ingress_rule" "web_admin_ingress" {
  for_each          = local.admin_ingress
  security_group_id = aws_security_group.web_security_group.id
  description       = each.value.description
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr_ipv4
  cidr_ipv6         = each.value.cidr_ipv6
}

resource "aws_instance" "web_server" {
  ami                         = "ami-0c1a7f89451184c8b"
  instance_type               = "t3.small"
  subnet_id                   = "subnet-0a1b2c3d4e5f60718"
  associate_public_ip_address = true
  monitoring                  = false
  source_dest_check           = true

  metadata_options {
    http_endpoint               = "enabled"
    http_protocol_ipv6          = "disabled"
    http_put_response_hop_limit = 1
    http_tokens                 = "optional"
    instance_metadata_tags      = "disabled"
  }

  root_block_device {
    delete_on_termination = true
    encrypted             = false
    volume_size           = 20
    volume_type           = "gp3"
  }

  tags = {
    Name = "${local.name_prefix}-web"
  }
}
