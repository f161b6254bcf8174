//! Text set with `ab_glyph` straight into the finished RGB buffer, over what `plotters` drew.
//!
//! `plotters`' own `ab_glyph` text truncates each glyph's offset to a whole pixel, so letters
//! hop up and down by a pixel along a line and labels under 10 px become illegible; here every
//! glyph sits at its exact advance on one shared, whole-pixel baseline.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

/// DejaVu Sans 2.37 (licence beside it in `assets/fonts/`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Where a label's anchor point sits on the label, across.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Across {
    /// At its left end.
    Left,
    /// At its middle.
    Center,
    /// At its right end.
    Right,
}

/// Where a label's anchor point sits on the label, down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Down {
    /// At the top of its tallest letters.
    Top,
    /// Halfway between the top of its letters and the bottom of its descenders.
    Center,
    /// At the bottom of its descenders.
    Bottom,
}

/// A line of text to set.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The text.
    pub text: String,
    /// Anchor point, in pixels.
    pub at: (i32, i32),
    /// Height of the font (ascender to descender), in pixels.
    pub size_px: f64,
    /// RGB colour.
    pub color: [u8; 3],
    /// Which point of the label `at` is.
    pub anchor: (Across, Down),
}

/// The vendored font, ready to measure and set text.
pub struct Typeface {
    font: FontRef<'static>,
}

impl Typeface {
    /// The vendored DejaVu Sans.
    pub fn new() -> Typeface {
        Typeface {
            font: FontRef::try_from_slice(FONT)
                .expect("the vendored font is a valid TrueType file"),
        }
    }

    /// The advance width of `text` at `size_px`, kerning included, in pixels.
    pub fn width(&self, text: &str, size_px: f64) -> f64 {
        let font = self.font.as_scaled(PxScale::from(size_px as f32));
        let mut prev = None;
        let mut w = 0.0f32;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                w += font.kern(p, id);
            }
            w += font.h_advance(id);
            prev = Some(id);
        }
        f64::from(w)
    }

    /// Sets `label` into `rgb` (`width` × `height`, 3 bytes a pixel), blending by coverage and
    /// clipping at the edges.
    pub fn set(&self, rgb: &mut [u8], (width, height): (u32, u32), label: &Label) {
        let scale = PxScale::from(label.size_px as f32);
        let font = self.font.as_scaled(scale);
        let w = self.width(&label.text, label.size_px) as f32;
        let (ascent, descent) = (font.ascent(), font.descent());
        let x0 = label.at.0 as f32
            - match label.anchor.0 {
                Across::Left => 0.0,
                Across::Center => w / 2.0,
                Across::Right => w,
            };
        let baseline = (label.at.1 as f32
            + match label.anchor.1 {
                Down::Top => ascent,
                Down::Center => (ascent + descent) / 2.0,
                Down::Bottom => descent,
            })
        .round();
        let mut caret = x0;
        let mut prev = None;
        for c in label.text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            caret += font.h_advance(id);
            let Some(outline) = self.font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let x = b.min.x as i64 + i64::from(gx);
                let y = b.min.y as i64 + i64::from(gy);
                if x < 0 || y < 0 || x >= i64::from(width) || y >= i64::from(height) {
                    return;
                }
                let i = (y as usize * width as usize + x as usize) * 3;
                let k = coverage.clamp(0.0, 1.0);
                for (dst, src) in rgb[i..i + 3].iter_mut().zip(label.color) {
                    *dst = (f32::from(*dst) * (1.0 - k) + f32::from(src) * k).round() as u8;
                }
            });
        }
    }
}

impl Default for Typeface {
    fn default() -> Self {
        Typeface::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_set_where_its_anchor_says() {
        let face = Typeface::new();
        let (w, h) = (200u32, 60u32);
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        let label = Label {
            text: "Echoes".into(),
            at: (100, 30),
            size_px: 20.0,
            color: [0, 0, 0],
            anchor: (Across::Center, Down::Center),
        };
        face.set(&mut rgb, (w, h), &label);
        let inked: Vec<(u32, u32)> = (0..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|(x, y)| rgb[((y * w + x) * 3) as usize] < 128)
            .collect();
        let (xs, ys): (Vec<u32>, Vec<u32>) = inked.iter().copied().unzip();
        let (left, right) = (*xs.iter().min().unwrap(), *xs.iter().max().unwrap());
        let (top, bottom) = (*ys.iter().min().unwrap(), *ys.iter().max().unwrap());
        let width = face.width("Echoes", 20.0);
        assert!(
            (f64::from(left + right) / 2.0 - 100.0).abs() < 2.0,
            "{left}..{right}"
        );
        assert!(
            (f64::from(right - left) - width).abs() < 4.0,
            "{left}..{right} vs {width}"
        );
        assert!(top >= 18 && bottom <= 40, "{top}..{bottom}");
    }
}
