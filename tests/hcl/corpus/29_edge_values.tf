locals {
  n1 = "${1.50}x"
  n2 = "${1e3}x"
  n3 = 1.50
  n4 = 1e3
  n5 = 0.1
  big = 123456789012345678901234567890
  b1 = "${true}x"
  c1 = "a${var.x ? "y" : var.z}b"
  c2 = "a${var.x ? "" : "z"}b"
  u1 = -var.x
  u2 = !false
  u3 = - 5
  k = { "a${var.b}" = 1, (var.c) = 2, var.d = 3, a.b = 4 }
  t = ["${1}", "${null}", "x"]
}
