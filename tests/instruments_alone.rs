//! The cheers and the crowd played alone, without a show: built from their configs and driven
//! by constant controls, as a library user (a game, another fundsp graph) would.

#[path = "crowd_support/mod.rs"]
mod crowd_support;

use concert::instruments::cheers::{Cheers, CheersConfig, CheersControl};
use concert::instruments::crowd::chant::ChantClock;
use concert::instruments::crowd::voice::syllable_sound;
use concert::instruments::crowd::{ChantConfig, Crowd, CrowdConfig, CrowdControl, CrowdSection};
use concert::kit::{BeatGrid, CHUNK, ChunkInfo, Stereo};
use crowd_support::{modulation_peak_hz, rms_db};

const SR: f64 = 48_000.0;

/// `secs` of mono (L+R)/2 from `render`, which is handed each chunk and its show time.
fn play(secs: f64, mut render: impl FnMut(ChunkInfo, &mut Stereo)) -> Vec<f32> {
    let mut out = Vec::new();
    let mut chunk = Stereo::default();
    let mut frame = 0u64;
    while (out.len() as f64) < secs * SR {
        let info = ChunkInfo {
            frame,
            sample_rate: SR,
        };
        render(info, &mut chunk);
        out.extend(chunk.l.iter().zip(&chunk.r).map(|(l, r)| 0.5 * (l + r)));
        frame += CHUNK as u64;
    }
    out
}

/// `secs` of cheers for `audience` people at constant rates, in one section with `seed`.
fn cheers(audience: u32, rates: f32, seed: u64, secs: f64) -> Vec<f32> {
    let mut c = Cheers::new(&CheersConfig { audience, seed: 1 }, SR);
    play(secs, |info, out| {
        let ctl = CheersControl {
            energy: 0.8,
            hush: 0.0,
            cheer_rate: 4.0 * rates,
            whistle_rate: rates,
            scream_rate: rates,
            gesture_seed: seed,
            since_secs: info.secs(),
        };
        c.render(info, &ctl, out);
    })
}

#[test]
fn cheers_play_without_a_show_and_their_seed_picks_the_events() {
    let a = cheers(15_000, 1.0, 7, 10.0);
    eprintln!("cheers: {:.1} dBFS", rms_db(&a));
    assert!(rms_db(&a) > -45.0, "audible cheers: {:.1} dBFS", rms_db(&a));
    assert_eq!(
        a,
        cheers(15_000, 1.0, 7, 10.0),
        "same controls, same samples"
    );
    assert_ne!(
        a,
        cheers(15_000, 1.0, 8, 10.0),
        "another section seed, other events"
    );
    let quiet = cheers(15_000, 0.0, 7, 5.0);
    assert!(quiet.iter().all(|x| *x == 0.0), "no rates, no cheers");
}

#[test]
fn a_pub_cheers_less_than_an_arena_at_the_same_rates() {
    // The config's audience sets the share of the rates a listener hears (√(n / 2000), at
    // least a quarter): about 6 dB less for 60 people than for 15,000.
    let (pub_db, arena_db) = (0..3)
        .map(|s| {
            (
                rms_db(&cheers(60, 1.0, s, 20.0)),
                rms_db(&cheers(15_000, 1.0, s, 20.0)),
            )
        })
        .fold((0.0, 0.0), |(p, a), (x, y)| (p + x / 3.0, a + y / 3.0));
    eprintln!("cheers: pub {pub_db:.1} dBFS, arena {arena_db:.1} dBFS");
    assert!(
        pub_db < arena_db - 3.0,
        "pub {pub_db:.1} dBFS vs arena {arena_db:.1} dBFS"
    );
}

/// A crowd of 350 with one chant section (0: "one more song" at a steady 120 bpm) and one
/// section without a chant (1).
fn crowd_config() -> CrowdConfig {
    CrowdConfig {
        audience: 350,
        seed: 3,
        sections: vec![
            CrowdSection {
                chant: Some(ChantConfig {
                    clock: ChantClock {
                        grid: BeatGrid::steady(0.3, 120.0),
                        end_secs: 60.0,
                    },
                    sounds: ["one", "more", "song"].map(syllable_sound).to_vec(),
                }),
                sing_along: 0.0,
            },
            CrowdSection::default(),
        ],
        sing_notes: Vec::new(),
    }
}

/// `secs` of the crowd with `ctl` held constant.
fn crowd(ctl: CrowdControl, secs: f64) -> Vec<f32> {
    let mut c = Crowd::new(&crowd_config(), SR);
    play(secs, |info, out| c.render(info, &ctl, out))
}

#[test]
fn a_crowd_chats_without_a_show() {
    let ctl = CrowdControl {
        energy: 0.3,
        murmur: 1.0,
        gesture_seed: 11,
        ..Default::default()
    };
    let x = crowd(ctl, 6.0);
    let db = rms_db(&x[SR as usize..]);
    eprintln!("chatter: {db:.1} dBFS");
    assert!((-55.0..-20.0).contains(&db), "chatter at {db:.1} dBFS");
    assert_eq!(x, crowd(ctl, 6.0), "same controls, same samples");
}

#[test]
fn the_chant_control_chants_only_in_a_section_with_a_chant() {
    let base = CrowdControl {
        energy: 0.7,
        murmur: 0.05,
        gesture_seed: 11,
        ..Default::default()
    };
    let chanting = |section, chant| {
        crowd(
            CrowdControl {
                section: Some(section),
                chant,
                ..base
            },
            10.0,
        )
    };
    // Section 1 has no chant: the chant level changes nothing.
    let plain = chanting(1, 1.0);
    assert_eq!(plain, chanting(1, 0.0));
    // A section the config does not have plays as one without a chant (no panic).
    assert_eq!(plain, chanting(99, 1.0));
    // Section 0 chants on its clock: louder, and pulsing at its two syllables a second.
    let on = chanting(0, 1.0);
    let off = chanting(0, 0.0);
    let (on_db, off_db) = (rms_db(&on[SR as usize..]), rms_db(&off[SR as usize..]));
    let hz = modulation_peak_hz(&on[SR as usize..], SR as usize);
    eprintln!("chant {on_db:.1} dBFS vs none {off_db:.1} dBFS, pulsing at {hz:.2} Hz");
    assert!(
        on_db > off_db + 6.0,
        "chant {on_db:.1} vs none {off_db:.1} dBFS"
    );
    assert!(
        (1.7..2.3).contains(&hz),
        "chant pulses at {hz:.2} Hz, not 2"
    );
}
