output "app_name" {
  description = "Name of the deployed application."
  value       = juju_application.feast_ui.name
}

output "provides" {
  description = "Endpoints this application provides, for juju_integration resources."
  value = {
    provide_cmr_mesh  = "provide-cmr-mesh"
    metrics_endpoint  = "metrics-endpoint"
    grafana_dashboard = "grafana-dashboard"
  }
}

output "requires" {
  description = "Endpoints this application requires, for juju_integration resources."
  value = {
    feast_configuration = "feast-configuration"
    dashboard_links     = "dashboard-links"
    ingress             = "ingress"
    istio_ingress_route = "istio-ingress-route"
    service_mesh        = "service-mesh"
    require_cmr_mesh    = "require-cmr-mesh"
    logging             = "logging"
    tracing             = "tracing"
  }
}
