output "name" {
  description = "The function's name."
  value       = google_cloudfunctions2_function.this.name
}

output "uri" {
  description = "The URL Cloud Run reports for the function's service."
  value       = google_cloudfunctions2_function.this.service_config[0].uri
}

output "service" {
  description = "The Cloud Run service that runs the function (same name as the function)."
  value       = google_cloudfunctions2_function.this.service_config[0].service
}

output "id" {
  description = "projects/P/locations/L/functions/F"
  value       = google_cloudfunctions2_function.this.id
}
