//! End-to-end checks of the `concert` command line on real files: WAVs other tools can read,
//! errors that name the problem, exit codes, and no partial files left behind.

use std::path::Path;
use std::process::Command as StdCommand;

mod wav_support;

use assert_cmd::Command;
use predicates::prelude::*;
use wav_support::read_wav;

fn concert() -> Command {
    Command::cargo_bin("concert").expect("binary built")
}

/// A short show (20 s) so renders stay fast in tests.
const SHORT_SHOW: &str = r#"
title = "Short test night"
seed = 11
[venue]
kind = "club"
audience = 300
[[timeline]]
moment = "murmur"
secs = 4
[[timeline]]
moment = "applause"
peak = 0.9
secs = 10
[[timeline]]
moment = "murmur"
secs = 6
"#;

fn write_show(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("show.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part") || n.starts_with(".concert-"))
        .collect()
}

#[test]
fn renders_a_builtin_preset_clip_that_sox_reads() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clip.wav");
    concert()
        .args([
            "render",
            "echo-fade-club",
            "--to",
            "0:03",
            "--format",
            "s16",
            "--sample-rate",
            "44100",
            "-o",
        ])
        .arg(&out)
        .assert()
        .success();
    let (spec, samples) = read_wav(&out);
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (2, 44_100, 16)
    );
    assert_eq!(samples.len(), 2 * 3 * 44_100);
    assert!(leftovers(dir.path()).is_empty());
    // Another tool agrees on what the file is (.ci/run installs sox).
    let o = StdCommand::new("soxi")
        .arg("-D")
        .arg(&out)
        .output()
        .expect("sox is installed (apt-get install sox)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let secs: f64 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    assert!((secs - 3.0).abs() < 1e-3, "sox says {secs} s");
}

#[test]
fn clip_is_sample_identical_to_the_same_span_of_a_full_render() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(dir.path(), SHORT_SHOW);
    let full = dir.path().join("full.wav");
    let clip = dir.path().join("clip.wav");
    concert()
        .arg("render")
        .arg(&show)
        .args(["--format", "f32", "-q", "-o"])
        .arg(&full)
        .assert()
        .success();
    concert()
        .arg("render")
        .arg(&show)
        .args([
            "--format", "f32", "-q", "--from", "0:05", "--to", "8.5s", "-o",
        ])
        .arg(&clip)
        .assert()
        .success();
    let (_, full) = read_wav(&full);
    let (_, clip) = read_wav(&clip);
    assert_eq!(full.len(), 2 * 20 * 48_000);
    assert_eq!(clip.len(), 2 * 3 * 48_000 + 2 * 24_000);
    assert_eq!(
        &full[2 * 5 * 48_000..2 * 5 * 48_000 + clip.len()],
        &clip[..]
    );
}

#[test]
fn applause_rises_within_half_a_second_of_its_cue() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(dir.path(), SHORT_SHOW);
    let out = dir.path().join("a.wav");
    concert()
        .arg("render")
        .arg(&show)
        .args(["--format", "f32", "-q", "--to", "8", "-o"])
        .arg(&out)
        .assert()
        .success();
    let (_, s) = read_wav(&out);
    let rms = |from: f64, to: f64| {
        let (a, b) = ((from * 48_000.0) as usize * 2, (to * 48_000.0) as usize * 2);
        (s[a..b].iter().map(|v| v * v).sum::<f32>() / (b - a) as f32).sqrt()
    };
    let before = rms(3.0, 3.9);
    let at = rms(4.3, 4.5);
    let full = rms(6.0, 8.0);
    assert!(
        at > 2.0 * before.max(1e-4),
        "applause under way within 0.5 s: {before} -> {at}"
    );
    assert!(full > 0.02, "full applause is loud: {full}");
}

#[test]
fn stems_are_written_aligned_and_complete() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(dir.path(), SHORT_SHOW);
    let stems = dir.path().join("stems");
    concert()
        .arg("render")
        .arg(&show)
        .args(["-q", "--to", "2", "--stems"])
        .arg(&stems)
        .assert()
        .success();
    let mut lens = Vec::new();
    for name in ["mix", "crowd", "applause", "cheers", "lead"] {
        let (spec, s) = read_wav(&stems.join(format!("{name}.wav")));
        assert_eq!(spec.channels, 2);
        lens.push(s.len());
    }
    assert!(lens.iter().all(|l| *l == 2 * 2 * 48_000), "{lens:?}");
}

#[test]
fn dry_stems_drop_the_room_but_not_the_mix() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(dir.path(), SHORT_SHOW);
    let stems = |name: &str, dry: bool| {
        let out = dir.path().join(name);
        let mut cmd = concert();
        cmd.arg("render")
            .arg(&show)
            .args(["-q", "--format", "f32", "--to", "2", "--stems"])
            .arg(&out);
        if dry {
            cmd.arg("--dry");
        }
        cmd.assert().success();
        out
    };
    let (wet, dry) = (stems("wet", false), stems("dry", true));
    let read = |dir: &Path, name: &str| read_wav(&dir.join(format!("{name}.wav"))).1;
    assert_eq!(read(&wet, "mix"), read(&dry, "mix"), "the mix is the same");
    let sum = |dir: &Path| -> Vec<f32> {
        let mut acc = vec![0.0f32; 2 * 2 * 48_000];
        for name in ["crowd", "applause", "cheers", "lead"] {
            for (a, v) in acc.iter_mut().zip(read(dir, name)) {
                *a += v;
            }
        }
        acc
    };
    let energy = |x: &[f32]| x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>();
    let (wet_sum, dry_sum) = (sum(&wet), sum(&dry));
    assert!(energy(&dry_sum) > 0.0, "the dry stems are not silent");
    // The room adds its reverberant energy to every wet stem.
    assert!(
        energy(&wet_sum) > 1.1 * energy(&dry_sum),
        "wet {} vs dry {}",
        energy(&wet_sum),
        energy(&dry_sum)
    );
}

#[test]
fn dry_needs_stems() {
    concert()
        .args(["render", "--dry", "-q", "--to", "1"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--stems"));
}

#[test]
fn a_bad_show_names_file_line_column_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(
        dir.path(),
        "title = \"x\"\n[venue]\nkind = \"aren\"\n[[timeline]]\nmoment = \"murmur\"\n",
    );
    let out = dir.path().join("x.wav");
    concert()
        .arg("render")
        .arg(&show)
        .arg("-o")
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("show.toml:3:8").and(predicate::str::contains("arena")));
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn unknown_preset_lists_the_builtins() {
    concert()
        .args(["render", "starlight-finalle"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("starlight-finale"));
}

#[test]
fn renders_past_the_wav_limit_are_refused_before_they_start() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(
        dir.path(),
        "title = \"A very long night\"\n[[timeline]]\nmoment = \"murmur\"\nsecs = \"1:00:00\"\n",
    );
    let out = dir.path().join("long.wav");
    concert()
        .arg("render")
        .arg(&show)
        .args(["--format", "f32", "--sample-rate", "192000", "-o"])
        .arg(&out)
        .assert()
        .failure()
        .stderr(predicate::str::contains("4 GiB").and(predicate::str::contains("46:36")));
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn empty_span_is_an_error() {
    concert()
        .args([
            "render",
            "echo-fade-club",
            "--from",
            "2:00",
            "--to",
            "1:00",
            "-o",
            "/tmp/never.wav",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--from 2:00 must be before --to 1:00",
        ));
}

#[test]
fn interrupted_render_exits_non_zero_and_removes_the_part_file() {
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(
        dir.path(),
        "title = \"Forever\"\n[[timeline]]\nmoment = \"applause\"\nsecs = \"1:00:00\"\n",
    );
    let out = dir.path().join("long.wav");
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("concert"))
        .arg("render")
        .arg(&show)
        .args(["--sample-rate", "96000", "-q", "-o"])
        .arg(&out)
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130), "{status:?}");
    assert!(!out.exists());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn timeline_json_has_the_agreed_fields() {
    let out = concert()
        .args(["timeline", "starlight-finale", "--json"])
        .assert()
        .success();
    let doc: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    for key in ["title", "duration_secs", "sample_rate", "moments", "notes"] {
        assert!(doc.get(key).is_some(), "missing {key}");
    }
    let moments = doc["moments"].as_array().unwrap();
    assert!(moments.len() >= 8);
    for m in moments {
        for key in ["moment", "label", "start_secs", "end_secs"] {
            assert!(m.get(key).is_some(), "moment missing {key}: {m}");
        }
    }
    for n in doc["notes"].as_array().unwrap() {
        for key in ["start_secs", "end_secs", "midi", "syllable"] {
            assert!(n.get(key).is_some(), "note missing {key}: {n}");
        }
    }
}

#[test]
fn timeline_of_a_clip_is_relative_to_its_start() {
    let json = |extra: &[&str]| -> serde_json::Value {
        let out = concert()
            .args(["timeline", "echo-fade-benefit", "--json"])
            .args(extra)
            .assert()
            .success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let full = json(&[]);
    let clip = json(&["--from", "7:30", "--to", "8:00"]);
    let (from, to) = (450.0, 480.0);
    let expected: Vec<f64> = full["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["start_secs"].as_f64().unwrap() >= from)
        .filter(|n| n["end_secs"].as_f64().unwrap() <= to)
        .map(|n| n["start_secs"].as_f64().unwrap() - from)
        .collect();
    let got: Vec<f64> = clip["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["start_secs"].as_f64().unwrap())
        .collect();
    assert!(got.len() >= 10, "a sung clip: {} notes", got.len());
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert!((g - e).abs() < 1e-9, "{g} vs {e}");
    }
    assert_eq!(clip["from_secs"].as_f64(), Some(from));
    // Only the song under way is listed, clamped to the clip (it started before it).
    let moments = clip["moments"].as_array().unwrap();
    assert_eq!(moments.len(), 1, "{moments:?}");
    assert_eq!(moments[0]["start_secs"].as_f64(), Some(0.0));
    assert_eq!(moments[0]["end_secs"].as_f64(), Some(30.0));
    assert!(moments[0]["show_start_secs"].as_f64().unwrap() < from);
    assert_eq!(clip["duration_secs"].as_f64(), Some(30.0));
    concert()
        .args(["timeline", "echo-fade-benefit", "--from", "30:00"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("the end of the show (11:06)"));
}

#[test]
fn presets_and_check() {
    concert().arg("presets").assert().success().stdout(
        predicate::str::contains("starlight-finale")
            .and(predicate::str::contains("echo-fade-club"))
            .and(predicate::str::contains("echo-fade-benefit")),
    );
    concert()
        .args([
            "check",
            "starlight-finale",
            "echo-fade-club",
            "echo-fade-benefit",
        ])
        .assert()
        .success();
    let dir = tempfile::tempdir().unwrap();
    let show = write_show(
        dir.path(),
        "title = \"x\"\n[[timeline]]\nmoment = \"aplause\"\n",
    );
    concert()
        .arg("check")
        .arg(&show)
        .assert()
        .failure()
        .stderr(predicate::str::contains("did you mean"));
    // Every mistake of a file at once, each at its line, then how many.
    let three = write_show(
        dir.path(),
        "title = \"x\"\n[venue]\naudience = 5\n[[timeline]]\nmoment = \"aplause\"\n\
         [[timeline]]\nmoment = \"murmur\"\nenergy = 3\n",
    );
    let out = concert().arg("check").arg(&three).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = err.lines().collect();
    assert!(
        lines[0].contains(":3:12: venue.audience: 5 is out of range"),
        "{err}"
    );
    assert!(
        lines[1].contains(":5:10: timeline[0].moment: unknown moment"),
        "{err}"
    );
    assert!(
        lines[2].contains(":8:10: timeline[1].energy: 3 is out of range"),
        "{err}"
    );
    assert!(lines[3].ends_with(": 3 errors"), "{err}");
}

#[cfg(not(feature = "live"))]
#[test]
fn play_without_the_live_feature_says_how_to_get_it() {
    concert().arg("play").assert().failure().stderr(
        predicate::str::contains("--features live").and(predicate::str::contains("libasound2-dev")),
    );
}
