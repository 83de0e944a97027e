locals {
  a = <<EOT
start
%{ for x in var.xs ~}
item ${x}
%{ endfor ~}
end
EOT
  b = <<-EOT
      %{~ if var.c ~}
      yes
      %{~ else ~}
      no
      %{~ endif ~}
  EOT
  empty = <<EOT
EOT
  blank_lines = <<-EOT

      first

      second
    EOT
}
