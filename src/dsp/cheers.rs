//! The "cheers" stem: one-shot crowd events scattered in time, stereo and distance — "woo"s
//! with arcing pitch glides, screams with 30–150 Hz roughness and wide pitch motion, finger
//! whistles (1–4 kHz sine glides of 200–800 ms) and short shouts.
//!
//! Events are drawn once per chunk as Poisson arrivals at the rates in [`Params`]
//! (`cheer_rate`, `whistle_rate`, `scream_rate`), from a random stream derived from the show
//! seed, the moment's id and the chunk's index inside the moment: a moment's events depend on
//! nothing else, and a render started mid-moment draws the same events. Voices live in fixed
//! pools; a full pool drops the newest event (it would be masked anyway).
//!
//! Must not touch: the crowd's talkers and bed (`dsp::crowd`), applause.

use crate::dsp::crowd::voice::{
    AE, AH, EE, EH, Formant, Formants, OH, OO, Voice, VoiceControl, lerp_formants,
};
use crate::dsp::util::{Rng, pan_gains, rng, semis, smooth01, uniform};
use crate::dsp::{CHUNK, ChunkInfo, Layer, Stereo};
use crate::show::{Params, Show, derive_seed, splitmix64};

/// Voice events ("woo", scream, shout) that can sound at once.
pub const VOICE_POOL: usize = 12;
/// Whistles that can sound at once.
pub const WHISTLE_POOL: usize = 5;

/// Peak gain of a near, loud voice event (about −12 dBFS peak).
const VOICE_GAIN: f32 = 0.22;
/// Peak gain of a near, loud whistle (about −12 dBFS peak).
const WHISTLE_GAIN: f32 = 0.25;

/// The kinds of one-shot crowd event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheerKind {
    /// "Woo!": a smooth rising-falling pitch arc on "oo".
    Woo,
    /// A scream: high, rough (30–150 Hz amplitude modulation), wide pitch wobble.
    Scream,
    /// A finger whistle: a 1–4 kHz sine glide.
    Whistle,
    /// A short shout ("hey!", "yeah!").
    Shout,
}

/// A voice event in flight.
#[derive(Clone)]
struct VoiceEvent {
    sr: f64,
    voice: Voice,
    active: bool,
    start: f64,
    dur: f64,
    att: f64,
    rel: f64,
    f0: f32,
    st: [f32; 3],
    peak_at: f32,
    v0: Formants,
    v1: Formants,
    amp: f32,
    bright: f32,
    breath: f32,
    jitter: f32,
    fric: f32,
    rough_depth: f32,
    rough_hz: f32,
    wobble_hz: f32,
    wobble_st: f32,
}

/// A whistle in flight.
#[derive(Clone, Copy)]
struct WhistleEvent {
    active: bool,
    start: f64,
    dur: f64,
    hz: [f32; 3],
    peak_at: f32,
    amp: f32,
    pan: (f32, f32),
    re: f32,
    im: f32,
    env: f32,
    noise: u32,
    air: Formant,
}

fn range(r: &mut Rng, a: f32, b: f32) -> f32 {
    a + (b - a) * uniform(r)
}

/// Where an event comes from: (pan, gain by distance, brightness loss by distance).
fn place(r: &mut Rng) -> (f32, f32, f32) {
    let dist_m = 1.5 + 14.0 * uniform(r).powf(0.7);
    (
        range(r, -1.0, 1.0),
        (2.0 / dist_m).min(1.0),
        -0.3 * dist_m / 15.5,
    )
}

impl VoiceEvent {
    fn idle(sample_rate: f64) -> Self {
        VoiceEvent {
            sr: sample_rate,
            voice: Voice::new(0, sample_rate),
            active: false,
            start: 0.0,
            dur: 1.0,
            att: 0.05,
            rel: 0.1,
            f0: 300.0,
            st: [0.0; 3],
            peak_at: 0.5,
            v0: OO,
            v1: OO,
            amp: 0.0,
            bright: 0.5,
            breath: 0.2,
            jitter: 0.02,
            fric: 0.0,
            rough_depth: 0.0,
            rough_hz: 60.0,
            wobble_hz: 5.0,
            wobble_st: 0.0,
        }
    }

    /// Start an event of `kind` at `t` with everything drawn from `r`.
    fn spawn(&mut self, kind: CheerKind, t: f64, energy: f32, hush: f32, r: &mut Rng, near: bool) {
        let female = uniform(r) < 0.55;
        let lift = semis(2.0 * energy);
        let (pan, dist_gain, dist_bright) = if near { (0.0, 1.0, 0.0) } else { place(r) };
        self.voice = Voice::new(splitmix64(r.next_u64_compat()), self.sr);
        self.voice.set_pan(pan);
        self.active = true;
        self.start = t;
        self.rough_depth = 0.0;
        self.wobble_st = 0.0;
        self.fric = 0.0;
        let loud = (0.55 + 0.45 * energy) * (1.0 - 0.4 * hush) * dist_gain;
        match kind {
            CheerKind::Woo => {
                self.dur = f64::from(range(r, 0.5, 1.2));
                self.att = 0.06;
                self.rel = 0.2;
                self.f0 = lift
                    * if female {
                        range(r, 330.0, 520.0)
                    } else {
                        range(r, 190.0, 300.0)
                    };
                self.st = [
                    range(r, -4.0, -1.0),
                    range(r, 6.0, 12.0),
                    range(r, -3.0, 2.0),
                ];
                self.peak_at = range(r, 0.35, 0.6);
                self.v0 = OO;
                self.v1 = lerp_formants(OO, OH, 0.3);
                self.amp = loud * range(r, 0.6, 1.0);
                self.bright = 0.6;
                self.breath = 0.2;
                self.jitter = 0.015;
            }
            CheerKind::Scream => {
                self.dur = f64::from(range(r, 0.6, 1.8));
                self.att = 0.05;
                self.rel = 0.25;
                self.f0 = lift
                    * if female {
                        range(r, 750.0, 1250.0)
                    } else {
                        range(r, 420.0, 700.0)
                    };
                self.st = [
                    range(r, -3.0, 0.0),
                    range(r, 1.0, 4.0),
                    range(r, -8.0, -3.0),
                ];
                self.peak_at = range(r, 0.2, 0.5);
                let v = [AH, AE, EE, EH][(uniform(r) * 4.0) as usize % 4];
                self.v0 = v;
                self.v1 = lerp_formants(v, AH, 0.5);
                self.amp = loud * range(r, 0.7, 1.0);
                self.bright = 0.95;
                self.breath = 0.4;
                self.jitter = 0.06;
                self.rough_depth = range(r, 0.55, 0.85);
                self.rough_hz = range(r, 35.0, 140.0);
                self.wobble_hz = range(r, 4.0, 9.0);
                self.wobble_st = range(r, 1.0, 3.0);
            }
            CheerKind::Shout | CheerKind::Whistle => {
                self.dur = f64::from(range(r, 0.2, 0.5));
                self.att = 0.03;
                self.rel = 0.08;
                self.f0 = lift
                    * if female {
                        range(r, 300.0, 450.0)
                    } else {
                        range(r, 170.0, 270.0)
                    };
                let (v0, v1, fric) = [(EH, EE, 0.6), (EE, AE, 0.0), (OH, OO, 0.3), (AH, AH, 0.0)]
                    [(uniform(r) * 4.0) as usize % 4];
                self.st = [range(r, 0.0, 2.0), range(r, 2.0, 5.0), range(r, -5.0, -2.0)];
                self.peak_at = 0.3;
                self.v0 = lerp_formants(v0, AH, 0.2);
                self.v1 = lerp_formants(v1, AH, 0.2);
                self.fric = fric;
                self.amp = loud * range(r, 0.6, 1.0);
                self.bright = 0.8;
                self.breath = 0.3;
                self.jitter = 0.035;
            }
        }
        self.bright = (self.bright + dist_bright).clamp(0.0, 1.0);
        let fscale = if female { 1.17 } else { 1.0 };
        self.v0 = self.v0.map(|f| f * fscale);
        self.v1 = self.v1.map(|f| f * fscale);
    }

    fn render(&mut self, t: f64, out: &mut Stereo) {
        let local = t - self.start;
        let u = (local / self.dur).clamp(0.0, 1.0) as f32;
        let env = if local >= self.dur {
            0.0
        } else {
            smooth01(local / self.att) * smooth01((self.dur - local) / self.rel)
        };
        let st = if u < self.peak_at {
            self.st[0] + (self.st[1] - self.st[0]) * smooth01(f64::from(u / self.peak_at))
        } else {
            self.st[1]
                + (self.st[2] - self.st[1])
                    * smooth01(f64::from((u - self.peak_at) / (1.0 - self.peak_at)))
        };
        let wobble = self.wobble_st * (std::f32::consts::TAU * self.wobble_hz * local as f32).sin();
        let c = VoiceControl {
            f0_hz: self.f0 * semis(st + wobble),
            formants_hz: lerp_formants(self.v0, self.v1, smooth01(f64::from(u) * 1.5)),
            amp: self.amp * env * VOICE_GAIN,
            breath: self.breath,
            bright: self.bright,
            fric: if local < 0.08 {
                self.fric * self.amp * VOICE_GAIN * (1.0 - (local / 0.08) as f32)
            } else {
                0.0
            },
            rough_depth: self.rough_depth,
            rough_hz: self.rough_hz
                * (1.0 + 0.1 * (std::f32::consts::TAU * 1.3 * local as f32).sin()),
            jitter: self.jitter,
        };
        self.voice.render_add(&c, out);
        if local >= self.dur && !self.voice.is_awake() {
            self.active = false;
        }
    }
}

/// Draw a `u64` from our generator (rand's `Rng` trait is not in scope everywhere).
trait NextU64 {
    fn next_u64_compat(&mut self) -> u64;
}

impl NextU64 for Rng {
    fn next_u64_compat(&mut self) -> u64 {
        use rand::Rng as _;
        self.next_u64()
    }
}

impl WhistleEvent {
    fn idle(sample_rate: f64) -> Self {
        WhistleEvent {
            active: false,
            start: 0.0,
            dur: 0.5,
            hz: [2000.0; 3],
            peak_at: 0.5,
            amp: 0.0,
            pan: (0.7, 0.7),
            re: 1.0,
            im: 0.0,
            env: 0.0,
            noise: 1,
            air: Formant::new(2000.0, 8.0, sample_rate as f32),
        }
    }

    fn spawn(&mut self, t: f64, energy: f32, hush: f32, r: &mut Rng, near: bool) {
        let (pan, dist_gain, _) = if near { (0.0, 1.0, 0.0) } else { place(r) };
        let lo = range(r, 1000.0, 2200.0);
        let hi = (lo * range(r, 1.3, 2.2)).min(4000.0);
        // Shapes: a plain rise, a rise-and-fall ("wolf"), or a falling call.
        let (hz, peak_at) = match (uniform(r) * 3.0) as u32 {
            0 => ([lo, hi, hi * 0.97], 0.8),
            1 => ([lo, hi, lo * range(r, 0.8, 1.1)], range(r, 0.3, 0.55)),
            _ => ([hi, hi * 1.02, lo], 0.1),
        };
        *self = WhistleEvent {
            active: true,
            start: t,
            dur: f64::from(range(r, 0.2, 0.8)),
            hz,
            peak_at,
            amp: (0.6 + 0.4 * energy) * (1.0 - 0.5 * hush) * dist_gain * range(r, 0.6, 1.0),
            pan: pan_gains(pan),
            re: 1.0,
            im: 0.0,
            env: 0.0,
            noise: (r.next_u64_compat() as u32) | 1,
            air: self.air,
        };
    }

    fn render(&mut self, t: f64, sample_rate: f32, out: &mut Stereo) {
        let local = t - self.start;
        let u = (local / self.dur).clamp(0.0, 1.0) as f32;
        let f = if u < self.peak_at {
            self.hz[0] + (self.hz[1] - self.hz[0]) * smooth01(f64::from(u / self.peak_at))
        } else {
            self.hz[1]
                + (self.hz[2] - self.hz[1])
                    * smooth01(f64::from(
                        (u - self.peak_at) / (1.0 - self.peak_at).max(1e-3),
                    ))
        };
        let target = if local >= self.dur {
            0.0
        } else {
            smooth01(local / 0.02) * smooth01((self.dur - local) / 0.04) * self.amp * WHISTLE_GAIN
        };
        let w = std::f32::consts::TAU * f / sample_rate;
        let (s, c) = w.sin_cos();
        self.air.tune(f, 6.0, sample_rate);
        let step = (target - self.env) / CHUNK as f32;
        for i in 0..CHUNK {
            // A rotating phasor: one complex multiply per sample instead of a sine.
            let re = self.re * c - self.im * s;
            self.im = self.re * s + self.im * c;
            self.re = re;
            self.env += step;
            // xorshift32 noise for the breath around the tone.
            self.noise ^= self.noise << 13;
            self.noise ^= self.noise >> 17;
            self.noise ^= self.noise << 5;
            let n = (self.noise as f32 / u32::MAX as f32) * 2.0 - 1.0;
            let y = self.env * (self.im + 0.5 * self.air.tick(n));
            out.l[i] += y * self.pan.0;
            out.r[i] += y * self.pan.1;
        }
        // Keep the phasor on the unit circle.
        let m = (self.re * self.re + self.im * self.im).sqrt();
        self.re /= m;
        self.im /= m;
        self.env = target;
        if local >= self.dur {
            self.active = false;
            self.air.reset();
        }
    }
}

/// The cheers layer: "woo"s, screams, whistles and shouts.
pub struct CheersLayer {
    voices: Vec<VoiceEvent>,
    whistles: Vec<WhistleEvent>,
    moment_seeds: Vec<u64>,
    moment_starts: Vec<f64>,
    gap_seed: u64,
    sr: f64,
}

impl CheersLayer {
    /// A cheers layer for `show`, with randomness from `seed`.
    pub fn new(show: &Show, seed: u64, sample_rate: f64) -> Self {
        CheersLayer {
            voices: vec![VoiceEvent::idle(sample_rate); VOICE_POOL],
            whistles: vec![WhistleEvent::idle(sample_rate); WHISTLE_POOL],
            moment_seeds: show
                .moments
                .iter()
                .map(|m| derive_seed(seed, &format!("cheers:{}", m.id)))
                .collect(),
            moment_starts: show.moments.iter().map(|m| m.start_secs).collect(),
            gap_seed: derive_seed(seed, "cheers:gap"),
            sr: sample_rate,
        }
    }

    fn spawn(&mut self, kind: CheerKind, t: f64, p: &Params, r: &mut Rng) {
        if kind == CheerKind::Whistle {
            if let Some(w) = self.whistles.iter_mut().find(|w| !w.active) {
                w.spawn(t, p.energy, p.hush, r, false);
            }
        } else if let Some(v) = self.voices.iter_mut().find(|v| !v.active) {
            v.spawn(kind, t, p.energy, p.hush, r, false);
        }
    }

    /// One event of `kind` alone, near and centred, as mono samples (`secs` long): for tests
    /// and measurements of what each kind sounds like.
    pub fn render_solo(kind: CheerKind, seed: u64, sample_rate: f64, secs: f64) -> Vec<f32> {
        let mut r = rng(seed);
        let mut out = Vec::with_capacity((secs * sample_rate) as usize + CHUNK);
        let mut chunk = Stereo::default();
        let mut v = VoiceEvent::idle(sample_rate);
        let mut w = WhistleEvent::idle(sample_rate);
        if kind == CheerKind::Whistle {
            w.spawn(0.0, 0.8, 0.0, &mut r, true);
        } else {
            v.spawn(kind, 0.0, 0.8, 0.0, &mut r, true);
        }
        let mut frame = 0u64;
        while (out.len() as f64) < secs * sample_rate {
            chunk.clear();
            let t = frame as f64 / sample_rate;
            if kind == CheerKind::Whistle {
                if w.active {
                    w.render(t, sample_rate as f32, &mut chunk);
                }
            } else if v.active {
                v.render(t, &mut chunk);
            }
            out.extend(
                chunk
                    .l
                    .iter()
                    .zip(&chunk.r)
                    .map(|(l, r)| (l + r) * std::f32::consts::FRAC_1_SQRT_2),
            );
            frame += CHUNK as u64;
        }
        out.truncate((secs * sample_rate) as usize);
        out
    }
}

impl Layer for CheersLayer {
    fn render(&mut self, info: ChunkInfo, params: &Params, out: &mut Stereo) {
        out.clear();
        let t = info.secs();
        let dt = CHUNK as f64 / info.sample_rate;
        // The chunk's own random stream: (show seed, moment id, chunk index in the moment).
        let (seed, start) = params.moment.map_or((self.gap_seed, 0.0), |m| {
            (self.moment_seeds[m], self.moment_starts[m])
        });
        let k = ((t - start) / dt).round().max(0.0) as u64;
        let mut r = rng(splitmix64(seed ^ k.wrapping_mul(0x9e37_79b9_7f4a_7c15)));
        let sparse = 1.0 - 0.5 * params.hush;
        let rates = [
            (CheerKind::Woo, 0.6 * params.cheer_rate * sparse),
            (CheerKind::Shout, 0.4 * params.cheer_rate * sparse),
            (CheerKind::Whistle, params.whistle_rate * sparse),
            (CheerKind::Scream, params.scream_rate * sparse),
        ];
        for (kind, rate) in rates {
            if uniform(&mut r) < (f64::from(rate.max(0.0)) * dt) as f32 {
                self.spawn(kind, t, params, &mut r);
            }
        }
        for v in self.voices.iter_mut().filter(|v| v.active) {
            v.render(t + dt, out);
        }
        let sr = self.sr as f32;
        for w in self.whistles.iter_mut().filter(|w| w.active) {
            w.render(t + dt, sr, out);
        }
    }
}
