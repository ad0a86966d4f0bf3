//! The Sigma 2.1 front-end: YAML documents → AST → IR, correlations, filters.
