variable "a" {}
variable "b" { default = 1 }
resource "x" "y" { z = [1, 2] }
locals { one = "line" }
block_no_labels {}
