locals {
  obj = {
    bare       = 1
    "quoted"   = 2
    colon_key: 3
    "with space" = 4
    a.b        = 5
    (var.dyn)  = 6
    true       = 7
    10         = 8
  }
  one_line = { a = 1, b = 2 }
  trailing = { a = 1, }
  empty    = {}
  tuple    = [1, "two", [3], { four = 4 }]
  empty_t  = []
  nested = {
    inner = {
      deeper = [
        { x = 1 },
      ]
    }
  }
}
