//! The Falco rules language front-end: YAML items → AST → IR.
mod ast;
mod collect;
mod diag;
mod fields;
mod lists;
mod output;
mod parser;
mod yaml;
