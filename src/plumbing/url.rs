//! Percent-encoding, in the three forms khao needs: HTML paths (Thai kept
//! as it is, which HTML allows), plain URIs for XML readers and HTTP
//! clients, and decoding what a browser sends.

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};

/// What a path in HTML cannot hold as it is: space, `"`, `#`, `%`, `<`...
const PATH: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// One path segment of a URI: everything but unreserved characters.
const SEGMENT: &AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes the ASCII characters a URL path cannot hold as they are;
/// letters of other scripts (Thai file names) are kept, which HTML allows.
pub fn encode_path(path: &str) -> String {
    path.chars()
        .map(|c| {
            if c.is_ascii() {
                let mut buf = [0u8; 4];
                utf8_percent_encode(c.encode_utf8(&mut buf), PATH).to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Percent-encodes everything outside ASCII too: for XML files (feed,
/// sitemap) and HTTP requests, whose readers expect plain URIs. `%` that
/// already starts an escape is kept.
pub fn encode_uri(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for b in url.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@?#%".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Each `/`-separated segment of `path` percent-encoded on its own.
pub fn encode_segments(path: &str) -> String {
    path.split('/')
        .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// Decodes `%XX` escapes; `None` when the result is not UTF-8.
pub fn decode(s: &str) -> Option<String> {
    percent_decode_str(s)
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// [`decode`], keeping a string that does not decode as it is.
pub fn decode_lossless(s: &str) -> String {
    decode(s).unwrap_or_else(|| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_and_decodes() {
        assert_eq!(encode_path("a b/ข่าว#1.pdf"), "a%20b/ข่าว%231.pdf");
        assert_eq!(encode_uri("/ข"), "/%E0%B8%82");
        assert_eq!(encode_segments("news/ก ข"), "news/%E0%B8%81%20%E0%B8%82");
        assert_eq!(decode("%E0%B8%82%20").as_deref(), Some("ข "));
        assert_eq!(decode("%FF"), None);
        assert_eq!(decode_lossless("%FF"), "%FF");
    }
}
