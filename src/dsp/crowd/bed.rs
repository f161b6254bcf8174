//! The diffuse bed under the near talkers: the rest of the room, too far and too many to tell
//! apart. Pink noise per channel (decorrelated left and right) through three broad formant
//! bands whose gains are gated at syllable rate by independent "far talker" gates; the more
//! people, the more gates overlap and the smoother (less modulated) the hubbub. The same bands
//! become the mass of a roar (brighter, louder) and of a chant (gated by the chant's syllables).
//!
//! Cost is constant in audience size: size changes the gate depth, not the number of units.
//!
//! Must not touch: the near talkers, the layer's level plan.

use fundsp::prelude64::{An, Noise, Pinkpass, Pipe, pink};

use super::voice::{AH, Formant, Formants, lerp_formants};
use crate::dsp::util::{Rng, rng, uniform};
use crate::dsp::{CHUNK, Stereo};

/// Band centres (Hz) of far chatter: a smeared average of speech vowels.
const BABBLE_HZ: Formants = [480.0, 1400.0, 2600.0];
/// Band centres (Hz) of a far roar: open, shouted vowels.
const SHOUT_HZ: Formants = [780.0, 1500.0, 2900.0];
/// Band quality: broad, so the bed never whistles.
const BAND_Q: [f32; 3] = [1.6, 2.2, 2.6];
/// Relative weight of each band.
const BAND_WEIGHT: [f32; 3] = [1.0, 0.8, 0.5];

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
    /// Excitement 0..=1 (brightness of the roar).
    pub energy: f32,
}

/// The diffuse crowd bed.
pub struct Bed {
    sr: f32,
    noise: [An<Pipe<Noise, Pinkpass<f64>>>; 2],
    res: [[Formant; 3]; 2],
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
        let mut noise = [pink().seed(seed ^ 0x11), pink().seed(seed ^ 0x22)];
        for n in &mut noise {
            n.set_sample_rate(sample_rate);
        }
        let res = [0, 1].map(|_| [0, 1, 2].map(|k| Formant::new(BABBLE_HZ[k], BAND_Q[k], sr)));
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
        let alpha = (1.0 - (-dt / 0.03).exp()) as f32;
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
        for bands in &mut self.res {
            for ((r, f), q) in bands.iter_mut().zip(self.freq).zip(BAND_Q) {
                r.tune(f, q, self.sr);
            }
        }
        let bright = [
            1.0,
            1.0 + 0.4 * c.energy * roar_share,
            1.0 + 0.9 * c.energy * roar_share,
        ];
        for ch in 0..2 {
            let mut target = [0.0f32; 3];
            for k in 0..3 {
                let gate = self.gates[ch][k].value;
                target[k] = BAND_WEIGHT[k]
                    * (c.murmur * gate
                        + c.roar * (0.75 + 0.25 * gate) * bright[k]
                        + c.chant * (0.15 + 0.85 * c.chant_env));
            }
            let step = [0, 1, 2].map(|k| (target[k] - self.gain[ch][k]) / CHUNK as f32);
            let mut g = self.gain[ch];
            let buf = if ch == 0 { &mut out.l } else { &mut out.r };
            let [r0, r1, r2] = &mut self.res[ch];
            for s in buf.iter_mut() {
                g[0] += step[0];
                g[1] += step[1];
                g[2] += step[2];
                let n = self.noise[ch].get_mono();
                *s += g[0] * r0.tick(n) + g[1] * r1.tick(n) + g[2] * r2.tick(n);
            }
            self.gain[ch] = target;
        }
    }
}
