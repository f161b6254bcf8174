//! The operator's structured cues, end to end: `concert play --osc 0` through a PulseAudio null
//! sink (a real clock), real UDP OSC packets over loopback, the sink's monitor recorded with
//! `parec`. During the show's pre-show chatter (0:10–0:40 of `starlight-finale`, where the
//! offline render has neither chant nor clapping) `/concert/chant "one more song" 100` must
//! put chanted beats every 0.6 s into the recording's voice band, `/concert/chant` must stop
//! them, `/concert/clap 120` must put claps every 0.5 s into its high band and `/concert/clap 0`
//! stop them; malformed chant and clap messages are counted and survived. Also: `play --help`
//! and the README list every OSC address.

#![cfg(feature = "live")]

mod live_support;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use live_support::*;
use rosc::{OscMessage, OscPacket, OscType};

/// The span played: the pre-show murmur.
const FROM_SECS: f64 = 10.0;
const SPAN_SECS: usize = 30;

fn osc(addr: &str, args: Vec<OscType>) -> Vec<u8> {
    rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap()
}

/// Plays the span, sending `script` (seconds after play announced its port, packet) on time;
/// returns play's stdout and stderr and the recorded left channel.
fn play_with(script: &[(f64, Vec<u8>)]) -> (String, String, Vec<f32>) {
    let mut pulse = Pulse::start();
    let capture = pulse.record();
    let to = format!("{}", FROM_SECS as usize + SPAN_SECS);
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("concert"))
        .env("HOME", pulse.home())
        .env("XDG_RUNTIME_DIR", pulse.run())
        .env_remove("PULSE_SERVER")
        .args(["play", SHOW, "--seed", &SEED.to_string()])
        .args(["--from", &format!("{FROM_SECS}"), "--to", &to, "--osc", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("concert play runs");
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut all = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line.clone());
            all.push_str(&line);
            all.push('\n');
        }
        all
    });
    let port: u16 = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("play announces its OSC port");
        if let Some(addr) = line.strip_prefix("listening for OSC on udp://") {
            break addr.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    let started = Instant::now();
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    for (at, packet) in script {
        let wait = Duration::from_secs_f64(*at).saturating_sub(started.elapsed());
        std::thread::sleep(wait);
        sock.send_to(packet, ("127.0.0.1", port)).unwrap();
    }
    let status = child.wait().unwrap();
    let stdout = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    pulse.stop_recording();
    assert!(status.success(), "play survived:\n{stdout}\n{stderr}");
    let rec = read_f32(&capture).iter().step_by(2).copied().collect();
    (stdout, stderr, rec)
}

#[test]
fn osc_chant_and_clap_cues_sound_at_their_tempo_and_stop() {
    let s = |x: &str| OscType::String(x.into());
    let script = [
        // Malformed: wrong types, tempi 0, negative, NaN and 10000, words without a syllable.
        (1.5, osc("/concert/chant", vec![OscType::Int(100)])),
        (
            1.5,
            osc("/concert/chant", vec![s("one more song"), s("fast")]),
        ),
        (
            1.5,
            osc("/concert/chant", vec![s("one more song"), OscType::Int(0)]),
        ),
        (
            1.5,
            osc(
                "/concert/chant",
                vec![s("one more song"), OscType::Float(-100.0)],
            ),
        ),
        (
            1.5,
            osc(
                "/concert/chant",
                vec![s("one more song"), OscType::Float(f32::NAN)],
            ),
        ),
        (
            1.5,
            osc(
                "/concert/chant",
                vec![s("one more song"), OscType::Int(10_000)],
            ),
        ),
        (1.5, osc("/concert/chant", vec![s("?!"), OscType::Int(100)])),
        (1.5, osc("/concert/clap", vec![s("120")])),
        (1.5, osc("/concert/clap", vec![OscType::Float(-120.0)])),
        (1.5, osc("/concert/clap", vec![OscType::Double(f64::NAN)])),
        (1.5, osc("/concert/clap", vec![OscType::Int(10_000)])),
        (1.5, osc("/concert/clap", vec![])),
        // The chant, 7.5 s of it; then the clap-along, 7 s of it.
        (
            2.0,
            osc(
                "/concert/chant",
                vec![s("one more song"), OscType::Int(100)],
            ),
        ),
        (9.5, osc("/concert/chant", vec![s("")])),
        (16.0, osc("/concert/clap", vec![OscType::Int(120)])),
        (23.0, osc("/concert/clap", vec![OscType::Int(0)])),
    ];
    // On a loaded machine the watchdog may reopen the stream with a bigger buffer (its fade
    // and the new stream's start-up leave a gap that shifts the recording against the offline
    // render and the cues' times); such a run says so and is played again.
    let (stdout, stderr, rec) = (0..3)
        .map(|_| play_with(&script))
        .find(|(out, err, _)| !out.contains("reopened") && !err.contains("reopened"))
        .expect("a run without a reopen in three");
    assert!(
        stdout.contains("4 commands, 0 unknown addresses, 12 malformed"),
        "every packet counted: {stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("({} frames)", SPAN_SECS * SR)),
        "played to the end: {stdout}"
    );
    let reference: Vec<f32> = offline(SR as u32, FROM_SECS, SPAN_SECS * SR)
        .iter()
        .step_by(2)
        .copied()
        .collect();
    let at = align(&rec, &reference);
    // The packets went out up to a second after the recording's alignment point (play's
    // start-up); each window starts after its cue has surely landed.
    let live = |a: f64, b: f64| {
        &rec[at + (a * SR as f64) as usize..(at + (b * SR as f64) as usize).min(rec.len())]
    };
    let offline = |a: f64, b: f64| &reference[(a * SR as f64) as usize..(b * SR as f64) as usize];
    let voices = |x: &[f32]| band(x, 250.0, 1200.0);
    let hands = |x: &[f32]| band(x, 2500.0, 12_000.0);

    assert_beat(
        "chant (voice band)",
        (
            &voices(live(4.0, 10.0)),
            &voices(offline(4.0, 10.0)),
            &voices(live(13.0, 16.5)),
        ),
        0.6,
        0.03,
        0.25,
    );
    assert_beat(
        "clap-along (hands)",
        (
            &hands(live(18.5, 23.5)),
            &hands(offline(18.5, 23.5)),
            &hands(live(26.5, 29.5)),
        ),
        0.5,
        0.025,
        0.3,
    );
}

#[test]
fn play_help_and_the_readme_list_every_osc_address_and_key() {
    let help = Command::new(assert_cmd::cargo::cargo_bin("concert"))
        .args(["play", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for addr in concert::output::live::osc::ADDRESSES {
        assert!(help.contains(addr), "play --help lists {addr}");
        assert!(
            readme.contains(&format!("`{addr}")),
            "the README lists {addr}"
        );
    }
    for key in ["o chant on/off", "k clap-along on/off"] {
        assert!(help.contains(key), "play --help lists the key: {key}");
    }
    assert!(
        readme.contains("`o` start the crowd chanting")
            && readme.contains("`k` start a clap-along")
    );
}
