//! # logsec-iam
//!
//! Least privilege from CloudTrail: the IAM actions each principal used versus those its
//! policies grant, privilege creep over time, and suggested policies.
//! (Filled by the least-privilege work; this crate starts empty so the workspace builds.)
#![forbid(unsafe_code)]
#![deny(missing_docs)]
