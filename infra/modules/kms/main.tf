/**
 * The backup key: a key ring and an ASYMMETRIC_DECRYPT crypto key whose version wraps each
 * backup's data-encryption key (RSA-OAEP-SHA256). The private half never leaves Cloud KMS; the
 * pipeline only calls asymmetricDecrypt on the configured version.
 */

resource "google_kms_key_ring" "this" {
  project  = var.project_id
  name     = var.key_ring
  location = var.location
}

resource "google_kms_crypto_key" "this" {
  name     = var.key
  key_ring = google_kms_key_ring.this.id
  purpose  = "ASYMMETRIC_DECRYPT"
  labels   = var.labels

  # no rotation_period: asymmetric keys cannot rotate automatically
  version_template {
    algorithm        = var.algorithm
    protection_level = var.protection_level
  }

  # destroying the key makes every backup encrypted for it unreadable
  lifecycle {
    prevent_destroy = true
  }
}

resource "google_kms_crypto_key_iam_member" "decrypters" {
  for_each = var.decrypters

  crypto_key_id = google_kms_crypto_key.this.id
  role          = "roles/cloudkms.cryptoKeyDecrypter"
  member        = each.value
}

resource "google_kms_crypto_key_iam_member" "public_key_viewers" {
  for_each = var.public_key_viewers

  crypto_key_id = google_kms_crypto_key.this.id
  role          = "roles/cloudkms.publicKeyViewer"
  member        = each.value
}

# The configured version, for its public key (the provider waits out PENDING_GENERATION, which
# a new asymmetric version passes through right after the first apply creates it). Fails the
# plan if that version was disabled or destroyed: the functions could not decrypt with it.
data "google_kms_crypto_key_version" "this" {
  crypto_key = google_kms_crypto_key.this.id
  version    = var.key_version

  lifecycle {
    postcondition {
      condition     = contains(["ENABLED", "PENDING_GENERATION"], self.state)
      error_message = "The configured KMS key version is neither ENABLED nor being generated: backups encrypted for it cannot be opened."
    }
  }
}

locals {
  # built from the key's id rather than read from the data source, so it is known at plan time
  # once the key exists and the functions' configuration does not churn
  key_version_name = "${google_kms_crypto_key.this.id}/cryptoKeyVersions/${var.key_version}"
}
