"""Generated from feast/core/*.proto; see scripts/generate-protos."""
