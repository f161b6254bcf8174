//! Cost of the crowd and cheers layers at their busiest (a finale: every talker shouting,
//! cheers, whistles and screams at full rate), for small and huge audiences. Ignored: run with
//! `cargo test --release --test crowd_cost -- --ignored --nocapture` on a quiet machine.

mod crowd_support;

use std::time::Instant;

use concert::conductor::CrowdLayer;
use concert::conductor::render_layer;
use concert::engine::layer;
use concert::show::{MomentKind, VenueKind};
use crowd_support::*;

fn realtime_factor(audience: u32) -> f64 {
    let mut f = moment("finale", MomentKind::Finale, 0.0, 40.0, 1.0);
    f.peak = 1.0;
    let show = show(VenueKind::Arena, audience, vec![f]);
    let secs = 30.0;
    // Best of three: the machine is shared, and the fastest run is the one least disturbed.
    let (mut tc, mut tch) = (f64::INFINITY, f64::INFINITY);
    for _ in 0..3 {
        let mut crowd = CrowdLayer::new(&show, show.seed, 48_000.0);
        let mut cheers = layer("cheers", &show, show.seed, 48_000.0).expect("cheers is a layer");
        let t = Instant::now();
        let a = render_layer(&mut crowd, &show, 48_000, 0.0, secs);
        let mid = t.elapsed().as_secs_f64();
        let b = render_layer(&mut *cheers, &show, 48_000, 0.0, secs);
        let el = t.elapsed().as_secs_f64();
        assert!(a.len() + b.len() > 0);
        tc = tc.min(mid);
        tch = tch.min(el - mid);
    }
    println!(
        "audience {audience}: crowd {:.1} ms/s, cheers {:.1} ms/s",
        1e3 * tc / secs,
        1e3 * tch / secs
    );
    secs / (tc + tch)
}

#[test]
#[ignore]
fn busiest_crowd_and_cheers_run_fast_and_flat() {
    let small = realtime_factor(100);
    let big = realtime_factor(100_000);
    println!(
        "crowd + cheers at a finale, 48 kHz: {small:.0}x real time (100 people), {big:.0}x (100,000)"
    );
    assert!(small.min(big) >= 125.0, "at least 125x real time");
    assert!(
        small.max(big) / small.min(big) <= 1.5,
        "flat in audience size"
    );
}
