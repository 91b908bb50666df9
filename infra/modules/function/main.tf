/**
 * One 2nd-gen Cloud Function on the nodejs22 runtime, built from a zipped source in Cloud
 * Storage, with its own runtime service account, optional Eventarc trigger, and invoker grants
 * on its Cloud Run service (never allUsers).
 */

resource "google_cloudfunctions2_function" "this" {
  project     = var.project_id
  name        = var.name
  location    = var.region
  description = var.description
  labels      = var.labels

  build_config {
    runtime         = "nodejs22"
    entry_point     = var.entry_point
    service_account = var.build_service_account

    source {
      storage_source {
        bucket = var.source_archive.bucket
        object = var.source_archive.object
      }
    }
  }

  service_config {
    available_memory                 = var.resources.memory
    available_cpu                    = var.resources.cpu
    timeout_seconds                  = var.resources.timeout_seconds
    min_instance_count               = var.resources.min_instances
    max_instance_count               = var.resources.max_instances
    max_instance_request_concurrency = var.resources.concurrency
    service_account_email            = var.service_account_email
    ingress_settings                 = var.ingress_settings
    all_traffic_on_latest_revision   = true
    vpc_connector                    = var.vpc.connector
    vpc_connector_egress_settings    = var.vpc.connector == null ? null : var.vpc.egress

    environment_variables = var.environment_variables

    dynamic "secret_environment_variables" {
      for_each = var.secret_environment_variables
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = secret_environment_variables.value.version
      }
    }
  }

  # the gen2 event_trigger creates the Eventarc trigger and its Pub/Sub wiring itself
  dynamic "event_trigger" {
    for_each = var.event_trigger == null ? [] : [var.event_trigger]
    content {
      trigger_region        = var.region
      event_type            = event_trigger.value.event_type
      retry_policy          = event_trigger.value.retry_policy
      service_account_email = event_trigger.value.service_account_email

      dynamic "event_filters" {
        for_each = event_trigger.value.filters
        content {
          attribute = event_filters.key
          value     = event_filters.value
        }
      }
    }
  }
}

# 2nd-gen functions are Cloud Run services: invocation is granted on the service
resource "google_cloud_run_v2_service_iam_member" "invokers" {
  for_each = var.invokers

  project  = var.project_id
  location = var.region
  name     = google_cloudfunctions2_function.this.service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value
}
