# The pipeline restoring into a new Cloud SQL for PostgreSQL instance that has no public
# address: the functions reach its private IP through a Serverless VPC Access connector, and the
# URL (with a generated password) reaches them only through Secret Manager.

resource "google_project_service" "network" {
  for_each = toset([
    "compute.googleapis.com",
    "servicenetworking.googleapis.com",
    "vpcaccess.googleapis.com",
    "sqladmin.googleapis.com",
  ])

  project            = var.project_id
  service            = each.value
  disable_on_destroy = false
}

resource "google_compute_network" "this" {
  project                 = google_project_service.network["compute.googleapis.com"].project
  name                    = var.network.name
  auto_create_subnetworks = false
}

# private services access: the range Cloud SQL's private IP comes from
resource "google_compute_global_address" "private_services" {
  project       = var.project_id
  name          = "${var.network.name}-private-services"
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  address       = split("/", var.network.private_services_cidr)[0]
  prefix_length = tonumber(split("/", var.network.private_services_cidr)[1])
  network       = google_compute_network.this.id
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.this.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]

  depends_on = [google_project_service.network]
}

resource "google_vpc_access_connector" "this" {
  project       = google_project_service.network["vpcaccess.googleapis.com"].project
  name          = "sentry-import"
  region        = var.region
  network       = google_compute_network.this.name
  ip_cidr_range = var.network.connector_cidr
  min_instances = 2
  max_instances = 3
}

resource "google_sql_database_instance" "this" {
  project             = google_project_service.network["sqladmin.googleapis.com"].project
  name                = "sentry-import"
  region              = var.region
  database_version    = var.database.version
  deletion_protection = true

  settings {
    tier              = var.database.tier
    edition           = var.database.edition
    availability_type = var.database.high_availability ? "REGIONAL" : "ZONAL"

    ip_configuration {
      ipv4_enabled    = false
      private_network = google_compute_network.this.id
      ssl_mode        = "ENCRYPTED_ONLY"
    }

    backup_configuration {
      enabled                        = true
      point_in_time_recovery_enabled = true
    }

    database_flags {
      name  = "max_connections"
      value = tostring(var.database.max_connections)
    }
  }

  depends_on = [google_service_networking_connection.private_services]
}

resource "google_sql_database" "sentry" {
  project  = var.project_id
  name     = "sentry"
  instance = google_sql_database_instance.this.name
}

resource "random_password" "importer" {
  length  = 32
  special = false
}

resource "google_sql_user" "importer" {
  project  = var.project_id
  name     = "sentry_import"
  instance = google_sql_database_instance.this.name
  password = random_password.importer.result
}

module "sentry_import" {
  source = "../.."

  project_id = var.project_id
  region     = var.region
  source_dir = var.source_dir

  # The module keeps the URL in a Secret Manager secret (the password also sits in this state,
  # as Cloud SQL users' passwords always do). sslmode=no-verify: the server requires TLS
  # (ENCRYPTED_ONLY) and the traffic stays on the private network, but its certificate is signed
  # by the instance's own CA, which a URL cannot hand to node-postgres for verification.
  database_url = format(
    "postgres://%s:%s@%s:5432/%s?sslmode=no-verify",
    google_sql_user.importer.name,
    urlencode(random_password.importer.result),
    google_sql_database_instance.this.private_ip_address,
    google_sql_database.sentry.name,
  )
  database = {
    vpc_connector = google_vpc_access_connector.this.id
    vpc_egress    = "PRIVATE_RANGES_ONLY"
  }

  # up to 10 concurrent chunks × pg's default pool of 10 stays well below max_connections
  queue = {
    max_concurrent_dispatches = 10
  }
}
