"""Generated from feast/registry/*.proto; see scripts/generate-protos."""
