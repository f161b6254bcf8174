//! A helper that renders one layer on its own, following a show's params (for tests and
//! measurements, not the audio thread).

use super::Layer;
use crate::kit::{CHUNK, ChunkInfo, Stereo};
use crate::show::Show;

/// Render `secs` seconds of one layer on its own, following `show`'s params, starting at
/// `from_secs`. Returns interleaved stereo. For tests and measurements, not the audio thread.
pub fn render_layer(
    layer: &mut dyn Layer,
    show: &Show,
    sample_rate: u32,
    from_secs: f64,
    secs: f64,
) -> Vec<f32> {
    let sr = f64::from(sample_rate);
    let first = (from_secs * sr).round() as u64 / CHUNK as u64 * CHUNK as u64;
    let frames = (secs * sr).round() as usize;
    let mut out = Vec::with_capacity(frames * 2);
    let mut chunk = Stereo::default();
    let mut frame = first;
    while out.len() < frames * 2 {
        let info = ChunkInfo {
            frame,
            sample_rate: sr,
        };
        let params = show.params_at(info.secs());
        layer.render(info, &params, &mut chunk);
        for i in 0..CHUNK {
            if out.len() >= frames * 2 {
                break;
            }
            out.push(chunk.l[i]);
            out.push(chunk.r[i]);
        }
        frame += CHUNK as u64;
    }
    out
}
