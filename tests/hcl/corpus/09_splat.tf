output "ids" {
  value = aws_instance.web[*].id
}
output "legacy" {
  value = aws_instance.web.*.id
}
output "deep" {
  value = var.things[*].tags["Name"]
}
output "legacy_index" {
  value = aws_instance.web.0.id
}
output "splat_only" {
  value = var.list[*]
}
output "legacy_num" {
  value = aws_instance.web.*.ebs.0.id
}
