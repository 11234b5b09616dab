//! The layer order of `src/lib.rs` (its `layers:` line), held to the code: no module of
//! `src/` refers (`crate::x`) to a module of a higher layer. Test code is exempt (a test
//! may drive the whole application); doc comments are not code and are skipped.

use std::collections::BTreeMap;
use std::path::Path;

/// Layer index by top-level module, from the `layers:` line of `src/lib.rs`: `|`
/// separates layers, top first; modules of one layer are separated by spaces.
fn layers(lib: &str) -> BTreeMap<String, usize> {
    let line = lib
        .lines()
        .find_map(|l| l.trim_start_matches("//!").trim().strip_prefix("layers:"))
        .expect("src/lib.rs has a `layers:` line");
    line.split('|')
        .enumerate()
        .flat_map(|(i, layer)| layer.split_whitespace().map(move |m| (m.to_string(), i)))
        .collect()
}

/// The code of a source file: comments and inline `#[cfg(test)]` modules removed.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every upward reference in `text`, a file of module `module`: `(from, to)` pairs.
fn upward(module: &str, text: &str, order: &BTreeMap<String, usize>) -> Vec<String> {
    let Some(&own) = order.get(module) else {
        return Vec::new();
    };
    let code = code(text);
    let mut found: Vec<String> = code
        .match_indices("crate::")
        .filter_map(|(i, _)| {
            let rest = &code[i + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let target = &rest[..end];
            let layer = *order.get(target)?;
            (layer < own).then(|| format!("{module} -> {target}"))
        })
        .collect();
    found.dedup();
    found
}

fn is_test_file(rel: &Path) -> bool {
    rel.components().any(|c| c.as_os_str() == "tests")
        || rel
            .file_name()
            .is_some_and(|n| n == "tests.rs" || n.to_string_lossy().ends_with("_tests.rs"))
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let order = layers(&std::fs::read_to_string(src.join("lib.rs")).unwrap());
    let mut files = Vec::new();
    walk(&src, &mut files);
    let mut modules = std::collections::BTreeSet::new();
    let mut bad = Vec::new();
    for path in files {
        let rel = path.strip_prefix(&src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" {
            continue;
        }
        modules.insert(module.clone());
        if is_test_file(rel) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for b in upward(&module, &text, &order) {
            bad.push(format!("{b} ({})", rel.display()));
        }
    }
    let unplaced: Vec<_> = modules.iter().filter(|m| !order.contains_key(*m)).collect();
    assert!(unplaced.is_empty(), "modules in no layer: {unplaced:?}");
    assert!(bad.is_empty(), "upward imports:\n{}", bad.join("\n"));
}

#[test]
fn an_upward_import_is_caught() {
    let order = layers("//! layers: api | server | storage | config\n");
    let file = "//! see crate::api for the routes\nuse crate::config::Secret;\nuse crate::server::AppState;\n";
    assert_eq!(upward("storage", file, &order), ["storage -> server"]);
    assert!(upward("api", file, &order).is_empty(), "downward is fine");
    let tests_only =
        "use crate::config::X;\n#[cfg(test)]\nmod tests {\n    use crate::api::app;\n}\n";
    assert!(upward("server", tests_only, &order).is_empty());
}
