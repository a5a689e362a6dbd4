//! Text files as staff save them: UTF-8 (with or without a byte-order
//! mark, Windows line ends) or a legacy Thai encoding (TIS-620 /
//! Windows-874), and the line numbers problems are reported at.

/// Decodes bytes as UTF-8 (a BOM is dropped), else as Windows-874/TIS-620.
/// Returns the text and whether the legacy encoding was used.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let (cow, _, _) = encoding_rs::WINDOWS_874.decode(bytes);
            (cow.into_owned(), true)
        }
    }
}

/// 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text.as_bytes()[..offset]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Byte offset where 1-based `line` starts.
pub fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map(|(i, _)| i + 1)
        .unwrap_or(text.len())
}

/// The byte range of 1-based `line`, without its line end.
pub fn line_range(text: &str, line: usize) -> std::ops::Range<usize> {
    let start = line_start(text, line);
    let end = text[start..]
        .find('\n')
        .map(|e| start + e)
        .unwrap_or(text.len());
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_bom_and_tis620() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc"), ("abc".to_string(), false));
        // "ข่าว" in TIS-620
        let (s, legacy) = decode(&[0xA2, 0xE8, 0xD2, 0xC7]);
        assert!(legacy);
        assert_eq!(s, "ข่าว");
    }

    #[test]
    fn lines() {
        let t = "a\nb\nc";
        assert_eq!(line_of(t, 0), 1);
        assert_eq!(line_of(t, 2), 2);
        assert_eq!(line_start(t, 3), 4);
        assert_eq!(line_range(t, 2), 2..3);
    }
}
