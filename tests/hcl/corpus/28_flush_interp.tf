locals {
  a = <<-EOT
  ${var.v}
    z
  EOT
  b = <<-EOT
${var.v}
    z
  EOT
  c = <<-EOT
      %{ for x in var.xs ~}
      - ${x}
      %{ endfor ~}
    done
    EOT
  d = "  ${~ "x" ~}  "
  e = "${var.a}${var.b}"
  f = "${1 + 2} items"
  g = <<EOT
	tab indented ${var.t}
EOT
}
