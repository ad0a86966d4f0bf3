//! Generators for JSON sources (CloudTrail, Kubernetes audit).
