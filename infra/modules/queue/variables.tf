variable "project_id" {
  description = "Project of the queue."
  type        = string
}

variable "location" {
  description = "Region of the queue (the functions' region)."
  type        = string
}

variable "name" {
  description = "Queue id. A deleted queue's name cannot be reused for about 7 days."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,100}$", var.name))
    error_message = "name must be 1-100 letters, digits or '-' (Cloud Tasks queue ids)."
  }
}

variable "settings" {
  description = <<-EOT
    Rate limits and retries, all set explicitly (unset fields take service defaults):
    - max_dispatches_per_second (≤ 500) and max_concurrent_dispatches (≤ 5000): keep
      max_concurrent_dispatches × the connections one import instance holds below Postgres' max_connections;
    - max_attempts counts the first attempt (-1 = unlimited); max_retry_duration_seconds 0 = no time limit,
      and retrying stops only when both are exhausted;
    - min/max_backoff_seconds and max_doublings shape the interval: min_backoff doubled max_doublings
      times, then growing linearly up to max_backoff;
    - log_sampling_ratio: share of task operations logged to Cloud Logging (0-1).
  EOT
  type = object({
    max_dispatches_per_second  = number
    max_concurrent_dispatches  = number
    max_attempts               = number
    min_backoff_seconds        = number
    max_backoff_seconds        = number
    max_doublings              = number
    max_retry_duration_seconds = number
    log_sampling_ratio         = number
  })

  validation {
    condition     = var.settings.max_dispatches_per_second > 0 && var.settings.max_dispatches_per_second <= 500
    error_message = "max_dispatches_per_second must be in (0, 500]."
  }
  validation {
    condition     = var.settings.max_concurrent_dispatches >= 1 && var.settings.max_concurrent_dispatches <= 5000
    error_message = "max_concurrent_dispatches must be in [1, 5000]."
  }
  validation {
    condition     = var.settings.max_attempts == -1 || var.settings.max_attempts >= 1
    error_message = "max_attempts must be -1 (unlimited) or at least 1."
  }
  validation {
    condition     = var.settings.min_backoff_seconds >= 1 && var.settings.min_backoff_seconds <= var.settings.max_backoff_seconds && var.settings.max_backoff_seconds <= 3600
    error_message = "Backoff must satisfy 1 ≤ min_backoff_seconds ≤ max_backoff_seconds ≤ 3600."
  }
  validation {
    condition     = var.settings.max_doublings >= 0 && var.settings.max_doublings <= 16
    error_message = "max_doublings must be in [0, 16]."
  }
  validation {
    condition     = var.settings.max_retry_duration_seconds >= 0
    error_message = "max_retry_duration_seconds must be 0 (unlimited) or positive."
  }
  validation {
    condition     = var.settings.log_sampling_ratio >= 0 && var.settings.log_sampling_ratio <= 1
    error_message = "log_sampling_ratio must be in [0, 1]."
  }
}

variable "enqueuers" {
  description = "IAM members given roles/cloudtasks.enqueuer on this queue only, keyed by a static label (the values may be unknown until apply)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.enqueuers) : can(regex("^serviceAccount:", m))])
    error_message = "enqueuers must be serviceAccount: members."
  }
}
