//! Dependencies point one way (DESIGN.md §1): the kit knows no instrument, instruments know no
//! show, preset, conductor, engine or output, so anyone can build them into their own graph.
//! A `use` that breaks that direction fails here, naming the file and the line.

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Lines of `dir`'s sources (outside doc comments) that name one of `forbidden` modules.
fn offending(dir: &str, forbidden: &[&str]) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(Path::new(dir), &mut files);
    let mut bad = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for m in forbidden {
                if code.contains(&format!("crate::{m}")) {
                    bad.push(format!("{}:{}: {}", file.display(), n + 1, code));
                }
            }
        }
    }
    bad
}

#[test]
fn instruments_know_no_show() {
    let bad = offending(
        "src/instruments",
        &["show", "preset", "conductor", "engine", "output"],
    );
    assert!(bad.is_empty(), "instruments reach up:\n{}", bad.join("\n"));
}

#[test]
fn the_kit_knows_nothing_above_it() {
    let bad = offending(
        "src/kit",
        &[
            "show",
            "preset",
            "conductor",
            "engine",
            "output",
            "instruments",
        ],
    );
    assert!(bad.is_empty(), "the kit reaches up:\n{}", bad.join("\n"));
}
