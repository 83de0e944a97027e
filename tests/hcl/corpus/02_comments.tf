# hash comment
// slash comment
/* block
   comment */
variable "x" { # trailing
  default = 1 // trailing
  /* inline */ type = number
}

locals {
  a = 1 /* between */ + 2
  b = [
    1, # one
    2, // two
    /* three */ 3,
  ]
}
