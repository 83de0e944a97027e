locals {
  crlf = "windows"
  h = <<EOT
line
EOT
}
