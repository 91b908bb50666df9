variable "project_id" {
  description = "Project of the function."
  type        = string
}

variable "region" {
  description = "Region of the function (and of its trigger)."
  type        = string
}

variable "name" {
  description = "Function name, which is also its Cloud Run service name. At most 49 characters, so that the deterministic run.app host (name-PROJECT_NUMBER) fits a 63-character DNS label."
  type        = string

  validation {
    condition     = can(regex("^[a-z](?:[a-z0-9-]{0,47}[a-z0-9])?$", var.name))
    error_message = "name must be 1-49 lower-case letters, digits or '-', start with a letter and not end with '-'."
  }
}

variable "description" {
  description = "What the function does."
  type        = string
  default     = ""
}

variable "entry_point" {
  description = "The name the function registers with the Functions Framework (functions/index.ts)."
  type        = string
}

variable "source_archive" {
  description = "The zipped source (package.json, the lock file and the TypeScript sources; `gcp-build` compiles them during the deploy) in Cloud Storage."
  type = object({
    bucket = string
    object = string
  })
}

variable "build_service_account" {
  description = "Full name (projects/P/serviceAccounts/EMAIL) of the service account Cloud Build uses to build the function."
  type        = string
}

variable "service_account_email" {
  description = "The function's runtime identity: one service account per function."
  type        = string
}

variable "ingress_settings" {
  description = "ALLOW_INTERNAL_ONLY keeps the function off the internet: Eventarc and Cloud Tasks in the same project count as internal."
  type        = string
  default     = "ALLOW_INTERNAL_ONLY"

  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.ingress_settings)
    error_message = "ingress_settings must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "resources" {
  description = <<-EOT
    Sizing of the function's service:
    - memory ("512Mi", "1Gi", …) and cpu ("1", "2", …);
    - timeout_seconds: ≤ 540 for an event-driven function, ≤ 3600 for HTTP (and keep a Cloud Tasks
      target below its 1800 s dispatch deadline);
    - min_instances / max_instances, and concurrency (requests one instance serves at once).
  EOT
  type = object({
    memory          = string
    cpu             = string
    timeout_seconds = number
    min_instances   = number
    max_instances   = number
    concurrency     = number
  })

  validation {
    condition     = can(regex("^[0-9]+(Mi|Gi)$", var.resources.memory))
    error_message = "memory must look like 512Mi or 2Gi."
  }
  validation {
    condition     = can(regex("^(0\\.[0-9]+|[1-8])$", var.resources.cpu))
    error_message = "cpu must be a fraction such as 0.5 or a whole number of CPUs from 1 to 8."
  }
  validation {
    condition     = var.resources.timeout_seconds >= 1 && var.resources.timeout_seconds <= 3600
    error_message = "timeout_seconds must be in [1, 3600]."
  }
  validation {
    condition     = var.resources.min_instances >= 0 && var.resources.max_instances >= 1 && var.resources.min_instances <= var.resources.max_instances
    error_message = "Instances must satisfy 0 ≤ min_instances ≤ max_instances and max_instances ≥ 1."
  }
  validation {
    condition     = var.resources.concurrency >= 1 && var.resources.concurrency <= 1000
    error_message = "concurrency must be in [1, 1000]."
  }
}

variable "environment_variables" {
  description = "Plain runtime environment variables (never secrets)."
  type        = map(string)
  default     = {}
}

variable "secret_environment_variables" {
  description = "Runtime environment variables read from Secret Manager, keyed by variable name: the secret's id in project_id and its version (a number, or latest)."
  type = map(object({
    secret  = string
    version = string
  }))
  default = {}

  validation {
    condition     = alltrue([for s in values(var.secret_environment_variables) : can(regex("^(latest|[0-9]+)$", s.version))])
    error_message = "A secret version must be a number or \"latest\"."
  }
}

variable "vpc" {
  description = "Optional Serverless VPC Access connector (projects/P/locations/R/connectors/C) for a private-IP database, and which egress goes through it."
  type = object({
    connector = optional(string)
    egress    = optional(string, "PRIVATE_RANGES_ONLY")
  })
  default = {}

  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc.egress)
    error_message = "vpc.egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "event_trigger" {
  description = "For an event-driven function: the Eventarc trigger the function's event_trigger block creates (event type, exact-match filters, retry policy and the identity that invokes the function). null for an HTTP function."
  type = object({
    event_type            = string
    filters               = map(string)
    retry_policy          = string
    service_account_email = string
  })
  default = null

  validation {
    condition     = var.event_trigger == null || contains(["RETRY_POLICY_RETRY", "RETRY_POLICY_DO_NOT_RETRY"], try(var.event_trigger.retry_policy, ""))
    error_message = "event_trigger.retry_policy must be RETRY_POLICY_RETRY or RETRY_POLICY_DO_NOT_RETRY."
  }
}

variable "invokers" {
  description = "IAM members given roles/run.invoker on this function's Cloud Run service only, keyed by a static label (the values may be unknown until apply)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for m in values(var.invokers) : can(regex("^serviceAccount:", m))])
    error_message = "invokers must be serviceAccount: members."
  }
}

variable "labels" {
  description = "Labels on the function."
  type        = map(string)
  default     = {}
}
