//! Text files as staff save them: UTF-8 (with or without a byte-order
//! mark, Windows line ends) or a legacy Thai encoding (TIS-620 /
//! Windows-874), and the line numbers problems are reported at.

/// Decodes bytes as UTF-8 (a BOM is dropped), as UTF-16 after its BOM
/// (Notepad's "Unicode"), else as Windows-874/TIS-620. Returns the text
/// and whether the legacy encoding was used. Control characters other than
/// tabs and line ends are dropped: invisible in any editor, left by a bad
/// copy, they would make every page that shows the text invalid HTML. A
/// carriage return alone (old Mac line ends, some copies from the web)
/// ends a line as a line feed does: Markdown would take the whole file
/// for one line, front matter and all.
pub fn decode(bytes: &[u8]) -> (String, bool) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let (text, legacy) = match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), false),
        Err(_) => {
            let utf16 = bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF");
            // Decoding by the Windows-874 label follows a UTF-16 BOM.
            let (cow, _, _) = encoding_rs::WINDOWS_874.decode(bytes);
            (cow.into_owned(), !utf16)
        }
    };
    (lone_returns_as_line_feeds(without_controls(text)), legacy)
}

/// `text` with each carriage return not followed by a line feed made one
/// (the same length: offsets into the text stay as they were).
fn lone_returns_as_line_feeds(text: String) -> String {
    let bytes = text.as_bytes();
    let lone: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        .collect();
    if lone.is_empty() {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in lone {
        bytes[i] = b'\n';
    }
    // Only ASCII bytes were replaced by ASCII bytes.
    String::from_utf8(bytes).unwrap_or_default()
}

/// `text` without control characters but tab, line feed and carriage
/// return.
fn without_controls(text: String) -> String {
    let unwanted = |c: char| c.is_control() && !matches!(c, '\t' | '\n' | '\r');
    if text.contains(unwanted) {
        text.chars().filter(|&c| !unwanted(c)).collect()
    } else {
        text
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
    fn utf16_is_not_legacy_and_controls_are_dropped() {
        let utf16: Vec<u8> = [0xFEFF_u16, 0x0E02, 0x0E48, 0x0E32, 0x0E27]
            .iter()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode(&utf16), ("ข่าว".to_string(), false));
        let text = "เนื้อหา\0ข่าว\x07\t\r\n\u{85}จบ";
        assert_eq!(decode(text.as_bytes()).0, "เนื้อหาข่าว\t\r\nจบ");
    }

    #[test]
    fn a_carriage_return_alone_ends_a_line() {
        let (text, _) = decode("---\rtitle: ข่าว\r---\r\nเนื้อหา\r".as_bytes());
        assert_eq!(text, "---\ntitle: ข่าว\n---\r\nเนื้อหา\n");
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
