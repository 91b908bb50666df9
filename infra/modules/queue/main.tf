/**
 * The chunk queue. Every delivery is at least once and the Postgres ledger makes a repeat
 * harmless, so retries only need to be generous enough to ride out a database restart, and
 * bounded so that a chunk that can never succeed stops (its import then stays "importing" and
 * shows up in `sentry-import status`).
 */

resource "google_cloud_tasks_queue" "this" {
  project  = var.project_id
  name     = var.name
  location = var.location

  rate_limits {
    max_dispatches_per_second = var.settings.max_dispatches_per_second
    max_concurrent_dispatches = var.settings.max_concurrent_dispatches
  }

  retry_config {
    max_attempts       = var.settings.max_attempts
    min_backoff        = "${var.settings.min_backoff_seconds}s"
    max_backoff        = "${var.settings.max_backoff_seconds}s"
    max_doublings      = var.settings.max_doublings
    max_retry_duration = "${var.settings.max_retry_duration_seconds}s"
  }

  stackdriver_logging_config {
    sampling_ratio = var.settings.log_sampling_ratio
  }
}

resource "google_cloud_tasks_queue_iam_member" "enqueuers" {
  for_each = var.enqueuers

  project  = var.project_id
  location = var.location
  name     = google_cloud_tasks_queue.this.name
  role     = "roles/cloudtasks.enqueuer"
  member   = each.value
}
