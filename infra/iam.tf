/**
 * One service account per role, each grant on the narrowest resource (gcp-platform.md §9.7):
 *
 *   on-backup-finalized / import-chunk runtime   objectViewer on the backups bucket
 *                                                objectUser on the staging bucket
 *                                                cryptoKeyDecrypter on the backup key (modules/kms)
 *                                                enqueuer on the chunk queue (modules/queue)
 *                                                serviceAccountUser on the tasks-invoker account
 *                                                secretAccessor on the database URL secret
 *   trigger                                      eventarc.eventReceiver (project), run.invoker on
 *                                                on-backup-finalized's service
 *   tasks-invoker (the tasks' OIDC identity)     run.invoker on import-chunk's service
 *   build                                        run.builder (project): builds the functions
 *   Cloud Storage service agent                  pubsub.publisher (project): storage triggers
 *
 * Both runtime accounts need the same grants: import-chunk also runs "plan" tasks (backups
 * above 256 MiB), which read and decrypt the backup, stage its chunks and enqueue them exactly as
 * on-backup-finalized does, and every finished chunk enqueues its successor.
 */

resource "google_service_account" "on_backup_finalized" {
  project      = local.project_id
  account_id   = "${var.name_prefix}-finalize"
  display_name = "sentry-import on-backup-finalized runtime"
}

resource "google_service_account" "import_chunk" {
  project      = local.project_id
  account_id   = "${var.name_prefix}-import"
  display_name = "sentry-import import-chunk runtime"
}

resource "google_service_account" "trigger" {
  project      = local.project_id
  account_id   = "${var.name_prefix}-trigger"
  display_name = "sentry-import Eventarc trigger (invokes on-backup-finalized)"
}

resource "google_service_account" "tasks_invoker" {
  project      = local.project_id
  account_id   = "${var.name_prefix}-tasks"
  display_name = "sentry-import Cloud Tasks OIDC identity (invokes import-chunk)"
}

resource "google_service_account" "build" {
  project      = local.project_id
  account_id   = "${var.name_prefix}-build"
  display_name = "sentry-import function builds"
}

locals {
  # static keys, so for_each is known at plan time while the emails are not
  runtime_members = {
    on_backup_finalized = "serviceAccount:${google_service_account.on_backup_finalized.email}"
    import_chunk        = "serviceAccount:${google_service_account.import_chunk.email}"
  }
}

# --- runtime accounts ------------------------------------------------------------------------

resource "google_storage_bucket_iam_member" "runtime_backups_reader" {
  for_each = local.runtime_members

  bucket = google_storage_bucket.backups.name
  role   = "roles/storage.objectViewer"
  member = each.value
}

# create-if-absent chunk and result objects (412 reads back the existing generation), and reads
resource "google_storage_bucket_iam_member" "runtime_staging_user" {
  for_each = local.runtime_members

  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectUser"
  member = each.value
}

# attaching the tasks-invoker identity as the OIDC token of the tasks they create
resource "google_service_account_iam_member" "runtime_acts_as_tasks_invoker" {
  for_each = local.runtime_members

  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = each.value
}

resource "google_secret_manager_secret_iam_member" "runtime_database_url" {
  for_each = local.runtime_members

  project   = local.project_id
  secret_id = local.database_secret.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

# --- trigger, build, service agents ----------------------------------------------------------

resource "google_project_iam_member" "trigger_event_receiver" {
  project = local.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${google_service_account.trigger.email}"
}

resource "google_project_iam_member" "build" {
  project = local.project_id
  role    = "roles/run.builder"
  member  = "serviceAccount:${google_service_account.build.email}"
}

data "google_storage_project_service_account" "this" {
  project = local.project_id
}

# Cloud Storage publishes the finalize events to Pub/Sub for the Eventarc trigger
resource "google_project_iam_member" "gcs_pubsub_publisher" {
  project = local.project_id
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${data.google_storage_project_service_account.this.email_address}"
}

resource "google_project_iam_member" "pubsub_token_creator" {
  count = var.grant_pubsub_token_creator ? 1 : 0

  project = local.project_id
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# --- people and automation around the pipeline -----------------------------------------------

resource "google_storage_bucket_iam_member" "backup_writers" {
  for_each = var.access.backup_writers

  bucket = google_storage_bucket.backups.name
  role   = "roles/storage.objectCreator"
  member = each.value
}

resource "google_secret_manager_secret_iam_member" "status_readers" {
  for_each = var.access.status_readers

  project   = local.project_id
  secret_id = local.database_secret.secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = each.value
}

resource "google_storage_bucket_iam_member" "status_readers" {
  for_each = var.access.status_readers

  bucket = google_storage_bucket.staging.name
  role   = "roles/storage.objectViewer"
  member = each.value
}
