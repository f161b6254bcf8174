//! `concert devices` and `play`'s device errors, through the real ALSA stack with no sound
//! card: the errors must name what is available.

#![cfg(feature = "live")]

use predicates::prelude::*;

fn concert(home: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("concert").unwrap();
    cmd.env("HOME", home).env_remove("PULSE_SERVER");
    cmd
}

#[test]
fn devices_lists_alsa_null_and_marks_the_default() {
    let dir = tempfile::tempdir().unwrap();
    // ALSA's default routed to `null`, so there is a usable default without a sound card.
    std::fs::write(
        dir.path().join(".asoundrc"),
        "pcm.!default { type plug slave.pcm \"null\" }\n",
    )
    .unwrap();
    concert(dir.path())
        .arg("devices")
        .assert()
        .success()
        .stdout(predicate::str::contains("alsa:null"))
        .stdout(predicate::str::is_match(r"(?m)^\* alsa:default .*Hz").unwrap());
}

#[test]
fn an_unknown_device_name_fails_listing_the_devices() {
    let dir = tempfile::tempdir().unwrap();
    concert(dir.path())
        .args(["play", "--device", "no-such-speaker", "--to", "0:01"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "no output device matches \"no-such-speaker\"",
        ))
        .stderr(predicate::str::contains("available output devices:"))
        .stderr(predicate::str::contains("alsa:null"));
}

#[test]
fn an_empty_span_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    concert(dir.path())
        .args([
            "play",
            "--device",
            "alsa:null",
            "--from",
            "2:00",
            "--to",
            "1:00",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("nothing to play"));
}
