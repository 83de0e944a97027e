locals {
  escapes   = "tab\tnewline\nquote\"backslash\\"
  unicode   = "caf\u00e9 \U0001F600 日本語"
  dollar    = "$${not_interp} and %%{not_directive}"
  lone      = "$ and % and $x and %x"
  interp    = "hello ${var.name}!"
  wrapped   = "${var.name}"
  number_in = "${1}"
  bool_in   = "${true}"
  nested    = "a ${"b ${var.c} d"} e"
  empty     = ""
  lit_int   = "x${42}y"
}

locals {
  mixed_escape = "$${a} ${var.b} %%{c}"
  key_escape   = { "$${k}" = 1 }
  unicode_dollar = "\u0024{x}"
}
