terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.50, < 8"
    }
  }

  # bucket and prefix come from `terraform init -backend-config=…` (cloudbuild.yaml): one state
  # per environment
  backend "gcs" {}
}

provider "google" {
  project = var.project_id
  region  = var.region
}
