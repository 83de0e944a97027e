resource "aws_lambda_function" "export_function" {
  function_name                  = "${local.name_prefix}-export"
  handler                        = "export.handler"
  runtime                        = "python3.8"
  architectures                  = ["x86_64"]
  memory_size                    = 128
  timeout                        = 300
  package_type                   = "Zip"
  publish                        = false
  reserved_concurrent_executions = -1
  s3_bucket                      = "acme-artifacts"
  s3_key                         = "export/export-1.4.2.zip"
  role                           = aws_iam_role.app_role.arn

  environment {
    variables = {
      STAGE             = var.environment
      DATA_BUCKET       = aws_s3_bucket.data_bucket.bucket
      PARTNER_API_TOKEN = "9f4c2b7e1d8a6f3c5b0e2d4a7c9f1b3e"
    }
  }

  tracing_config {
    mode = "PassThrough"
  }
}

resource "aws_sqs_queue" "orders_queue" {
  name                        = "${local.name_prefix}-orders"
  content_based_deduplication = false
  delay_seconds               = 0
  fifo_queue                  = false
  max_message_size            = 262144
  message_retention_seconds   = 345600
  receive_wait_time_seconds   = 0
  sqs_managed_sse_enabled     = false
  visibility_timeout_seconds  = 30
}

resource "aws_sqs_queue_policy" "orders_queue" {
  queue_url = aws_sqs_queue.orders_queue.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AnyoneCanSend"
      Effect    = "Allow"
      Principal = "*"
      Action    = "sqs:SendMessage"
      Resource  = "arn:aws:sqs:eu-west-1:123456789012:${aws_sqs_queue.orders_queue.name}"
    }]
  })
}

resource "aws_dynamodb_table" "orders_table" {
  name                        = "${local.name_prefix}-orders"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "order_id"
  table_class                 = "STANDARD"
  deletion_protection_enabled = false

  attribute {
    name = "order_id"
    type = "S"
  }

  point_in_time_recovery {
    enabled = false
  }
}

resource "aws_sns_topic" "alerts_topic" {
  name                        = "${local.name_prefix}-alerts"
  content_based_deduplication = false
  fifo_topic                  = false
}

resource "aws_sns_topic_policy" "alerts_topic" {
  arn = aws_sns_topic.alerts_topic.arn
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AnyoneCanPublish"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "sns:Publish"
      Resource  = "arn:aws:sns:eu-west-1:123456789012:${aws_sns_topic.alerts_topic.name}"
    }]
  })
}

resource "aws_kms_key" "data_key" {
  description                        = "acme data key"
  bypass_policy_lockout_safety_check = false
  customer_master_key_spec           = "SYMMETRIC_DEFAULT"
  enable_key_rotation                = false
  is_enabled                         = true
  key_usage                          = "ENCRYPT_DECRYPT"
  multi_region                       = false
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AccountAdmin"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::123456789012:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}

resource "aws_iam_role" "app_role" {
  name                  = "${local.name_prefix}-app"
  path                  = "/"
  force_detach_policies = false
  max_session_duration  = 3600
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "ec2.amazonaws.com" }
      Action    = "sts:AssumeRole"
    }]
  })

  inline_policy {
    name = "everything"
    policy = jsonencode({
      Version   = "2012-10-17"
      Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
    })
  }

  tags = {
    team = "shop"
  }
}

resource "aws_iam_policy" "ops_admin_policy" {
  name = "${local.name_prefix}-ops-admin"
  path = "/"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_cloudtrail" "trail" {
  name                          = "${local.name_prefix}-trail"
  s3_bucket_name                = aws_s3_bucket.logs_bucket.bucket
  enable_log_file_validation    = false
  enable_logging                = true
  include_global_service_events = true
  is_multi_region_trail         = false
  is_organization_trail         = false
}

module "database" {
  source      = "./modules/database"
  name_prefix = local.name_prefix
}
