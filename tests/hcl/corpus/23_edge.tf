locals {
  paren_key = { (var.k) = 1 }
  cond_mix  = "a ${var.x ? var.y : "z"} b"
  func_end  = "${f(g(1))}"
  paren_end = "x ${(var.a)} y"
  nested_paren = ((1))
  splat_attr = var.a.*.b.c
  full_splat_idx = var.a[*].b[0]
  for_in_tmpl = "${[for x in var.xs : x][0]}"
  obj_for_group = {for k, v in var.m : v => k... if k != "x"}
}
