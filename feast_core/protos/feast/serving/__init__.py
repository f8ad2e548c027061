"""Generated from feast/serving/*.proto; see scripts/generate-protos."""
