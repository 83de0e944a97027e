locals {
  a = lookup(var.map, "key", "default")
  b = concat(var.a, var.b, [])
  c = max(var.nums...)
  d = format("%s-%d", var.name, 3)
  e = jsonencode({
    a = 1
    b = [true, null]
  })
  f = merge(
    var.tags,
    {
      Name = "x"
    },
  )
  g = provider::terraform::encode_tfvars({ a = 1 })
  h = try(var.a.b, null)
  i = coalesce("", "x")
  j = timestamp()
}
