//! OSC control of a playing show, end to end: `concert play --osc 0` through a PulseAudio null
//! sink (a real clock), real UDP packets over loopback — garbage first, then the master level
//! down and up again — and the sink's monitor recorded with `parec`. What was recorded must
//! go silent while the level is down, come back as the offline render afterwards, and the
//! garbage must be counted, never fatal.

#![cfg(feature = "live")]

mod live_support;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use live_support::*;
use rosc::{OscMessage, OscPacket, OscType};

fn osc(addr: &str, args: Vec<OscType>) -> Vec<u8> {
    rosc::encoder::encode(&OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap()
}

/// RMS in dBFS.
fn db(x: &[f32]) -> f64 {
    let ms = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * ms.max(1e-20).log10()
}

#[test]
fn osc_packets_move_the_master_level_of_a_playing_show_and_garbage_is_survived() {
    let mut pulse = Pulse::start();
    let capture = pulse.record();
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("concert"))
        .env("HOME", pulse.home())
        .env("XDG_RUNTIME_DIR", pulse.run())
        .env_remove("PULSE_SERVER")
        .args(["play", SHOW, "--seed", &SEED.to_string()])
        .args(["--from", "0:50", "--to", "1:04", "--osc", "0"])
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
    // `--osc 0` lets the system pick a free port; play says which.
    let port: u16 = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("play announces its OSC port");
        if let Some(addr) = line.strip_prefix("listening for OSC on udp://") {
            break addr.rsplit(':').next().unwrap().parse().unwrap();
        }
    };
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let send = |bytes: &[u8]| {
        sock.send_to(bytes, ("127.0.0.1", port)).unwrap();
    };
    std::thread::sleep(Duration::from_secs(3));
    // Garbage: not OSC, an empty datagram, an unknown address, a known one with bad arguments.
    send(b"\x00\x01\x02 not osc at all");
    send(b"");
    send(&osc("/concert/level/drums", vec![OscType::Float(0.0)]));
    send(&osc(
        "/concert/fader/energy",
        vec![OscType::String("loud".into())],
    ));
    // Then the master level off for 3 s, and back.
    send(&osc("/concert/level/master", vec![OscType::Float(-120.0)]));
    std::thread::sleep(Duration::from_secs(3));
    send(&osc(
        "/concert/level/master",
        vec![OscType::Float(0.0), OscType::Float(0.05)],
    ));
    let status = child.wait().unwrap();
    let stdout = reader.join().unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    std::thread::sleep(Duration::from_millis(500));
    pulse.stop_recording();
    assert!(status.success(), "play survived:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 commands, 1 unknown addresses, 3 malformed"),
        "every packet counted: {stdout}"
    );
    assert!(
        stdout.contains("played 0:14 (672000 frames)"),
        "played to the end: {stdout}"
    );

    // Align the recording with the offline render on its first second.
    let sr = 48_000usize;
    let rec: Vec<f32> = read_f32(&capture).iter().step_by(2).copied().collect();
    let reference: Vec<f32> = offline(48_000, 50.0, 14 * sr)
        .iter()
        .step_by(2)
        .copied()
        .collect();
    let onset = rec
        .iter()
        .position(|x| x.abs() > 1e-4)
        .expect("something reached the sink");
    let window = &reference[sr / 2..sr / 2 + sr / 4];
    let (best, c) = (onset.saturating_sub(sr / 2)..onset + sr)
        .filter(|p| p + sr / 2 + sr / 4 <= rec.len())
        .map(|p| {
            (
                p,
                correlation(window, &rec[p + sr / 2..p + sr / 2 + sr / 4]),
            )
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a lag to search");
    assert!(c > 0.9, "found the start of the span in the recording: {c}");
    let at = |secs: f64| best + (secs * sr as f64) as usize;
    let level = |a: f64, b: f64| db(&rec[at(a)..at(b).min(rec.len())]);
    let reference_level =
        |a: f64, b: f64| db(&reference[(a * sr as f64) as usize..(b * sr as f64) as usize]);
    eprintln!(
        "recorded: 0-2 s {:.1} dBFS, 4.5-5.5 s {:.1} dBFS, 8-12 s {:.1} dBFS (offline {:.1} / {:.1} / {:.1})",
        level(0.0, 2.0),
        level(4.5, 5.5),
        level(8.0, 12.0),
        reference_level(0.0, 2.0),
        reference_level(4.5, 5.5),
        reference_level(8.0, 12.0),
    );
    assert!(level(0.0, 2.0) > -40.0, "loud before the packets");
    assert!(
        reference_level(4.5, 5.5) > -40.0,
        "the show itself is loud there"
    );
    assert!(
        level(4.5, 5.5) < -80.0,
        "silent while the master level is off: {:.1} dBFS",
        level(4.5, 5.5)
    );
    // Back at 0 dB the faders are home: the show plays as rendered offline again (only the
    // limiter's memory of the silence differs, for a moment). The sink's monitor may have held
    // back part of the exact digital silence, so the excerpt is aligned on its own.
    let late = &reference[8 * sr..12 * sr];
    let probe = &late[..sr / 4];
    let (p, _) = (at(8.0).saturating_sub(sr)..at(8.0) + sr)
        .filter(|p| p + late.len() <= rec.len())
        .map(|p| (p, correlation(probe, &rec[p..p + sr / 4])))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .expect("a lag to search");
    let c = correlation(late, &rec[p..p + late.len()]);
    eprintln!(
        "after the level came back: correlation {c:.4}, offset {:+.1} ms from the start's alignment",
        (p as f64 - at(8.0) as f64) * 1000.0 / sr as f64
    );
    assert!(c >= 0.99, "the show came back as rendered: correlation {c}");
}
