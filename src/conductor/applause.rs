//! The applause conducted by a show: its clap sections come from the show's songs, chants and
//! big moments, its intensity from the show's applause curve.

use crate::conductor::Layer;
use crate::instruments::applause::{Applause, ApplauseConfig, ApplauseControl};
use crate::kit::{ChunkInfo, Stereo};
use crate::show::{Params, Show};

/// The applause of a show (the `applause` stem).
#[derive(Clone)]
pub struct ApplauseLayer {
    pub(crate) inst: Applause,
}

/// The applause instrument's configuration for `show`: its audience, the listener's seat and
/// every span where the crowd claps in time.
pub fn config(show: &Show, seed: u64) -> ApplauseConfig {
    ApplauseConfig {
        audience: show.venue.audience,
        listener: show.venue.listener,
        sections: show.clap_sections(),
        seed,
    }
}

impl ApplauseLayer {
    /// The crowd's hands for `show`, with all randomness derived from `seed`.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        ApplauseLayer {
            inst: Applause::new(&config(show, seed), sample_rate),
        }
    }
}

impl Layer for ApplauseLayer {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        let ctl = ApplauseControl {
            intensity: params.applause,
            cued: params.cued.claps,
        };
        self.inst.render(info, &ctl, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conductor::render_layer;
    use crate::kit::VenueKind;
    use crate::show::MomentKind;
    use crate::show::tests_support::show_with;

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len().max(1) as f32).sqrt()
    }

    #[test]
    fn silent_without_applause() {
        let show = show_with(VenueKind::Club, 300, &[(MomentKind::Murmur, 5.0)]);
        let mut layer = ApplauseLayer::new(&show, 1, 48_000.0);
        let out = render_layer(&mut layer, &show, 48_000, 0.0, 2.0);
        assert!(out.iter().all(|v| *v == 0.0));
    }

    #[test]
    fn applause_is_loud_spiky_and_deterministic() {
        let show = show_with(VenueKind::Arena, 15_000, &[(MomentKind::Applause, 10.0)]);
        let render = |seed| {
            let mut layer = ApplauseLayer::new(&show, seed, 48_000.0);
            render_layer(&mut layer, &show, 48_000, 0.0, 6.0)
        };
        let a = render(3);
        assert_eq!(a, render(3), "same seed, same samples");
        assert_ne!(a, render(4), "another seed, another crowd");
        let body: Vec<f32> = a[2 * 48_000 * 2..].iter().step_by(2).copied().collect();
        let level = rms(&body);
        let peak = body.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let db = 20.0 * level.log10();
        assert!(
            (-26.0..-17.0).contains(&db),
            "full applause level {db:.1} dBFS"
        );
        assert!(peak / level >= 8.0, "crest factor {:.1}", peak / level);
    }
}

#[cfg(test)]
mod levels {
    use super::*;
    use crate::conductor::render_layer;
    use crate::instruments::applause::*;
    use crate::kit::Listener;
    use crate::kit::VenueKind;
    use crate::show::MomentKind;
    use crate::show::tests_support::show_with;

    /// The far field (or a small room's grain bed) sits 3–7.5 dB under the near field's claps
    /// at every size and seat before its small-room lift ([`BED_LIFT_DB`] × [`small_room_share`]),
    /// and never above them: louder, the bed of grains reads as rain; much quieter, a big crowd
    /// sounds like a small one, and a club's claps do not hold against its voices.
    #[test]
    fn far_field_stays_under_the_near_field_everywhere() {
        let db = |x: &[f32]| 10.0 * (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).log10();
        for (kind, n) in [
            (VenueKind::Club, 60u32),
            (VenueKind::Club, 350),
            (VenueKind::Theatre, 1200),
            (VenueKind::OpenAir, 100_000),
        ] {
            for listener in [Listener::Floor, Listener::Balcony, Listener::StageSide] {
                let mut show = show_with(kind, n, &[(MomentKind::Applause, 10.0)]);
                show.venue.listener = listener;
                let mut near = ApplauseLayer::new(&show, 5, 48_000.0);
                near.inst = near.inst.without_far_field();
                let mut far = ApplauseLayer::new(&show, 5, 48_000.0);
                far.inst = far.inst.without_near_field();
                let near_db = db(&render_layer(&mut near, &show, 48_000, 2.0, 2.0));
                let far_db = db(&render_layer(&mut far, &show, 48_000, 2.0, 2.0));
                let under = near_db - far_db;
                let lift = BED_LIFT_DB * small_room_share(n);
                eprintln!(
                    "{n} {listener:?}: far {under:.1} dB under the near field (lift {lift:.1})"
                );
                assert!(
                    (3.0 - lift..=7.5 - lift).contains(&under) && under >= 0.0,
                    "{n} {listener:?}: far field {under:.1} dB under the near field (lift {lift:.1} dB)"
                );
            }
        }
    }

    /// In free applause a small room's bed gathers on the loose common beat: its grains start on
    /// each beat and thin out before the next one (the mean level of the first 0.1 s after a
    /// beat well above that of the last 0.15 s before the next). The far field of 100,000 keeps
    /// its steady grain rate.
    #[test]
    fn a_small_rooms_bed_pulses_on_the_loose_beat() {
        let sr = 48_000.0;
        let period = 60.0 / LOOSE_SYNC_BPM;
        for (kind, n, pulsing) in [
            (VenueKind::Club, 60u32, true),
            (VenueKind::Club, 350, true),
            (VenueKind::OpenAir, 100_000, false),
        ] {
            let show = show_with(kind, n, &[(MomentKind::Applause, 10.0)]);
            let mut far = ApplauseLayer::new(&show, 5, sr);
            far.inst = far.inst.without_near_field();
            let (from, secs) = (3.0, 3.0);
            let x = render_layer(&mut far, &show, 48_000, from, secs);
            let (mut on, mut off) = ((0.0f64, 0usize), (0.0f64, 0usize));
            for (i, f) in x.chunks_exact(2).enumerate() {
                let t = from + i as f64 / sr;
                let since = (t / period).fract() * period;
                let p = f64::from(f[0] * f[0] + f[1] * f[1]);
                if since < 0.1 {
                    on = (on.0 + p, on.1 + 1);
                } else if since > period - 0.15 {
                    off = (off.0 + p, off.1 + 1);
                }
            }
            let ratio_db = 10.0 * ((on.0 / on.1 as f64) / (off.0 / off.1 as f64)).log10();
            eprintln!("{n}: on the beat {ratio_db:.1} dB over the end of the beat");
            if pulsing {
                assert!(
                    ratio_db >= 3.0,
                    "{n}: the bed pulses by only {ratio_db:.1} dB"
                );
            } else {
                assert!(
                    ratio_db.abs() <= 1.0,
                    "{n}: the far field pulses by {ratio_db:.1} dB"
                );
            }
        }
    }
}
