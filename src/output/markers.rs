//! Markers inside a WAV file, the way DAWs read them: a `cue ` chunk with one point per
//! marker, a `LIST`/`adtl` chunk naming each (`labl`) and giving its length as a region
//! (`ltxt`, purpose `rgn `), and a Broadcast Wave `bext` chunk (description, originator and the
//! time reference that places a clip at its time in the show). REAPER, Audition, Pro Tools,
//! Wavelab and sox-based tools read (or skip) them. This module builds the bytes; the WAV
//! writer places them before the samples. It knows no timeline: markers arrive as frames.

/// One marker: a named point, with the length of the region it starts (0 = a point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Marker {
    /// Position, frames from the file's first frame.
    pub frame: u64,
    /// Region length in frames (0 for a plain point).
    pub length: u64,
    /// Name shown by the DAW.
    pub label: String,
}

/// Broadcast Wave description (EBU Tech 3285 `bext`, version 1).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Bext {
    /// Free text, at most 256 bytes (longer is cut at a character boundary).
    pub description: String,
    /// Who made the file, at most 32 bytes.
    pub originator: String,
    /// The originator's reference for the file, at most 32 bytes.
    pub originator_reference: String,
    /// Frames since the start of the timeline (the show) of the file's first frame.
    pub time_reference: u64,
}

/// What a WAV file carries besides its samples.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WavMeta {
    /// Cue points with labels and region lengths.
    pub markers: Vec<Marker>,
    /// The `bext` chunk (always written).
    pub bext: Bext,
}

/// Fixed part of a version-1 `bext` chunk, bytes (no coding history).
const BEXT_BYTES: usize = 602;

/// Bytes of one cue point.
const CUE_POINT_BYTES: usize = 24;

/// Bytes of an `ltxt` body before its text.
const LTXT_FIXED_BYTES: usize = 20;

impl WavMeta {
    /// The chunks, each with its id, size and pad byte, ready to sit between `fmt ` and `data`.
    pub fn chunks(&self) -> Vec<u8> {
        let mut out = Vec::new();
        chunk(&mut out, b"bext", &bext(&self.bext));
        if !self.markers.is_empty() {
            let mut cue = Vec::with_capacity(4 + CUE_POINT_BYTES * self.markers.len());
            cue.extend(u32_le(self.markers.len() as u64));
            for (id, m) in ids(&self.markers) {
                let pos = u32_le(m.frame);
                cue.extend(id.to_le_bytes()); // dwName
                cue.extend(pos); // dwPosition
                cue.extend(b"data"); // fccChunk
                cue.extend(0u32.to_le_bytes()); // dwChunkStart
                cue.extend(0u32.to_le_bytes()); // dwBlockStart
                cue.extend(pos); // dwSampleOffset
            }
            chunk(&mut out, b"cue ", &cue);
            let mut list = b"adtl".to_vec();
            for (id, m) in ids(&self.markers) {
                let mut labl = id.to_le_bytes().to_vec();
                labl.extend(m.label.as_bytes());
                labl.push(0);
                chunk(&mut list, b"labl", &labl);
                if m.length > 0 {
                    let mut ltxt = id.to_le_bytes().to_vec();
                    ltxt.extend(u32_le(m.length));
                    ltxt.extend(b"rgn ");
                    ltxt.extend([0u8; 8]); // country, language, dialect, code page
                    debug_assert_eq!(ltxt.len(), LTXT_FIXED_BYTES);
                    chunk(&mut list, b"ltxt", &ltxt);
                }
            }
            chunk(&mut out, b"LIST", &list);
        }
        out
    }
}

/// Cue ids count from 1 (0 reads as "none" in some tools).
fn ids(markers: &[Marker]) -> impl Iterator<Item = (u32, &Marker)> {
    markers.iter().enumerate().map(|(i, m)| (i as u32 + 1, m))
}

/// A position clamped into RIFF's 32-bit field (a WAV past 4 GiB is refused earlier).
fn u32_le(v: u64) -> [u8; 4] {
    u32::try_from(v).unwrap_or(u32::MAX).to_le_bytes()
}

/// Append a chunk: id, little-endian size, body, and a pad byte if the size is odd.
pub fn chunk(out: &mut Vec<u8>, id: &[u8; 4], body: &[u8]) {
    out.extend(id);
    out.extend(u32_le(body.len() as u64));
    out.extend(body);
    if body.len() % 2 == 1 {
        out.push(0);
    }
}

/// `text` in a fixed field of `len` bytes: cut at a character boundary, zero-padded.
fn field(text: &str, len: usize) -> Vec<u8> {
    let mut end = text.len().min(len);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let mut v = text.as_bytes()[..end].to_vec();
    v.resize(len, 0);
    v
}

fn bext(b: &Bext) -> Vec<u8> {
    let mut v = Vec::with_capacity(BEXT_BYTES);
    v.extend(field(&b.description, 256));
    v.extend(field(&b.originator, 32));
    v.extend(field(&b.originator_reference, 32));
    // Origination date and time stay empty: the same command must give the same bytes.
    v.extend([0u8; 10 + 8]);
    v.extend((b.time_reference as u32).to_le_bytes());
    v.extend(((b.time_reference >> 32) as u32).to_le_bytes());
    v.extend(1u16.to_le_bytes()); // version
    v.resize(BEXT_BYTES, 0); // UMID, loudness fields (v2), reserved
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_have_the_sizes_riff_readers_expect() {
        let meta = WavMeta {
            markers: vec![
                Marker {
                    frame: 0,
                    length: 480,
                    label: "murmur".into(),
                },
                Marker {
                    frame: 96_000,
                    length: 0,
                    label: "lights-down".into(),
                },
            ],
            bext: Bext {
                description: "é".repeat(200),
                originator: "concert".into(),
                originator_reference: String::new(),
                time_reference: 1 << 33,
            },
        };
        let bytes = meta.chunks();
        // bext: 8 + 602; its description is cut at a character boundary (128 × 2 bytes).
        assert_eq!(&bytes[..4], b"bext");
        assert_eq!(u32::from_le_bytes(bytes[4..8].try_into().unwrap()), 602);
        assert_eq!(&bytes[8..264], "é".repeat(128).as_bytes());
        assert_eq!(&bytes[8 + 338..8 + 346], &[0, 0, 0, 0, 2, 0, 0, 0]);
        let cue = 8 + 602;
        assert_eq!(&bytes[cue..cue + 4], b"cue ");
        assert_eq!(
            u32::from_le_bytes(bytes[cue + 4..cue + 8].try_into().unwrap()),
            4 + 2 * 24
        );
        let list = cue + 8 + 52;
        assert_eq!(&bytes[list..list + 4], b"LIST");
        assert_eq!(&bytes[list + 8..list + 12], b"adtl");
        // Two labl (4 + "murmur\0" = 11, padded; 4 + "lights-down\0" = 16) and one ltxt (20).
        let size = u32::from_le_bytes(bytes[list + 4..list + 8].try_into().unwrap()) as usize;
        assert_eq!(size, 4 + (8 + 12) + (8 + 20) + (8 + 16));
        assert_eq!(bytes.len(), list + 8 + size);
    }
}
