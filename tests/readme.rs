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
