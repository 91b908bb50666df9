output "name" {
  description = "The queue id (TASKS_QUEUE)."
  value       = google_cloud_tasks_queue.this.name
}

output "id" {
  description = "projects/P/locations/L/queues/Q"
  value       = google_cloud_tasks_queue.this.id
}
