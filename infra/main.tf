/**
 * sentry-import's serverless restore pipeline:
 *
 *   backups bucket ──finalize──► on-backup-finalized (CloudEvent, ≤ 540 s)
 *        decrypt with KMS → validate → plan → stage encrypted chunks in the staging bucket
 *        → one named Cloud Task per chunk (OIDC as the tasks-invoker service account)
 *   chunk queue ──► import-chunk (HTTP, internal only, ≤ 1770 s) → Postgres, exactly once
 *
 * The functions' configuration is lib/config.ts's schema, nothing more (local.function_env).
 */

locals {
  apis = toset([
    "cloudresourcemanager.googleapis.com",
    "iam.googleapis.com",
    "cloudfunctions.googleapis.com",
    "run.googleapis.com",
    "cloudbuild.googleapis.com",
    "artifactregistry.googleapis.com",
    "eventarc.googleapis.com",
    "pubsub.googleapis.com",
    "storage.googleapis.com",
    "cloudkms.googleapis.com",
    "cloudtasks.googleapis.com",
    "secretmanager.googleapis.com",
    "logging.googleapis.com",
  ])
}

resource "google_project_service" "this" {
  for_each = var.enable_apis ? local.apis : toset([])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

locals {
  # every resource takes its project from here: a reference to the enabled APIs, so nothing is
  # created before they are
  project_id = coalesce(one(distinct([for s in google_project_service.this : s.project])), var.project_id)

  names = {
    on_backup_finalized = "${var.name_prefix}-on-backup-finalized"
    import_chunk        = "${var.name_prefix}-import-chunk"
    queue               = coalesce(var.queue.name, "${var.name_prefix}-chunks")
    key_ring            = coalesce(var.kms.key_ring, var.name_prefix)
    database_secret     = "${var.name_prefix}-database-url"
    backups_bucket      = coalesce(var.buckets.backups.name, "${var.project_id}-${var.name_prefix}-backups")
    staging_bucket      = coalesce(var.buckets.staging.name, "${var.project_id}-${var.name_prefix}-staging")
    source_bucket       = coalesce(var.buckets.source.name, "${var.project_id}-${var.name_prefix}-source")
  }
}

data "google_project" "this" {
  project_id = local.project_id

  lifecycle {
    postcondition {
      condition     = length("${local.names.import_chunk}-${self.number}") <= 63
      error_message = "The import function's name is too long for Cloud Run's deterministic URL (name-PROJECT_NUMBER must fit 63 characters): shorten name_prefix."
    }
  }
}

locals {
  # IMPORT_CHUNK_URL without a dependency cycle. importChunk enqueues the next chunks, so its own
  # configuration needs its own URL, yet service_config[0].uri exists only once the function does:
  # a self-reference. Cloud Run gives every service a deterministic URL,
  # https://SERVICE-PROJECT_NUMBER.REGION.run.app, and a gen2 function runs as the Cloud Run
  # service of the same name, so the URL is computed from names known before either function
  # exists (the project number comes from the project, not from a function). Cloud Run accepts
  # its run.app URLs as OIDC audiences, so the same value is the tasks' audience.
  import_chunk_url = "https://${local.names.import_chunk}-${data.google_project.this.number}.${var.region}.run.app"

  # DATABASE_URL: an existing secret, or the one created below
  database_secret = var.database.secret != null ? var.database.secret : {
    secret_id = one(google_secret_manager_secret.database_url[*].secret_id)
    version   = one(google_secret_manager_secret_version.database_url[*].version)
  }

  # Exactly what lib/config.ts's configSchema reads (FUNCTION_ENV_VARS), no more: every required
  # variable, with DATABASE_URL from Secret Manager (function_secret_env), and none of the
  # emulator-only *_API_ENDPOINT variables. test/unit/infra/envVars.test.ts checks this against
  # the schema. Both functions get the same configuration: importChunk also plans large backups.
  function_env = {
    KMS_KEY_VERSION       = module.kms.key_version_name
    STAGING_BUCKET        = google_storage_bucket.staging.name
    TASKS_PROJECT         = local.project_id
    TASKS_LOCATION        = var.region
    TASKS_QUEUE           = module.queue.name
    IMPORT_CHUNK_URL      = local.import_chunk_url
    TASKS_SERVICE_ACCOUNT = google_service_account.tasks_invoker.email
    TASKS_AUDIENCE        = local.import_chunk_url
    IMPORT_SCOPE          = var.import.scope
    CHUNK_SIZE            = tostring(var.import.chunk_size)
    MERGE_USERS           = tostring(var.import.merge_users)
    OVERWRITE_CONFIGS     = tostring(var.import.overwrite_configs)
  }

  function_secret_env = {
    DATABASE_URL = {
      secret  = local.database_secret.secret_id
      version = local.database_secret.version
    }
  }
}

# ---------------------------------------------------------------------------------------------
# Buckets

resource "google_storage_bucket" "backups" {
  project = local.project_id
  name    = local.names.backups_bucket
  # the storage trigger's region must be the bucket's location
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.buckets.backups.force_destroy
  labels                      = var.labels

  # an overwritten or deleted backup stays recoverable for a while
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.buckets.backups.noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.buckets.backups.retention_days == null ? [] : [var.buckets.backups.retention_days]
    content {
      condition {
        age = lifecycle_rule.value
      }
      action {
        type = "Delete"
      }
    }
  }
}

# Staged chunk payloads (Fernet-encrypted under a per-import key kept in Postgres), run results.
# Never the backups bucket: its finalize trigger fires for every object written to it.
resource "google_storage_bucket" "staging" {
  project                     = local.project_id
  name                        = local.names.staging_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.buckets.staging.force_destroy
  labels                      = var.labels

  lifecycle_rule {
    condition {
      age = var.buckets.staging.retention_days
    }
    action {
      type = "Delete"
    }
  }

  # throwaway data: no soft-deleted copies
  soft_delete_policy {
    retention_duration_seconds = 0
  }
}

resource "google_storage_bucket" "source" {
  project                     = local.project_id
  name                        = local.names.source_bucket
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = var.buckets.source.force_destroy
  labels                      = var.labels
}

# ---------------------------------------------------------------------------------------------
# Function source: one zip for both functions, named by its content hash, so that any change to
# the code is a new object and redeploys both functions, and an unchanged tree redeploys nothing.

data "archive_file" "source" {
  type             = "zip"
  source_dir       = var.source_dir
  output_path      = "${path.root}/.build/${var.name_prefix}-source.zip"
  output_file_mode = "0644"
}

resource "google_storage_bucket_object" "source" {
  name         = "${data.archive_file.source.output_md5}-source.zip"
  bucket       = google_storage_bucket.source.name
  source       = data.archive_file.source.output_path
  content_type = "application/zip"
}

# ---------------------------------------------------------------------------------------------
# Key, queue, secret

module "kms" {
  source = "./modules/kms"

  project_id       = local.project_id
  location         = coalesce(var.kms.location, var.region)
  key_ring         = local.names.key_ring
  key              = var.kms.key
  algorithm        = var.kms.algorithm
  protection_level = var.kms.protection_level
  key_version      = var.kms.key_version
  labels           = var.labels

  decrypters         = local.runtime_members
  public_key_viewers = { for m in var.access.backup_writers : m => m }
}

module "queue" {
  source = "./modules/queue"

  project_id = local.project_id
  location   = var.region
  name       = local.names.queue
  settings = {
    max_dispatches_per_second  = var.queue.max_dispatches_per_second
    max_concurrent_dispatches  = var.queue.max_concurrent_dispatches
    max_attempts               = var.queue.max_attempts
    min_backoff_seconds        = var.queue.min_backoff_seconds
    max_backoff_seconds        = var.queue.max_backoff_seconds
    max_doublings              = var.queue.max_doublings
    max_retry_duration_seconds = var.queue.max_retry_duration_seconds
    log_sampling_ratio         = var.queue.log_sampling_ratio
  }

  enqueuers = local.runtime_members
}

resource "google_secret_manager_secret" "database_url" {
  count = var.database.secret == null ? 1 : 0

  project   = local.project_id
  secret_id = local.names.database_secret
  labels    = var.labels

  replication {
    auto {}
  }

  lifecycle {
    precondition {
      condition     = var.database_url != null
      error_message = "Set database.secret (an existing secret holding the Postgres URL) or database_url."
    }
  }
}

resource "google_secret_manager_secret_version" "database_url" {
  count = var.database.secret == null ? 1 : 0

  secret      = google_secret_manager_secret.database_url[0].id
  secret_data = var.database_url
}

check "queue_fits_import_instances" {
  assert {
    condition     = var.queue.max_concurrent_dispatches <= var.functions.import_chunk.max_instances * var.functions.import_chunk.concurrency
    error_message = "queue.max_concurrent_dispatches exceeds what import_chunk can serve at once (max_instances × concurrency): the excess dispatches are refused with 429 and retried."
  }
}

# ---------------------------------------------------------------------------------------------
# Functions

module "on_backup_finalized" {
  source = "./modules/function"

  project_id  = local.project_id
  region      = var.region
  name        = local.names.on_backup_finalized
  description = "sentry-import: a backup landed in gs://${google_storage_bucket.backups.name}; decrypt, validate, plan and fan out its chunks"
  entry_point = "onBackupFinalized"
  labels      = var.labels

  source_archive = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }
  build_service_account = google_service_account.build.id
  service_account_email = google_service_account.on_backup_finalized.email
  ingress_settings      = "ALLOW_INTERNAL_ONLY"
  resources             = var.functions.on_backup_finalized
  vpc = {
    connector = var.database.vpc_connector
    egress    = var.database.vpc_egress
  }

  environment_variables        = local.function_env
  secret_environment_variables = local.function_secret_env

  event_trigger = {
    event_type = "google.cloud.storage.object.v1.finalized"
    # only `bucket` is filterable for direct storage events
    filters = {
      bucket = google_storage_bucket.backups.name
    }
    # a thrown (transient) failure is redelivered for up to 24 h; permanent ones are recorded
    retry_policy          = "RETRY_POLICY_RETRY"
    service_account_email = google_service_account.trigger.email
  }

  invokers = {
    trigger = "serviceAccount:${google_service_account.trigger.email}"
  }

  depends_on = [
    google_project_iam_member.build,
    google_project_iam_member.trigger_event_receiver,
    google_project_iam_member.gcs_pubsub_publisher,
    google_secret_manager_secret_iam_member.runtime_database_url,
  ]
}

module "import_chunk" {
  source = "./modules/function"

  project_id  = local.project_id
  region      = var.region
  name        = local.names.import_chunk
  description = "sentry-import: the chunk queue's target; writes one chunk into Postgres exactly once (and plans backups too large for the event function)"
  entry_point = "importChunk"
  labels      = var.labels

  source_archive = {
    bucket = google_storage_bucket.source.name
    object = google_storage_bucket_object.source.name
  }
  build_service_account = google_service_account.build.id
  service_account_email = google_service_account.import_chunk.email
  # private: reachable only from inside the project (Cloud Tasks counts), and only with an
  # OIDC token of the tasks-invoker service account
  ingress_settings = "ALLOW_INTERNAL_ONLY"
  resources        = var.functions.import_chunk
  vpc = {
    connector = var.database.vpc_connector
    egress    = var.database.vpc_egress
  }

  environment_variables        = local.function_env
  secret_environment_variables = local.function_secret_env

  invokers = {
    tasks = "serviceAccount:${google_service_account.tasks_invoker.email}"
  }

  depends_on = [
    google_project_iam_member.build,
    google_secret_manager_secret_iam_member.runtime_database_url,
  ]
}
