//! The real-time side of live playback: what runs inside the device's callback, and the
//! atomics it shares with the render thread and the control thread.
//!
//! The callback only pops interleaved stereo `f32` frames from the ring, ramps a gain (pause,
//! stop), converts to the device's sample format and channel count, zero-fills when the ring
//! runs dry and counts that as an underrun. It never allocates, locks, sleeps, prints or makes
//! a system call (`Instant::now` for `--stats` reads the vDSO clock, not the kernel).
//! Must not touch: the engine, the show, anything that can block.

use std::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64,
    Ordering::{Acquire, Relaxed},
};
use std::time::Instant;

use cpal::{FromSample, Sample};
use rtrb::Consumer;

/// Resolution of the callback's budget histogram: one bucket per 0.1 % of the buffer time.
pub(crate) const BUDGET_BUCKETS: usize = 1001;

/// State shared between the callback, the render thread and the control thread. Plain atomics
/// only, so every side can read and write it without waiting for another.
pub(crate) struct Status {
    /// Frames the callback took from the ring (audible frames handed to the device).
    pub played: AtomicU64,
    /// Callbacks that found fewer frames in the ring than the device asked for.
    pub underruns: AtomicU64,
    /// Frames zero-filled by those underruns.
    pub underrun_frames: AtomicU64,
    /// Requested by the control thread: fade out and hold (true) or fade back in (false).
    pub paused: AtomicBool,
    /// Requested by the control thread: fade out and end.
    pub stopping: AtomicBool,
    /// Set by the callback once a stop fade has reached silence.
    pub faded_out: AtomicBool,
    /// Set by the render thread once it has pushed the last frame of the span.
    pub render_done: AtomicBool,
    /// Set by the callback when the ring is empty after `render_done`: the span has been played.
    pub drained: AtomicBool,
    /// Frames of silence written after the end or a stop (the device's buffer flushing out).
    pub tail_frames: AtomicU64,
    /// Largest number of frames one callback asked for.
    pub max_callback_frames: AtomicU32,
    /// Show frame now audible (approximately: render position minus what waits in the ring).
    pub show_frame: AtomicU64,
    /// Frames the render thread has pushed into the ring, and the show frame after the last
    /// of them (with `played`, where the callback is in the show, exactly).
    pub pushed: AtomicU64,
    /// See `pushed`.
    pub rendered_to: AtomicU64,
    /// Frames the device held just after the latest callback: the delay it reported before
    /// that callback's first frame plays, plus the callback's own frames.
    pub device_held: AtomicU64,
    /// Peak of the most recently rendered block, as `f32` bits.
    pub peak: AtomicU32,
    /// `ErrorKind::Xrun` reports from the backend.
    pub xruns: AtomicU64,
    /// Other errors reported by the backend on the audio thread.
    pub stream_errors: AtomicU64,
    /// Allocations caught inside the callback by `assert_no_alloc` (debug builds only).
    pub rt_allocs: AtomicU64,
    /// Callback durations, in 0.1 % of the buffer's duration (only with `--stats`).
    pub budget: [AtomicU32; BUDGET_BUCKETS],
}

impl Status {
    /// Fresh state: nothing played, not paused.
    pub fn new(show_frame: u64) -> Self {
        Status {
            played: AtomicU64::new(0),
            underruns: AtomicU64::new(0),
            underrun_frames: AtomicU64::new(0),
            paused: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            faded_out: AtomicBool::new(false),
            render_done: AtomicBool::new(false),
            drained: AtomicBool::new(false),
            tail_frames: AtomicU64::new(0),
            max_callback_frames: AtomicU32::new(0),
            show_frame: AtomicU64::new(show_frame),
            pushed: AtomicU64::new(0),
            rendered_to: AtomicU64::new(show_frame),
            device_held: AtomicU64::new(0),
            peak: AtomicU32::new(0),
            xruns: AtomicU64::new(0),
            stream_errors: AtomicU64::new(0),
            rt_allocs: AtomicU64::new(0),
            budget: std::array::from_fn(|_| AtomicU32::new(0)),
        }
    }
}

/// Everything the data callback owns.
pub(crate) struct Callback {
    ring: Consumer<f32>,
    status: std::sync::Arc<Status>,
    channels: usize,
    sample_rate: f64,
    /// Current gain of the pause/stop ramp, and its step per frame.
    gain: f32,
    step: f32,
    stats: bool,
}

impl Callback {
    /// A callback reading `ring` for a device with `channels` channels at `sample_rate`,
    /// ramping pauses and stops over `fade_frames`.
    pub fn new(
        ring: Consumer<f32>,
        status: std::sync::Arc<Status>,
        channels: usize,
        sample_rate: u32,
        fade_frames: usize,
        stats: bool,
    ) -> Self {
        Callback {
            ring,
            status,
            channels: channels.max(1),
            sample_rate: f64::from(sample_rate),
            gain: 1.0,
            step: 1.0 / fade_frames.max(1) as f32,
            stats,
        }
    }

    /// The whole body of the device callback: fill `data` (interleaved, device channels).
    pub fn fill<T: Sample + FromSample<f32>>(&mut self, data: &mut [T]) {
        let started = self.stats.then(Instant::now);
        let st = &*self.status;
        let frames = data.len() / self.channels;
        st.max_callback_frames.fetch_max(frames as u32, Relaxed);
        let hold = st.paused.load(Relaxed) || st.stopping.load(Relaxed);
        let target = if hold { 0.0 } else { 1.0 };

        let mut written = 0;
        if !(hold && self.gain == 0.0) {
            let take = (self.ring.slots() / 2).min(frames);
            if let Ok(chunk) = self.ring.read_chunk(take * 2) {
                let (a, b) = chunk.as_slices();
                let src = a.chunks_exact(2).chain(b.chunks_exact(2));
                for (out, lr) in data.chunks_exact_mut(self.channels).zip(src) {
                    if self.gain != target {
                        self.gain = if target > self.gain {
                            (self.gain + self.step).min(1.0)
                        } else {
                            (self.gain - self.step).max(0.0)
                        };
                    }
                    write_frame(out, lr[0] * self.gain, lr[1] * self.gain);
                    written += 1;
                    if hold && self.gain == 0.0 {
                        // Faded out: leave the rest in the ring for a resume.
                        break;
                    }
                }
                chunk.commit(written * 2);
            }
            st.played.fetch_add(written as u64, Relaxed);
        }
        for out in data[written * self.channels..].iter_mut() {
            *out = T::EQUILIBRIUM;
        }

        let missing = frames - written;
        if missing > 0 {
            // Acquire pairs with the feeder's Release store: seeing the span rendered, the
            // callback also sees every frame pushed before it, so an empty ring is the end.
            if st.render_done.load(Acquire) && self.ring.is_empty() {
                st.drained.store(true, Relaxed);
                st.tail_frames.fetch_add(missing as u64, Relaxed);
            } else if hold && self.gain == 0.0 {
                if st.stopping.load(Relaxed) {
                    st.tail_frames.fetch_add(missing as u64, Relaxed);
                }
            } else {
                st.underruns.fetch_add(1, Relaxed);
                st.underrun_frames.fetch_add(missing as u64, Relaxed);
            }
        }
        if hold && self.gain == 0.0 && st.stopping.load(Relaxed) {
            st.faded_out.store(true, Relaxed);
        }
        if let Some(t0) = started {
            let budget = frames as f64 / self.sample_rate;
            let per_mille = (t0.elapsed().as_secs_f64() / budget * 1000.0) as usize;
            st.budget[per_mille.min(BUDGET_BUCKETS - 1)].fetch_add(1, Relaxed);
        }
    }
}

/// One stereo frame into a device frame of any width: mono gets the average, extra channels
/// get silence.
#[inline]
fn write_frame<T: Sample + FromSample<f32>>(out: &mut [T], l: f32, r: f32) {
    match out {
        [m] => *m = T::from_sample(0.5 * (l + r)),
        [a, b, rest @ ..] => {
            *a = T::from_sample(l);
            *b = T::from_sample(r);
            for x in rest {
                *x = T::EQUILIBRIUM;
            }
        }
        [] => {}
    }
}

/// Allocations caught by `assert_no_alloc` on this thread so far (always 0 in release builds,
/// where the check is compiled out).
pub(crate) fn rt_allocs() -> u64 {
    #[cfg(debug_assertions)]
    {
        u64::from(assert_no_alloc::violation_count())
    }
    #[cfg(not(debug_assertions))]
    {
        0
    }
}

/// Whether allocations in the callback are being checked in this build.
pub const ALLOC_CHECKED: bool = cfg!(debug_assertions);

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn setup(frames: usize, channels: usize) -> (rtrb::Producer<f32>, Callback, Arc<Status>) {
        let (mut tx, rx) = rtrb::RingBuffer::new(frames * 2 + 64);
        for i in 0..frames {
            tx.push(i as f32 / frames as f32).unwrap();
            tx.push(-(i as f32) / frames as f32).unwrap();
        }
        let status = Arc::new(Status::new(0));
        let cb = Callback::new(rx, Arc::clone(&status), channels, 48_000, 10, false);
        (tx, cb, status)
    }

    #[test]
    fn converts_to_integer_formats_and_other_channel_counts() {
        let (_tx, mut cb, st) = setup(100, 3);
        let mut out = vec![0i16; 3 * 40];
        cb.fill(&mut out);
        assert_eq!(st.played.load(Relaxed), 40);
        assert_eq!(out[3 * 20], i16::from_sample(0.2f32));
        assert_eq!(out[3 * 20 + 1], i16::from_sample(-0.2f32));
        assert_eq!(out[3 * 20 + 2], 0);
        let (_tx, mut cb, _) = setup(100, 1);
        let mut mono = vec![0u16; 10];
        cb.fill(&mut mono);
        assert!(
            mono.iter().all(|v| *v == u16::from_sample(0.0f32)),
            "l + r = 0: {mono:?}"
        );
    }

    #[test]
    fn an_empty_ring_zero_fills_and_counts_one_underrun() {
        let (_tx, mut cb, st) = setup(30, 2);
        let mut out = vec![1.0f32; 2 * 50];
        cb.fill(&mut out);
        assert!(out[60..].iter().all(|v| *v == 0.0));
        assert_eq!(st.underruns.load(Relaxed), 1);
        assert_eq!(st.underrun_frames.load(Relaxed), 20);
        // At the end of the span the same shortage is the end, not an underrun.
        st.render_done.store(true, Relaxed);
        cb.fill(&mut out);
        assert_eq!(st.underruns.load(Relaxed), 1);
        assert!(st.drained.load(Relaxed));
    }

    #[test]
    fn stop_fades_out_then_holds_without_popping() {
        let (_tx, mut cb, st) = setup(100, 2);
        st.stopping.store(true, Relaxed);
        let mut out = vec![0.0f32; 2 * 30];
        cb.fill(&mut out);
        // Gain ramps 0.9, 0.8, ... 0 over 10 frames, then silence.
        assert!((out[2 * 5] - 5.0 / 100.0 * 0.4).abs() < 1e-6);
        assert!(out[20..].iter().all(|v| *v == 0.0));
        assert!(st.faded_out.load(Relaxed));
        let played = st.played.load(Relaxed);
        assert_eq!(played, 10, "only the fade is taken from the ring");
        cb.fill(&mut out);
        assert_eq!(st.played.load(Relaxed), played, "holds once silent");
        assert_eq!(st.underruns.load(Relaxed), 0);
    }
}
