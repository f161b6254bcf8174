//! The crowd joins in on the choruses (the loud, f/ff passages of a song's melody): it sings
//! along there, and stays a quiet hubbub during the verses.

use concert::conductor::CrowdLayer;
use concert::conductor::render_layer;
use concert::preset;

const RATE: u32 = 48_000;

fn rms_db(x: &[f32]) -> f64 {
    let p = x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64;
    10.0 * p.max(1e-20).log10()
}

#[test]
fn the_crowd_sings_the_chorus_not_the_verse() {
    // 120 bpm: a soft 8-bar verse (16 s), then a loud 8-bar chorus (16 s).
    let show = preset::load_str(
        r#"
title = "chorus test"
[venue]
kind = "club"
audience = 400
[[songs]]
title = "Anthem"
bpm = 120
sing_along = 0.8
intro_secs = 2
outro_secs = 2
melody = """
mp [ oh:A4/2 ah:C5/2 | oh:E5/1 ]x4
ff [ oh:A4/2 ah:C5/2 | oh:E5/1 ]x4
"""
[[timeline]]
moment = "song"
song = "Anthem"
"#,
        "chorus test",
    )
    .unwrap();
    let notes = show.lead_notes();
    let spans = show.chorus_spans(0, &notes);
    assert_eq!(spans.len(), 1, "{spans:?}");
    let (a, b) = spans[0];
    assert!(
        (a - 16.0).abs() < 0.1 && b > 33.0,
        "chorus from the first loud note, a bar early: {spans:?}"
    );

    let mut crowd = CrowdLayer::new(&show, 5, f64::from(RATE));
    let out = render_layer(&mut crowd, &show, RATE, 0.0, 34.0);
    let span = |from: f64, to: f64| {
        &out[(from * f64::from(RATE)) as usize * 2..(to * f64::from(RATE)) as usize * 2]
    };
    let verse = rms_db(span(6.0, 14.0));
    let chorus = rms_db(span(20.0, 30.0));
    eprintln!("crowd stem: verse {verse:.1} dB, chorus {chorus:.1} dB");
    assert!(
        chorus > verse + 6.0,
        "the crowd joins in on the chorus: verse {verse:.1} dB, chorus {chorus:.1} dB"
    );
}
