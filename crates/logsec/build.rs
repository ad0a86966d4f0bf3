// A build script may stop the build on a missing Cargo variable.
#![allow(clippy::expect_used)]
//! Embeds the bundled rule pack (`rules/` at the workspace root) into the crate, so the pack
//! works from an installed binary or wheel anywhere, not from a repository-relative path.
//!
//! The pack is read from `crates/logsec/rules`, a symbolic link to `../../rules` in the
//! repository that `cargo package` (and so a Python sdist built by maturin) turns into a real
//! directory, so a packaged crate builds on its own. Where the link is not a directory (a
//! checkout without symlink support), the workspace's `rules/` is read directly.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect(&path, out);
        } else if path
            .extension()
            .is_some_and(|ext| ext == "yml" || ext == "yaml")
        {
            out.push(path);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Cargo sets both variables; an error here fails the build with its message.
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR")?);
    let linked = manifest.join("rules");
    let rules_dir = if linked.is_dir() {
        linked
    } else {
        manifest.join("../../rules")
    };
    println!("cargo:rerun-if-changed={}", rules_dir.display());
    let mut files = Vec::new();
    collect(&rules_dir, &mut files);
    if files.is_empty() {
        // An empty pack would ship a binary or wheel that silently detects nothing (an sdist
        // built without the workspace's rules/ directory, say): fail loudly instead.
        return Err(format!(
            "no rule files under {}: the bundled pack would be empty",
            rules_dir.display()
        )
        .into());
    }
    let mut code = String::from("/// The bundled rule files: (path relative to the pack, text).\n");
    code.push_str("pub(crate) static PACK_FILES: &[(&str, &str)] = &[\n");
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file.strip_prefix(&rules_dir).unwrap_or(file);
        let canonical = file.canonicalize().unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            code,
            "    ({:?}, include_str!({:?})),",
            relative.to_string_lossy().replace('\\', "/"),
            canonical.to_string_lossy()
        );
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("pack.rs");
    std::fs::write(out, code)?;
    Ok(())
}
