output "backups_bucket" {
  description = "Drop encrypted backups here."
  value       = module.sentry_import.backups_bucket
}

output "staging_bucket" {
  description = "Run results: imports/<uuid>/results/summary.json."
  value       = module.sentry_import.staging_bucket
}

output "kms_backup_config" {
  description = "The KMS config file for `--encrypt-with-gcp-kms`."
  value       = module.sentry_import.kms_backup_config
}

output "kms_key_version_name" {
  description = "The key version backups are encrypted for."
  value       = module.sentry_import.kms_key_version_name
}

output "import_chunk_url" {
  description = "The import function's URL."
  value       = module.sentry_import.import_chunk_url
}

output "on_backup_finalized_url" {
  description = "The event function's URL."
  value       = module.sentry_import.on_backup_finalized_url
}
