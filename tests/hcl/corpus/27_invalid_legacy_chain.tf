locals {
  chained = var.a.0.1
}
