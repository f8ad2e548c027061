output "app_name" {
  description = "Name of the deployed application."
  value       = juju_application.feast_integrator.name
}

output "provides" {
  description = "Endpoints this application provides, for juju_integration resources."
  value = {
    feast_configuration = "feast-configuration"
    feast_server        = "feast-server"
  }
}

output "requires" {
  description = "Endpoints this application requires, for juju_integration resources."
  value = {
    offline_store = "offline-store"
    online_store  = "online-store"
    registry      = "registry"
    secrets       = "secrets"
    pod_defaults  = "pod-defaults"
  }
}
