locals {
  tuple_trailing = [1, 2, 3,]
  call_trailing  = f(1, 2,)
  not_expr       = !var.flag
  zero           = 0
  exp            = 2.5e-3
  big_int        = 12345678901234
  neg_zero       = -0
  deep           = var.a.b.c.d.e
  paren_call     = (f(1))
  minus_expr     = 5 - -3
  str_key_index  = var.m["a.b"]
}
