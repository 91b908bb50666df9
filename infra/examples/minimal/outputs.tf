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

output "import_chunk_url" {
  description = "The import function's URL (the tasks' target)."
  value       = module.sentry_import.import_chunk_url
}
