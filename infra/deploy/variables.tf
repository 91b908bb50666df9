variable "project_id" {
  description = "The project of this environment (cloudbuild.yaml: _PROJECT)."
  type        = string
}

variable "region" {
  description = "Region of this environment (cloudbuild.yaml: _REGION)."
  type        = string
}

variable "environment" {
  description = "Environment name (cloudbuild.yaml: _ENVIRONMENT): part of every resource name and a label."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9]{0,6}$", var.environment))
    error_message = "environment must be 1-7 lower-case letters or digits, starting with a letter (it becomes part of service account ids)."
  }
}

variable "database_secret_id" {
  description = "Existing Secret Manager secret (in project_id) holding the Postgres URL, so that it never enters Terraform state (cloudbuild.yaml: _DATABASE_URL_SECRET)."
  type        = string
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector (projects/P/locations/R/connectors/C) for a private-IP database; empty for none (cloudbuild.yaml: _VPC_CONNECTOR)."
  type        = string
  default     = ""
}

variable "operator" {
  description = "IAM member that may encrypt and upload backups and read run status: the build's own service account, for the smoke check; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.operator == "" || can(regex("^(user|group|serviceAccount):[^,\\s]+$", var.operator))
    error_message = "operator must be one IAM member, e.g. serviceAccount:deployer@project.iam.gserviceaccount.com."
  }
}

variable "source_dir" {
  description = "The function source package assembled by cloudbuild.yaml's `package` step."
  type        = string
  default     = "../../dist/function-source"
}
