locals {
  ok = 1
  bad = = 2
}
