//! Where a photo was taken, removed from a JPEG without re-encoding it.
//! The image step re-encodes every published photo without metadata; this
//! is for the JPEGs khao publishes as they are, inside an attached Word,
//! Excel, PowerPoint or PDF file (a phone photo pasted into a slide keeps
//! its EXIF, GPS position included). Only the GPS values are zeroed and the
//! GPS folder emptied, in place: the file keeps its size and every other
//! byte, so the document around it is unchanged.

/// `jpeg` without its GPS position, when it had one.
pub fn without_gps(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut out = jpeg.to_vec();
    clear_gps_in_place(&mut out).then_some(out)
}

/// Clears the GPS position of the JPEG that `jpeg` begins with, in place;
/// true when it had one. `jpeg` may end anywhere after its metadata (a
/// photo stored in a PDF is followed by the rest of the file).
pub fn clear_gps_in_place(jpeg: &mut [u8]) -> bool {
    match exif_segment(jpeg) {
        Some((start, end)) => clear_gps(&mut jpeg[start..end]),
        None => false,
    }
}

/// The TIFF data of the JPEG's EXIF segment (after `Exif\0\0`), as a
/// byte range.
fn exif_segment(jpeg: &[u8]) -> Option<(usize, usize)> {
    if !jpeg.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut pos = 2;
    while pos + 4 <= jpeg.len() {
        if jpeg[pos] != 0xFF {
            return None;
        }
        let marker = jpeg[pos + 1];
        // Start of scan: no metadata after it. Fill bytes and markers
        // without a length are skipped.
        if marker == 0xDA {
            return None;
        }
        if marker == 0xFF || (0xD0..=0xD8).contains(&marker) || marker == 0x01 {
            pos += if marker == 0xFF { 1 } else { 2 };
            continue;
        }
        let len = usize::from(u16::from_be_bytes([jpeg[pos + 2], jpeg[pos + 3]]));
        let body = pos + 4;
        let end = (pos + 2).checked_add(len)?.min(jpeg.len());
        if marker == 0xE1 && jpeg.get(body..body + 6) == Some(b"Exif\0\0") && body + 6 <= end {
            return Some((body + 6, end));
        }
        pos = end.max(pos + 4);
    }
    None
}

/// TIFF data read in its byte order.
struct Tiff<'a> {
    data: &'a [u8],
    little: bool,
}

impl Tiff<'_> {
    fn u16(&self, at: usize) -> Option<u16> {
        let b: [u8; 2] = self.data.get(at..at + 2)?.try_into().ok()?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(&self, at: usize) -> Option<usize> {
        let b: [u8; 4] = self.data.get(at..at + 4)?.try_into().ok()?;
        let v = if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        };
        usize::try_from(v).ok()
    }

    /// The value of `tag` in the folder (IFD) at `ifd`.
    fn find(&self, ifd: usize, tag: u16) -> Option<usize> {
        let count = usize::from(self.u16(ifd)?);
        (0..count)
            .map(|i| ifd + 2 + 12 * i)
            .find(|&e| self.u16(e) == Some(tag))
            .and_then(|e| self.u32(e + 8))
    }
}

/// The EXIF tag pointing at the GPS folder.
const GPS_IFD: u16 = 0x8825;

/// Zeroes every value of the GPS folder of `tiff` and empties it; true
/// when there was one with entries.
fn clear_gps(tiff: &mut [u8]) -> bool {
    let little = match tiff.get(..4) {
        Some([b'I', b'I', 42, 0]) => true,
        Some([b'M', b'M', 0, 42]) => false,
        _ => return false,
    };
    let (gps, entries) = {
        let t = Tiff { data: tiff, little };
        let Some(gps) = t.u32(4).and_then(|ifd0| t.find(ifd0, GPS_IFD)) else {
            return false;
        };
        let count = usize::from(t.u16(gps).unwrap_or(0));
        let mut entries = Vec::new();
        for e in (0..count).map(|i| gps + 2 + 12 * i) {
            let (Some(kind), Some(n)) = (t.u16(e + 2), t.u32(e + 4)) else {
                break;
            };
            let size = type_size(kind).saturating_mul(n);
            // Values over four bytes are elsewhere, at the offset given.
            let data = match size > 4 {
                true => t.u32(e + 8).map(|at| at..at.saturating_add(size)),
                false => None,
            };
            entries.push((e, data));
        }
        (gps, entries)
    };
    if entries.is_empty() {
        return false;
    }
    for (entry, data) in &entries {
        if let Some(r) = data.clone().filter(|r| r.end <= tiff.len()) {
            tiff[r].fill(0);
        }
        if let Some(e) = tiff.get_mut(*entry..*entry + 12) {
            e.fill(0);
        }
    }
    tiff[gps..gps + 2].fill(0);
    true
}

/// Bytes of one value of TIFF type `kind`.
fn type_size(kind: u16) -> usize {
    match kind {
        3 | 8 => 2,
        4 | 9 | 11 => 4,
        5 | 10 | 12 => 8,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A JPEG head with an EXIF segment (little-endian) whose GPS folder
    /// holds a latitude reference and a latitude (three rationals).
    fn with_gps() -> Vec<u8> {
        let mut tiff = b"II*\0".to_vec();
        tiff.extend(8u32.to_le_bytes()); // IFD0 at 8
        tiff.extend(1u16.to_le_bytes()); // one entry
        tiff.extend([0x25, 0x88, 4, 0]); // GPS IFD pointer, LONG
        tiff.extend(1u32.to_le_bytes());
        tiff.extend(26u32.to_le_bytes()); // GPS IFD at 26
        tiff.extend(0u32.to_le_bytes()); // no next IFD
        assert_eq!(tiff.len(), 26);
        tiff.extend(2u16.to_le_bytes()); // two entries
        tiff.extend([1, 0, 2, 0]); // GPSLatitudeRef, ASCII
        tiff.extend(2u32.to_le_bytes());
        tiff.extend(*b"N\0\0\0");
        tiff.extend([2, 0, 5, 0]); // GPSLatitude, RATIONAL x3
        tiff.extend(3u32.to_le_bytes());
        tiff.extend(56u32.to_le_bytes()); // data at 56
        tiff.extend(0u32.to_le_bytes());
        assert_eq!(tiff.len(), 56);
        for v in [9u32, 1, 8, 1, 3000, 100] {
            tiff.extend(v.to_le_bytes());
        }
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpeg.extend(u16::try_from(tiff.len() + 8).unwrap().to_be_bytes());
        jpeg.extend(b"Exif\0\0");
        jpeg.extend(&tiff);
        jpeg.extend([0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn the_position_is_zeroed_and_everything_else_kept() {
        let jpeg = with_gps();
        let clean = without_gps(&jpeg).expect("had GPS");
        assert_eq!(clean.len(), jpeg.len());
        // The latitude's numbers are gone…
        let latitude: Vec<u8> = [9u32, 1, 8, 1]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert!(!clean.windows(latitude.len()).any(|w| w == latitude));
        assert!(!clean.windows(2).any(|w| w == b"N\0"));
        // …and the image data after the metadata is untouched.
        assert!(clean.ends_with(&[0xFF, 0xDA, 0, 2, 1, 2, 3, 0xFF, 0xD9]));
        // Once removed, there is nothing more to remove.
        assert_eq!(without_gps(&clean), None);
    }

    #[test]
    fn photos_without_exif_or_gps_and_garbage_are_left_alone() {
        assert_eq!(without_gps(b"not a jpeg"), None);
        assert_eq!(without_gps(&[0xFF, 0xD8, 0xFF, 0xDA, 0, 2]), None);
        let mut cut = with_gps();
        cut.truncate(40);
        let _ = without_gps(&cut);
        for n in 0..with_gps().len() {
            let _ = without_gps(&with_gps()[..n]);
        }
    }

    proptest::proptest! {
        /// Any bytes, a JPEG head with some changed or cut short: cleared
        /// in place or left, never a panic, never another length.
        #[test]
        fn any_bytes_keep_their_length(
            changes in proptest::collection::vec((0usize..200, proptest::num::u8::ANY), 0..8),
            cut in 0usize..200,
        ) {
            let mut jpeg = with_gps();
            for (at, b) in changes {
                let n = jpeg.len();
                jpeg[at % n] = b;
            }
            jpeg.truncate(cut.max(2));
            let before = jpeg.len();
            let _ = clear_gps_in_place(&mut jpeg);
            proptest::prop_assert_eq!(jpeg.len(), before);
        }
    }
}
