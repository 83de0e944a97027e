variable "complex" {
  type = object({
    name    = string
    enabled = optional(bool, true)
    tags    = map(string)
    ports   = list(number)
  })
  default = {
    name  = "x"
    tags  = {}
    ports = [80]
  }
  validation {
    condition     = length(var.complex.name) > 0
    error_message = "Name must not be empty."
  }
  sensitive = false
}

output "o" {
  value       = var.complex
  description = "the value"
  depends_on  = [aws_s3_bucket.b]
}
