output "key_ring_id" {
  description = "projects/P/locations/L/keyRings/R"
  value       = google_kms_key_ring.this.id
}

output "crypto_key_id" {
  description = "projects/P/locations/L/keyRings/R/cryptoKeys/K"
  value       = google_kms_crypto_key.this.id
}

output "key_version_name" {
  description = "The full crypto key version name the functions decrypt with (KMS_KEY_VERSION)."
  value       = local.key_version_name
}

output "public_key_pem" {
  description = "The version's public key (SPKI PEM): what backups are encrypted for."
  value       = data.google_kms_crypto_key_version.this.public_key[0].pem
}

output "backup_config" {
  description = "The key version as Sentry's KMS config file (backup-format.md §8.1): write it as JSON for --encrypt-with-gcp-kms."
  value = {
    project_id = var.project_id
    location   = var.location
    key_ring   = google_kms_key_ring.this.name
    key        = google_kms_crypto_key.this.name
    version    = tostring(var.key_version)
  }
}
