output "app_name" {
  description = "Name of the deployed application."
  value       = juju_application.feast_server.name
}

output "provides" {
  description = "Endpoints this application provides, for juju_integration resources."
  value = {
    metrics_endpoint  = "metrics-endpoint"
    grafana_dashboard = "grafana-dashboard"
  }
}

output "requires" {
  description = "Endpoints this application requires, for juju_integration resources."
  value = {
    feast_configuration = "feast-configuration"
    istio_ingress_route = "istio-ingress-route"
    logging             = "logging"
    tracing             = "tracing"
  }
}
