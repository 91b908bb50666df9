variable "project_id" {
  description = "Project that holds the key ring."
  type        = string
}

variable "location" {
  description = "Key ring location: a region (for example europe-west1) or \"global\"."
  type        = string
}

variable "key_ring" {
  description = "Key ring name. Key rings can never be deleted, so a name is used once per project and location."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,63}$", var.key_ring))
    error_message = "key_ring must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "key" {
  description = "Crypto key name within the key ring."
  type        = string

  validation {
    condition     = can(regex("^[a-zA-Z0-9_-]{1,63}$", var.key))
    error_message = "key must be 1-63 letters, digits, '_' or '-'."
  }
}

variable "algorithm" {
  description = "RSA-OAEP-SHA256 algorithm of the key's versions: the only ones the backup format can use (backup-format.md §5)."
  type        = string
  default     = "RSA_DECRYPT_OAEP_4096_SHA256"

  validation {
    condition = contains([
      "RSA_DECRYPT_OAEP_2048_SHA256",
      "RSA_DECRYPT_OAEP_3072_SHA256",
      "RSA_DECRYPT_OAEP_4096_SHA256",
    ], var.algorithm)
    error_message = "algorithm must be RSA_DECRYPT_OAEP_{2048,3072,4096}_SHA256: the SHA-1 and SHA-512 variants cannot open Sentry backups."
  }
}

variable "protection_level" {
  description = "SOFTWARE or HSM."
  type        = string
  default     = "SOFTWARE"

  validation {
    condition     = contains(["SOFTWARE", "HSM"], var.protection_level)
    error_message = "protection_level must be SOFTWARE or HSM."
  }
}

variable "key_version" {
  description = "The key version that decrypts backups and whose public key encrypts them. Asymmetric keys never rotate by themselves: create a version by hand, then move this number."
  type        = number
  default     = 1

  validation {
    condition     = var.key_version >= 1 && floor(var.key_version) == var.key_version
    error_message = "key_version must be a whole number, 1 or more."
  }
}

variable "decrypters" {
  description = "IAM members given roles/cloudkms.cryptoKeyDecrypter on this key only, keyed by a static label (the values may be unknown until apply)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.decrypters) : can(regex("^(serviceAccount|user|group):", m))])
    error_message = "decrypters must be IAM members such as serviceAccount:name@project.iam.gserviceaccount.com."
  }
}

variable "public_key_viewers" {
  description = "IAM members given roles/cloudkms.publicKeyViewer on this key only (whoever encrypts backups), keyed by a static label."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.public_key_viewers) : can(regex("^(serviceAccount|user|group|domain):", m))])
    error_message = "public_key_viewers must be IAM members such as group:backups@example.com."
  }
}

variable "labels" {
  description = "Labels on the crypto key."
  type        = map(string)
  default     = {}
}
