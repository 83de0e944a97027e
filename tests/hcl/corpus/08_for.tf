locals {
  list      = [for s in var.list : upper(s)]
  list_if   = [for i, s in var.list : "${i}:${s}" if s != ""]
  map       = { for k, v in var.map : k => v }
  grouped   = { for u in var.users : u.role => u.name... }
  multiline = {
    for k, v in var.map :
    k => v
    if v != null
  }
  nested    = [for xs in var.xss : [for x in xs : x * 2]]
}
