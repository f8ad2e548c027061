variable "app_name" {
  description = "Name of the application in the Juju model."
  type        = string
  default     = "feast-server"
}

variable "base" {
  description = "Base of the charm."
  type        = string
  default     = "ubuntu@24.04"
}

variable "channel" {
  description = "Charmhub channel of the charm."
  type        = string
  default     = "latest/edge"
}

variable "config" {
  description = "Charm configuration (workers, log-level)."
  type        = map(string)
  default     = {}
}

variable "constraints" {
  description = "Juju constraints of the application."
  type        = string
  default     = "arch=amd64"
}

variable "model_name" {
  description = "Juju model to deploy into; the model Charmed Kubeflow runs in (`kubeflow`)."
  type        = string
}

variable "revision" {
  description = "Charm revision; null deploys the channel's latest."
  type        = number
  default     = null
}

variable "units" {
  description = "Number of units; every unit runs the three servers behind one Service."
  type        = number
  default     = 1
}

variable "resources" {
  description = "Charm resources: oci-image, the feast-core image the UI runs too (see docs/how-to/pack.md); an image reference or a revision."
  type        = map(string)
  default     = {}
}
