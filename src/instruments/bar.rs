//! The venue's bar and tables: glasses clinking, bottles set down on the counter, cutlery on
//! plates, ice in a glass, now and then a tray of glasses or the till drawer. The sound of the
//! small clubs and bars, under the chatter; a festival field or an arena bowl has none
//! audible.
//!
//! A physical model, measured against a real busy restaurant (`real-restaurant-chatter.wav`:
//! about 1.3 clinks a second rise 10 dB or more out of the chatter's 2–8 kHz band, their
//! partials lie between 2 and 12 kHz, mostly 3–9 kHz, and ring for 15–400 ms before the
//! chatter covers them). Every sound is a *strike*: a short contact force (a half-sine pulse
//! whose length sets how bright it is: glass on glass is a fraction of a millisecond, a bottle
//! on wood a millisecond or two) into a few inharmonic decaying modes (the kit's
//! [`Resonator`], each tuned to its decay time), plus for a bottle the counter's dull thud.
//! A gesture is one or several strikes of the same objects: a toast's single clink, cutlery's
//! two to four quick taps, ice rattling, a bottle that rocks once. Gestures arrive as Poisson
//! events at a rate set by the venue (a club has a bar in the room, a theatre's is in the
//! foyer, an arena's and a field's are out of earshot) and the audience, times the control
//! `busy` (0..=1); trays of glasses come in bursts. Each gesture is placed somewhere in the
//! room (pan, distance: level and the high frequencies the crowd's bodies absorb on the way).
//!
//! Arrivals are drawn per chunk from a stream keyed by the chunk's index, so they do not depend
//! on the block size, where a render starts, or any moment of a show. Allocation-free after
//! [`Bar::new`]: gestures live in a fixed pool; a full pool drops the newest (it would be
//! masked anyway).
//!
//! Must not touch: the talkers and the room tone (people, not objects), the room's reverb (the
//! engine sends this through the venue like any other layer).

use fundsp::prelude32::{An, U1};
use rand::Rng as _;

use super::node::{Instrument, InstrumentNode};
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::kit::{Listener, VenueKind};
use crate::kit::{Resonator, Rng, bipolar, db_to_gain, one_pole_coef_hz, pan_gains, rng};
use crate::kit::{splitmix64, uniform};

/// Gestures a second at `busy` = 1 in a club of [`REFERENCE_AUDIENCE`] people.
const GESTURES_PER_SEC: f32 = 2.8;
/// Audience the rate is quoted for, and how it grows with more people (more tables and hands,
/// but the far ones drown in the chatter): `(audience / REFERENCE_AUDIENCE)^AUDIENCE_EXPONENT`,
/// at most [`MAX_AUDIENCE_FACTOR`].
const REFERENCE_AUDIENCE: f32 = 60.0;
const AUDIENCE_EXPONENT: f32 = 0.05;
const MAX_AUDIENCE_FACTOR: f32 = 1.6;
/// Share of the gestures still made when nobody is busy (`busy` = 0): someone always puts a
/// glass down.
const IDLE_SHARE: f32 = 0.1;

/// Trays (a burst of glasses and cutlery put down or collected together) per second at
/// `busy` = 1, and how many strikes of glass and cutlery over how long.
const TRAYS_PER_SEC: f32 = 1.0 / 45.0;
const TRAY_GESTURES: (f32, f32) = (4.0, 9.0);
const TRAY_SECS: (f32, f32) = (0.4, 1.6);
/// The till's drawer, per second at `busy` = 1 (only where the bar is in the room).
const TILLS_PER_SEC: f32 = 1.0 / 70.0;

/// Peak level of a gesture's loudest strike at [`NEAR_M`], dBFS (dry).
const STRIKE_DB: (f32, f32) = (-30.0, -20.0);
/// Distances of the bar and the tables from a listener on the floor, metres (the bar along
/// one side of the room). Level falls as `NEAR_M / distance`.
const NEAR_M: f32 = 2.0;
const DISTANCE_M: (f32, f32) = (1.5, 10.0);
/// Corner of the one-pole low-pass a gesture passes through at `NEAR_M` and per doubling of
/// distance beyond it (the crowd's bodies and clothes absorb the highs on the way).
const NEAR_CORNER_HZ: f32 = 14_000.0;
const CORNER_PER_DOUBLING: f32 = 0.6;

/// A struck object: the fundamental of its modes (Hz), the ratios of all four to it, their
/// levels, the decay (T60, seconds) of the first (higher modes die faster: `T60 / √ratio`),
/// and how long the contact lasts (seconds: the shorter, the brighter the strike). Every mode
/// has a twin a little off its frequency (a glass is not perfectly round, so each mode splits
/// in two that beat; measured in the real restaurant's clinks as close pairs of partials, e.g.
/// 3854 and 4134 Hz): `twin_detune` is the twin's relative offset, `twin_level` its level.
struct Object {
    hz: (f32, f32),
    ratios: [(f32, f32); MODES],
    levels: [f32; MODES],
    twin_detune: (f32, f32),
    twin_level: (f32, f32),
    t60_secs: (f32, f32),
    contact_secs: (f32, f32),
    /// The impact's own noise, a broadband tick as long as the contact, against the modes'
    /// level: a little for glass, a clatter for cutlery.
    click: f32,
}

/// Glass on glass (a toast, a glass set against another): the rim's inharmonic modes, around
/// 1.6–4.5 kHz and up to eight times that, a fraction of a millisecond's contact.
const GLASS: Object = Object {
    hz: (1600.0, 4500.0),
    ratios: [(1.0, 1.0), (2.3, 2.8), (4.5, 5.2), (7.4, 8.6)],
    levels: [0.7, 1.0, 0.8, 0.5],
    twin_detune: (0.01, 0.07),
    twin_level: (0.3, 0.9),
    t60_secs: (0.1, 0.25),
    contact_secs: (0.00008, 0.0004),
    click: 0.25,
};

/// A bottle set down on the wooden counter: low glass modes, short (the hand still holds it),
/// a soft contact; with the counter's thud.
const BOTTLE: Object = Object {
    hz: (900.0, 2200.0),
    ratios: [(1.0, 1.0), (1.6, 2.1), (2.9, 3.6), (4.4, 5.4)],
    levels: [0.6, 0.5, 0.35, 0.2],
    twin_detune: (0.01, 0.04),
    twin_level: (0.2, 0.6),
    t60_secs: (0.03, 0.1),
    contact_secs: (0.0006, 0.0018),
    click: 0.8,
};
/// The counter's thud: a damped low resonance (Hz, T60 seconds) and its level against the
/// ring. Kept low: a counter radiates its low thump poorly, and across a room it is a dull
/// knock under the glass (at 1.6 a bottle landing by a looped clap-along bed's seam moved its
/// 250 Hz octave by 2.3 dB, more than the claps themselves do from bar to bar).
const THUD_HZ: (f32, f32) = (110.0, 260.0);
const THUD_T60_SECS: (f32, f32) = (0.02, 0.06);
const THUD_LEVEL: f32 = 0.5;
/// A bottle rocks back once, a little later and weaker, half the time.
const ROCK_CHANCE: f32 = 0.5;
const ROCK_GAP_SECS: (f32, f32) = (0.02, 0.07);

/// Cutlery on a plate: bright metal modes (and the plate's), the hardest contact, in two to
/// four quick taps.
const CUTLERY: Object = Object {
    hz: (2500.0, 6000.0),
    ratios: [(1.0, 1.0), (1.4, 1.9), (2.4, 3.1), (3.6, 4.6)],
    levels: [1.0, 0.8, 0.5, 0.3],
    twin_detune: (0.05, 0.25),
    twin_level: (0.4, 1.0),
    t60_secs: (0.06, 0.2),
    contact_secs: (0.00005, 0.0002),
    click: 0.8,
};
const CUTLERY_TAPS: (f32, f32) = (2.0, 4.99);
const CUTLERY_GAP_SECS: (f32, f32) = (0.04, 0.18);

/// Ice shaken in a glass: the glass's modes struck lightly, fast and many times, damped by the
/// drink in it (a full glass rings short; a long ring struck again and again reads as a wind
/// chime).
const ICE: Object = Object {
    t60_secs: (0.04, 0.1),
    contact_secs: (0.0001, 0.0003),
    click: 0.6,
    ..GLASS
};
const ICE_TAPS: (f32, f32) = (3.0, 8.99);
/// Glasses on a tray: held against each other and the tray, so they ring short (several
/// long rings at different pitches read as a wind chime).
const TRAY_GLASS: Object = Object {
    t60_secs: (0.04, 0.12),
    click: 0.5,
    ..GLASS
};
const ICE_GAP_SECS: (f32, f32) = (0.015, 0.07);
/// How hard ice strikes, against a glass put down.
const ICE_FORCE: f32 = 0.5;

/// The till: the drawer runs out on its rollers (band-passed noise, seconds, Hz), stops with
/// a thud, and the coins in it clink.
const TILL_ROLL_SECS: (f32, f32) = (0.18, 0.32);
const TILL_ROLL_HZ: (f32, f32) = (700.0, 1800.0);
const TILL_ROLL_Q: f32 = 1.2;
const TILL_ROLL_LEVEL: f32 = 0.25;

/// Share of each kind of gesture among the ordinary ones (glass, bottle, cutlery, ice).
const KIND_WEIGHTS: [(Kind, f32); 4] = [
    (Kind::Glass, 0.4),
    (Kind::Bottle, 0.18),
    (Kind::Cutlery, 0.32),
    (Kind::Ice, 0.1),
];

/// Gestures that can sound at once.
const POOL: usize = 16;
/// Modes of one struck object.
const MODES: usize = 4;
/// Longest contact pulse, samples (2 ms at 48 kHz).
const MAX_PULSE: usize = 96;
/// A gesture whose ring has fallen below this power at the output (−100 dBFS) has finished:
/// its tail lies far under the room tone, and ringing on would cost for nothing.
const SILENT_POWER: f32 = 1e-10;

/// How much bar the venue has in earshot: 1 in a club (the bar is in the room), a little in a
/// theatre or hall (the foyer's bar, drinks brought in), none in an arena bowl, a stadium or a
/// field (the bars are out on the concourse, and 10,000 voices cover them).
fn venue_share(kind: VenueKind) -> f32 {
    match kind {
        VenueKind::Club => 1.0,
        VenueKind::Theatre => 0.3,
        VenueKind::Hall => 0.2,
        VenueKind::Arena | VenueKind::Stadium | VenueKind::OpenAir => 0.0,
    }
}

/// How much further away the bar is for a listener (a balcony and the side of the stage are
/// across the room from it).
fn listener_distance(listener: Listener) -> f32 {
    match listener {
        Listener::Floor => 1.0,
        Listener::Balcony => 2.0,
        Listener::StageSide => 1.6,
    }
}

/// A plain description of the bar, so it can be played without a show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarConfig {
    /// The kind of venue (how much bar there is to hear).
    pub venue: VenueKind,
    /// How many people are there.
    pub audience: u32,
    /// Where the listener is.
    pub listener: Listener,
    /// Seed of all its randomness.
    pub seed: u64,
}

/// What changes while the bar plays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BarControl {
    /// How busy the bar and the tables are (0..=1): people ordering, drinking and eating
    /// between songs is 1; everyone listening to a ballad is near 0. Sets the rate of
    /// gestures and how firmly glasses are put down.
    pub busy: f32,
}

/// What is struck.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Idle,
    Glass,
    TrayGlass,
    Bottle,
    Cutlery,
    Ice,
    Till,
}

/// One gesture: the struck objects' modes, the strikes still to come, where it is.
#[derive(Clone)]
struct Gesture {
    kind: Kind,
    modes: [Resonator; 2 * MODES],
    /// Each mode's gain: its level over the resonator's gain for a unit pulse.
    mode_gain: [f32; 2 * MODES],
    /// The counter's thud (bottles and the till) and its gain.
    thud: Resonator,
    thud_gain: f32,
    /// The contact pulse: length (samples), the gain that gives it unit area, and the sample
    /// being played (`MAX_PULSE`: none).
    pulse_len: usize,
    pulse_norm: f32,
    pulse_pos: usize,
    /// Level of the impact's noise (see [`Object::click`]).
    click: f32,
    /// This strike's force, and the gesture's first.
    force: f32,
    force0: f32,
    /// Samples until the next strike, and strikes left after it.
    wait: u32,
    strikes_left: u32,
    /// Gap between strikes (seconds), for the kinds that repeat.
    gap_secs: (f32, f32),
    /// The till's drawer rolling out: noise through a band, its length and samples left (in
    /// samples), its gain.
    roll: Resonator,
    roll_len: u32,
    roll_left: u32,
    roll_gain: f32,
    /// Distance: the one-pole low-pass coefficient and state, the pan gains (with level).
    lp: f32,
    lp_y: f32,
    gains: (f32, f32),
    r: Rng,
}

impl Default for Gesture {
    fn default() -> Self {
        Gesture {
            kind: Kind::Idle,
            modes: [Resonator::default(); 2 * MODES],
            mode_gain: [0.0; 2 * MODES],
            thud: Resonator::default(),
            thud_gain: 0.0,
            pulse_len: 1,
            pulse_norm: 1.0,
            click: 0.0,
            pulse_pos: MAX_PULSE,
            force: 0.0,
            force0: 0.0,
            wait: 0,
            strikes_left: 0,
            gap_secs: (0.05, 0.1),
            roll: Resonator::default(),
            roll_len: 1,
            roll_left: 0,
            roll_gain: 0.0,
            lp: 1.0,
            lp_y: 0.0,
            gains: (0.0, 0.0),
            r: rng(1),
        }
    }
}

/// The bar and tables of a venue, stereo.
#[derive(Clone)]
pub struct Bar {
    seed: u64,
    sr: f32,
    /// Gestures a second at `busy` = 1 (0: no bar in earshot).
    rate: f32,
    /// Whether the till is in earshot (the bar is in the room).
    till: bool,
    /// Distance factor for the listener's seat.
    distance: f32,
    gestures: [Gesture; POOL],
}

fn pick(r: &mut Rng, (a, b): (f32, f32)) -> f32 {
    a + (b - a) * uniform(r)
}

/// A value between `a` and `b` spread evenly on a log scale (frequencies, times).
fn pick_log(r: &mut Rng, (a, b): (f32, f32)) -> f32 {
    a * (b / a).powf(uniform(r))
}

impl Bar {
    /// The bar for `cfg` at `sample_rate`.
    pub fn new(cfg: &BarConfig, sample_rate: f64) -> Self {
        let people = (cfg.audience.max(1) as f32 / REFERENCE_AUDIENCE)
            .powf(AUDIENCE_EXPONENT)
            .min(MAX_AUDIENCE_FACTOR);
        Bar {
            seed: cfg.seed,
            sr: sample_rate as f32,
            rate: GESTURES_PER_SEC * venue_share(cfg.venue) * people,
            till: cfg.venue == VenueKind::Club,
            distance: listener_distance(cfg.listener),
            gestures: std::array::from_fn(|_| Gesture::default()),
        }
    }

    /// Write the next chunk into `out` (overwriting it).
    pub fn render(&mut self, info: ChunkInfo, ctl: &BarControl, out: &mut Stereo) {
        out.clear();
        if self.rate > 0.0 {
            self.spawn(info, ctl.busy.clamp(0.0, 1.0));
        }
        for g in self.gestures.iter_mut().filter(|g| g.kind != Kind::Idle) {
            g.render(self.sr, out);
        }
    }

    /// Draw this chunk's arrivals: Poisson events from a stream keyed by the chunk's index.
    fn spawn(&mut self, info: ChunkInfo, busy: f32) {
        let chunk = info.frame / CHUNK as u64;
        let mut r = rng(splitmix64(
            self.seed ^ chunk.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        ));
        let dt = CHUNK as f32 / self.sr;
        let activity = IDLE_SHARE + (1.0 - IDLE_SHARE) * busy;
        // Put down more firmly when the room is loud and busy, gently under a ballad.
        let firmness = db_to_gain(-8.0 * (1.0 - busy));
        if uniform(&mut r) < self.rate * activity * dt {
            let mut u = uniform(&mut r);
            let kind = KIND_WEIGHTS
                .iter()
                .find(|(_, w)| {
                    u -= w;
                    u < 0.0
                })
                .map_or(Kind::Glass, |(k, _)| *k);
            let seed = splitmix64(r.next_u64());
            self.start(kind, 0, firmness, None, seed);
        }
        if uniform(&mut r) < TRAYS_PER_SEC * self.rate / GESTURES_PER_SEC * busy * dt {
            // A tray: glasses and cutlery from one place, over a second or so.
            let n = pick(&mut r, TRAY_GESTURES) as usize;
            let span = pick(&mut r, TRAY_SECS) * self.sr;
            let place = Some(r.next_u64());
            for _ in 0..n {
                let kind = if uniform(&mut r) < 0.65 {
                    Kind::TrayGlass
                } else {
                    Kind::Cutlery
                };
                let delay = (uniform(&mut r) * span) as u32;
                let seed = r.next_u64();
                self.start(kind, delay, firmness, place, seed);
            }
        }
        if self.till && uniform(&mut r) < TILLS_PER_SEC * busy * dt {
            let seed = r.next_u64();
            self.start(Kind::Till, 0, firmness, None, seed);
        }
    }

    /// Start a gesture of `kind` after `delay` samples, from `place`'s seed (or its own), if
    /// the pool has room.
    fn start(&mut self, kind: Kind, delay: u32, firmness: f32, place: Option<u64>, seed: u64) {
        let Some(g) = self.gestures.iter_mut().find(|g| g.kind == Kind::Idle) else {
            return;
        };
        let sr = self.sr;
        let mut r = rng(seed);
        // Where: the same place for every gesture of a tray.
        let mut at = rng(place.unwrap_or_else(|| r.next_u64()));
        let dist = pick(&mut at, DISTANCE_M) * self.distance;
        let pan = pan_gains(pick(&mut at, (-0.95, 0.95)));
        let level = db_to_gain(pick(&mut r, STRIKE_DB)) * firmness * (NEAR_M / dist).min(1.0);
        let corner = NEAR_CORNER_HZ * CORNER_PER_DOUBLING.powf((dist / NEAR_M).log2());
        *g = Gesture {
            kind,
            lp: one_pole_coef_hz(corner, sr),
            gains: (pan.0 * level, pan.1 * level),
            wait: delay,
            force: 1.0,
            force0: 1.0,
            ..Gesture::default()
        };
        let contact = match kind {
            Kind::Glass => g.tune(&mut r, &GLASS, sr),
            Kind::TrayGlass => g.tune(&mut r, &TRAY_GLASS, sr),
            Kind::Bottle => {
                g.tune_thud(&mut r, sr);
                if uniform(&mut r) < ROCK_CHANCE {
                    g.strikes_left = 1;
                    g.gap_secs = ROCK_GAP_SECS;
                }
                g.tune(&mut r, &BOTTLE, sr)
            }
            Kind::Cutlery => {
                g.strikes_left = pick(&mut r, CUTLERY_TAPS) as u32 - 1;
                g.gap_secs = CUTLERY_GAP_SECS;
                g.tune(&mut r, &CUTLERY, sr)
            }
            Kind::Ice => {
                g.strikes_left = pick(&mut r, ICE_TAPS) as u32 - 1;
                g.gap_secs = ICE_GAP_SECS;
                (g.force0, g.force) = (ICE_FORCE, ICE_FORCE);
                g.tune(&mut r, &ICE, sr)
            }
            Kind::Till => {
                // The drawer rolls out, stops with a thud, and the coins in it clink.
                g.tune_thud(&mut r, sr);
                let hz = pick_log(&mut r, TILL_ROLL_HZ);
                g.roll = Resonator::new(hz, TILL_ROLL_Q, sr);
                g.roll_gain = TILL_ROLL_LEVEL * Resonator::noise_gain(hz, TILL_ROLL_Q, sr);
                g.roll_len = (pick(&mut r, TILL_ROLL_SECS) * sr) as u32;
                g.roll_left = g.roll_len;
                g.wait += g.roll_len;
                g.strikes_left = 2;
                g.gap_secs = CUTLERY_GAP_SECS;
                g.tune(&mut r, &CUTLERY, sr);
                pick_log(&mut r, BOTTLE.contact_secs)
            }
            Kind::Idle => 0.0,
        };
        g.pulse_len = ((contact * sr) as usize).clamp(1, MAX_PULSE);
        // Unit area: the modes below the pulse's corner ring at their levels.
        g.pulse_norm = (0..g.pulse_len)
            .map(|k| half_sine(k, g.pulse_len))
            .sum::<f32>()
            .recip();
        if g.wait == 0 {
            g.pulse_pos = 0;
        }
        g.r = r;
    }
}

impl Gesture {
    /// Tune the modes to `obj`'s: a fundamental in its range, the others at its ratios, each
    /// at its level (with a little random spread) and ringing for its decay (shorter the
    /// higher); returns the contact time drawn for it (seconds).
    fn tune(&mut self, r: &mut Rng, obj: &Object, sr: f32) -> f32 {
        let (hz, ratios, levels, t60) = (obj.hz, &obj.ratios, &obj.levels, obj.t60_secs);
        let f0 = pick_log(r, hz);
        let t0 = pick_log(r, t60);
        for k in 0..MODES {
            let ratio = pick(r, ratios[k]);
            let spread = db_to_gain(3.0 * bipolar(r));
            let twin = 1.0 + pick(r, obj.twin_detune);
            let twin_level = pick(r, obj.twin_level);
            for (j, (f, level)) in [(f0 * ratio, 1.0), (f0 * ratio * twin, twin_level)]
                .into_iter()
                .enumerate()
            {
                let m = 2 * k + j;
                if f > 0.45 * sr {
                    self.mode_gain[m] = 0.0;
                    continue;
                }
                let (res, unit) = ringing(f, t0 / ratio.sqrt(), sr);
                self.modes[m] = res;
                self.mode_gain[m] = levels[k] * spread * level / unit;
            }
        }
        self.click = obj.click;
        pick_log(r, obj.contact_secs)
    }

    /// Tune the counter's thud.
    fn tune_thud(&mut self, r: &mut Rng, sr: f32) {
        let (res, unit) = ringing(pick_log(r, THUD_HZ), pick(r, THUD_T60_SECS), sr);
        self.thud = res;
        self.thud_gain = THUD_LEVEL / unit;
    }

    fn render(&mut self, sr: f32, out: &mut Stereo) {
        for i in 0..CHUNK {
            let mut y = 0.0;
            if self.roll_left > 0 {
                self.roll_left -= 1;
                // The rollers: noise, swelling and fading over the run.
                let env = half_sine(
                    (self.roll_len - self.roll_left - 1) as usize,
                    self.roll_len as usize,
                );
                y += self.roll.tick(bipolar(&mut self.r)) * self.roll_gain * env;
            }
            if self.wait > 0 {
                self.wait -= 1;
                if self.wait == 0 {
                    self.pulse_pos = 0;
                }
            } else if self.pulse_pos == MAX_PULSE && self.strikes_left > 0 && i == 0 {
                // Between strikes: schedule the next one (once per chunk is fine for gaps of
                // tens of milliseconds).
                self.strikes_left -= 1;
                self.wait = (pick(&mut self.r, self.gap_secs) * sr) as u32;
                self.force = self.force0 * (0.3 + 0.7 * uniform(&mut self.r));
            }
            let x = if self.pulse_pos < self.pulse_len {
                let shape = half_sine(self.pulse_pos, self.pulse_len);
                self.pulse_pos += 1;
                if self.pulse_pos == self.pulse_len {
                    self.pulse_pos = MAX_PULSE;
                }
                y += self.click * self.force * shape * bipolar(&mut self.r);
                shape * self.pulse_norm * self.force
            } else {
                0.0
            };
            for (mode, gain) in self.modes.iter_mut().zip(&self.mode_gain) {
                y += mode.tick(x) * gain;
            }
            if self.thud_gain > 0.0 {
                y += self.thud.tick(x) * self.thud_gain;
            }
            self.lp_y += self.lp * (y - self.lp_y);
            out.l[i] += self.lp_y * self.gains.0;
            out.r[i] += self.lp_y * self.gains.1;
        }
        let resting = self.wait == 0 && self.pulse_pos == MAX_PULSE && self.strikes_left == 0;
        let out_gain = self.gains.0 * self.gains.0 + self.gains.1 * self.gains.1;
        if resting && self.roll_left == 0 && self.energy() * out_gain < SILENT_POWER {
            self.kind = Kind::Idle;
        }
    }

    /// Energy left in the modes and the thud, at unit gain.
    fn energy(&self) -> f32 {
        let modes: f32 = (self.modes.iter().zip(&self.mode_gain))
            .map(|(m, g)| m.state_energy() * g * g)
            .sum();
        modes + self.thud.state_energy() * self.thud_gain * self.thud_gain + self.lp_y * self.lp_y
    }
}

/// Sample `k` of a half-sine `len` samples long (peak 1).
fn half_sine(k: usize, len: usize) -> f32 {
    (std::f32::consts::PI * (k as f32 + 0.5) / len as f32).sin()
}

/// A resonator at `hz` whose ring decays by 60 dB in `t60` seconds, and the amplitude of its
/// ring after a unit impulse (to divide by).
fn ringing(hz: f32, t60: f32, sr: f32) -> (Resonator, f32) {
    // Pole radius for the decay, and the RBJ band-pass's Q that puts its poles there.
    let radius = (-6.907_755 / (t60 * sr)).exp();
    let r2 = radius * radius;
    let alpha = (1.0 - r2) / (1.0 + r2);
    let w = std::f32::consts::TAU * hz / sr;
    let res = Resonator::new(hz, w.sin() / (2.0 * alpha), sr);
    // b0·(1 − z⁻²) over the pole pair rings at about 2·b0 after a unit impulse.
    let (b0, _, _) = res.coefficients();
    (res, 2.0 * b0)
}

impl Instrument for Bar {
    type Config = BarConfig;
    type Control = BarControl;
    type Inputs = U1;
    const ID: u64 = 0x636f_6e63_6261_7272; // "concbarr"

    fn build(cfg: &BarConfig, sample_rate: f64) -> Self {
        Bar::new(cfg, sample_rate)
    }

    /// How busy the bar is (0..=1), from the node's input.
    fn control(&self, inputs: &[f32], _info: ChunkInfo) -> BarControl {
        BarControl {
            busy: inputs[0].clamp(0.0, 1.0),
        }
    }

    fn render(&mut self, info: ChunkInfo, ctl: &BarControl, out: &mut Stereo) {
        Bar::render(self, info, ctl, out);
    }
}

/// The bar as a fundsp node: one input, how busy it is (0..=1), read every [`CHUNK`]
/// frames; two outputs, left and right.
///
/// ```
/// use concert::instruments::bar::{BarConfig, bar};
/// use concert::kit::{Listener, VenueKind};
/// use fundsp::prelude32::*;
///
/// let cfg = BarConfig { venue: VenueKind::Club, audience: 80, listener: Listener::Floor, seed: 3 };
/// let mut graph = dc(0.8) >> bar(cfg);
/// graph.set_sample_rate(48_000.0);
/// let frame = graph.get_stereo();
/// assert!(frame.0.is_finite() && frame.1.is_finite());
/// ```
pub fn bar(cfg: BarConfig) -> An<InstrumentNode<Bar>> {
    An(InstrumentNode::new(cfg))
}

#[cfg(test)]
mod tests {
    use fundsp::prelude32::{BufferArray, BufferRef, U2, dc, highpass_hz, lowpass_hz};

    use super::*;

    const SR: f64 = 48_000.0;

    fn cfg(venue: VenueKind, audience: u32) -> BarConfig {
        BarConfig {
            venue,
            audience,
            listener: Listener::Floor,
            seed: 5,
        }
    }

    /// `secs` of `bar` at a constant `busy`, mono (left + right).
    fn render(bar: &mut Bar, busy: f32, secs: f64) -> Vec<f32> {
        let mut out = Vec::new();
        let mut chunk = Stereo::default();
        let mut frame = 0;
        while (out.len() as f64) < secs * SR {
            let info = ChunkInfo {
                frame,
                sample_rate: SR,
            };
            bar.render(info, &BarControl { busy }, &mut chunk);
            out.extend((0..CHUNK).map(|i| chunk.l[i] + chunk.r[i]));
            frame += CHUNK as u64;
        }
        out
    }

    /// One gesture of `kind` on its own, from `seed`, struck at frame 0 of a silent bar.
    fn one(kind: Kind, seed: u64, secs: f64) -> Vec<f32> {
        let mut bar = Bar::new(&cfg(VenueKind::Club, 60), SR);
        // No arrivals of its own (rate 0): only the gesture we start.
        bar.rate = 0.0;
        bar.start(kind, 0, 1.0, None, seed);
        render(&mut bar, 1.0, secs)
    }

    /// `x` through a second-order band from `lo_hz` to `hi_hz` (fundsp's filters).
    fn band(x: &[f32], lo_hz: f32, hi_hz: f32) -> Vec<f32> {
        let mut f = highpass_hz(lo_hz, 0.707) >> lowpass_hz(hi_hz, 0.707);
        f.set_sample_rate(SR);
        x.iter().map(|v| f.filter_mono(*v)).collect()
    }

    fn energy(x: &[f32]) -> f64 {
        x.iter().map(|v| f64::from(*v).powi(2)).sum()
    }

    /// Level (dB) of every 2 ms frame.
    fn frames_db(x: &[f32]) -> Vec<f64> {
        x.chunks(96)
            .map(|w| 10.0 * (energy(w) / w.len() as f64).max(1e-30).log10())
            .collect()
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    #[test]
    fn a_clink_is_a_bright_broadband_strike_that_rings_briefly() {
        let (mut shares, mut t20s) = (Vec::new(), Vec::new());
        for seed in 0..24 {
            let x = one(Kind::Glass, seed, 1.0);
            // Energy concentrated 2–8 kHz, as the real restaurant's clinks (whose partials lie
            // at 2–12 kHz, mostly 3–9 kHz).
            shares.push(energy(&band(&x, 2000.0, 8000.0)) / energy(&band(&x, 100.0, 20_000.0)));
            // Broadband onset: the loudest 2 ms is within the first 4 ms.
            let db = frames_db(&x);
            let peak = (0..db.len())
                .max_by(|a, b| db[*a].total_cmp(&db[*b]))
                .unwrap();
            assert!(peak <= 1, "seed {seed}: the loudest frame is frame {peak}");
            let hi = frames_db(&band(&x, 4000.0, 16_000.0));
            assert!(
                hi[0] > db[0] - 12.0,
                "seed {seed}: the strike reaches the top octaves ({:.1} vs {:.1} dB)",
                hi[0],
                db[0]
            );
            // Then it rings and dies: 20 dB down after ...
            let t20 = db.iter().skip(peak).position(|v| *v < db[peak] - 20.0);
            let t20 = t20.expect("it dies away within a second") as f64 * 0.002;
            t20s.push(t20);
            assert!(
                db[db.len() - 10..].iter().all(|v| *v < db[peak] - 60.0),
                "seed {seed}: silent after a second"
            );
        }
        let share = median(shares.clone());
        assert!(
            share > 0.6,
            "2–8 kHz share of a clink {share:.2}: {shares:.2?}"
        );
        // 20 dB of a 60 dB decay: T60s of roughly 50–400 ms (measured rings of the real
        // restaurant's clinks: 15–400 ms over the chatter).
        let t20 = median(t20s.clone());
        assert!(
            (0.017..0.13).contains(&t20),
            "median time to fall 20 dB {t20:.3} s: {t20s:.3?}"
        );
    }

    #[test]
    fn every_kind_sounds_and_ends() {
        for kind in [
            Kind::Glass,
            Kind::TrayGlass,
            Kind::Bottle,
            Kind::Cutlery,
            Kind::Ice,
            Kind::Till,
        ] {
            let mut bar = Bar::new(&cfg(VenueKind::Club, 60), SR);
            bar.rate = 0.0;
            bar.start(kind, 0, 1.0, None, 9);
            let x = render(&mut bar, 1.0, 2.0);
            let peak = x.iter().fold(0.0f32, |p, v| p.max(v.abs()));
            assert!(
                peak > 1e-3 && peak < 0.5,
                "{kind:?} peaks at {peak} (about −45 to −6 dBFS)"
            );
            assert!(x.iter().all(|v| v.is_finite()));
            assert!(
                bar.gestures.iter().all(|g| g.kind == Kind::Idle),
                "{kind:?} has ended and left the pool"
            );
        }
        // A bottle on the counter has the wood's thud under its ring; a glass has none.
        let low = |kind| {
            let x = one(kind, 4, 0.5);
            energy(&band(&x, 60.0, 400.0)) / energy(&x)
        };
        assert!(low(Kind::Bottle) > 5.0 * low(Kind::Glass));
    }

    /// Strikes a second in `x`: 2 ms frames of the 2–8 kHz band that jump 10 dB over the
    /// quietest of the 10 ms before them and are above −90 dBFS.
    fn strikes_per_sec(x: &[f32]) -> f64 {
        let db = frames_db(&band(x, 2000.0, 8000.0));
        let onsets = (5..db.len())
            .filter(|&k| {
                let floor = db[k - 5..k].iter().copied().fold(f64::INFINITY, f64::min);
                db[k] > -90.0 && db[k] > floor + 10.0 && db[k - 1] <= floor + 10.0
            })
            .count();
        onsets as f64 / (x.len() as f64 / SR)
    }

    #[test]
    fn busy_sets_the_rate_and_a_field_or_an_arena_has_no_bar() {
        let club = |busy| {
            strikes_per_sec(&render(
                &mut Bar::new(&cfg(VenueKind::Club, 60), SR),
                busy,
                20.0,
            ))
        };
        let (busy, quiet) = (club(1.0), club(0.0));
        // About 2.8 gestures a second, 2.2 strikes each: 6 strikes a second, of which the
        // mix of the early-days show lets about 1.2 a second rise out of the chatter, as in the
        // real restaurant (1.3).
        assert!(
            (3.5..10.0).contains(&busy),
            "busy club: {busy:.2} strikes/s"
        );
        assert!(
            quiet > 0.05 && quiet < 0.25 * busy,
            "a quiet club still puts a glass down now and then: {quiet:.2} strikes/s"
        );
        let theatre = strikes_per_sec(&render(
            &mut Bar::new(&cfg(VenueKind::Theatre, 1200), SR),
            1.0,
            20.0,
        ));
        assert!(
            theatre > 0.0 && theatre < 0.6 * busy,
            "a theatre's bar is in its foyer: {theatre:.2} strikes/s"
        );
        for venue in [VenueKind::OpenAir, VenueKind::Arena, VenueKind::Stadium] {
            let x = render(&mut Bar::new(&cfg(venue, 30_000), SR), 1.0, 5.0);
            assert!(
                x.iter().all(|v| *v == 0.0),
                "{venue:?} has no bar in earshot"
            );
        }
    }

    #[test]
    fn the_node_is_the_instrument_at_any_block_size_and_the_seed_decides() {
        let secs = 3.0;
        let frames = (secs * SR) as usize;
        let c = cfg(VenueKind::Club, 200);
        // The instrument alone, mono, against the node: left and right summed.
        let direct = render(&mut Bar::new(&c, SR), 0.8, secs);
        let mut node = dc(0.8) >> bar(c);
        node.set_sample_rate(SR);
        let ticked: Vec<f32> = (0..frames)
            .map(|_| {
                let (l, r) = node.get_stereo();
                l + r
            })
            .collect();
        assert_eq!(ticked, direct[..frames]);
        let mut node = dc(0.8) >> bar(c);
        node.set_sample_rate(SR);
        let mut blocks = Vec::new();
        let mut out = BufferArray::<U2>::new();
        while blocks.len() < frames {
            let n = 37.min(frames - blocks.len());
            node.process(n, &BufferRef::empty(), &mut out.buffer_mut());
            blocks.extend((0..n).map(|i| out.at_f32(0, i) + out.at_f32(1, i)));
        }
        assert_eq!(blocks, ticked, "blocks of 37 frames");
        assert!(direct.iter().any(|v| *v != 0.0));
        let other = render(&mut Bar::new(&BarConfig { seed: 6, ..c }, SR), 0.8, secs);
        assert_ne!(other, direct, "another seed, other glasses");
    }
}
