//! Malformed shows: every message names the file, line, column, key, the bad value and what is
//! allowed. Each case edits one line of a small valid show, so the expected position is plain.

use concert::preset::{self, MomentSpec, PresetError, ShowSpec, SongSpec};
use concert::show::MomentKind;

/// A valid show; line numbers are in the comments.
const BASE: &str = r#"title = "Test night"
seed = 7
[venue]
kind = "club"
audience = 300
[singer]
voice = "mezzo"
[[songs]]
title = "Echoes"
bpm = 120
clap_along = "2,4"
melody = "la:A4/4 oh:C5/2 ~/4"
[[timeline]]
moment = "murmur"
secs = 10
[[timeline]]
moment = "song"
song = "Echoes"
[[timeline]]
moment = "applause"
"#;

/// `BASE` with line `n` (1-based) replaced by `text` (which may hold several lines).
fn edit(n: usize, text: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[n - 1] = text;
    lines.join("\n") + "\n"
}

/// `BASE` with `text` appended.
fn append(text: &str) -> String {
    format!("{BASE}{text}\n")
}

/// Loads `text` as `bad.toml`, expects an error at `line:col` on `key`, and checks that the
/// message contains every one of `parts`. Returns the message.
fn check(text: &str, line: usize, col: usize, key: &str, parts: &[&str]) -> String {
    let err = preset::load_str(text, "presets/bad.toml").expect_err("show should be rejected");
    let msg = err.to_string();
    eprintln!("{msg}");
    // `check` reports every problem: a file with one mistake has exactly this one, with no
    // follow-up complaint made up by going on after it.
    let all = preset::check_str(text, "presets/bad.toml").expect_err("check rejects it too");
    let all: Vec<String> = all.iter().map(ToString::to_string).collect();
    assert_eq!(
        all,
        std::slice::from_ref(&msg),
        "check_str found other problems"
    );
    let head = if key.is_empty() {
        format!("presets/bad.toml:{line}:{col}: ")
    } else {
        format!("presets/bad.toml:{line}:{col}: {key}: ")
    };
    assert!(msg.starts_with(&head), "expected {head:?}…\n got {msg:?}");
    for p in parts {
        assert!(msg.contains(p), "missing {p:?} in\n{msg}");
    }
    let d = err.diagnostic().expect("located");
    assert_eq!(
        (d.location.unwrap().line, d.location.unwrap().column),
        (line, col)
    );
    msg
}

#[test]
fn base_show_is_valid() {
    let show = preset::load_str(BASE, "base").unwrap();
    assert_eq!(show.moments.len(), 3);
    // 6 + 2 + 6 seconds of song after 10 s of murmur, then 12 s of applause.
    assert_eq!(show.duration_secs, 10.0 + 14.0 + 12.0);
}

#[test]
fn unknown_moment_kind_suggests_the_close_one() {
    let msg = check(
        &edit(20, r#"moment = "aplause""#),
        20,
        10,
        "timeline[2].moment",
        &[
            "unknown moment \"aplause\"",
            "allowed: murmur, lights-down, song, applause, chant, banter, hush, encore, finale",
            "(did you mean \"applause\"?)",
        ],
    );
    assert_eq!(
        msg,
        "presets/bad.toml:20:10: timeline[2].moment: unknown moment \"aplause\" — allowed: murmur, lights-down, song, applause, chant, banter, hush, encore, finale (did you mean \"applause\"?)"
    );
}

#[test]
fn unknown_top_level_key() {
    check(
        &edit(1, r#"titel = "Test night""#),
        1,
        1,
        "titel",
        &[
            "unknown key \"titel\"",
            "allowed: title, seed, venue, singer, songs, timeline",
            "did you mean \"title\"",
        ],
    );
}

#[test]
fn unknown_venue_key() {
    check(
        &edit(4, r#"kinds = "club""#),
        4,
        1,
        "venue.kinds",
        &[
            "unknown key \"kinds\" in [venue]",
            "allowed: kind, audience, listener, reverb_secs",
            "did you mean \"kind\"",
        ],
    );
}

#[test]
fn unknown_song_key() {
    check(
        &edit(10, "bmp = 120"),
        10,
        1,
        "songs[0].bmp",
        &[
            "unknown key \"bmp\" in [[songs]]",
            "allowed: title, id, bpm,",
            "did you mean \"bpm\"",
        ],
    );
}

#[test]
fn unknown_timeline_key() {
    check(
        &edit(15, "sec = 10"),
        15,
        1,
        "timeline[0].sec",
        &[
            "unknown key \"sec\" in [[timeline]]",
            "allowed: moment, at, after, secs,",
            "did you mean \"secs\"",
        ],
    );
}

#[test]
fn wrong_type_for_a_number() {
    check(
        &edit(10, r#"bpm = "fast""#),
        10,
        7,
        "songs[0].bpm",
        &[
            "expected a number, found a string \"fast\"",
            "allowed: 40 to 240 bpm",
        ],
    );
}

#[test]
fn wrong_type_for_a_whole_number() {
    check(
        &edit(5, "audience = 2.5e3"),
        5,
        12,
        "venue.audience",
        &[
            "expected a whole number, found a float 2.5e3",
            "allowed: 10 to 200000 people",
        ],
    );
}

#[test]
fn audience_out_of_range() {
    check(
        &edit(5, "audience = 300000"),
        5,
        12,
        "venue.audience",
        &["300000 is out of range", "allowed: 10 to 200000 people"],
    );
}

#[test]
fn energy_out_of_range() {
    check(
        &append("energy = 1.5"),
        21,
        10,
        "timeline[2].energy",
        &["1.5 is out of range", "allowed: 0 to 1"],
    );
}

#[test]
fn negative_seed() {
    check(
        &edit(2, "seed = -7"),
        2,
        8,
        "seed",
        &[
            "-7 is out of range",
            "allowed: a whole number from 0 to 18446744073709551615",
        ],
    );
}

#[test]
fn unknown_venue_kind() {
    check(
        &edit(4, r#"kind = "stadion""#),
        4,
        8,
        "venue.kind",
        &[
            "unknown venue kind \"stadion\"",
            "allowed: club, theatre, hall, arena, stadium, open-air",
            "did you mean \"stadium\"",
        ],
    );
}

#[test]
fn unknown_voice() {
    check(
        &edit(7, r#"voice = "sopranno""#),
        7,
        9,
        "singer.voice",
        &[
            "unknown voice \"sopranno\"",
            "allowed: soprano, mezzo, alto, tenor",
            "did you mean \"soprano\"",
        ],
    );
}

#[test]
fn bad_time_string() {
    check(
        &edit(15, r#"at = "1:5""#),
        15,
        6,
        "timeline[0].at",
        &[
            "bad time \"1:5\"",
            "seconds must be two digits",
            "accepted forms: \"m:ss\"",
            "\"90s\"",
        ],
    );
}

#[test]
fn unquoted_time_is_a_syntax_error_with_a_hint() {
    let msg = check(
        &edit(15, "at = 1:30"),
        15,
        6,
        "",
        &["TOML syntax error", "times must be quoted: \"1:30\""],
    );
    assert!(!msg.contains(": :"), "{msg}");
}

#[test]
fn toml_syntax_error() {
    check(&edit(10, "bpm = "), 10, 7, "", &["TOML syntax error"]);
}

#[test]
fn duplicate_key_is_a_syntax_error_naming_the_key() {
    check(
        &edit(10, "bpm = 120\nbpm = 130"),
        11,
        1,
        "",
        &["duplicate key `bpm`"],
    );
}

#[test]
fn overlapping_moments() {
    check(
        &edit(17, "moment = \"song\"\nat = \"0:05\""),
        18,
        6,
        "timeline[1].at",
        &[
            "overlap: at = 0:05",
            "timeline[0] (Murmur), ends at 0:10",
            "allowed: 0:10 or later",
        ],
    );
}

#[test]
fn time_going_backwards() {
    let text = edit(15, "at = \"1:00\"")
        .replace("moment = \"song\"\n", "moment = \"song\"\nat = \"0:30\"\n");
    check(
        &text,
        18,
        6,
        "timeline[1].at",
        &[
            "time goes backwards: at = 0:30",
            "previous moment, timeline[0] (Murmur), at 1:00",
            "allowed: times that increase",
        ],
    );
}

#[test]
fn song_cut_short_by_a_later_time() {
    check(
        &append("at = \"0:12\""),
        21,
        6,
        "timeline[2].at",
        &[
            "overlap: at = 0:12",
            "its song plays to the end",
            "allowed: 0:24 or later",
        ],
    );
}

#[test]
fn at_and_after_together() {
    check(
        &append("at = \"1:00\"\nafter = \"2s\""),
        22,
        9,
        "timeline[2].after",
        &["both `at` (1:00) and `after` (2 s)", "allowed: one of them"],
    );
}

#[test]
fn unknown_song_reference_lists_the_songs() {
    check(
        &edit(18, r#"song = "Echos""#),
        18,
        8,
        "timeline[1].song",
        &[
            "unknown song \"Echos\"",
            "songs: \"Echoes\"",
            "did you mean \"Echoes\"",
        ],
    );
}

#[test]
fn song_moment_without_a_song() {
    check(
        &edit(18, ""),
        16,
        1,
        "timeline[1].song",
        &[
            "missing `song`",
            "a song moment needs the title or id of a song",
            "songs: \"Echoes\"",
        ],
    );
}

#[test]
fn song_on_a_moment_that_takes_none() {
    check(
        &append(r#"song = "Echoes""#),
        21,
        8,
        "timeline[2].song",
        &[
            "`song` (\"Echoes\") is not allowed on an applause moment",
            "only song, encore and hush moments play a song",
        ],
    );
}

#[test]
fn words_outside_a_chant() {
    check(
        &append(r#"words = "hey hey""#),
        21,
        9,
        "timeline[2].words",
        &[
            "`words` (\"hey hey\") is not allowed on an applause moment",
            "only chant moments have words",
        ],
    );
}

#[test]
fn bpm_on_a_song_moment() {
    check(
        &edit(18, "song = \"Echoes\"\nbpm = 90"),
        19,
        7,
        "timeline[1].bpm",
        &[
            "`bpm` (90) is not allowed on a song moment",
            "only chant moments have a tempo",
        ],
    );
}

#[test]
fn chant_tempo_out_of_range() {
    check(
        &append("[[timeline]]\nmoment = \"chant\"\nbpm = 300"),
        23,
        7,
        "timeline[3].bpm",
        &["300 is out of range", "allowed: 60 to 200 bpm"],
    );
}

#[test]
fn duplicate_song_titles() {
    let text = edit(8, "[[songs]]\ntitle = \"Echoes\"\n[[songs]]");
    check(
        &text,
        11,
        9,
        "songs[1].title",
        &[
            "duplicate song title \"Echoes\"",
            "songs[0] has it already",
            "titles must be unique",
        ],
    );
}

#[test]
fn duplicate_song_ids_from_slugs() {
    let text = edit(8, "[[songs]]\ntitle = \"Echoes!\"\n[[songs]]");
    check(
        &text,
        11,
        9,
        "songs[1].title",
        &[
            "duplicate song id \"echoes\" (the slug of this title)",
            "songs[0] (\"Echoes!\")",
            "give one of them another `id`",
        ],
    );
}

#[test]
fn duplicate_moment_ids() {
    let text = edit(15, "secs = 10\nid = \"intro\"").replace(
        "moment = \"applause\"\n",
        "moment = \"applause\"\nid = \"intro\"\n",
    );
    check(
        &text,
        22,
        6,
        "timeline[2].id",
        &[
            "duplicate moment id \"intro\"",
            "timeline[0] has it already",
            "ids must be unique",
        ],
    );
}

#[test]
fn bad_moment_id() {
    check(
        &append(r#"id = "big applause""#),
        21,
        6,
        "timeline[2].id",
        &[
            "bad id \"big applause\"",
            "allowed: letters, digits, -, _, . and :",
        ],
    );
}

#[test]
fn clap_along_beat_outside_the_bar() {
    check(
        &edit(11, "clap_along = [2, 5]"),
        11,
        14,
        "songs[0].clap_along",
        &[
            "beat 5 does not exist in a bar of 4",
            "allowed: beats 1 to 4",
        ],
    );
}

#[test]
fn clap_along_bad_string() {
    check(
        &edit(11, r#"clap_along = "2,four""#),
        11,
        14,
        "songs[0].clap_along",
        &[
            "bad beat \"four\" in \"2,four\"",
            "allowed: beat numbers such as \"2,4\" or [2, 4]",
        ],
    );
}

#[test]
fn song_secs_shorter_than_its_melody() {
    check(
        &edit(12, "melody = \"la:A4/4 oh:C5/2 ~/4\"\nsecs = 5"),
        13,
        8,
        "songs[0].secs",
        &[
            "5 s is shorter than the intro (6 s) plus the melody (4 beats at 120 bpm = 2 s)",
            "allowed: at least 8 s",
        ],
    );
}

#[test]
fn melody_error_in_a_single_line_string() {
    check(
        &edit(12, r#"melody = "la:A4/4 oh:H5/2 ~/4""#),
        12,
        19,
        "songs[0].melody",
        &[
            "melody token \"oh:H5/2\"",
            "bad pitch \"H5\"",
            "expected a note letter A-G",
        ],
    );
}

#[test]
fn melody_error_in_a_multi_line_string() {
    let text = edit(
        12,
        "melody = \"\"\"\n  la:A4/4 oh:C5/2 |\n    ooh:E5/4 ah:D5/3 ~/4 |\n\"\"\"",
    );
    check(
        &text,
        14,
        14,
        "songs[0].melody",
        &[
            "melody token \"ah:D5/3\"",
            "bad duration \"/3\"",
            "expected /1 /2 /4 /8 /16 or /32",
        ],
    );
}

#[test]
fn melody_error_after_escapes_and_line_continuations() {
    let text = edit(
        12,
        "melody = \"\"\"la:A4/4 \\\n      oh:C5/2 \\t [ ah:D5/4\"\"\"",
    );
    check(
        &text,
        13,
        18,
        "songs[0].melody",
        &["melody token \"[\"", "unclosed repeat group", "]x2"],
    );
}

#[test]
fn melody_error_in_a_literal_string() {
    let text = edit(12, "melody = '''\nla:A4/4 _/4 ~/4 _/8'''");
    check(
        &text,
        13,
        17,
        "songs[0].melody",
        &[
            "melody token \"_/8\"",
            "a tie lengthens the note just before it",
        ],
    );
}

#[test]
fn empty_timeline() {
    let text: String = BASE.lines().take(12).collect::<Vec<_>>().join("\n");
    check(
        &text,
        1,
        1,
        "timeline",
        &["the timeline is empty", "allowed: murmur, lights-down"],
    );
}

#[test]
fn missing_show_title() {
    check(
        &edit(1, ""),
        1,
        1,
        "title",
        &["missing title", "title = \""],
    );
}

#[test]
fn missing_moment_kind() {
    check(
        &edit(20, r#"label = "Applause""#),
        19,
        1,
        "timeline[2].moment",
        &["missing `moment`", "allowed: murmur, lights-down"],
    );
}

#[test]
fn songs_written_as_a_single_table() {
    let text = BASE
        .replace("[[songs]]", "[songs]")
        .replace("[[timeline]]\nmoment = \"song\"\nsong = \"Echoes\"\n", "");
    check(
        &text,
        8,
        1,
        "songs",
        &["expected an array of tables [[songs]], found a table"],
    );
}

#[test]
fn wrong_type_for_a_duration() {
    check(
        &edit(15, "secs = true"),
        15,
        8,
        "timeline[0].secs",
        &["expected a time, found a boolean true", "accepted forms"],
    );
}

#[test]
fn moment_secs_out_of_range() {
    check(
        &edit(15, "secs = \"0s\""),
        15,
        8,
        "timeline[0].secs",
        &["0 is out of range", "allowed: 0.5 to 7200 s"],
    );
}

#[test]
fn missing_file_names_the_path() {
    let err = preset::load_file(std::path::Path::new("/nonexistent/show.toml")).unwrap_err();
    assert!(matches!(err, PresetError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/show.toml: cannot read show file"),
        "{err}"
    );
}

#[test]
fn unknown_preset_lists_builtins() {
    let err = preset::resolve("starlite-finale").unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("unknown preset \"starlite-finale\""), "{msg}");
    assert!(
        msg.contains("starlight-finale, echo-fade-club, echo-fade-benefit"),
        "{msg}"
    );
    assert!(msg.contains("did you mean \"starlight-finale\""), "{msg}");
    let err = preset::resolve("shows/missing.toml").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("shows/missing.toml: cannot read"),
        "{err}"
    );
}

#[test]
fn resolve_reads_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, edit(20, r#"moment = "aplause""#)).unwrap();
    let err = preset::resolve(path.to_str().unwrap()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(&format!("{}:20:10: timeline[2].moment", path.display())),
        "{err}"
    );
    std::fs::write(&path, BASE).unwrap();
    assert_eq!(
        preset::resolve(path.to_str().unwrap()).unwrap().title,
        "Test night"
    );
}

#[test]
fn errors_from_code_name_the_key_without_a_position() {
    let spec = ShowSpec {
        title: "In code".into(),
        songs: vec![SongSpec {
            title: "A".into(),
            melody: Some("la:A4/4 la:Q4/4".into()),
            ..Default::default()
        }],
        timeline: vec![MomentSpec::song("A")],
        ..Default::default()
    };
    let msg = spec.build().unwrap_err().to_string();
    assert_eq!(
        msg,
        "songs[0].melody: melody token \"la:Q4/4\": bad pitch \"Q4\": expected a note letter A-G, an \
         optional # or b and an octave number (C4 = middle C, e.g. A4, C#5, Bb3); a leading > means \
         slide (at byte 8 of the melody)"
    );
    let spec = ShowSpec {
        title: "In code".into(),
        timeline: vec![
            MomentSpec::new(MomentKind::Chant).secs(10.0),
            MomentSpec::new(MomentKind::Finale).at(5.0),
        ],
        ..Default::default()
    };
    let msg = spec.build().unwrap_err().to_string();
    assert!(
        msg.starts_with("timeline[1].at: overlap: at = 0:05"),
        "{msg}"
    );
}

#[test]
fn positions_hold_in_files_with_crlf_line_endings() {
    let text = edit(
        12,
        "melody = \"\"\"\n  la:A4/4 oh:C5/2 |\n    ooh:E5/4 ah:D5/3 ~/4 |\n\"\"\"",
    )
    .replace('\n', "\r\n");
    check(
        &text,
        14,
        14,
        "songs[0].melody",
        &["melody token \"ah:D5/3\"", "bad duration"],
    );
    let text = edit(20, r#"moment = "aplause""#).replace('\n', "\r\n");
    check(
        &text,
        20,
        10,
        "timeline[2].moment",
        &["unknown moment \"aplause\"", "did you mean"],
    );
}

/// `check` reports every mistake of a file at once, in file order, each at its own line and
/// column, with no follow-up complaints (a moment whose kind is misspelt is not also judged for
/// its timing; an unknown song is not also a missing one).
#[test]
fn check_reports_every_error_in_file_order() {
    let text = r#"title = "Five mistakes"
[venue]
kind = "club"
audience = 5
[[songs]]
title = "Echoes"
bpm = 500
[[timeline]]
moment = "murmur"
secs = 10
[[timeline]]
moment = "aplause"
[[timeline]]
moment = "song"
song = "Echos"
[[timeline]]
moment = "applause"
energy = 2
colour = "red"
"#;
    let errors = preset::check_str(text, "five.toml").expect_err("five mistakes");
    let got: Vec<(usize, usize, String)> = errors
        .iter()
        .map(|e| {
            let d = e.diagnostic().expect("located");
            let l = d.location.expect("has a position");
            (l.line, l.column, d.key.clone())
        })
        .collect();
    let want = [
        (4, 12, "venue.audience"),
        (7, 7, "songs[0].bpm"),
        (12, 10, "timeline[1].moment"),
        (15, 8, "timeline[2].song"),
        (18, 10, "timeline[3].energy"),
        (19, 1, "timeline[3].colour"),
    ];
    let want: Vec<(usize, usize, String)> = want
        .iter()
        .map(|&(l, c, k)| (l, c, k.to_string()))
        .collect();
    assert_eq!(got, want);
    // `load_str` (what render uses) still stops at the first problem the reader meets.
    let first = preset::load_str(text, "five.toml").unwrap_err().to_string();
    assert!(
        first.starts_with("five.toml:4:12: venue.audience:"),
        "{first}"
    );
    assert!(
        errors[3].to_string().contains("did you mean \"Echoes\""),
        "{}",
        errors[3]
    );
}

/// A file with more mistakes than anyone fixes in one go reports the first `MAX_PROBLEMS`.
#[test]
fn check_stops_at_max_problems() {
    let mut text = String::from("title = \"Many\"\n");
    for i in 0..(preset::MAX_PROBLEMS + 10) {
        text.push_str(&format!("[[songs]]\ntitle = \"S{i}\"\nbpm = 999\n"));
    }
    text.push_str("[[timeline]]\nmoment = \"murmur\"\n");
    let errors = preset::check_str(&text, "many.toml").unwrap_err();
    assert_eq!(errors.len(), preset::MAX_PROBLEMS);
    assert!(errors.iter().all(|e| e.to_string().contains(".bpm: 999")));
    // A valid file checks clean.
    assert!(preset::check_str(BASE, "base.toml").is_ok());
}
