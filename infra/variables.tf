variable "project_id" {
  description = "The project to deploy the pipeline into."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a Google Cloud project id (6-30 lower-case letters, digits or '-')."
  }
}

variable "region" {
  description = "Region of the functions, the queue, both buckets and (by default) the key ring. The backups bucket's location must equal the trigger's region, so both use this."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a single region such as europe-west1 (a multi-region bucket would need a multi-region trigger)."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name (functions, service accounts, queue, key ring, secret, buckets). Use one per environment, e.g. sentry-import-prod."
  type        = string
  default     = "sentry-import"

  validation {
    # service account ids are at most 30 characters: prefix + "-finalize"
    condition     = can(regex("^[a-z][a-z0-9-]{0,19}[a-z0-9]$", var.name_prefix))
    error_message = "name_prefix must be 2-21 lower-case letters, digits or '-', starting with a letter."
  }
}

variable "labels" {
  description = "Labels on the buckets, the key and the functions."
  type        = map(string)
  default     = {}
}

variable "enable_apis" {
  description = "Enable the Google APIs the pipeline uses (left enabled on destroy). Turn off where a project factory manages them."
  type        = bool
  default     = true
}

variable "source_dir" {
  description = "Directory with the functions' source package: package.json, package-lock.json, tsconfig.json, tsconfig.build.json, lib/, functions/ and bin/ (cloudbuild.yaml's `package` step and infra/README.md show how to assemble it). It is zipped, uploaded under its content hash, and compiled by `gcp-build` during the deploy."
  type        = string
}

variable "buckets" {
  description = <<-EOT
    The three buckets, all in var.region, with uniform access and public access prevention:
    - backups: where operators drop encrypted backups (versioned; noncurrent versions deleted after
      noncurrent_retention_days; live objects deleted after retention_days when set);
    - staging: encrypted chunk payloads and run results, never the trigger bucket (a finalize trigger fires for
      every object in its bucket); deleted after retention_days;
    - source: the zipped function sources.
    A null name means "<project_id>-<name_prefix>-<role>".
  EOT
  type = object({
    backups = optional(object({
      name                      = optional(string)
      noncurrent_retention_days = optional(number, 30)
      retention_days            = optional(number)
      force_destroy             = optional(bool, false)
    }), {})
    staging = optional(object({
      name           = optional(string)
      retention_days = optional(number, 7)
      force_destroy  = optional(bool, true)
    }), {})
    source = optional(object({
      name          = optional(string)
      force_destroy = optional(bool, true)
    }), {})
  })
  default = {}

  validation {
    condition     = var.buckets.backups.noncurrent_retention_days >= 1 && (var.buckets.backups.retention_days == null || try(var.buckets.backups.retention_days >= 1, false))
    error_message = "Backup retention periods must be at least one day."
  }
  validation {
    # staged chunks must outlive every retry of their task and a resumed import
    condition     = var.buckets.staging.retention_days >= 2 && var.buckets.staging.retention_days <= 30
    error_message = "buckets.staging.retention_days must be in [2, 30]."
  }
  validation {
    condition = alltrue([
      for name in [var.buckets.backups.name, var.buckets.staging.name, var.buckets.source.name] :
      name == null || can(regex("^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$", name))
    ])
    error_message = "Bucket names must be 3-63 lower-case letters, digits, '.', '_' or '-'."
  }
}

variable "kms" {
  description = <<-EOT
    The backup key (an ASYMMETRIC_DECRYPT crypto key, protected from destroy):
    - key_ring / key: names (a null key_ring means name_prefix; key rings can never be deleted);
    - location: null means var.region;
    - algorithm: one of the RSA-OAEP-SHA256 algorithms Sentry's format uses;
    - protection_level: SOFTWARE or HSM;
    - key_version: the version the functions decrypt with and whose public key the outputs give.
  EOT
  type = object({
    key_ring         = optional(string)
    key              = optional(string, "backups")
    location         = optional(string)
    algorithm        = optional(string, "RSA_DECRYPT_OAEP_4096_SHA256")
    protection_level = optional(string, "SOFTWARE")
    key_version      = optional(number, 1)
  })
  default = {}

  validation {
    condition     = contains(["RSA_DECRYPT_OAEP_2048_SHA256", "RSA_DECRYPT_OAEP_3072_SHA256", "RSA_DECRYPT_OAEP_4096_SHA256"], var.kms.algorithm)
    error_message = "kms.algorithm must be RSA_DECRYPT_OAEP_{2048,3072,4096}_SHA256."
  }
}

variable "queue" {
  description = <<-EOT
    The Cloud Tasks queue the chunk (and plan) tasks go through. A null name means "<name_prefix>-chunks".
    The defaults retry a failing chunk 25 times over roughly three hours (10 s doubling to 320 s, then
    up to 600 s apart), enough to ride out a database failover. Keep max_concurrent_dispatches ≤
    functions.import_chunk.max_instances × concurrency (a check block warns otherwise) and × the
    connections one instance holds below Postgres' max_connections.
  EOT
  type = object({
    name                       = optional(string)
    max_dispatches_per_second  = optional(number, 20)
    max_concurrent_dispatches  = optional(number, 10)
    max_attempts               = optional(number, 25)
    min_backoff_seconds        = optional(number, 10)
    max_backoff_seconds        = optional(number, 600)
    max_doublings              = optional(number, 5)
    max_retry_duration_seconds = optional(number, 0)
    log_sampling_ratio         = optional(number, 1)
  })
  default = {}
}

variable "functions" {
  description = <<-EOT
    Sizing of the two functions:
    - on_backup_finalized: event-driven, so timeout_seconds ≤ 540; it decrypts and plans backups up to
      256 MiB in memory (larger ones are planned by a task on import_chunk);
    - import_chunk: the queue's target; timeout_seconds ≤ 1770, so that Cloud Tasks' dispatch deadline
      (at most 1800 s) sits above it and a retry does not start while an attempt still runs.
  EOT
  type = object({
    on_backup_finalized = optional(object({
      memory          = optional(string, "2Gi")
      cpu             = optional(string, "1")
      timeout_seconds = optional(number, 540)
      min_instances   = optional(number, 0)
      max_instances   = optional(number, 5)
      concurrency     = optional(number, 1)
    }), {})
    import_chunk = optional(object({
      memory          = optional(string, "2Gi")
      cpu             = optional(string, "1")
      timeout_seconds = optional(number, 1770)
      min_instances   = optional(number, 0)
      max_instances   = optional(number, 10)
      concurrency     = optional(number, 1)
    }), {})
  })
  default = {}

  validation {
    condition     = var.functions.on_backup_finalized.timeout_seconds >= 60 && var.functions.on_backup_finalized.timeout_seconds <= 540
    error_message = "functions.on_backup_finalized.timeout_seconds must be in [60, 540] (event-driven functions stop at 540 s)."
  }
  validation {
    condition     = var.functions.import_chunk.timeout_seconds >= 60 && var.functions.import_chunk.timeout_seconds <= 1770
    error_message = "functions.import_chunk.timeout_seconds must be in [60, 1770], below Cloud Tasks' 1800 s dispatch deadline."
  }
}

variable "import" {
  description = <<-EOT
    How backups are imported (lib/config.ts): scope "config" (Sentry's Config scope) or "users";
    chunk_size rows per chunk; merge_users and overwrite_configs as the CLI's --merge-users and
    --overwrite-configs.
  EOT
  type = object({
    scope             = optional(string, "config")
    chunk_size        = optional(number, 1000)
    merge_users       = optional(bool, false)
    overwrite_configs = optional(bool, false)
  })
  default = {}

  validation {
    condition     = contains(["config", "users"], var.import.scope)
    error_message = "import.scope must be config or users."
  }
  validation {
    condition     = var.import.chunk_size >= 1 && var.import.chunk_size <= 100000 && floor(var.import.chunk_size) == var.import.chunk_size
    error_message = "import.chunk_size must be a whole number in [1, 100000]."
  }
}

variable "database" {
  description = <<-EOT
    Where the functions find Postgres. DATABASE_URL always reaches them from Secret Manager:
    - secret: an existing secret (id in project_id) and version holding the URL, managed outside
      Terraform so the URL never enters its state (recommended); null makes the module create
      "<name_prefix>-database-url" from var.database_url;
    - vpc_connector / vpc_egress: a Serverless VPC Access connector (projects/P/locations/R/connectors/C)
      for a private-IP database such as Cloud SQL without a public address.
  EOT
  type = object({
    secret = optional(object({
      secret_id = string
      version   = optional(string, "latest")
    }))
    vpc_connector = optional(string)
    vpc_egress    = optional(string, "PRIVATE_RANGES_ONLY")
  })
  default = {}

  validation {
    condition     = var.database.secret == null || can(regex("^[A-Za-z0-9_-]{1,255}$", try(var.database.secret.secret_id, "")))
    error_message = "database.secret.secret_id must be a secret id (not a full resource name)."
  }
  validation {
    condition     = var.database.secret == null || can(regex("^(latest|[0-9]+)$", try(var.database.secret.version, "")))
    error_message = "database.secret.version must be a version number or \"latest\"."
  }
  validation {
    condition     = var.database.vpc_connector == null || can(regex("^projects/[^/]+/locations/[^/]+/connectors/[^/]+$", coalesce(var.database.vpc_connector, "-")))
    error_message = "database.vpc_connector must be a full connector name: projects/P/locations/R/connectors/C."
  }
}

variable "database_url" {
  description = "The Postgres URL, used only when database.secret is null: the module stores it in a new secret version (it then sits in Terraform state, marked sensitive). Never passed as a plain environment variable or output."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.database_url == null || can(regex("^postgres(ql)?://", coalesce(var.database_url, "-")))
    error_message = "database_url must be a postgres:// or postgresql:// URL."
  }
}

variable "access" {
  description = <<-EOT
    People and automation around the pipeline, as IAM members (user:…, group:…, serviceAccount:…):
    - backup_writers: may fetch the key's public key (roles/cloudkms.publicKeyViewer on the key) and
      upload backups (roles/storage.objectCreator on the backups bucket);
    - status_readers: may read the database URL secret (to run `sentry-import status`) and the run
      results in the staging bucket (roles/storage.objectViewer on it).
  EOT
  type = object({
    backup_writers = optional(set(string), [])
    status_readers = optional(set(string), [])
  })
  default = {}

  validation {
    condition = alltrue([
      for m in setunion(var.access.backup_writers, var.access.status_readers) :
      can(regex("^(user|group|serviceAccount|domain):[^,\\s]+$", m))
    ])
    error_message = "access members must each be one IAM member such as group:sre@example.com (no comma-separated lists)."
  }
}

variable "grant_pubsub_token_creator" {
  description = "Grant the Pub/Sub service agent roles/iam.serviceAccountTokenCreator on the project: needed only in projects created before 2021-04-08."
  type        = bool
  default     = false
}
