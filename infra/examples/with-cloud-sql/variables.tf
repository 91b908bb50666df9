variable "project_id" {
  description = "The project to deploy into."
  type        = string
}

variable "region" {
  description = "Region of the pipeline and the database."
  type        = string
  default     = "europe-west1"
}

variable "source_dir" {
  description = "The assembled function source package (see infra/README.md)."
  type        = string
  default     = "../../../dist/function-source"
}

variable "database" {
  description = <<-EOT
    The Cloud SQL instance the backups are restored into:
    - version: POSTGRES_16 or POSTGRES_17;
    - tier / edition: machine size (db-custom-CPUS-MEMORY_MB for ENTERPRISE);
    - high_availability: REGIONAL instead of ZONAL;
    - max_connections: keep it above the queue's concurrent dispatches × each import instance's pool (pg's default 10).
  EOT
  type = object({
    version           = optional(string, "POSTGRES_16")
    tier              = optional(string, "db-custom-1-3840")
    edition           = optional(string, "ENTERPRISE")
    high_availability = optional(bool, false)
    max_connections   = optional(number, 200)
  })
  default = {}

  validation {
    condition     = contains(["POSTGRES_16", "POSTGRES_17"], var.database.version)
    error_message = "database.version must be POSTGRES_16 or POSTGRES_17."
  }
  validation {
    condition     = contains(["ENTERPRISE", "ENTERPRISE_PLUS"], var.database.edition)
    error_message = "database.edition must be ENTERPRISE or ENTERPRISE_PLUS."
  }
  validation {
    condition     = var.database.max_connections >= 50
    error_message = "database.max_connections must be at least 50."
  }
}

variable "network" {
  description = "The VPC made for the database: its name, the range reserved for private services (Cloud SQL peering) and the /28 the Serverless VPC Access connector uses."
  type = object({
    name                  = optional(string, "sentry-import")
    private_services_cidr = optional(string, "10.60.0.0/20")
    connector_cidr        = optional(string, "10.8.0.0/28")
  })
  default = {}

  validation {
    condition     = can(cidrnetmask(var.network.private_services_cidr)) && endswith(var.network.connector_cidr, "/28") && can(cidrnetmask(var.network.connector_cidr))
    error_message = "network.private_services_cidr must be a CIDR range and network.connector_cidr a /28."
  }
}
