locals {
  call = max(
    1,
    2,
  )
  cond = (
    var.a
    ? 1
    : 2
  )
  list = [
    "a",

    "b",
  ]
  expr = (1 +
    2)
}
