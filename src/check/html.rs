//! Raw HTML in a request body that could run script in a visitor's browser.
//! Harmless HTML is sanitised at render; this only finds what must be
//! refused, so the staff member hears about it before publication.

use once_cell::sync::Lazy;
use regex::Regex;

static UNSAFE: Lazy<Vec<Regex>> = Lazy::new(|| {
    [
        r"(?i)<\s*(script|iframe|frame|frameset|object|embed|applet|form|style|link|meta|base|svg|math)\b[^>]*>?",
        r#"(?i)<[a-z][^>]*?[\s/"']on[a-z]+\s*="#,
        r#"(?i)(href|src|action|formaction|xlink:href|data)\s*=\s*["']?\s*(javascript|vbscript|data)\s*:"#,
        r"(?i)\]\(\s*<?\s*(javascript|vbscript|data)\s*:",
        r"(?i)<\s*(javascript|vbscript|data)\s*:",
        r"(?i)^\s*\[[^\]]+\]:\s*<?\s*(javascript|vbscript|data)\s*:",
        r"(?i)&#0*(106|x0*6a);\s*(&#0*(97|x0*61);|a)",
        r"(?i)j\s*&#[0-9x]+;?\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:",
    ]
    .iter()
    .filter_map(|p| Regex::new(&format!("(?m){p}")).ok())
    .collect()
});

/// Byte ranges of the dangerous parts of `body`, in order, not overlapping.
pub fn find(body: &str) -> Vec<std::ops::Range<usize>> {
    let mut found: Vec<std::ops::Range<usize>> = UNSAFE
        .iter()
        .flat_map(|re| re.find_iter(body).map(|m| m.range()))
        .collect();
    found.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for r in found {
        match out.last() {
            Some(last) if r.start < last.end => {}
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::find;

    #[test]
    fn finds_script_payloads() {
        for bad in [
            "<script>alert(1)</script>",
            "<SCRIPT src=//evil></SCRIPT>",
            "<img src=x onerror=alert(1)>",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[คลิก](javascript:alert(1))",
            "<iframe src=https://evil></iframe>",
            "<object data=x></object>",
            "<embed src=x>",
            "<form action=x><input></form>",
            "<style>body{}</style>",
            "<a href='data:text/html;base64,xx'>x</a>",
            "<svg onload=alert(1)>",
            "<div onmouseover=\"x()\">hi</div>",
        ] {
            assert!(!find(bad).is_empty(), "{bad}");
        }
    }

    #[test]
    fn leaves_ordinary_text_and_html() {
        for ok in [
            "นักเรียน **ร่วมกิจกรรม** [เว็บ](https://example.go.th/)",
            "<b>ตัวหนา</b> <a href=\"https://x.go.th/\">ลิงก์</a>",
            "ข้อมูล: data science และ javascript เป็นวิชาเลือก",
            "<p>one</p>",
        ] {
            assert!(find(ok).is_empty(), "{ok}");
        }
    }
}
