//! Control curves: what every layer should be doing at a given time of the show.
//!
//! `Show::params_at(secs)` is a pure function of the show and the time, with no state, so a
//! render can start anywhere and every block size sees the same values. Two kinds of curve:
//! *states* (murmur, lead, hush) cross-fade between neighbouring moments over [`EDGE_SECS`], and
//! *swells* (applause, roar, cheers) are added up from every moment whose envelope reaches the
//! time, so an applause tail can spill into the next song as it does in a real room.
//!
//! Nothing here knows about DSP: values are levels and rates, not gains or filters.

use super::{Moment, MomentKind, Show};
use crate::kit::Cued;

/// Half-width of the cross-fade between the states of neighbouring moments.
pub const EDGE_SECS: f64 = 0.75;

/// Seconds an applause envelope may outlast its moment while it thins out.
const APPLAUSE_SPILL_SECS: f64 = 4.0;

/// What the layers should be doing at one instant. Levels are 0..=1 unless stated.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Params {
    /// Index of the moment playing now (`None` in a gap between moments).
    pub moment: Option<usize>,
    /// Crowd excitement, which raises pitch, brightness and event rates.
    pub energy: f32,
    /// Talkers chatting (doors open, between songs).
    pub murmur: f32,
    /// Shouting crowd (lights down, song starts, encore, finale).
    pub roar: f32,
    /// Applause intensity: the fraction of the audience clapping.
    pub applause: f32,
    /// One-shot "woo"s, cheers and shouts per second (audible ones, whole crowd).
    pub cheer_rate: f32,
    /// Finger whistles per second.
    pub whistle_rate: f32,
    /// Screams per second.
    pub scream_rate: f32,
    /// Chanting level (a `chant` moment).
    pub chant: f32,
    /// Whether and how loud the band's song is on (the lead sings when it has notes).
    pub song: f32,
    /// Hush: 1 during a quiet ballad, when the crowd holds its breath.
    pub hush: f32,
    /// What a live operator has started on top of the show (never set by the show itself).
    pub cued: Cued,
}

/// Default energy of each kind of moment when the show does not say.
pub fn default_energy(kind: MomentKind) -> f64 {
    match kind {
        MomentKind::Murmur => 0.2,
        MomentKind::LightsDown => 0.8,
        MomentKind::Song => 0.6,
        MomentKind::Applause => 0.7,
        MomentKind::Chant => 0.7,
        MomentKind::Banter => 0.4,
        MomentKind::Hush => 0.3,
        MomentKind::Encore => 0.9,
        MomentKind::Finale => 1.0,
    }
}

/// Default peak (applause/roar swell height) of each kind of moment.
pub fn default_peak(kind: MomentKind) -> f64 {
    match kind {
        MomentKind::Applause => 0.8,
        MomentKind::LightsDown => 0.8,
        MomentKind::Encore => 0.9,
        MomentKind::Finale => 1.0,
        MomentKind::Banter => 0.4,
        _ => 0.5,
    }
}

/// Logistic curve, the S-shape of contagion in a crowd.
fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// 0 before `a`, 1 after `b`, a smooth S between.
fn smoothstep(a: f64, b: f64, x: f64) -> f64 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// An applause swell at local time `u` of a swell lasting `d` seconds: contagious onset (first
/// claps to full in about 1.2 s), a plateau, then a sigmoid decay that thins out to the last
/// few clappers shortly after `d`.
pub fn applause_swell(u: f64, d: f64) -> f64 {
    if u < 0.0 || u > d + APPLAUSE_SPILL_SECS {
        return 0.0;
    }
    let onset = logistic((u - 0.55) / 0.14);
    let mid = d * 0.72;
    let width = (d * 0.09).max(0.35);
    let decay = 1.0 - logistic((u - mid) / width);
    (onset * decay).clamp(0.0, 1.0)
}

/// A roar that rises over `rise` seconds, holds, and falls with time constant `fall`.
fn roar_swell(u: f64, rise: f64, hold: f64, fall: f64) -> f64 {
    if u < 0.0 {
        return 0.0;
    }
    let up = smoothstep(0.0, rise, u);
    if u < rise + hold {
        up
    } else {
        (-(u - rise - hold) / fall).exp()
    }
}

/// Contributions of one moment to the additive swells.
#[derive(Default)]
struct Swells {
    applause: f64,
    roar: f64,
    cheers: f64,
    whistles: f64,
    screams: f64,
}

fn swells(m: &Moment, t: f64) -> Swells {
    let u = t - m.start_secs;
    let d = m.secs();
    let mut s = Swells::default();
    if u < 0.0 {
        return s;
    }
    let p = m.peak;
    match m.kind {
        MomentKind::Applause => {
            let a = applause_swell(u, d);
            s.applause = p * a;
            // The first seconds of applause after a song carry the shouts and whistles.
            let excite = a * (-u / (d * 0.45).max(2.0)).exp();
            // Claps carry an applause; the shouting rides on them for its first seconds and
            // stays under them (a roar as loud as the claps turns the moment into a shouting
            // match, not an ovation).
            s.roar = 0.45 * p * excite;
            s.cheers = 4.0 * p * a;
            s.whistles = 1.6 * p * excite;
            s.screams = 1.2 * p * p * excite;
        }
        MomentKind::LightsDown => {
            let r = roar_swell(u, 2.5, (d - 3.0).max(0.0), 2.0);
            s.roar = p * r;
            s.applause = 0.7 * p * applause_swell(u - 0.8, d + 1.0);
            s.cheers = 3.0 * p * r;
            s.whistles = 1.5 * p * r;
            s.screams = 1.5 * p * r;
        }
        MomentKind::Song | MomentKind::Encore => {
            // Recognition: the first bars of a song are greeted by a cheer and short applause.
            let greet = if m.kind == MomentKind::Encore {
                p
            } else {
                0.55 * m.energy
            };
            let r = roar_swell(u, 1.0, 1.0, 3.0);
            s.roar = greet * r;
            s.applause = 0.6 * greet * applause_swell(u - 0.3, 5.0);
            s.cheers = 2.5 * greet * r + 0.15 * m.energy;
            s.whistles = 1.0 * greet * r + 0.05 * m.energy;
            s.screams = 0.8 * greet * r;
            // The last chord: people start cheering before the song is over.
            let end = smoothstep(d - 10.0, d, u);
            s.roar += 0.4 * m.energy * end;
            s.cheers += 2.0 * m.energy * end;
            s.whistles += 0.6 * m.energy * end;
        }
        MomentKind::Hush => {
            // The first notes of a ballad are recognised with a short, warm cheer and a few
            // claps before the room holds its breath (a ballad that opens on silence sounds
            // like a dropout).
            let greet = 0.4 * m.energy.max(0.5);
            let r = roar_swell(u, 1.0, 0.8, 2.5);
            s.roar = greet * r;
            s.applause = 0.5 * greet * applause_swell(u - 0.3, 4.0);
            s.cheers = 0.08 + 2.0 * greet * r;
            s.whistles = 0.6 * greet * r;
        }
        MomentKind::Banter => {
            // The crowd answers the singer's last words.
            let tail = u - (d - 2.5);
            if tail > 0.0 {
                s.roar = 0.5 * p * roar_swell(tail, 0.6, 1.5, 1.5);
                s.applause = 0.6 * p * applause_swell(tail - 0.2, 4.0);
                s.cheers = 2.5 * p * roar_swell(tail, 0.3, 2.0, 1.0);
                s.whistles = 0.8 * p * roar_swell(tail, 0.3, 2.0, 1.0);
            }
            s.cheers += 0.1;
        }
        MomentKind::Chant => {
            s.cheers = 0.4 * m.energy;
            // Not everyone chants: the rest of the crowd shouts and cheers between the lines,
            // out of step with the chant, well under it.
            s.roar = 0.25 * m.energy;
        }
        MomentKind::Finale => {
            s.applause = p * applause_swell(u, d);
            let r = roar_swell(u, 2.0, d * 0.35, d * 0.2);
            s.roar = p * r;
            s.cheers = 4.5 * p * applause_swell(u, d);
            s.whistles = 2.0 * p * r;
            s.screams = 1.5 * p * r;
        }
        MomentKind::Murmur => {
            s.cheers = 0.04;
        }
    }
    if u > d {
        // Only applause spills past the end of a moment; the rest stops with it.
        s.roar = 0.0;
        s.cheers = 0.0;
        s.whistles = 0.0;
        s.screams = 0.0;
    }
    s
}

/// The steady state of a moment (cross-faded at its edges).
#[derive(Default, Clone, Copy)]
struct State {
    energy: f64,
    murmur: f64,
    chant: f64,
    song: f64,
    hush: f64,
}

fn state(m: &Moment) -> State {
    let e = m.energy;
    match m.kind {
        MomentKind::Murmur => State {
            energy: e,
            murmur: 0.45 + 0.4 * e,
            ..State::default()
        },
        MomentKind::LightsDown => State {
            energy: e,
            murmur: 0.15,
            ..State::default()
        },
        // Without a band on the record, a silent crowd would leave holes in intros and outros:
        // a low, excited hubbub stays under the singer.
        MomentKind::Song | MomentKind::Encore => State {
            energy: e,
            murmur: 0.18,
            song: 1.0,
            ..State::default()
        },
        MomentKind::Hush => State {
            energy: e,
            murmur: 0.02,
            song: 1.0,
            hush: 1.0,
            ..State::default()
        },
        MomentKind::Applause => State {
            energy: e,
            murmur: 0.08,
            ..State::default()
        },
        MomentKind::Chant => State {
            energy: e,
            murmur: 0.1,
            chant: e.max(0.3),
            ..State::default()
        },
        MomentKind::Banter => State {
            energy: e,
            murmur: 0.12,
            ..State::default()
        },
        MomentKind::Finale => State {
            energy: e,
            murmur: 0.1,
            ..State::default()
        },
    }
}

/// The state in a gap between moments: people talk.
const GAP: State = State {
    energy: 0.3,
    murmur: 0.55,
    chant: 0.0,
    song: 0.0,
    hush: 0.0,
};

/// Weight of moment `m`'s state at time `t`: 1 inside, cross-fading over the edges.
fn window(m: &Moment, t: f64) -> f64 {
    let rise = smoothstep(m.start_secs - EDGE_SECS, m.start_secs + EDGE_SECS, t);
    let fall = 1.0 - smoothstep(m.end_secs - EDGE_SECS, m.end_secs + EDGE_SECS, t);
    rise * fall
}

impl Show {
    /// What every layer should be doing at `secs` from the start of the show.
    pub fn params_at(&self, secs: f64) -> Params {
        let mut st = State::default();
        let mut weight = 0.0;
        let mut sw = Swells::default();
        for m in &self.moments {
            if m.start_secs > secs + EDGE_SECS {
                break;
            }
            let w = window(m, secs);
            if w > 0.0 {
                let s = state(m);
                st.energy += w * s.energy;
                st.murmur += w * s.murmur;
                st.chant += w * s.chant;
                st.song += w * s.song;
                st.hush += w * s.hush;
                weight += w;
            }
            let s = swells(m, secs);
            sw.applause += s.applause;
            sw.roar += s.roar;
            sw.cheers += s.cheers;
            sw.whistles += s.whistles;
            sw.screams += s.screams;
        }
        let gap = (1.0 - weight).max(0.0);
        st.energy += gap * GAP.energy;
        st.murmur += gap * GAP.murmur;
        // A roar drowns the chatter: people stop talking when they shout.
        let roar = sw.roar.min(1.0);
        let murmur = st.murmur * (1.0 - 0.8 * roar);
        let excite = (st.energy + 0.3 * roar).min(1.0);
        let moment = self.moment_at(secs);
        Params {
            moment,
            energy: excite as f32,
            murmur: murmur.clamp(0.0, 1.0) as f32,
            roar: roar as f32,
            applause: sw.applause.clamp(0.0, 1.0) as f32,
            cheer_rate: sw.cheers as f32,
            whistle_rate: sw.whistles as f32,
            scream_rate: sw.screams as f32,
            chant: st.chant.clamp(0.0, 1.0) as f32,
            song: st.song.clamp(0.0, 1.0) as f32,
            hush: st.hush.clamp(0.0, 1.0) as f32,
            cued: Cued::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applause_swell_is_contagious_then_thins() {
        let d = 12.0;
        assert!(
            applause_swell(0.0, d) < 0.05,
            "starts with the first few clappers"
        );
        assert!(applause_swell(1.5, d) > 0.9, "full within 1.5 s");
        assert!(applause_swell(6.0, d) > 0.9, "plateau");
        let late = applause_swell(d, d);
        assert!(
            late > 0.0 && late < 0.15,
            "thinned to the last clappers at the end: {late}"
        );
        assert_eq!(applause_swell(d + APPLAUSE_SPILL_SECS + 0.1, d), 0.0);
    }
}
