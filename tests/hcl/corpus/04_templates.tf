locals {
  cond   = "%{if var.enabled}on%{else}off%{endif}"
  cond2  = "x %{ if var.a }yes%{ endif } y"
  loop   = "%{for s in var.list}${s},%{endfor}"
  loop2  = "%{for k, v in var.map}${k}=${v};%{endfor}"
  strip  = "a   ${~ var.x ~}   b"
  strip2 = "a %{~ if true ~}   yes   %{~ endif ~} b"
  ternary_in = "v=${var.a ? "x" : "y"}"
  nested_dirs = "%{for x in var.xs}%{if x > 1}${x}%{endif}%{endfor}"
}
