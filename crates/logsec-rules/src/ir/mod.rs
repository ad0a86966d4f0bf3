//! The rule IR shared by both dialects, its compiler and its evaluator.
