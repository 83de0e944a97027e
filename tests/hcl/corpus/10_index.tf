locals {
  a = var.list[0]
  b = var.map["key"]
  c = var.map[var.key]
  d = var.nested[0].attr[1]["x"]
  e = element(var.list, 0).name
  f = var.m[local.k].inner
  g = [1, 2, 3][1]
  h = { a = 1 }["a"]
}
