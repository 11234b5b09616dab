//! The top-IPs bar chart as a PNG, drawn here: bars are rectangles, text is rasterised
//! from a font embedded in the binary (DejaVu Sans Mono, `assets/fonts/`, Bitstream Vera
//! licence) — nothing is downloaded, nothing is read from the system.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansMono.ttf");

/// Width of every chart, pixels.
pub const WIDTH: u32 = 800;
/// Characters of a bar's label drawn (the longest IPv6 address); a longer one is cut and
/// marked with `…`, so a label costs the same whatever the logs hold.
pub const MAX_LABEL_CHARS: usize = 39;
/// Characters of the title drawn.
const MAX_TITLE_CHARS: usize = 70;
const ROW: u32 = 28;
const TOP: u32 = 56;
const BOTTOM: u32 = 24;
const LABEL_W: u32 = 300;
const VALUE_W: u32 = 90;

const BACKGROUND: [u8; 3] = [255, 255, 255];
const INK: [u8; 3] = [33, 37, 41];
const BAR: [u8; 3] = [13, 110, 253];
const MUTED: [u8; 3] = [108, 117, 125];

/// The height of a chart of `bars` rows.
pub fn height(bars: usize) -> u32 {
    TOP + ROW * (bars.max(1) as u32) + BOTTOM
}

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    #[error("the embedded font cannot be read: {0}")]
    Font(#[from] ab_glyph::InvalidFont),
    #[error("the PNG cannot be encoded: {0}")]
    Png(#[from] png::EncodingError),
}

/// `text` cut to `max` characters, the last one `…` when it was cut.
pub fn clip(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= max {
        return text.into();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out.into()
}

/// A horizontal bar chart of `(label, value)`, largest first as given.
pub fn bar_chart(title: &str, bars: &[(String, u64)]) -> Result<Vec<u8>, PlotError> {
    let font = FontRef::try_from_slice(FONT)?;
    let mut c = Canvas::new(WIDTH, height(bars.len()));
    c.text(&font, 20.0, 16, 32, &clip(title, MAX_TITLE_CHARS), INK);
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0);
    if bars.is_empty() || max == 0 {
        c.text(
            &font,
            15.0,
            16,
            TOP + 18,
            "No requests in the logs for this query",
            MUTED,
        );
    }
    let room = WIDTH - LABEL_W - VALUE_W - 16;
    for (i, (label, v)) in bars.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        c.text(&font, 14.0, 16, y + 18, &clip(label, MAX_LABEL_CHARS), INK);
        let w = if max == 0 {
            0
        } else {
            ((*v as f64 / max as f64) * f64::from(room)).round() as u32
        };
        c.rect(LABEL_W, y + 4, w.max(1), ROW - 8, BAR);
        c.text(&font, 13.0, LABEL_W + w + 8, y + 18, &v.to_string(), MUTED);
    }
    c.png()
}

struct Canvas {
    w: u32,
    h: u32,
    px: Vec<u8>,
}

impl Canvas {
    fn new(w: u32, h: u32) -> Self {
        Self {
            w,
            h,
            px: BACKGROUND.repeat((w * h) as usize),
        }
    }

    fn blend(&mut self, x: u32, y: u32, color: [u8; 3], alpha: f32) {
        if x >= self.w || y >= self.h {
            return;
        }
        let i = ((y * self.w + x) * 3) as usize;
        let a = alpha.clamp(0.0, 1.0);
        for (k, c) in color.iter().enumerate() {
            let old = f32::from(self.px[i + k]);
            self.px[i + k] = (old + (f32::from(*c) - old) * a).round() as u8;
        }
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, color: [u8; 3]) {
        for yy in y..(y + h).min(self.h) {
            for xx in x..(x + w).min(self.w) {
                self.blend(xx, yy, color, 1.0);
            }
        }
    }

    /// Draws `text` with its baseline at `y`, starting at `x`.
    fn text(&mut self, font: &FontRef<'_>, size: f32, x: u32, y: u32, text: &str, color: [u8; 3]) {
        let scale = PxScale::from(size);
        let scaled = font.as_scaled(scale);
        let mut caret = x as f32;
        for ch in text.chars() {
            let id = font.glyph_id(ch);
            let glyph = id.with_scale_and_position(scale, point(caret, y as f32));
            caret += scaled.h_advance(id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                outline.draw(|gx, gy, cov| {
                    let (px, py) = (
                        b.min.x as i64 + i64::from(gx),
                        b.min.y as i64 + i64::from(gy),
                    );
                    if px >= 0 && py >= 0 {
                        self.blend(px as u32, py as u32, color, cov);
                    }
                });
            }
        }
    }

    fn png(&self) -> Result<Vec<u8>, PlotError> {
        let mut out = Vec::new();
        let mut enc = png::Encoder::new(&mut out, self.w, self.h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut writer = enc.write_header()?;
        writer.write_image_data(&self.px)?;
        writer.finish()?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
