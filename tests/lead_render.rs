//! The lead singer's cost (ignored by default: timing needs a quiet machine).
//!
//! `cargo test --release --test lead_render -- --ignored --nocapture`

mod lead_support;

use lead_support::*;
use std::time::Instant;

use concert::conductor::render_layer;
use concert::engine::layer;

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
    let mut lead = layer("lead", &show, 7, f64::from(SR)).expect("lead is a layer");
    let t0 = Instant::now();
    let x = render_layer(&mut *lead, &show, SR, from, secs);
    let wall = t0.elapsed().as_secs_f64();
    assert!(x.iter().any(|v| *v != 0.0));
    println!(
        "lead voice: {secs:.1} s in {wall:.3} s = {:.0}x real time ({:.2} % of a core)",
        secs / wall,
        100.0 * wall / secs
    );
}
