locals {
  bad_escape = "\q"
}
