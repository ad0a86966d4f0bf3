//! The Falco rules language front-end: YAML items → AST → IR.
