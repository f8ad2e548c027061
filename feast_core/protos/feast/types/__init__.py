"""Generated from feast/types/*.proto; see scripts/generate-protos."""
