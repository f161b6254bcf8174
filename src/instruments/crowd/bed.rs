//! The diffuse bed under the near talkers: the rest of the room, too far and too many to tell
//! apart. Pink noise per channel (decorrelated left and right) through three broad formant
//! bands whose gains are gated at syllable rate by independent "far talker" gates; the more
//! people, the more gates overlap and the smoother (less modulated) the hubbub. The same bands
//! become the mass of a roar (louder, open vowels, a dark top) and of a chant (gated by the
//! chant's syllables).
//!
//! Cost is constant in audience size: size changes the gate depth, not the number of units.
//!
//! Must not touch: the near talkers, the layer's level plan.

use super::voice::{AH, FormantBank, Formants, lerp_formants};
use crate::kit::splitmix64;
use crate::kit::{CHUNK, Stereo};
use crate::kit::{Rng, rng, uniform};
use crate::kit::{one_pole_coef, xorshift_bipolar24};

/// Band centres (Hz) of far chatter: a smeared average of speech vowels.
const BABBLE_HZ: Formants = [480.0, 1400.0, 2600.0];
/// Band centres (Hz) of a far roar: open, shouted vowels.
const SHOUT_HZ: Formants = [780.0, 1500.0, 2900.0];
/// Band quality: broad, so the bed never whistles.
const BAND_Q: [f32; 3] = [1.6, 2.2, 2.6];
/// Relative weight of each band.
const BAND_WEIGHT: [f32; 3] = [1.0, 0.8, 0.5];
/// How much of its top band (2.9 kHz) a far roar loses. A real cheering crowd falls off
/// steeply above 1.1 kHz (−21 dB at 2.3 kHz, −27 at 3.2 kHz re its total); a roar bed brightened
/// there with excitement (up to 1.9× the band, as it once was) was an even hiss over the
/// shouting, and with a steady low end heard as a passing car or a hair dryer (*Vehicle* 0.05–0.06
/// on the crowd stem at six of ten lights-downs and finales, two seeds).
const ROAR_DARK_TOP: f32 = 0.6;
/// How much of a far roar's level follows the far talkers' gates: half, where a quarter left it
/// an almost steady noise (a crowd roars in bursts of voices, not as a fan does).
const ROAR_GATE_DEPTH: f32 = 0.5;
/// Chant gate: the bed's level between chanted syllables (share of its level on them). A
/// crowd breathes between syllables, it does not switch off: at 0.15 the bed becomes bursts
/// of hiss gated with every syllable.
const CHANT_FLOOR: f32 = 0.6;
/// How much of the chant bed's level follows the far talkers' own gates, band by band, so
/// the bands do not rise and fall in lock-step.
const CHANT_GATE_DEPTH: f32 = 0.35;

/// A syllable-rate gate standing for a group of far talkers.
#[derive(Clone, Copy, Default)]
struct Gate {
    value: f32,
    target: f32,
    next: f64,
}

/// What the bed should sound like during one chunk.
#[derive(Debug, Clone, Copy, Default)]
pub struct BedControl {
    /// Level of far chatter.
    pub murmur: f32,
    /// Level of the far roar.
    pub roar: f32,
    /// Level of the far chant.
    pub chant: f32,
    /// The chant's syllable envelope now, 0..=1.
    pub chant_env: f32,
    /// The chant's vowel now.
    pub chant_vowel: Formants,
    /// Excitement 0..=1 (how open the roar's vowels are).
    pub energy: f32,
}

/// Pink noise: xorshift white noise through Paul Kellett's pinking filter (the one fundsp's
/// `pink()` uses, ±0.05 dB above 9 Hz), in `f32` with its six one-pole sections laid out as
/// vectors so they update together.
#[derive(Clone, Copy)]
struct Pink {
    state: u32,
    b: [f32; 8],
    b6: f32,
}

/// Pole of each pinking section (two idle lanes).
const PINK_POLE: [f32; 8] = [0.99886, 0.99332, 0.969, 0.8665, 0.55, -0.7616, 0.0, 0.0];
/// Input weight of each pinking section.
const PINK_IN: [f32; 8] = [
    0.0555179, 0.0750759, 0.153852, 0.3104856, 0.5329522, -0.016898, 0.0, 0.0,
];

impl Pink {
    fn new(seed: u64) -> Self {
        Pink {
            state: (splitmix64(seed) as u32) | 1,
            b: [0.0; 8],
            b6: 0.0,
        }
    }

    #[inline(always)]
    fn tick(&mut self) -> f32 {
        let x = xorshift_bipolar24(&mut self.state);
        self.b = std::array::from_fn(|k| PINK_POLE[k] * self.b[k] + x * PINK_IN[k]);
        let sum = ((self.b[0] + self.b[1]) + (self.b[2] + self.b[3]))
            + ((self.b[4] + self.b[5]) + (self.b[6] + self.b[7]));
        let out = (sum + self.b6 + x * 0.5362) * 0.115_830_42;
        self.b6 = x * 0.115926;
        out
    }
}

/// The diffuse crowd bed.
#[derive(Clone)]
pub struct Bed {
    sr: f32,
    noise: [Pink; 2],
    /// Three broad band-passes (zeros at DC and Nyquist) per channel.
    res: [FormantBank; 2],
    gates: [[Gate; 3]; 2],
    gain: [[f32; 3]; 2],
    freq: Formants,
    rng: Rng,
    depth: f32,
}

impl Bed {
    /// A bed for `audience` people.
    pub fn new(audience: u32, seed: u64, sample_rate: f64) -> Self {
        let sr = sample_rate as f32;
        let noise = [Pink::new(seed ^ 0x11), Pink::new(seed ^ 0x22)];
        let mut bands = FormantBank::new(1.0);
        for (k, (hz, q)) in BABBLE_HZ.iter().zip(BAND_Q).enumerate() {
            bands.tune(k, *hz, q, 1.0, sr);
        }
        let res = [bands; 2];
        // Modulation depth falls as more far talkers overlap: ~0.7 at 60 people, ~0.25 at 15,000.
        let density = (f64::from(audience.max(10)) / 20.0).log10() as f32;
        Bed {
            sr,
            noise,
            res,
            gates: [[Gate {
                value: 1.0,
                target: 1.0,
                next: 0.0,
            }; 3]; 2],
            gain: [[0.0; 3]; 2],
            freq: BABBLE_HZ,
            rng: rng(seed),
            depth: (0.9 / (1.0 + 0.9 * density * density)).clamp(0.12, 0.8),
        }
    }

    /// Add one chunk of the bed, starting at show time `t`, into `out`.
    pub fn render_add(&mut self, t: f64, dt: f64, c: &BedControl, out: &mut Stereo) {
        let total = c.murmur + c.roar + c.chant;
        let alpha = one_pole_coef(dt, 0.03);
        for ch in 0..2 {
            for g in &mut self.gates[ch] {
                if t >= g.next {
                    let on = uniform(&mut self.rng) < 0.65;
                    g.target = if on {
                        1.0 - 0.3 * self.depth * uniform(&mut self.rng)
                    } else {
                        1.0 - self.depth
                    };
                    g.next = t + 0.08 + 0.14 * f64::from(uniform(&mut self.rng));
                }
                g.value += (g.target - g.value) * alpha;
            }
        }
        let silent = self.gain.iter().flatten().all(|g| *g == 0.0);
        if total <= 1e-6 && silent {
            return;
        }
        // Band centres follow whoever dominates: chatter, roar or chant.
        let w = total.max(1e-6);
        let shout = lerp_formants(SHOUT_HZ, AH, -0.1 * c.energy);
        let roar_share = c.roar / w;
        let chant_share = c.chant / w;
        let mut f = lerp_formants(BABBLE_HZ, shout, roar_share);
        f = lerp_formants(f, c.chant_vowel, chant_share * 0.7);
        self.freq = f;
        // Both channels share their tuning: tune once, copy the coefficients.
        for (k, (hz, q)) in self.freq.iter().zip(BAND_Q).enumerate() {
            self.res[0].tune(k, *hz, q, 1.0, self.sr);
        }
        let [left, right] = &mut self.res;
        right.copy_tuning(left);
        let bright = [1.0, 1.0, 1.0 - ROAR_DARK_TOP * roar_share];
        for ch in 0..2 {
            let mut target = [0.0f32; 3];
            for k in 0..3 {
                let gate = self.gates[ch][k].value;
                target[k] = BAND_WEIGHT[k]
                    * (c.murmur * gate
                        + c.roar * (1.0 - ROAR_GATE_DEPTH + ROAR_GATE_DEPTH * gate) * bright[k]
                        + c.chant
                            * (CHANT_FLOOR + (1.0 - CHANT_FLOOR) * c.chant_env)
                            * (1.0 - CHANT_GATE_DEPTH + CHANT_GATE_DEPTH * gate));
            }
            let [s0, s1, s2] = [0, 1, 2].map(|k| (target[k] - self.gain[ch][k]) / CHUNK as f32);
            let step = [s0, s1, s2, 0.0];
            let [g0, g1, g2] = self.gain[ch];
            let mut g = [g0, g1, g2, 0.0];
            let buf = if ch == 0 { &mut out.l } else { &mut out.r };
            let mut bands = self.res[ch];
            let mut noise = self.noise[ch];
            for s in buf.iter_mut() {
                g = std::array::from_fn(|k| g[k] + step[k]);
                *s += bands.tick_mix(noise.tick(), &g);
            }
            self.res[ch] = bands;
            self.noise[ch] = noise;
            self.gain[ch] = target;
        }
    }
}
