//! The tone every clap shares on its way to the listener: a broad low thump under the hands'
//! ring, a top that falls away above a few kHz, and little under 150 Hz.
//!
//! Why a shared stage: the clappers (and the far field's grains) each ring through their own
//! hands' resonance (the air pocket between the palms, 0.4–2.6 kHz) over a short white burst.
//! Held against the real applause recording (`../shared/reference/real-applause.wav`, 1–9 s),
//! the spectrum those make was wrong at both ends in every venue, in the same way:
//! - 6–9 dB too little in the 200–315 Hz thirds (a club: −34.2/−31.3/−26.2 dB of the total
//!   against −27.8/−22.0/−20.1): the dull slap of the palms under the ring;
//! - 3 and 5 dB too much in the 4 and 8 kHz octaves (−11.3/−16.6 against −14.2/−21.5): a white
//!   burst is flat to the top of the band, where a clap between soft palms falls away;
//! - 10 dB too much at 100 Hz (−43 against −56): hands are small sources that radiate little
//!   that low.
//!
//! The three are linear and alike for every clap, so one filter over the sum does what one per
//! clapper would, at the cost of one: a peak of [`BODY_DB`] at [`BODY_HZ`], a one-pole low-pass
//! at [`TOP_HZ`] and a one-pole high-pass at [`FLOOR_HZ`]. With it, the built-in shows'
//! applause moments (two seeds) read applause 0.78 → 0.82 on the stem and 0.73 → 0.77 on the
//! mix, and seven venue and listener variants 0.81 → 0.85 and 0.68 → 0.73 (0.3–0.6 kHz stays
//! within a dB of the real share); at +9 dB the mix read *Engine* in two moments.
//!
//! Must not touch: when and how hard anyone claps (`instruments::applause`).

use crate::kit::{Resonator, Stereo, one_pole_coef_hz};

/// Centre of the palms' low thump (Hz).
pub const BODY_HZ: f32 = 240.0;
/// Quality of the thump's band: broad, about 170–340 Hz.
pub const BODY_Q: f32 = 1.4;
/// Height of the thump over the rest of the clap (dB).
pub const BODY_DB: f32 = 6.0;
/// Corner of the top's fall (Hz, one pole: −6 dB per octave above it).
pub const TOP_HZ: f32 = 7_000.0;
/// Corner under which the hands radiate less and less (Hz, one pole).
pub const FLOOR_HZ: f32 = 150.0;

/// Below this, every state of the filter counts as silent (about −180 dBFS).
const QUIET: f32 = 1e-9;

/// The shared clap tone, per stereo channel.
#[derive(Clone)]
pub struct ClapTone {
    body: [Resonator; 2],
    /// `10^(BODY_DB/20) − 1`: the resonator's unit-peak band added to the dry signal.
    body_gain: f32,
    top_coef: f32,
    floor_coef: f32,
    top: [f32; 2],
    floor: [f32; 2],
}

impl ClapTone {
    /// The clap tone at `sample_rate`.
    pub fn new(sample_rate: f32) -> Self {
        ClapTone {
            body: [Resonator::new(BODY_HZ, BODY_Q, sample_rate); 2],
            body_gain: 10f32.powf(BODY_DB / 20.0) - 1.0,
            top_coef: one_pole_coef_hz(TOP_HZ, sample_rate),
            floor_coef: one_pole_coef_hz(FLOOR_HZ, sample_rate),
            top: [0.0; 2],
            floor: [0.0; 2],
        }
    }

    /// Filter a chunk in place. A silent chunk after the tail has died costs nothing, and the
    /// states are cleared there instead of decaying through denormals.
    pub fn process(&mut self, out: &mut Stereo) {
        let silent = out.l.iter().chain(&out.r).all(|v| *v == 0.0);
        if silent && self.is_quiet() {
            return;
        }
        for (ch, buf) in [&mut out.l, &mut out.r].into_iter().enumerate() {
            let (body, top, floor) = (&mut self.body[ch], &mut self.top[ch], &mut self.floor[ch]);
            for v in buf.iter_mut() {
                let y = *v + self.body_gain * body.tick(*v);
                *top += self.top_coef * (y - *top);
                *floor += self.floor_coef * (*top - *floor);
                *v = *top - *floor;
            }
        }
        if silent && self.is_quiet() {
            self.reset();
        }
    }

    fn is_quiet(&self) -> bool {
        self.body.iter().all(|b| b.state_energy() < QUIET * QUIET)
            && self.top.iter().chain(&self.floor).all(|s| s.abs() < QUIET)
    }

    fn reset(&mut self) {
        for b in &mut self.body {
            b.reset();
        }
        self.top = [0.0; 2];
        self.floor = [0.0; 2];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kit::CHUNK;

    /// Gain (dB) of the clap tone for a sine at `hz`, from its settled output.
    fn gain_db(hz: f32) -> f32 {
        let sr = 48_000.0;
        let mut tone = ClapTone::new(sr);
        let mut chunk = Stereo::default();
        let (mut pin, mut pout) = (0.0f64, 0.0f64);
        for k in 0..400 {
            for i in 0..CHUNK {
                let t = (k * CHUNK + i) as f32 / sr;
                let x = (std::f32::consts::TAU * hz * t).sin();
                chunk.l[i] = x;
                chunk.r[i] = x;
            }
            let input = chunk.l;
            tone.process(&mut chunk);
            if k >= 200 {
                pin += input.iter().map(|v| f64::from(v * v)).sum::<f64>();
                pout += chunk.l.iter().map(|v| f64::from(v * v)).sum::<f64>();
            }
        }
        (10.0 * (pout / pin).log10()) as f32
    }

    #[test]
    fn a_thump_near_240_hz_a_falling_top_and_a_thin_bottom() {
        let (low, body, ring, top) = (
            gain_db(80.0),
            gain_db(240.0),
            gain_db(1_200.0),
            gain_db(10_000.0),
        );
        println!("80 Hz {low:.1} dB, 240 Hz {body:.1}, 1.2 kHz {ring:.1}, 10 kHz {top:.1}");
        // The floor's high-pass takes 1.5 dB off the thump's peak.
        assert!(
            (3.5..6.0).contains(&(body - ring)),
            "thump {body} over ring {ring}"
        );
        assert!(ring.abs() < 1.0, "the ring passes: {ring}");
        assert!((-6.0..-3.0).contains(&(top - ring)), "top {top}");
        assert!(low < body - 6.0, "80 Hz {low} under the thump {body}");
    }

    #[test]
    fn silence_stays_silent_and_free() {
        let mut tone = ClapTone::new(48_000.0);
        let mut chunk = Stereo::default();
        chunk.l[0] = 1.0;
        tone.process(&mut chunk);
        for _ in 0..4_000 {
            chunk.clear();
            tone.process(&mut chunk);
        }
        assert!(tone.is_quiet(), "the tail dies and the states clear");
        chunk.clear();
        tone.process(&mut chunk);
        assert!(chunk.l.iter().chain(&chunk.r).all(|v| *v == 0.0));
    }
}
