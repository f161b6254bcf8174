//! The README's example show is a real, valid show, and the README opens with the two
//! commands CI promises (render, test).

#[test]
fn readme_example_show_is_valid() {
    let readme = include_str!("../README.md");
    let start = readme.find("```toml\n").expect("README has a TOML example") + "```toml\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let show = concert::preset::load_str(&readme[start..end], "README.md").unwrap();
    let kinds: Vec<&str> = show.moments.iter().map(|m| m.kind.name()).collect();
    assert_eq!(
        kinds,
        [
            "murmur",
            "lights-down",
            "song",
            "applause",
            "chant",
            "encore",
            "finale"
        ]
    );
    assert!(!show.lead_notes().is_empty());
}

#[test]
fn readme_starts_with_the_two_commands() {
    let readme = include_str!("../README.md");
    let first_block: Vec<&str> = readme
        .split("```")
        .nth(1)
        .expect("a code block")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(first_block, ["cargo run --release -- render", "cargo test"]);
}

/// The long and short flags of `concert SUB --help`, without help/version.
fn help_flags(sub: &str) -> std::collections::BTreeSet<String> {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_concert"))
        .args([sub, "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.trim_start().starts_with('-'))
        .flat_map(|l| {
            l.split([' ', ','])
                .filter(|w| w.starts_with('-') && w.len() > 1)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|f| !matches!(f.as_str(), "-h" | "--help" | "-V" | "--version"))
        .collect()
}

#[test]
fn readme_synopsis_matches_the_help_of_every_command() {
    let readme = include_str!("../README.md");
    let start = readme.find("## Commands").expect("a Commands section");
    let block = readme[start..]
        .split("```")
        .nth(1)
        .expect("a synopsis block");
    // Each command's synopsis may span lines: a line starting with `concert` opens one.
    let mut synopses: Vec<(String, String)> = Vec::new();
    for line in block.lines() {
        if let Some(rest) = line.strip_prefix("concert ") {
            let sub = rest.split_whitespace().next().unwrap().to_string();
            synopses.push((sub, rest.to_string()));
        } else if let Some(last) = synopses.last_mut() {
            last.1.push_str(line);
        }
    }
    let subs: Vec<&str> = synopses.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(
        subs,
        [
            "render", "timeline", "plot", "presets", "check", "play", "devices"
        ]
    );
    for (sub, text) in &synopses {
        let readme_flags: std::collections::BTreeSet<String> = text
            .split(|c: char| c.is_whitespace() || c == '[' || c == ']' || c == '|')
            .filter(|w| w.starts_with('-') && w.len() > 1 && w.chars().nth(1) != Some(' '))
            .map(str::to_string)
            .collect();
        let mut help = help_flags(sub);
        // `-o/--output` and `-q/--quiet` are written in their short form in the synopsis.
        for (short, long) in [("-o", "--output"), ("-q", "--quiet")] {
            if readme_flags.contains(short) {
                help.remove(long);
            }
        }
        assert_eq!(
            readme_flags, help,
            "README synopsis of `concert {sub}` vs --help"
        );
    }
}
