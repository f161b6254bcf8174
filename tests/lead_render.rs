//! Measurement helpers for the lead singer (ignored by default): write the dry layer and its
//! score for Praat (`inspect-wav --voice --notes`), and time the voice.
//!
//! `cargo test --release --test lead_render -- --ignored --nocapture`

mod lead_support;

use lead_support::*;
use std::time::Instant;

use concert::conductor::LeadLayer;
use concert::conductor::render_layer;

#[test]
#[ignore]
fn write_test_phrase_for_praat() {
    let dir = std::env::var("LEAD_OUT").unwrap_or_else(|_| "/tmp/lead".into());
    std::fs::create_dir_all(&dir).unwrap();
    let show = show_with(TEST_MELODY, 90.0, 12.0);
    let x = render_mono(&show, 7, show.duration_secs);
    write_wav(&format!("{dir}/lead.wav"), &x);
    let notes: Vec<String> = notes(&show)
        .iter()
        .map(|n| {
            format!(
                "{{\"start\": {}, \"end\": {}, \"midi\": {}}}",
                n.start_secs, n.end_secs, n.midi
            )
        })
        .collect();
    std::fs::write(
        format!("{dir}/notes.json"),
        format!("[{}]", notes.join(",\n")),
    )
    .unwrap();
    let song_end = show.moments[1].end_secs;
    write_wav(&format!("{dir}/song.wav"), span(&x, 0.0, song_end));
    write_wav(
        &format!("{dir}/banter.wav"),
        span(&x, show.moments[3].start_secs, show.duration_secs),
    );
    println!("wrote {dir}/lead.wav ({:.1} s)", show.duration_secs);
}

#[test]
#[ignore]
fn real_time_factor() {
    // Singing all the time: the same melody repeated, 30 s.
    let spec = std::iter::repeat_n(TEST_MELODY, 2)
        .collect::<Vec<_>>()
        .join(" ~:1 ");
    let show = show_with(&spec, 90.0, 0.0);
    let from = 3.0;
    let secs = notes(&show).last().unwrap().end_secs - from;
    let mut lead = LeadLayer::new(&show, 7, f64::from(SR));
    let t0 = Instant::now();
    let x = render_layer(&mut lead, &show, SR, from, secs);
    let wall = t0.elapsed().as_secs_f64();
    assert!(x.iter().any(|v| *v != 0.0));
    println!(
        "lead voice: {secs:.1} s in {wall:.3} s = {:.0}x real time ({:.2} % of a core)",
        secs / wall,
        100.0 * wall / secs
    );
}
