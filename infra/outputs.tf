output "backups_bucket" {
  description = "Drop encrypted backups here (gcloud storage cp backup.tar gs://BUCKET/...)."
  value       = google_storage_bucket.backups.name
}

output "staging_bucket" {
  description = "Staged chunk payloads and run results (imports/<uuid>/results/summary.json)."
  value       = google_storage_bucket.staging.name
}

output "source_bucket" {
  description = "The zipped function sources."
  value       = google_storage_bucket.source.name
}

output "kms_key_version_name" {
  description = "The KMS crypto key version that decrypts backups (the functions' KMS_KEY_VERSION)."
  value       = module.kms.key_version_name
}

output "kms_public_key_pem" {
  description = "The public key to encrypt backups with (SPKI PEM), as `--encrypt-with public.pem` takes it."
  value       = module.kms.public_key_pem
}

output "kms_backup_config" {
  description = "The key version in Sentry's KMS config-file form: `terraform output -json kms_backup_config > kms.json`, then `--encrypt-with-gcp-kms kms.json`."
  value       = module.kms.backup_config
}

output "queue" {
  description = "The chunk queue's id."
  value       = module.queue.id
}

output "on_backup_finalized_url" {
  description = "The event function's URL (internal ingress; Eventarc is its only caller)."
  value       = module.on_backup_finalized.uri
}

output "import_chunk_url" {
  description = "The import function's deterministic URL: the tasks' target and OIDC audience (IMPORT_CHUNK_URL)."
  value       = local.import_chunk_url
}

output "import_chunk_service_uri" {
  description = "The URL Cloud Run reports for the import function's service (reaches the same service)."
  value       = module.import_chunk.uri
}

output "service_accounts" {
  description = "The pipeline's service accounts, by role."
  value = {
    on_backup_finalized = google_service_account.on_backup_finalized.email
    import_chunk        = google_service_account.import_chunk.email
    trigger             = google_service_account.trigger.email
    tasks_invoker       = google_service_account.tasks_invoker.email
    build               = google_service_account.build.email
  }
}

output "database_secret" {
  description = "The Secret Manager secret (id and version) the functions read DATABASE_URL from; never the URL itself."
  value = {
    secret_id = local.database_secret.secret_id
    version   = local.database_secret.version
  }
}
