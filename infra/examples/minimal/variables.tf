variable "project_id" {
  description = "The project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the pipeline."
  type        = string
  default     = "europe-west1"
}

variable "database_url" {
  description = "URL of the Postgres the backups are restored into, reachable from Cloud Run (e.g. postgres://user:pass@203.0.113.10:5432/sentry?sslmode=no-verify). Stored in a Secret Manager secret (and in this state, marked sensitive)."
  type        = string
  sensitive   = true
}

variable "source_dir" {
  description = "The assembled function source package (see infra/README.md)."
  type        = string
  default     = "../../../dist/function-source"
}
