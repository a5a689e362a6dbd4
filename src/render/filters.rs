//! The Tera filters the theme's templates use.

use std::collections::HashMap;

use chrono::NaiveDate;
use tera::{Filter, Value, to_value, try_get_value};

use crate::i18n::Lang;
use crate::thaidate::{self, Style};

/// `{{ date | thai_date }}`: `20 พฤศจิกายน 2569` (Thai, Buddhist Era) or
/// `20 November 2026` (English), after the site's language.
/// Arguments: `style="full"|"short"`, `digits="thai"|"arabic"`.
pub struct ThaiDate {
    pub lang: Lang,
}

impl Filter for ThaiDate {
    fn filter(&self, value: &Value, args: &HashMap<String, Value>) -> tera::Result<Value> {
        let text = try_get_value!("thai_date", "value", String, value);
        let date = thaidate::parse(&text)
            .or_else(|| text.get(..10).and_then(thaidate::parse))
            .ok_or_else(|| {
                tera::Error::msg(format!(
                    "thai_date: `{text}` is not a date (expected 2026-11-20)"
                ))
            })?;
        let style = match args.get("style").and_then(Value::as_str).unwrap_or("full") {
            "full" => Style::Full,
            "short" => Style::Short,
            other => {
                return Err(tera::Error::msg(format!(
                    "thai_date: style must be \"full\" or \"short\", not \"{other}\""
                )));
            }
        };
        let thai_digits = match args
            .get("digits")
            .and_then(Value::as_str)
            .unwrap_or("arabic")
        {
            "thai" => true,
            "arabic" | "" => false,
            other => {
                return Err(tera::Error::msg(format!(
                    "thai_date: digits must be \"thai\" or \"arabic\", not \"{other}\""
                )));
            }
        };
        Ok(to_value(format_date(date, self.lang, style, thai_digits))?)
    }

    fn is_safe(&self) -> bool {
        false
    }
}

fn format_date(date: NaiveDate, lang: Lang, style: Style, thai_digits: bool) -> String {
    thaidate::format(date, lang, style, thai_digits)
}

/// `{{ bytes | filesize }}`: `850 B`, `34 KB`, `1.2 MB`.
pub struct FileSize;

impl Filter for FileSize {
    fn filter(&self, value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
        let n = try_get_value!("filesize", "value", u64, value);
        Ok(to_value(human_size(n))?)
    }
}

/// A file size as people read it: `850 B`, `34 KB`, `1.2 MB`, `1.5 GB`.
pub fn human_size(bytes: u64) -> String {
    const K: f64 = 1024.0;
    let b = bytes as f64;
    if bytes < 1024 {
        format!("{bytes} B")
    } else if b < K * K {
        format!("{} KB", (b / K).round().max(1.0) as u64)
    } else if b < K * K * K {
        format!("{:.1} MB", b / (K * K))
    } else {
        format!("{:.1} GB", b / (K * K * K))
    }
}

/// `{{ "/news/" | abs_url }}`: the absolute URL of a site path, for what
/// leaves the site (shared links, feeds).
pub struct AbsUrl {
    pub base: String,
}

impl Filter for AbsUrl {
    fn filter(&self, value: &Value, _args: &HashMap<String, Value>) -> tera::Result<Value> {
        let path = try_get_value!("abs_url", "value", String, value);
        Ok(to_value(absolute(&self.base, &path))?)
    }
}

/// `base` (ending in `/`) joined with a site path, percent-encoded.
pub fn absolute(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_string();
    }
    crate::plumbing::url::encode_uri(&format!("{}{}", base, path.trim_start_matches('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes() {
        assert_eq!(human_size(850), "850 B");
        assert_eq!(human_size(34 * 1024 + 100), "34 KB");
        assert_eq!(human_size(1_258_291), "1.2 MB");
    }

    #[test]
    fn thai_date_filter() {
        let f = ThaiDate { lang: Lang::Th };
        let mut args = HashMap::new();
        let v = f.filter(&Value::from("2026-11-20"), &args).unwrap();
        assert_eq!(v, Value::from("20 พฤศจิกายน 2569"));
        args.insert("style".to_string(), Value::from("short"));
        args.insert("digits".to_string(), Value::from("thai"));
        let v = f.filter(&Value::from("2026-11-20"), &args).unwrap();
        assert_eq!(v, Value::from("๒๐ พ.ย. ๒๕๖๙"));
        let en = ThaiDate { lang: Lang::En };
        assert_eq!(
            en.filter(&Value::from("2026-11-20"), &HashMap::new())
                .unwrap(),
            Value::from("20 November 2026")
        );
        assert!(f.filter(&Value::from("soon"), &HashMap::new()).is_err());
    }

    #[test]
    fn absolute_urls() {
        assert_eq!(
            absolute("https://x.go.th/", "/news/"),
            "https://x.go.th/news/"
        );
        assert_eq!(
            absolute("https://x.go.th/", "/ก/"),
            "https://x.go.th/%E0%B8%81/"
        );
    }
}
