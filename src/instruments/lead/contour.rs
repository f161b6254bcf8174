//! How the pitch moves: a damped second-order follower that glides into each note with a slight
//! overshoot (as a singer's larynx does), and slow random wander (1/f-like drift plus flutter).
//!
//! Everything runs at the control rate (once per chunk); the voice interpolates between chunks.

use crate::kit::{Rng, uniform};

/// Glide dynamics: natural frequency in rad/s and damping ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Glide {
    /// Natural angular frequency (higher is faster).
    pub omega: f32,
    /// Damping ratio (below 1 overshoots).
    pub zeta: f32,
}

impl Glide {
    /// Note to note inside a phrase: ~90 ms to arrive, ~20 % overshoot, settled after ~250 ms
    /// (before the middle of a note Praat measures). A singer's larynx overshoots a leap and
    /// swings back; at 5 % (damping 0.7) the dry lead read 0.01 less voice.
    pub const LEGATO: Glide = Glide {
        omega: 30.0,
        zeta: 0.45,
    };
    /// The scoop up into a phrase's first note: ~150 ms.
    pub const SCOOP: Glide = Glide {
        omega: 22.0,
        zeta: 0.75,
    };
    /// A written slide (portamento): ~300 ms, no overshoot to speak of.
    pub const SLIDE: Glide = Glide {
        omega: 14.0,
        zeta: 0.85,
    };
    /// Falling off the end of a phrase.
    pub const FALL: Glide = Glide {
        omega: 14.0,
        zeta: 0.9,
    };
    /// Speech: quick, hardly any overshoot.
    pub const SPEECH: Glide = Glide {
        omega: 40.0,
        zeta: 0.9,
    };
}

/// A second-order pitch follower, in semitones (MIDI numbers).
#[derive(Debug, Clone, Copy)]
pub struct PitchFollower {
    /// Current pitch in MIDI semitones.
    pub pitch: f32,
    velocity: f32,
    glide: Glide,
}

impl PitchFollower {
    /// A follower resting at `pitch`.
    pub fn new(pitch: f32) -> Self {
        PitchFollower {
            pitch,
            velocity: 0.0,
            glide: Glide::LEGATO,
        }
    }

    /// Jump to `pitch` at rest (the start of a phrase's scoop).
    pub fn reset(&mut self, pitch: f32) {
        self.pitch = pitch;
        self.velocity = 0.0;
    }

    /// Change how the follower moves from now on.
    pub fn set_glide(&mut self, glide: Glide) {
        self.glide = glide;
    }

    /// Advance `dt` seconds towards `target` and return the new pitch.
    pub fn step(&mut self, target: f32, dt: f32) -> f32 {
        // Semi-implicit Euler: stable for omega * dt well below 1 (here < 0.1).
        let Glide { omega, zeta } = self.glide;
        let acc = omega * omega * (target - self.pitch) - 2.0 * zeta * omega * self.velocity;
        self.velocity += acc * dt;
        self.pitch += self.velocity * dt;
        self.pitch
    }
}

/// An Ornstein–Uhlenbeck wander: low-passed noise with a given deviation and time constant.
#[derive(Debug, Clone, Copy)]
pub struct Wander {
    value: f32,
    tau: f32,
    sd: f32,
}

impl Wander {
    /// Wander with standard deviation `sd` and correlation time `tau` seconds.
    pub fn new(sd: f32, tau: f32) -> Self {
        Wander {
            value: 0.0,
            tau,
            sd,
        }
    }

    /// Advance `dt` seconds.
    pub fn step(&mut self, rng: &mut Rng, dt: f32) -> f32 {
        let g = (uniform(rng) + uniform(rng) + uniform(rng) - 1.5) * 2.0; // unit deviation
        let k = dt / self.tau;
        self.value += -self.value * k + self.sd * (2.0 * k).sqrt() * g;
        self.value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legato_glide_arrives_in_time_and_overshoots_like_a_larynx() {
        let mut p = PitchFollower::new(60.0);
        let dt = 64.0 / 48_000.0;
        let mut peak = 60.0f32;
        let mut at_120ms = 0.0;
        for i in 0..400 {
            let v = p.step(62.0, dt);
            peak = peak.max(v);
            if i == 90 {
                at_120ms = v;
            }
        }
        assert!(at_120ms > 61.8, "{at_120ms}");
        // About a fifth of the leap past the note, then back.
        assert!(peak > 62.25 && peak < 62.55, "overshoot {peak}");
        assert!((p.pitch - 62.0).abs() < 0.01);
    }
}
