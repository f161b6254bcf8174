//! What the binary says about itself: `concert format` documents every key a show file may
//! hold, completion scripts load in a real shell, and man pages typeset with nroff.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

fn concert(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_concert"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(args: &[&str]) -> String {
    let out = concert(args);
    assert!(
        out.status.success(),
        "concert {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The keys a table accepts, as the reader lists them when it meets an unknown key.
fn allowed_keys(table: &str) -> Vec<String> {
    let text =
        format!("title = \"t\"\n{table}\nnot_a_key = 1\n[[timeline]]\nmoment = \"murmur\"\n");
    let err = concert::preset::load_str(&text, "t.toml")
        .unwrap_err()
        .to_string();
    let list = err.split("allowed: ").nth(1).expect("an allowed list");
    list.split(" (did you mean")
        .next()
        .unwrap()
        .split(", ")
        .map(|k| k.trim().to_string())
        .collect()
}

#[test]
fn format_documents_every_key_the_reader_accepts() {
    let text = stdout(&["format"]);
    assert_eq!(
        text,
        format!(
            "{}\n{}",
            concert::preset::FORMAT_REFERENCE,
            concert::show::melody::NOTATION
        )
    );
    // Each key as written in the table's first column: `songs[].bpm` / `beats_per_bar`.
    let documented: BTreeSet<String> = text
        .lines()
        .filter(|l| l.starts_with("| `"))
        .flat_map(|l| {
            let cell = l.split('|').nth(1).unwrap();
            let mut keys = Vec::new();
            let mut prefix = String::new();
            for part in cell.split('/') {
                let key = part.trim().trim_matches('`');
                if let Some(dot) = key.rfind('.') {
                    prefix = key[..=dot].to_string();
                    keys.push(key.to_string());
                } else {
                    keys.push(format!("{prefix}{key}"));
                }
            }
            keys
        })
        .collect();
    let tables = [
        ("", "title = \"t\""),
        ("venue.", "[venue]"),
        ("singer.", "[singer]"),
        ("songs[].", "[[songs]]\ntitle = \"s\""),
        ("timeline[].", "[[timeline]]\nmoment = \"murmur\""),
    ];
    for (prefix, table) in tables {
        let table = if prefix.is_empty() { "" } else { table };
        for key in allowed_keys(table) {
            let nested = ["venue", "singer", "songs", "timeline"];
            if prefix.is_empty() && nested.contains(&key.as_str()) {
                continue;
            }
            let path = format!("{prefix}{key}");
            assert!(
                documented.contains(&path),
                "`{path}` is not in `concert format`"
            );
        }
    }
    assert!(text.contains("# Melody notation"));
}

#[test]
fn bash_completion_loads_and_completes_subcommands_and_flags() {
    let script = stdout(&["completions", "bash"]);
    let path = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(path.path(), &script).unwrap();
    // Load it into a real bash and ask it to complete `concert re` and `concert render --lou`.
    let probe = format!(
        "source {p}\n\
         COMP_WORDS=(concert re); COMP_CWORD=1; _concert concert re concert; echo \"A:${{COMPREPLY[*]}}\"\n\
         COMP_WORDS=(concert render --lou); COMP_CWORD=2; _concert concert --lou render; echo \"B:${{COMPREPLY[*]}}\"\n",
        p = path.path().display()
    );
    let out = Command::new("bash")
        .args(["--norc", "-c", &probe])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("A:render"), "{text}");
    assert!(text.contains("B:--loudness"), "{text}");
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        assert!(
            stdout(&["completions", shell]).contains("render"),
            "{shell}"
        );
    }
    let bad = concert(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("possible values: bash"));
}

/// Typesets a man page as `man` does and returns the text.
fn nroff(page: &str) -> String {
    let mut child = Command::new("nroff")
        .args(["-man", "-Tutf8", "-ww"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("nroff (groff-base) is installed: .ci/run installs it");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && warnings.is_empty(), "{warnings}");
    // nroff marks bold and underline with backspaces.
    let mut text = String::new();
    for c in String::from_utf8(out.stdout).unwrap().chars() {
        if c == '\u{8}' {
            text.pop();
        } else {
            text.push(c);
        }
    }
    text
}

#[test]
fn man_pages_typeset_and_list_every_option() {
    let main = nroff(&stdout(&["man"]));
    for sub in [
        "render",
        "timeline",
        "check",
        "format",
        "completions",
        "man",
    ] {
        assert!(main.contains(&format!("concert-{sub}(1)")), "{main}");
    }
    let render = nroff(&stdout(&["man", "render"]));
    for flag in [
        "--output",
        "--loudness",
        "--true-peak",
        "--stems",
        "--from",
        "--format",
    ] {
        assert!(
            render.contains(flag),
            "{flag} missing from concert-render(1)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    stdout(&["man", "--dir", dir.path().to_str().unwrap()]);
    let written = std::fs::read_to_string(dir.path().join("concert-render.1")).unwrap();
    assert_eq!(written, stdout(&["man", "render"]));
    assert!(dir.path().join("concert.1").is_file());
    let bad = concert(&["man", "rendr"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("commands: render, bed, timeline"));
    let nowhere = concert(&["man", "--dir", "/nonexistent/man"]);
    assert_eq!(nowhere.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&nowhere.stderr).contains("not a folder"));
}
