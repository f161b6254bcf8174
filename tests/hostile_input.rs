//! Show files built to be expensive or nasty: each is generated here (no large fixtures in
//! the repository), loaded through the same path as `concert check`, and must be answered
//! quickly, with a located error where it is invalid, and with messages that neither flood
//! the terminal nor reach it with control characters.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use concert::preset::{self, PresetError};

/// Generous for a 2-core CI machine; the faults these guard against took 20 s to a minute.
const BOUND: Duration = Duration::from_secs(3);

fn timed(text: &str) -> Result<concert::show::Show, PresetError> {
    let started = Instant::now();
    let r = preset::load_str(text, "gen.toml");
    assert!(
        started.elapsed() < BOUND,
        "took {:?} for {} bytes",
        started.elapsed(),
        text.len()
    );
    r
}

fn located(e: &PresetError) -> String {
    let d = e.diagnostic().expect("a located diagnostic");
    assert!(d.location.is_some(), "{e}");
    e.to_string()
}

#[test]
fn forty_thousand_songs_check_in_linear_time() {
    let mut text = String::from("title = \"many\"\n");
    for i in 0..40_000 {
        text.push_str(&format!("[[songs]]\ntitle = \"song {i}\"\n"));
    }
    text.push_str("[[timeline]]\nmoment = \"song\"\nsong = \"song 39999\"\n");
    let show = timed(&text).unwrap();
    assert_eq!(show.songs.len(), 40_000);
    // And a duplicate at the very end is still found, naming the first one.
    text.push_str("[[songs]]\ntitle = \"song 7\"\n");
    let e = timed(&text).unwrap_err();
    assert!(located(&e).contains("songs[7] has it already"), "{e}");
}

#[test]
fn deeply_nested_single_repeats_copy_nothing() {
    let depth = 60_000;
    let melody = format!("la:A4/32 {}{}", "[~/32 ".repeat(depth), "]x1".repeat(depth));
    let text = format!(
        "title = \"nest\"\n[[songs]]\ntitle = \"a\"\nbpm = 240\nmelody = \"{melody}\"\n\
         [[timeline]]\nmoment = \"song\"\nsong = \"a\"\n"
    );
    let show = timed(&text).unwrap();
    assert_eq!(show.songs[0].melody.len(), 1);
}

#[test]
fn repeats_past_the_token_cap_are_refused_at_once() {
    let text = "title = \"x\"\n[[songs]]\ntitle = \"a\"\n\
                melody = \"[[[[la:A4/32]x32]x32]x32]x32\"\n[[timeline]]\nmoment = \"song\"\nsong = \"a\"\n";
    let e = timed(text).unwrap_err();
    assert!(located(&e).contains("more than 100000 tokens"), "{e}");
    // Plain tokens count too: a huge melody without any repeat is refused before it is parsed.
    let text = format!(
        "title = \"x\"\n[[songs]]\ntitle = \"a\"\nmelody = \"{}\"\n[[timeline]]\nmoment = \"song\"\nsong = \"a\"\n",
        "la:A4/32 ".repeat(1_000_000)
    );
    let e = timed(&text).unwrap_err();
    assert!(located(&e).contains("more than 100000 tokens"), "{e}");
}

#[test]
fn a_huge_unknown_name_among_many_songs_is_answered_quickly_and_briefly() {
    let mut text = String::from("title = \"x\"\n");
    for i in 0..2_000 {
        text.push_str(&format!("[[songs]]\ntitle = \"song number {i}\"\n"));
    }
    text.push_str(&format!(
        "[[timeline]]\nmoment = \"song\"\nsong = \"{}\"\n",
        "q".repeat(20_000)
    ));
    let e = timed(&text).unwrap_err();
    let msg = located(&e);
    assert!(msg.len() < 2_000, "{} bytes of message", msg.len());
    assert!(msg.contains("(20000 characters)"), "{msg}");
    assert!(msg.contains("and 1988 more"), "{msg}");
}

#[test]
fn a_song_cannot_outlast_the_cap_through_its_melody() {
    let text = format!(
        "title = \"x\"\n[[songs]]\ntitle = \"a\"\nbpm = 40\nmelody = \"{}la:A4/4\"\n\
         [[timeline]]\nmoment = \"song\"\nsong = \"a\"\n",
        "~/1 ".repeat(99_000)
    );
    let e = timed(&text).unwrap_err();
    let msg = located(&e);
    assert!(
        msg.contains("songs[0].melody") && msg.contains("at most 1:00:00"),
        "{msg}"
    );
}

#[test]
fn a_huge_value_is_echoed_cut_with_its_length() {
    let text = format!("title = \"x\"\n{} = 1\n", "k".repeat(100_000));
    let e = timed(&text).unwrap_err();
    let msg = located(&e);
    assert!(msg.len() < 1_000, "{} bytes", msg.len());
    assert!(msg.contains("(100000 characters)"), "{msg}");
}

#[test]
fn invalid_utf8_is_located() {
    let e = preset::load_bytes(b"title = \"ok\"\nseed = 1 # caf\xe9\n", "bad.toml").unwrap_err();
    let d = e.diagnostic().unwrap();
    let loc = d.location.unwrap();
    assert_eq!((loc.line, loc.column), (2, 15), "{e}");
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}

#[test]
fn control_characters_never_reach_the_message() {
    let text = "title = \"x\"\n[[timeline]]\nmoment = \"murm\\u001b[2Jur\"\n";
    let e = timed(text).unwrap_err();
    let msg = located(&e);
    assert!(!msg.chars().any(|c| c.is_control()), "{msg:?}");
    assert!(msg.contains("\\u{1b}[2J"), "{msg}");
}

fn concert() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("concert"))
}

#[test]
fn check_refuses_devices_and_fifos_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("show.toml");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for path in [Path::new("/dev/zero"), &fifo] {
        let started = Instant::now();
        let o = concert()
            .arg("check")
            .arg(path)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(started.elapsed() < BOUND, "{path:?} blocked or read on");
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("cannot read show file: it is a"), "{err}");
    }
}

#[test]
fn check_refuses_a_file_over_the_size_limit_before_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(preset::MAX_SHOW_BYTES + 1).unwrap(); // sparse: costs no disk
    let o = concert().arg("check").arg(&big).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("at most 4 MB"), "{err}");
}

#[test]
fn titles_with_control_characters_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let show = dir.path().join("esc.toml");
    std::fs::write(
        &show,
        "title = \"\\u001b[2Jwiped\"\n[[timeline]]\nmoment = \"murmur\"\nlabel = \"bell\\u0007\"\n",
    )
    .unwrap();
    for cmd in ["check", "timeline"] {
        let o = concert().arg(cmd).arg(&show).output().unwrap();
        assert!(o.status.success());
        let out = String::from_utf8(o.stdout).unwrap();
        assert!(
            !out.chars().any(|c| c.is_control() && c != '\n'),
            "{cmd}: {out:?}"
        );
        assert!(out.contains("\\u{1b}[2Jwiped"), "{cmd}: {out}");
    }
}

#[test]
fn command_line_values_are_reported_consistently() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.wav");
    let out = out.to_str().unwrap();
    let o = concert()
        .args(["render", "echo-fade-club", "--from", "1e308", "-o", out])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        err.contains("--from 1e308 s is at or past the end"),
        "{err}"
    );
    let o = concert()
        .args(["timeline", "echo-fade-club", "--json", "--sample-rate", "0"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "clap refuses it like render's");
    // The largest seed --seed takes is the largest a show file takes, and the message says so.
    let show = dir.path().join("seed.toml");
    let max = u64::MAX.to_string();
    std::fs::write(
        &show,
        format!("title = \"s\"\nseed = {max}\n[[timeline]]\nmoment = \"murmur\"\n"),
    )
    .unwrap();
    assert!(
        concert()
            .arg("check")
            .arg(&show)
            .output()
            .unwrap()
            .status
            .success()
    );
    let o = concert()
        .args([
            "render",
            "echo-fade-club",
            "--to",
            "0.1",
            "-q",
            "--seed",
            &max,
            "-o",
            out,
        ])
        .output()
        .unwrap();
    assert!(o.status.success());
}

#[test]
fn the_4_gib_message_gives_only_advice_that_helps() {
    let dir = tempfile::tempdir().unwrap();
    let show = dir.path().join("long.toml");
    std::fs::write(
        &show,
        "title = \"x\"\n[[timeline]]\nmoment = \"murmur\"\nsecs = \"2:00:00\"\n\
         [[timeline]]\nmoment = \"murmur\"\nsecs = \"2:00:00\"\n",
    )
    .unwrap();
    let run = |format: &str| {
        let o = concert()
            .arg("render")
            .arg(&show)
            .args(["--sample-rate", "192000", "--format", format, "-o"])
            .arg(dir.path().join("long.wav"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let s16 = run("s16");
    assert!(
        s16.contains("in s16 would pass") && !s16.contains("--format s16"),
        "{s16}"
    );
    let f32 = run("f32");
    assert!(f32.contains("in f32 would pass"), "{f32}");
}
