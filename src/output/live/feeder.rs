//! The render thread of live playback: runs the [`Engine`] ahead of the device into the ring,
//! keeping it filled to the target latency, and applies the operator's cues and jumps.
//!
//! This thread is not real-time (it may allocate when it jumps, and it sleeps while the ring is
//! full), but it never makes the callback wait: the only thing they share is the wait-free
//! ring and plain atomics. Must not touch: the device, the terminal.
//!
//! A jump crossfades, as an operator's console would: the engine at the target is built (with
//! its pre-roll) on a helper thread while the show keeps playing, then the two engines play
//! together for [`CROSSFADE_SECS`] with equal-power gains, and the old one is dropped.

use std::f32::consts::FRAC_PI_2;
use std::sync::Arc;
use std::sync::atomic::Ordering::{Relaxed, Release};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rtrb::{Consumer, Producer};

use super::callback::Status;
use crate::engine::{ChantCue, Cue, Engine, Fader};

/// Length of the crossfade of a jump: long enough to hear one room turn into the other (a
/// console operator's quick crossfade), short enough that the target moment starts at once.
pub const CROSSFADE_SECS: f64 = 1.0;

/// What the control thread can ask of the render thread.
#[derive(Debug, Clone, PartialEq)]
pub enum Control {
    /// Start a manual cue's swell now, at this size (0..=1).
    Cue(Cue, f32),
    /// Move an operator's fader to a setting over a ramp in seconds.
    Fader(Fader, f32, f64),
    /// Jump to this frame of the show (crossfading into it).
    Seek(u64),
    /// Start this chant now (built on the control thread; the one it replaces goes back
    /// through the feeder's `retired` ring), or stop the chant (`None`).
    Chant(Option<ChantCue>),
    /// Start clapping along at this tempo (bpm), or stop (`None`).
    Clap(Option<f64>),
}

/// A linear gain ramp over a span of show frames, applied to what is pushed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ramp {
    /// Show frame where the ramp starts.
    from: u64,
    frames: u64,
    fade_in: bool,
}

impl Ramp {
    /// Gain at show frame `f`; never exactly 0, so a faded sample stays non-zero when the
    /// show's sample was (the exact capture test relies on that).
    fn gain(&self, f: u64) -> f32 {
        let i = f.saturating_sub(self.from).min(self.frames);
        if self.fade_in {
            ((i + 1) as f32 / self.frames as f32).min(1.0)
        } else {
            ((self.frames - i) as f32 / self.frames as f32).max(1.0 / self.frames as f32)
        }
    }

    fn covers(&self, f: u64) -> bool {
        f >= self.from && f < self.from + self.frames
    }
}

/// A jump being prepared: the engine at the target, built on a helper thread, and the cues and
/// fader moves that arrived meanwhile (replayed on it, so none is lost).
pub(crate) struct PendingJump {
    engine: mpsc::Receiver<Engine>,
    replay: Vec<Control>,
}

/// A jump under way: the engine being faded out, and how far the crossfade is.
pub(crate) struct Crossfade {
    old: Engine,
    done: u64,
    frames: u64,
}

impl Crossfade {
    /// Equal-power gains (old, new) at frame `i` of the crossfade: the two engines are
    /// uncorrelated, so their powers add and the level holds through the jump.
    fn gains(&self, i: u64) -> (f32, f32) {
        let x = (i as f32 + 0.5) / self.frames as f32;
        let theta = FRAC_PI_2 * x.min(1.0);
        (theta.cos(), theta.sin())
    }
}

/// The render thread's state.
pub(crate) struct Feeder {
    pub engine: Engine,
    pub ring: Producer<f32>,
    pub controls: Consumer<Control>,
    /// Chants the engine let go of, back to the control thread to be freed there.
    pub retired: Producer<ChantCue>,
    pub status: Arc<Status>,
    /// Show frame after the last one to play.
    pub end_frame: u64,
    /// Frames rendered per step (the requested device buffer).
    pub period: usize,
    /// Frames to keep in the ring, before the device's own buffer is known.
    pub base_target: usize,
    /// Length of the fades at a mid-show start and end, and around jumps.
    pub fade_frames: u64,
    /// Fade in from the first frame (playback starts mid-show).
    pub fade_in_at_start: bool,
    /// Fade out into the last frame (playback ends mid-show).
    pub fade_out_at_end: bool,
    /// Render time per period, in fractions of the period's duration (with `--stats`).
    pub stats: Option<Vec<f32>>,
    /// The start fade, carried from [`Feeder::prefill`] into [`Feeder::run`].
    pub pending_ramp: Option<Ramp>,
    /// A jump whose engine is being built.
    pub pending_jump: Option<PendingJump>,
    /// A jump's crossfade under way.
    pub crossfade: Option<Crossfade>,
    /// The old engine's output during a crossfade: two periods of stereo, allocated once.
    pub scratch: Vec<f32>,
}

impl Feeder {
    /// Frames to keep queued: the base target, or enough for two of the device's largest
    /// callbacks plus one period when the device asks for more than expected.
    fn target(&self) -> usize {
        let cb = self.status.max_callback_frames.load(Relaxed) as usize;
        let cap = self.ring.buffer().capacity() / 2 - self.period;
        self.base_target.max(2 * cb + self.period).min(cap)
    }

    fn queued(&self) -> usize {
        (self.ring.buffer().capacity() - self.ring.slots()) / 2
    }

    /// Fill the ring to the target before the stream starts.
    pub fn prefill(&mut self) {
        let mut ramp = self.fade_in_at_start.then(|| Ramp {
            from: self.engine.position(),
            frames: self.fade_frames,
            fade_in: true,
        });
        while self.queued() + self.period <= self.base_target && !self.at_end() {
            self.render_period(&mut ramp);
        }
        self.pending_ramp = ramp;
    }

    fn at_end(&self) -> bool {
        self.engine.position() >= self.end_frame
    }

    /// The thread's loop: keep the ring full until the span ends or a stop is requested.
    pub fn run(mut self) -> Option<Vec<f32>> {
        fundsp::denormal::prevent_denormals();
        let mut ramp = self.pending_ramp.take();
        let nap = Duration::from_secs_f64(
            (self.period as f64 / f64::from(self.engine.sample_rate()) / 4.0).max(0.0005),
        );
        loop {
            if self.status.stopping.load(Relaxed) {
                break;
            }
            while let Ok(control) = self.controls.pop() {
                self.control(control);
            }
            self.take_jump();
            if self.at_end() {
                // Release: the frames pushed above are visible to whoever sees the flag.
                self.status.render_done.store(true, Release);
                break;
            }
            let target = self.target();
            if self.queued() + self.period <= target {
                self.render_period(&mut ramp);
            } else {
                std::thread::sleep(nap);
            }
        }
        self.stats
    }

    /// Render one period (or what is left of the span) into the ring.
    fn render_period(&mut self, ramp: &mut Option<Ramp>) {
        let start = self.engine.position();
        let frames = (self.period as u64).min(self.end_frame - start) as usize;
        let end_ramp = self.fade_out_at_end.then(|| Ramp {
            from: self.end_frame.saturating_sub(self.fade_frames),
            frames: self.fade_frames.min(self.end_frame),
            fade_in: false,
        });
        let Ok(mut chunk) = self.ring.write_chunk(2 * frames) else {
            return;
        };
        let t0 = Instant::now();
        let (a, b) = chunk.as_mut_slices();
        self.engine.render_block(a);
        self.engine.render_block(b);
        if let Some(x) = &mut self.crossfade {
            let old = &mut self.scratch[..2 * frames];
            x.old.render_block(old);
            for (s, o) in a
                .chunks_exact_mut(2)
                .chain(b.chunks_exact_mut(2))
                .zip(old.chunks_exact(2))
            {
                let (g_old, g_new) = x.gains(x.done);
                s[0] = s[0] * g_new + o[0] * g_old;
                s[1] = s[1] * g_new + o[1] * g_old;
                x.done += 1;
            }
            if x.done >= x.frames {
                self.crossfade = None;
            }
        }
        let elapsed = t0.elapsed().as_secs_f64();
        let mut peak = 0.0f32;
        let mut f = start;
        for s in a.chunks_exact_mut(2).chain(b.chunks_exact_mut(2)) {
            let mut g = 1.0;
            if let Some(r) = ramp.as_ref().filter(|r| r.covers(f)) {
                g *= r.gain(f);
            }
            if let Some(r) = end_ramp.as_ref().filter(|r| r.covers(f)) {
                g *= r.gain(f);
            }
            if g != 1.0 {
                s[0] *= g;
                s[1] *= g;
            }
            peak = peak.max(s[0].abs()).max(s[1].abs());
            f += 1;
        }
        chunk.commit_all();
        if ramp.is_some_and(|r| f >= r.from + r.frames) {
            *ramp = None;
        }
        if let Some(stats) = &mut self.stats {
            let budget = self.period as f64 / f64::from(self.engine.sample_rate());
            stats.push((elapsed / budget) as f32);
        }
        self.status.peak.store(peak.to_bits(), Relaxed);
        self.status.pushed.fetch_add(frames as u64, Relaxed);
        self.status
            .rendered_to
            .store(self.engine.position(), Relaxed);
        let queued = self.queued() as u64;
        self.status
            .show_frame
            .store(self.engine.position().saturating_sub(queued), Relaxed);
    }

    /// Applies one control; while a jump's engine is being built, cues and faders are also kept
    /// for it (the operator's chant and clap-along are taken over from the old engine when the
    /// jump starts, see [`Engine::adopt_operator`]).
    fn control(&mut self, control: Control) {
        match control {
            Control::Cue(cue, size) => self.engine.cue_sized(cue, size),
            Control::Fader(fader, setting, ramp) => {
                self.engine.set_fader(fader, setting, ramp);
            }
            Control::Chant(Some(chant)) => {
                let old = self.engine.start_chant(chant);
                // Freed by the control thread; if it has let the ring fill up, here instead
                // (this thread is not the device's).
                let _ = self.retired.push(old);
                return;
            }
            Control::Chant(None) => {
                self.engine.stop_chant();
                return;
            }
            Control::Clap(Some(bpm)) => {
                self.engine.start_clap(bpm);
                return;
            }
            Control::Clap(None) => {
                self.engine.stop_clap();
                return;
            }
            Control::Seek(frame) if frame < self.end_frame => {
                // A newer jump replaces one still being built (its engine is dropped unseen).
                let build = self.engine.seeker(frame);
                let (tx, rx) = mpsc::sync_channel(1);
                let spawned = std::thread::Builder::new()
                    .name("concert-seek".into())
                    .spawn(move || {
                        let _ = tx.send(build());
                    });
                if spawned.is_ok() {
                    self.pending_jump = Some(PendingJump {
                        engine: rx,
                        replay: Vec::new(),
                    });
                }
                return;
            }
            Control::Seek(_) => return,
        }
        if let Some(p) = &mut self.pending_jump {
            p.replay.push(control);
        }
    }

    /// Starts the crossfade of a jump whose engine is ready (once any crossfade before it
    /// has ended, so one jump never cuts another short).
    fn take_jump(&mut self) {
        if self.crossfade.is_some() {
            return;
        }
        let Some(pending) = &self.pending_jump else {
            return;
        };
        let mut next = match pending.engine.try_recv() {
            Ok(engine) => engine,
            Err(mpsc::TryRecvError::Empty) => return,
            Err(mpsc::TryRecvError::Disconnected) => {
                self.pending_jump = None;
                return;
            }
        };
        let replay = self
            .pending_jump
            .take()
            .map(|p| p.replay)
            .unwrap_or_default();
        for control in replay {
            match control {
                Control::Cue(cue, size) => next.cue_sized(cue, size),
                Control::Fader(fader, setting, ramp) => {
                    next.set_fader(fader, setting, ramp);
                }
                _ => {}
            }
        }
        // The chant and clap-along play on across the jump, on the same beat. (A jump is
        // the one time this thread allocates: the chant's syllables are copied here.)
        next.adopt_operator(&self.engine);
        let old = std::mem::replace(&mut self.engine, next);
        let frames = (CROSSFADE_SECS * f64::from(self.engine.sample_rate())).round() as u64;
        self.crossfade = Some(Crossfade {
            old,
            done: 0,
            frames: frames.max(1),
        });
    }
}

/// p99 and max of budget fractions.
pub(crate) fn percentiles(mut v: Vec<f32>) -> Option<(f64, f64, f64, usize)> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f32::total_cmp);
    let n = v.len();
    let p99 = v[((n as f64 * 0.99).ceil() as usize).clamp(1, n) - 1];
    let mean = v.iter().map(|x| f64::from(*x)).sum::<f64>() / n as f64;
    Some((f64::from(p99), f64::from(v[n - 1]), mean, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_never_reach_zero_and_end_at_full_gain() {
        let r = Ramp {
            from: 100,
            frames: 10,
            fade_in: true,
        };
        assert_eq!(r.gain(100), 0.1);
        assert_eq!(r.gain(109), 1.0);
        let r = Ramp {
            fade_in: false,
            ..r
        };
        assert_eq!(r.gain(100), 1.0);
        assert_eq!(r.gain(109), 0.1);
        assert!(r.covers(109) && !r.covers(110));
    }

    #[test]
    fn percentiles_of_a_known_list() {
        let v: Vec<f32> = (1..=200).map(|i| i as f32 / 1000.0).collect();
        let (p99, max, _, n) = percentiles(v).unwrap();
        assert_eq!(n, 200);
        assert!((p99 - 0.198).abs() < 1e-6 && (max - 0.2).abs() < 1e-6);
    }
}
