//! Generators for text sources (Istio/Envoy access logs, S3 server access logs).
