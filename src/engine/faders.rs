//! An operator's faders on a running engine: crowd energy and applause (offsets on what the
//! show schedules), a level per layer and a master level. They only ever move by a live
//! control, so an offline render never sees them; at rest (every fader at its home value)
//! they change nothing, bit for bit, so a live run matches the WAV until someone touches one.
//!
//! Each fader glides linearly to its target over a ramp the caller chooses (at least
//! [`MIN_RAMP_SECS`], so no move clicks) and lands on it exactly.

use crate::kit::{CHUNK, Stereo};
use crate::show::Params;

/// The shortest glide a fader makes: a jump to a new level over less than this clicks.
pub const MIN_RAMP_SECS: f64 = 0.03;
/// The quietest a level fader goes before it is treated as off (dB).
pub const LEVEL_FLOOR_DB: f32 = -90.0;
/// The loudest a level fader goes (dB): more would only drive the master's limiter.
pub const LEVEL_MAX_DB: f32 = 12.0;

/// One of the operator's faders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fader {
    /// Crowd energy, −1..=1 added to what the show schedules (0 = as scheduled): louder
    /// roar, more cheers and whistles, a more excited murmur.
    Energy,
    /// Applause, −1..=1 added to the scheduled applause level (0 = as scheduled).
    Applause,
    /// A layer's level in dB (0 = as rendered offline), by its stem index.
    Layer(usize),
    /// The level of the whole mix in dB before the master's limiter (0 = as rendered).
    Master,
}

/// How many layers have a level fader.
const LAYERS: usize = crate::engine::LAYERS;
/// Slots: energy, applause, the layers, master.
const SLOTS: usize = LAYERS + 3;

impl Fader {
    fn slot(self) -> Option<usize> {
        match self {
            Fader::Energy => Some(0),
            Fader::Applause => Some(1),
            Fader::Layer(k) if k < LAYERS => Some(2 + k),
            Fader::Layer(_) => None,
            Fader::Master => Some(SLOTS - 1),
        }
    }

    /// The value a fader rests at (the show as written).
    fn home(self) -> f32 {
        match self {
            Fader::Energy | Fader::Applause => 0.0,
            Fader::Layer(_) | Fader::Master => 1.0,
        }
    }

    /// The fader's value for a setting given in its own unit (offset or dB), clamped to
    /// its range.
    fn value_of(self, setting: f32) -> f32 {
        match self {
            Fader::Energy | Fader::Applause => setting.clamp(-1.0, 1.0),
            Fader::Layer(_) | Fader::Master => {
                if setting.is_nan() || setting <= LEVEL_FLOOR_DB {
                    0.0
                } else {
                    10f32.powf(setting.min(LEVEL_MAX_DB) / 20.0)
                }
            }
        }
    }
}

/// A fader moving toward its target.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Glide {
    now: f32,
    target: f32,
    /// Change per chunk.
    step: f32,
}

/// Every fader of an engine.
#[derive(Debug, Clone, PartialEq)]
pub struct Faders {
    slots: [Glide; SLOTS],
    sample_rate: f64,
}

const ALL: [Fader; SLOTS] = {
    let mut all = [Fader::Master; SLOTS];
    all[0] = Fader::Energy;
    all[1] = Fader::Applause;
    let mut k = 0;
    while k < LAYERS {
        all[2 + k] = Fader::Layer(k);
        k += 1;
    }
    all
};

impl Faders {
    /// Every fader at home, for an engine at `sample_rate` Hz.
    pub fn new(sample_rate: f64) -> Self {
        Faders {
            slots: ALL.map(|f| Glide {
                now: f.home(),
                target: f.home(),
                step: 0.0,
            }),
            sample_rate,
        }
    }

    /// Move `fader` to `setting` (offset −1..=1 for energy and applause, dB for levels;
    /// below [`LEVEL_FLOOR_DB`] is off) over `ramp_secs`. Returns false for a layer that
    /// does not exist.
    pub fn set(&mut self, fader: Fader, setting: f32, ramp_secs: f64) -> bool {
        let Some(slot) = fader.slot() else {
            return false;
        };
        let target = fader.value_of(if setting.is_nan() { 0.0 } else { setting });
        let chunks = (ramp_secs.max(MIN_RAMP_SECS) * self.sample_rate / CHUNK as f64).max(1.0);
        let g = &mut self.slots[slot];
        g.target = target;
        g.step = (target - g.now).abs() / chunks as f32;
        true
    }

    /// The value `fader` has now (offset, or gain for levels).
    pub fn value(&self, fader: Fader) -> Option<f32> {
        fader.slot().map(|s| self.slots[s].now)
    }

    /// Whether every fader rests at home, so nothing needs to be applied.
    pub fn at_home(&self) -> bool {
        self.slots
            .iter()
            .zip(ALL)
            .all(|(g, f)| g.now == f.home() && g.target == f.home())
    }

    /// Advance every glide by one chunk.
    pub fn advance(&mut self) {
        for g in &mut self.slots {
            if g.now != g.target {
                g.now = if (g.target - g.now).abs() <= g.step {
                    g.target
                } else {
                    g.now + g.step.copysign(g.target - g.now)
                };
            }
        }
    }

    /// Shift the scheduled levels by the energy and applause faders.
    pub fn apply_params(&self, params: &mut Params) {
        let energy = self.slots[0].now;
        if energy != 0.0 {
            params.energy = (params.energy + energy).clamp(0.0, 1.0);
            params.roar = (params.roar + 0.6 * energy).clamp(0.0, 1.0);
            params.murmur = (params.murmur * (1.0 + energy)).max(0.0);
            params.cheer_rate =
                (params.cheer_rate * (1.0 + 1.5 * energy)).max(0.0) + 2.0 * energy.max(0.0);
            params.whistle_rate =
                (params.whistle_rate * (1.0 + energy)).max(0.0) + 0.8 * energy.max(0.0);
        }
        let applause = self.slots[1].now;
        if applause != 0.0 {
            params.applause = (params.applause + applause).clamp(0.0, 1.0);
        }
    }

    /// Scale layer `k`'s chunk by its level fader.
    pub fn apply_layer(&self, k: usize, x: &mut Stereo) {
        if let Some(g) = self.slots.get(2 + k).filter(|_| k < LAYERS) {
            scale(x, g.now);
        }
    }

    /// Scale the mix by the master fader.
    pub fn apply_master(&self, x: &mut Stereo) {
        scale(x, self.slots[SLOTS - 1].now);
    }
}

fn scale(x: &mut Stereo, gain: f32) {
    if gain != 1.0 {
        for v in x.l.iter_mut().chain(x.r.iter_mut()) {
            *v *= gain;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fader_glides_over_its_ramp_and_lands_exactly() {
        let sr = 48_000.0;
        let mut f = Faders::new(sr);
        assert!(f.at_home());
        assert!(f.set(Fader::Master, -6.0, 0.1));
        let chunks = (0.1 * sr / CHUNK as f64).ceil() as usize;
        let mut seen = Vec::new();
        for _ in 0..chunks + 2 {
            f.advance();
            seen.push(f.value(Fader::Master).unwrap());
        }
        let target = 10f32.powf(-6.0 / 20.0);
        assert!(
            seen[0] < 1.0 && seen[0] > 0.95,
            "first step is small: {}",
            seen[0]
        );
        assert!(seen.windows(2).all(|w| w[1] <= w[0]), "monotonic");
        assert_eq!(*seen.last().unwrap(), target, "lands on the target exactly");
        // Back home: exactly 1.0 again, so nothing is applied any more.
        f.set(Fader::Master, 0.0, 0.0);
        for _ in 0..100 {
            f.advance();
        }
        assert!(f.at_home());
    }

    #[test]
    fn levels_below_the_floor_are_off_and_offsets_are_clamped() {
        let mut f = Faders::new(48_000.0);
        f.set(Fader::Layer(1), -200.0, 0.0);
        f.set(Fader::Energy, 5.0, 0.0);
        f.set(Fader::Layer(0), f32::NAN, 0.0);
        for _ in 0..100 {
            f.advance();
        }
        assert_eq!(f.value(Fader::Layer(1)), Some(0.0));
        assert_eq!(f.value(Fader::Energy), Some(1.0));
        assert_eq!(f.value(Fader::Layer(0)), Some(1.0));
        assert!(!f.set(Fader::Layer(LAYERS), 0.0, 0.0), "no such layer");
    }

    #[test]
    fn the_energy_fader_raises_the_crowd_and_lowers_it() {
        let mut f = Faders::new(48_000.0);
        let base = Params {
            energy: 0.5,
            roar: 0.4,
            murmur: 0.3,
            cheer_rate: 1.0,
            whistle_rate: 0.5,
            ..Params::default()
        };
        f.set(Fader::Energy, 0.5, 0.0);
        for _ in 0..100 {
            f.advance();
        }
        let mut up = base;
        f.apply_params(&mut up);
        assert!(up.energy > base.energy && up.roar > base.roar && up.cheer_rate > base.cheer_rate);
        f.set(Fader::Energy, -1.0, 0.0);
        for _ in 0..100 {
            f.advance();
        }
        let mut down = base;
        f.apply_params(&mut down);
        assert_eq!(
            (down.murmur, down.cheer_rate, down.whistle_rate),
            (0.0, 0.0, 0.0)
        );
    }
}
