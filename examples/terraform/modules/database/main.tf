# The database tier: one PostgreSQL instance (module.database.aws_db_instance.database).

variable "name_prefix" {
  type = string
}

variable "settings" {
  description = "Instance settings; unset fields take the defaults below."
  type = object({
    instance_class    = optional(string, "db.t3.medium")
    allocated_storage = optional(number, 50)
    multi_az          = optional(bool, false)
  })
  default = {}
}

resource "aws_db_instance" "database" {
  identifier                          = "${var.name_prefix}-db"
  engine                              = "postgres"
  engine_version                      = "15.5"
  instance_class                      = var.settings.instance_class
  allocated_storage                   = var.settings.allocated_storage
  multi_az                            = var.settings.multi_az
  username                            = "acmeadmin"
  manage_master_user_password         = true
  auto_minor_version_upgrade          = true
  backup_retention_period             = 0
  deletion_protection                 = false
  iam_database_authentication_enabled = false
  publicly_accessible                 = true
  storage_encrypted                   = false
  skip_final_snapshot                 = false
  final_snapshot_identifier           = "${var.name_prefix}-db-final"

  tags = {
    Name = "${var.name_prefix}-db"
  }
}

output "endpoint" {
  value = aws_db_instance.database.endpoint
}
