//! Measurements for the note (ignored: they write WAVs to /tmp/crowd for inspect-wav).
//! Run with `cargo test --release --test crowd_measure -- --ignored --nocapture`.

mod crowd_support;

use concert::conductor::CheersLayer;
use concert::conductor::CrowdLayer;
use concert::conductor::render_layer;
use concert::show::VenueKind;
use crowd_support::*;

#[test]
#[ignore]
fn write_story_renders() {
    std::fs::create_dir_all("/tmp/crowd").unwrap();
    for (name, kind, aud) in [
        ("club60", VenueKind::Club, 60),
        ("club300", VenueKind::Club, 300),
        ("arena", VenueKind::Arena, 15_000),
    ] {
        let show = story(kind, aud);
        let mut layer = CrowdLayer::new(&show, show.seed, 48_000.0);
        let st = render_layer(&mut layer, &show, 48_000, 0.0, 50.0);
        write_wav(&format!("/tmp/crowd/crowd_{name}.wav"), &st);
        let mut cheers = CheersLayer::new(&show, show.seed, 48_000.0);
        let ch = render_layer(&mut cheers, &show, 48_000, 0.0, 50.0);
        write_wav(&format!("/tmp/crowd/cheers_{name}.wav"), &ch);
        let mix: Vec<f32> = st.iter().zip(&ch).map(|(a, b)| a + b).collect();
        write_wav(&format!("/tmp/crowd/mix_{name}.wav"), &mix);
        let mono: Vec<f32> = st.chunks(2).map(|f| 0.5 * (f[0] + f[1])).collect();
        let sr = 48_000;
        let murmur = &mono[2 * sr..11 * sr];
        let roar = &mono[12 * sr..22 * sr];
        println!(
            "{name}: murmur rms {:.1} dB (max3s {:.1}), roar max3s {:.1} dB, diff {:.1} dB, murmur mod peak {:.2} Hz, chant {:.1} dB, sing {:.1} dB",
            rms_db(murmur),
            max_short_term_db(murmur, sr),
            max_short_term_db(roar, sr),
            max_short_term_db(roar, sr) - max_short_term_db(murmur, sr),
            modulation_peak_hz(murmur, sr),
            rms_db(&mono[24 * sr..33 * sr]),
            rms_db(&mono[38 * sr..48 * sr]),
        );
    }
}
