//! Room tone: the sound of a room with people in it when nobody is cheering — the air of a
//! large space full of breathing, fidgeting listeners, plus sparse coughs and shuffles (a seat
//! creaks, a coat rustles, someone clears their throat during the ballad).
//!
//! Why: a real audience is never silent. Without this the mix fell to digital silence between
//! the ballad's phrases (−84 dBFS), which a listener hears as a broken recording, and a classifier
//! as "Silence". The air is pink noise band-limited to 70 Hz–2.6 kHz with a slow level drift (a
//! static hiss reads as a machine); events are short noise gestures through resonators, drawn as
//! Poisson arrivals per chunk from a stream keyed by the chunk's index, so they do not depend on
//! the block size and a moment edited earlier in the show does not move them.
//!
//! Levels are absolute (dBFS, dry, before the venue): the air sits near −60 dBFS and the events a
//! few dB over it, far under any talking or clapping, which mask them (as in a real room) rather
//! than being switched off. More people make a louder, denser room; a hush makes people cough.
//!
//! Must not touch: the talkers (sparse chatter and distant shouts are the crowd layer's), the
//! room's reverb (the engine sends this through the venue like any other crowd sound).

use fundsp::prelude32::{AudioUnit, highpass_hz, lowpass_hz, pink};
use rand::Rng as _;

use crate::kit::VenueKind;
use crate::kit::splitmix64;
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::kit::{Resonator, Rng, bipolar, db_to_gain, pan_gains, rng, uniform};

/// Band of the room's air (Hz): no rumble under it (a low drone reads as an engine) and little
/// above it (a bright hiss reads as steam or rain).
const AIR_BAND_HZ: (f32, f32) = (70.0, 2600.0);
/// RMS level of the air in a room of [`REFERENCE_AUDIENCE`] people (dBFS, dry).
const AIR_DB: f32 = -59.0;
/// Audience the levels are quoted for.
const REFERENCE_AUDIENCE: f32 = 1000.0;
/// How much louder the room gets per tenfold more people (dB): more bodies, more movement.
const DB_PER_DECADE: f32 = 1.5;
/// Depth (dB, peak) and rate of the air's slow level drift.
const AIR_DRIFT_DB: f32 = 1.5;
const AIR_DRIFT_SECS: (f64, f64) = (1.5, 4.0);

/// Shuffles (clothes, seats, feet) per second near the listener, at any audience size (the
/// nearest few dozen people are what one hears).
const SHUFFLES_PER_SEC: f32 = 1.4;
/// Peak level of a shuffle (dBFS), before distance.
const SHUFFLE_DB: (f32, f32) = (-52.0, -40.0);
/// Centre of a shuffle's noise band (Hz) and its quality: broad, woolly noise.
const SHUFFLE_HZ: (f32, f32) = (250.0, 2800.0);
const SHUFFLE_Q: (f32, f32) = (0.7, 1.6);
/// Attack and length of a shuffle (seconds).
const SHUFFLE_ATTACK_SECS: (f32, f32) = (0.03, 0.15);
const SHUFFLE_SECS: (f32, f32) = (0.15, 0.7);

/// Coughs per second near the listener; a hush makes them [`HUSH_COUGH_FACTOR`] times as common
/// (people hold them through loud songs, and a quiet one is when a throat gives way).
const COUGHS_PER_SEC: f32 = 0.09;
const HUSH_COUGH_FACTOR: f32 = 2.5;
/// Peak level of a cough (dBFS), before distance: it carries further than a shuffle.
const COUGH_DB: (f32, f32) = (-40.0, -26.0);
/// A cough is 1–3 bursts: an explosive release, then turbulent noise through an open vowel.
const COUGH_BURSTS: (u32, u32) = (1, 3);
const COUGH_BURST_GAP_SECS: (f32, f32) = (0.22, 0.45);
/// Decay time constant of one burst (seconds): ~0.2–0.35 s to fade out.
const COUGH_DECAY_SECS: (f32, f32) = (0.045, 0.09);
/// The two vocal-tract resonances a cough passes through (Hz), and their quality.
const COUGH_F1_HZ: (f32, f32) = (450.0, 800.0);
const COUGH_F2_HZ: (f32, f32) = (1100.0, 1900.0);
const COUGH_Q: f32 = 3.0;
/// Share of unfiltered noise in the explosive first 15 ms: the broadband "click" of the glottis
/// opening, which is what makes it a cough and not a sigh.
const COUGH_CLICK_SECS: f32 = 0.015;
/// Level of that click against the voiced body, and its one-pole low-pass coefficient (about
/// 6 kHz at 48 kHz).
const COUGH_CLICK_SHARE: f32 = 0.7;
const COUGH_CLICK_LP: f32 = 0.55;

/// Samples between new random amplitudes of a shuffle's grain (2 ms at 48 kHz).
const GRAIN_SAMPLES: u32 = 96;

/// Events sounding at once; a new one beyond that is dropped (it would be masked anyway).
const POOL: usize = 6;

/// A plain description of the room, so this node can be used without a show.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoomToneConfig {
    /// The kind of venue (open air has less of a room).
    pub venue: VenueKind,
    /// How many people are there.
    pub audience: u32,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Idle,
    Shuffle,
    Cough,
}

/// One shuffle or cough.
#[derive(Clone)]
struct Event {
    kind: Kind,
    /// Seconds since the event began.
    t: f32,
    len: f32,
    attack: f32,
    decay: f32,
    gain: f32,
    /// Cough bursts left after the current one, and the time the next begins.
    bursts_left: u32,
    next_burst: f32,
    burst_t: f32,
    pan: (f32, f32),
    a: Resonator,
    b: Resonator,
    /// Gains that bring each resonator's output to the power of the noise it was fed.
    norm: (f32, f32),
    /// One-pole low-pass state of the click (a cough's burst carries little above ~6 kHz).
    click_lp: f32,
    noise: Rng,
    /// Slow random amplitude of a shuffle (fabric and feet are granular, not steady).
    grain: f32,
    /// Samples rendered since the event began.
    samples: u32,
}

impl Default for Event {
    fn default() -> Self {
        Event {
            kind: Kind::Idle,
            t: 0.0,
            len: 0.0,
            attack: 0.01,
            decay: 0.05,
            gain: 0.0,
            bursts_left: 0,
            next_burst: 0.0,
            burst_t: 0.0,
            pan: (0.7, 0.7),
            a: Resonator::default(),
            b: Resonator::default(),
            norm: (1.0, 1.0),
            click_lp: 0.0,
            noise: rng(1),
            grain: 1.0,
            samples: 0,
        }
    }
}

/// What changes while the room plays.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RoomToneControl {
    /// 1 while the audience holds its breath for a ballad: more (suppressed) coughs.
    pub hush: f32,
}

/// The room tone of a venue: air plus sparse coughs and shuffles, stereo.
#[derive(Clone)]
pub struct RoomTone {
    seed: u64,
    sr: f32,
    air: [Box<dyn AudioUnit>; 2],
    /// The air's last sample per channel, where the next interpolation segment starts.
    air_last: [f32; 2],
    air_gain: f32,
    drift: f32,
    drift_target: f32,
    drift_next: f64,
    drift_rng: Rng,
    events: [Event; POOL],
    /// Gain of events for the audience size (a small club is quieter in absolute terms).
    size_gain: f32,
}

/// The air runs at a quarter of the output rate and is interpolated linearly up to it: it is
/// band-limited to 2.6 kHz anyway, and the pink noise and two filters per channel per sample
/// were 17 % of a whole show's render (perf, starlight-finale). The interpolation's images
/// (above 9 kHz) lie more than 24 dB under air that is itself near −59 dBFS.
const AIR_DECIMATION: usize = 4;
/// Where each output sample of a segment lies between two air samples.
const AIR_STEPS: [f32; AIR_DECIMATION] = [0.25, 0.5, 0.75, 1.0];
const _: () = assert!(CHUNK.is_multiple_of(AIR_DECIMATION));

/// Air that comes out of `pink()` and the band at about −17 dBFS RMS; this brings it to 0 dBFS
/// RMS before the level is applied (measured on renders).
const AIR_NORM: f32 = 7.1;

impl RoomTone {
    /// A room tone for `cfg` at `sample_rate`, with all randomness from `seed`.
    pub fn new(cfg: RoomToneConfig, seed: u64, sample_rate: f64) -> Self {
        let sr = sample_rate as f32;
        let make = |s: u64| -> Box<dyn AudioUnit> {
            let mut unit = Box::new(
                pink().seed(s) >> highpass_hz(AIR_BAND_HZ.0, 0.7) >> lowpass_hz(AIR_BAND_HZ.1, 0.6),
            );
            unit.set_sample_rate(sample_rate / AIR_DECIMATION as f64);
            unit.allocate();
            unit
        };
        let decades = (cfg.audience.max(10) as f32 / REFERENCE_AUDIENCE).log10();
        let venue_db = match cfg.venue {
            // Under the sky the air is thinner: no walls to hold the rustle in.
            VenueKind::OpenAir | VenueKind::Stadium => -2.0,
            _ => 0.0,
        };
        let size_db = DB_PER_DECADE * decades + venue_db;
        RoomTone {
            seed,
            sr,
            air: [make(splitmix64(seed ^ 0xA1)), make(splitmix64(seed ^ 0xA2))],
            air_last: [0.0; 2],
            air_gain: AIR_NORM * db_to_gain(AIR_DB + size_db),
            drift: 0.0,
            drift_target: 0.0,
            drift_next: 0.0,
            drift_rng: rng(splitmix64(seed ^ 0xD1)),
            events: std::array::from_fn(|_| Event::default()),
            size_gain: db_to_gain(size_db.min(3.0)),
        }
    }

    /// Write the next chunk into `out` (overwriting it).
    pub fn render(&mut self, info: ChunkInfo, ctl: &RoomToneControl, out: &mut Stereo) {
        self.spawn(info, ctl);
        let secs = info.secs();
        if secs >= self.drift_next {
            let r = &mut self.drift_rng;
            self.drift_target = bipolar(r) * AIR_DRIFT_DB;
            let (a, b) = AIR_DRIFT_SECS;
            self.drift_next = secs + a + (b - a) * f64::from(uniform(r));
        }
        // One-pole glide toward the drift target over about a second.
        let k = CHUNK as f32 / self.sr;
        self.drift += (self.drift_target - self.drift) * k.min(1.0);
        let g = self.air_gain * db_to_gain(self.drift);
        let mut s = [0.0f32; 1];
        for (c, side) in [&mut out.l, &mut out.r].into_iter().enumerate() {
            for seg in side.chunks_exact_mut(AIR_DECIMATION) {
                self.air[c].tick(&[], &mut s);
                let (from, to) = (self.air_last[c], s[0] * g);
                for (j, v) in seg.iter_mut().enumerate() {
                    *v = from + (to - from) * AIR_STEPS[j];
                }
                self.air_last[c] = to;
            }
        }
        let dt = 1.0 / self.sr;
        for e in &mut self.events {
            if e.kind != Kind::Idle {
                e.render(dt, out);
            }
        }
    }

    /// Draw this chunk's new events: Poisson arrivals from a stream keyed by the chunk index.
    fn spawn(&mut self, info: ChunkInfo, ctl: &RoomToneControl) {
        let chunk = info.frame / CHUNK as u64;
        let mut r = rng(splitmix64(self.seed ^ chunk.wrapping_mul(0x9E37_79B9)));
        let dt = CHUNK as f32 / self.sr;
        let coughs = COUGHS_PER_SEC * (1.0 + (HUSH_COUGH_FACTOR - 1.0) * ctl.hush);
        if uniform(&mut r) < SHUFFLES_PER_SEC * dt {
            let seed = r.next_u64();
            self.start(Kind::Shuffle, seed);
        }
        if uniform(&mut r) < coughs * dt {
            let seed = r.next_u64();
            self.start(Kind::Cough, seed);
        }
    }

    fn start(&mut self, kind: Kind, seed: u64) {
        let Some(e) = self.events.iter_mut().find(|e| e.kind == Kind::Idle) else {
            return;
        };
        let mut r = rng(seed);
        let mut pick = |(a, b): (f32, f32)| a + (b - a) * uniform(&mut r);
        let sr = self.sr;
        let pan = pan_gains(pick((-0.9, 0.9)));
        // Distance: most events come from a few metres away, some from further back.
        let near = pick((0.0, 1.0));
        let dist_db = -9.0 * near * near;
        *e = match kind {
            Kind::Shuffle => {
                let hz = pick(SHUFFLE_HZ);
                let q = pick(SHUFFLE_Q);
                Event {
                    kind,
                    len: pick(SHUFFLE_SECS),
                    attack: pick(SHUFFLE_ATTACK_SECS),
                    gain: db_to_gain(pick(SHUFFLE_DB) + dist_db),
                    pan,
                    a: Resonator::new(hz, q, sr),
                    norm: (Resonator::noise_gain(hz, q, sr), 0.0),
                    noise: rng(splitmix64(seed)),
                    ..Event::default()
                }
            }
            Kind::Cough => {
                let bursts = COUGH_BURSTS.0
                    + (pick((0.0, 1.0)) * (COUGH_BURSTS.1 - COUGH_BURSTS.0 + 1) as f32) as u32;
                let (f1, f2) = (pick(COUGH_F1_HZ), pick(COUGH_F2_HZ));
                Event {
                    kind,
                    len: f32::MAX,
                    attack: 0.004,
                    decay: pick(COUGH_DECAY_SECS),
                    gain: db_to_gain(pick(COUGH_DB) + dist_db),
                    bursts_left: bursts.min(COUGH_BURSTS.1) - 1,
                    next_burst: pick(COUGH_BURST_GAP_SECS),
                    pan,
                    a: Resonator::new(f1, COUGH_Q, sr),
                    b: Resonator::new(f2, COUGH_Q * 1.3, sr),
                    norm: (
                        Resonator::noise_gain(f1, COUGH_Q, sr),
                        Resonator::noise_gain(f2, COUGH_Q * 1.3, sr),
                    ),
                    noise: rng(splitmix64(seed)),
                    ..Event::default()
                }
            }
            Kind::Idle => Event::default(),
        };
        e.gain *= self.size_gain;
    }
}

impl Event {
    fn render(&mut self, dt: f32, out: &mut Stereo) {
        for i in 0..CHUNK {
            let n = bipolar(&mut self.noise);
            let y = match self.kind {
                Kind::Shuffle => {
                    if self.t >= self.len {
                        self.kind = Kind::Idle;
                        break;
                    }
                    // Rise, hold, fall over the shuffle's length, with granular flutter.
                    let rise = (self.t / self.attack).min(1.0);
                    let fall = ((self.len - self.t) / (0.4 * self.len)).min(1.0);
                    if self.samples.is_multiple_of(GRAIN_SAMPLES) {
                        self.grain = 0.35 + 0.65 * uniform(&mut self.noise);
                    }
                    self.a.tick(n) * self.norm.0 * rise * fall * self.grain * self.gain
                }
                Kind::Cough => {
                    if self.burst_t > 8.0 * self.decay {
                        if self.bursts_left == 0 {
                            self.kind = Kind::Idle;
                            break;
                        }
                        if self.t >= self.next_burst {
                            // Each further burst a little weaker, as the breath runs out.
                            self.bursts_left -= 1;
                            self.burst_t = 0.0;
                            self.gain *= 0.7;
                            self.next_burst = self.t + 0.35;
                        }
                    }
                    let u = self.burst_t;
                    let env = (u / self.attack).min(1.0) * (-u / self.decay).exp();
                    self.click_lp += COUGH_CLICK_LP * (n - self.click_lp);
                    let click = if u < COUGH_CLICK_SECS {
                        COUGH_CLICK_SHARE * self.click_lp
                    } else {
                        0.0
                    };
                    let body =
                        0.8 * self.a.tick(n) * self.norm.0 + 0.5 * self.b.tick(n) * self.norm.1;
                    self.burst_t += dt;
                    (body + click) * env * self.gain
                }
                Kind::Idle => 0.0,
            };
            out.l[i] += y * self.pan.0;
            out.r[i] += y * self.pan.1;
            self.t += dt;
            self.samples = self.samples.wrapping_add(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(cfg: RoomToneConfig, ctl: RoomToneControl, secs: f64) -> Vec<f32> {
        let sr = 48_000.0;
        let mut tone = RoomTone::new(cfg, 7, sr);
        let mut out = Vec::new();
        let mut chunk = Stereo::default();
        let mut frame = 0;
        while (out.len() / 2) < (secs * sr) as usize {
            tone.render(
                ChunkInfo {
                    frame,
                    sample_rate: sr,
                },
                &ctl,
                &mut chunk,
            );
            for i in 0..CHUNK {
                out.push(chunk.l[i]);
                out.push(chunk.r[i]);
            }
            frame += CHUNK as u64;
        }
        out
    }

    fn db(x: &[f32]) -> f32 {
        let ms = x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32;
        10.0 * ms.max(1e-20).log10()
    }

    #[test]
    fn the_room_is_quiet_but_never_silent() {
        let cfg = RoomToneConfig {
            venue: VenueKind::Arena,
            audience: 15_000,
        };
        let out = render(cfg, RoomToneControl::default(), 20.0);
        // Every half second sits between −70 and −45 dBFS: audible under a ballad, far under
        // any chatter.
        for (k, w) in out.chunks(48_000).enumerate() {
            let level = db(w);
            assert!(
                (-70.0..-45.0).contains(&level),
                "window {k}: {level:.1} dBFS"
            );
        }
    }

    #[test]
    fn coughs_and_shuffles_stand_out_of_the_air() {
        let cfg = RoomToneConfig {
            venue: VenueKind::Theatre,
            audience: 1200,
        };
        let hush = RoomToneControl { hush: 1.0 };
        let out = render(cfg, hush, 30.0);
        // 10 ms levels: events make the level jump well above the air's median.
        let mut levels: Vec<f32> = out.chunks(960).map(db).collect();
        levels.sort_by(f32::total_cmp);
        let median = levels[levels.len() / 2];
        let top = levels[levels.len() * 995 / 1000];
        assert!(
            top > median + 10.0,
            "events rise out of the air: median {median:.1}, top {top:.1}"
        );
    }

    #[test]
    fn bigger_audiences_make_a_louder_room() {
        let small = render(
            RoomToneConfig {
                venue: VenueKind::Club,
                audience: 60,
            },
            RoomToneControl::default(),
            8.0,
        );
        let big = render(
            RoomToneConfig {
                venue: VenueKind::Arena,
                audience: 15_000,
            },
            RoomToneControl::default(),
            8.0,
        );
        assert!(
            db(&big) > db(&small) + 2.0,
            "{} vs {}",
            db(&big),
            db(&small)
        );
    }
}
