locals {
  null_in_template = "a${null}b"
  null_alone = "${null}"
}
