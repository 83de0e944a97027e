data "aws_caller_identity" "current" {}

data "aws_ami" "ubuntu" {
  most_recent = true
  filter {
    name   = "name"
    values = ["ubuntu/images/hvm-ssd/ubuntu-*-20.04-amd64-server-*"]
  }
  owners = ["099720109477"]
}

resource "aws_instance" "web" {
  ami           = data.aws_ami.ubuntu.id
  instance_type = "t3.micro"
  user_data     = <<EOF
#!/bin/bash
echo "hello ${data.aws_caller_identity.current.account_id}"
EOF
  root_block_device {
    encrypted = false
  }
}
