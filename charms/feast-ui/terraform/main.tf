# feast-ui: runs `feast ui` behind Istio and the Kubeflow dashboard. Trust lets it join the ambient
# service mesh (it labels its own pods and Service).
resource "juju_application" "feast_ui" {
  name        = var.app_name
  model       = var.model_name
  trust       = true
  units       = var.units
  config      = var.config
  constraints = var.constraints
  resources   = var.resources

  charm {
    name     = "feast-ui"
    base     = var.base
    channel  = var.channel
    revision = var.revision
  }
}
