output "backups_bucket" {
  description = "Drop encrypted backups here."
  value       = module.sentry_import.backups_bucket
}

output "kms_backup_config" {
  description = "Write as kms.json for `sentry-import backup encrypt … --encrypt-with-gcp-kms kms.json`."
  value       = module.sentry_import.kms_backup_config
}

output "kms_public_key_pem" {
  description = "The public key backups are encrypted for."
  value       = module.sentry_import.kms_public_key_pem
}

output "cloud_sql_instance" {
  description = "The instance's connection name (PROJECT:REGION:INSTANCE), for `cloud-sql-proxy` when running `sentry-import status` from a workstation."
  value       = google_sql_database_instance.this.connection_name
}

output "database_secret" {
  description = "The secret holding the database URL (read it with `gcloud secrets versions access`)."
  value       = module.sentry_import.database_secret
}
