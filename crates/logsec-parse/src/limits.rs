//! Limits that keep hostile input from costing unbounded time or memory.

/// Per-record limits. A record past a limit becomes a [`crate::Reject`], never a panic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest record accepted, in bytes (default 1 MiB).
    pub max_record_bytes: usize,
    /// Deepest JSON nesting accepted (default 64).
    pub max_depth: usize,
    /// Most fields (JSON object members or text fields) in one record (default 10 000).
    pub max_fields: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_record_bytes: 1 << 20,
            max_depth: 64,
            max_fields: 10_000,
        }
    }
}
