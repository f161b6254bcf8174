//! The two-pole resonator: the body of a clap, a formant, a whistle's tone.

/// A two-pole band-pass resonator with zeros at DC and Nyquist (RBJ, 0 dB peak), the body of
/// a clap or a formant. The zeros matter: an all-pole resonator keeps a low-frequency skirt
/// that turns applause into rumble once its level is normalised.
#[derive(Debug, Clone, Copy, Default)]
pub struct Resonator {
    b0: f32,
    a1: f32,
    a2: f32,
    x1: f32,
    x2: f32,
    y1: f32,
    y2: f32,
}

impl Resonator {
    /// A resonator at `hz` with quality `q` at `sample_rate`.
    pub fn new(hz: f32, q: f32, sample_rate: f32) -> Self {
        let mut r = Resonator::default();
        r.tune(hz, q, sample_rate);
        r
    }

    /// The gain that makes white noise come out of a resonator at `hz`, `q` with the power it
    /// went in with (its noise bandwidth is about π/2 · hz/q).
    pub fn noise_gain(hz: f32, q: f32, sample_rate: f32) -> f32 {
        let band = std::f32::consts::FRAC_PI_2 * hz / q.max(0.1);
        (0.5 * sample_rate / band).sqrt()
    }

    /// Retune without clearing the state.
    pub fn tune(&mut self, hz: f32, q: f32, sample_rate: f32) {
        let w = std::f32::consts::TAU * hz.clamp(20.0, sample_rate * 0.45) / sample_rate;
        let alpha = w.sin() / (2.0 * q.max(0.3));
        let norm = 1.0 / (1.0 + alpha);
        self.b0 = alpha * norm;
        self.a1 = 2.0 * w.cos() * norm;
        self.a2 = -(1.0 - alpha) * norm;
    }

    /// The coefficients `(b0, a1, a2)` of `y = b0·(x − x[-2]) + a1·y[-1] + a2·y[-2]`, for
    /// filter banks that keep their state in arrays.
    pub fn coefficients(&self) -> (f32, f32, f32) {
        (self.b0, self.a1, self.a2)
    }

    /// Filter one sample.
    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let y = self.b0 * (x - self.x2) + self.a1 * self.y1 + self.a2 * self.y2;
        self.x2 = self.x1;
        self.x1 = x;
        self.y2 = self.y1;
        self.y1 = y;
        y
    }

    /// Energy left in the filter state (to tell when a voice has gone quiet).
    #[inline]
    pub fn state_energy(&self) -> f32 {
        self.y1 * self.y1 + self.y2 * self.y2 + self.x1 * self.x1 + self.x2 * self.x2
    }

    /// Forget the state.
    pub fn reset(&mut self) {
        *self = Resonator {
            b0: self.b0,
            a1: self.a1,
            a2: self.a2,
            ..Resonator::default()
        };
    }
}
