# The smallest deployment: the pipeline with its defaults, restoring into an existing Postgres
# whose URL the module keeps in Secret Manager.
module "sentry_import" {
  source = "../.."

  project_id   = var.project_id
  region       = var.region
  source_dir   = var.source_dir
  database_url = var.database_url
}
