locals {
  a = 1
}
last = var.x