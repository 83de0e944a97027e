locals {
  arith   = 1 + 2 * 3 - 4 / 2 % 3
  cmp     = 1 < 2 && 3 >= 2 || 4 != 5 == true
  unary   = -var.x
  neg_lit = -3.25
  parens  = (1 + 2) * 3
  chain   = var.a == var.b ? "same" : var.c > 0 ? "pos" : "neg"
  logic   = !var.a || !(var.b && var.c)
}
