# The root configuration cloudbuild.yaml plans and applies: one environment of the pipeline, its
# state in gs://_TF_STATE_BUCKET/sentry-import/_ENVIRONMENT, the database URL in a secret managed
# outside Terraform.

locals {
  operators = var.operator == "" ? [] : [var.operator]
}

module "sentry_import" {
  source = "../"

  project_id  = var.project_id
  region      = var.region
  name_prefix = "sentry-import-${var.environment}"
  source_dir  = var.source_dir
  labels = {
    app         = "sentry-import"
    environment = var.environment
  }

  database = {
    secret = {
      secret_id = var.database_secret_id
      version   = "latest"
    }
    # a substitution cannot be null: empty means no connector
    vpc_connector = var.vpc_connector == "" ? null : var.vpc_connector
  }

  access = {
    backup_writers = local.operators
    status_readers = local.operators
  }
}
