//! Every message khao prints, in one file per language:
//! `src/i18n/th.yaml` and `src/i18n/en.yaml`.
//!
//! The steps never translate. They describe what happened as a
//! [`Message`] — a catalogue key and its arguments — and the command layer
//! renders it in the site's language, once, where the output is written
//! (the terminal, JSON, a report file, the preview page).
//!
//! A key missing from a language falls back to the other one, then to the
//! key itself, so a missing translation is visible but never a panic; a unit
//! test keeps both files' keys identical.

use std::collections::HashMap;
use std::fmt;

use once_cell::sync::Lazy;
use serde::{Deserialize, Serialize};

/// The site's language: the templates' words and every message khao prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Th,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Th => "th",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "th" => Some(Lang::Th),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    fn other(self) -> Lang {
        match self {
            Lang::Th => Lang::En,
            Lang::En => Lang::Th,
        }
    }
}

/// Each key with its value as written in the file: a YAML scalar on the
/// key's own line (`key: "…"`), decoded only when a message is shown.
type Catalog = HashMap<&'static str, &'static str>;

/// Indexes the lines of a catalogue file. Parsing the whole file as YAML
/// cost more than a one-edit build's summary line is worth (about 2 ms on
/// every command); a unit test checks that this index, decoded, is
/// exactly what a YAML parser reads from both files.
fn load(text: &'static str) -> Catalog {
    text.lines()
        .filter(|line| !line.starts_with(['#', ' ', '\t']))
        .filter_map(|line| line.split_once(": "))
        .map(|(key, value)| (key, value.trim()))
        .collect()
}

/// A value as written, as text: a plain double-quoted value as it is,
/// anything else (escapes, other quoting) through the YAML parser. An
/// undecodable value shows as written rather than panicking.
fn decode(raw: &str) -> std::borrow::Cow<'_, str> {
    let inner = raw.strip_prefix('"').and_then(|r| r.strip_suffix('"'));
    if let Some(inner) = inner.filter(|i| !i.contains(['"', '\\'])) {
        return std::borrow::Cow::Borrowed(inner);
    }
    serde_yaml::from_str::<String>(raw).map_or(std::borrow::Cow::Borrowed(raw), Into::into)
}

static TH: Lazy<Catalog> = Lazy::new(|| load(include_str!("th.yaml")));
static EN: Lazy<Catalog> = Lazy::new(|| load(include_str!("en.yaml")));

fn catalog(lang: Lang) -> &'static Catalog {
    match lang {
        Lang::Th => &TH,
        Lang::En => &EN,
    }
}

/// The message `key` in `lang`, with each `{name}` replaced by its value.
pub fn tr(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let template = catalog(lang)
        .get(key)
        .or_else(|| catalog(lang.other()).get(key))
        .map_or(std::borrow::Cow::Borrowed(key), |raw| decode(raw));
    fill(&template, args)
}

/// `template` with each `{name}` replaced by its value, and each
/// `{name#one#other}` by the value and the word that goes with it: "1
/// error", "2 errors" (English counts; Thai has no plural).
fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
        let open = format!("{{{name}#");
        while let Some(start) = out.find(&open) {
            let Some(len) = out[start..].find('}') else {
                break;
            };
            let inner = &out[start + open.len()..start + len];
            let (one, other) = inner.split_once('#').unwrap_or((inner, inner));
            let word = if value.trim() == "1" { one } else { other };
            out.replace_range(start..=start + len, &format!("{value} {word}"));
        }
    }
    out
}

/// A message not yet in any language: a catalogue key and its arguments.
/// An argument is plain text (a file name, a number) or another message
/// (a rule, a reason), rendered in the same language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    pub key: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<(String, Arg)>,
}

/// One argument of a [`Message`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Arg {
    Text(String),
    Message(Message),
}

impl Message {
    pub fn new(key: &str) -> Message {
        Message {
            key: key.to_string(),
            args: Vec::new(),
        }
    }

    /// Adds a plain-text argument.
    pub fn arg(mut self, name: &str, value: impl fmt::Display) -> Message {
        self.args
            .push((name.to_string(), Arg::Text(value.to_string())));
        self
    }

    /// Adds an argument that is itself a message.
    pub fn arg_msg(mut self, name: &str, value: Message) -> Message {
        self.args.push((name.to_string(), Arg::Message(value)));
        self
    }

    /// The text argument `name`, if there is one.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.args.iter().find_map(|(n, a)| match a {
            Arg::Text(t) if n == name => Some(t.as_str()),
            _ => None,
        })
    }

    /// The message in `lang`.
    pub fn render(&self, lang: Lang) -> String {
        let values: Vec<(&str, String)> = self
            .args
            .iter()
            .map(|(n, a)| {
                let v = match a {
                    Arg::Text(t) => t.clone(),
                    Arg::Message(m) => m.render(lang),
                };
                (n.as_str(), v)
            })
            .collect();
        let pairs: Vec<(&str, &str)> = values.iter().map(|(n, v)| (*n, v.as_str())).collect();
        tr(lang, &self.key, &pairs)
    }
}

/// An operating-system error (`io::Error`'s text, "Permission denied (os
/// error 13)") as a message: the usual ones (no permission, disk full, not
/// there) in the reader's words, the system's text kept beside them for
/// whoever looks it up.
pub fn os_error(error: impl fmt::Display) -> Message {
    let raw = error.to_string();
    let errno = (raw.rsplit_once("(os error "))
        .and_then(|(_, n)| n.strip_suffix(')'))
        .and_then(|n| n.parse::<i32>().ok());
    let key = match errno {
        Some(libc::ENOENT) => "os.not_found",
        Some(libc::EACCES | libc::EPERM) => "os.denied",
        Some(libc::ENOSPC) => "os.disk_full",
        Some(libc::EDQUOT) => "os.quota",
        Some(libc::EROFS) => "os.read_only",
        Some(libc::EIO) => "os.io",
        Some(libc::ENAMETOOLONG) => "os.name_too_long",
        Some(libc::ENOTDIR) => "os.not_a_folder",
        Some(libc::EISDIR) => "os.is_a_folder",
        Some(libc::EEXIST) => "os.exists",
        Some(libc::ECONNREFUSED) => "os.refused",
        Some(libc::ETIMEDOUT) => "os.timed_out",
        Some(libc::EHOSTUNREACH | libc::ENETUNREACH) => "os.unreachable",
        Some(libc::ECONNRESET | libc::EPIPE) => "os.reset",
        _ => "os.other",
    };
    Message::new(key).arg("raw", raw)
}

/// English, for `Display` of errors (logs, panics in tests); people see
/// [`Message::render`] in their own language.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Parsed = HashMap<String, String>;

    #[test]
    fn an_os_error_is_told_in_the_readers_words() {
        let denied = std::io::Error::from_raw_os_error(libc::EACCES);
        let th = os_error(&denied).render(Lang::Th);
        assert!(th.contains("ไม่มีสิทธิ์"), "{th}");
        assert!(th.contains("os error 13"), "{th}");
        let full = os_error(format!(
            "/srv/x: {}",
            std::io::Error::from_raw_os_error(libc::ENOSPC)
        ));
        assert!(full.render(Lang::Th).starts_with("พื้นที่ในดิสก์เต็ม"));
        // As ureq words a connection the live check could not make.
        let refused = os_error("io: Connection refused (os error 111)").render(Lang::Th);
        assert!(refused.starts_with("เซิร์ฟเวอร์ไม่รับการเชื่อมต่อ"), "{refused}");
        // Anything else is the system's own text.
        let other = os_error("connection reset");
        assert_eq!(other.render(Lang::Th), "connection reset");
    }

    #[test]
    fn the_line_index_reads_each_file_exactly_as_yaml_does() {
        for text in [include_str!("th.yaml"), include_str!("en.yaml")] {
            let parsed: Parsed = serde_yaml::from_str(text).unwrap();
            let indexed: Parsed = load(text)
                .into_iter()
                .map(|(k, raw)| (k.to_string(), decode(raw).into_owned()))
                .collect();
            assert_eq!(indexed, parsed);
        }
        assert_eq!(decode(r#""a \"b\" c""#), r#"a "b" c"#);
        assert_eq!(decode("plain"), "plain");
        assert_eq!(decode("\"unclosed"), "\"unclosed");
    }

    #[test]
    fn both_languages_parse_and_have_the_same_keys() {
        let th: Parsed = serde_yaml::from_str(include_str!("th.yaml")).unwrap();
        let en: Parsed = serde_yaml::from_str(include_str!("en.yaml")).unwrap();
        let mut only_th: Vec<_> = th.keys().filter(|k| !en.contains_key(*k)).collect();
        let mut only_en: Vec<_> = en.keys().filter(|k| !th.contains_key(*k)).collect();
        only_th.sort();
        only_en.sort();
        assert!(only_th.is_empty(), "keys missing from en.yaml: {only_th:?}");
        assert!(only_en.is_empty(), "keys missing from th.yaml: {only_en:?}");
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fill("a {x} b {y}", &[("x", "1"), ("y", "2")]), "a 1 b 2");
        assert_eq!(tr(Lang::En, "no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn english_counts_take_the_word_that_goes_with_them() {
        let counted = |errors: &str, warnings: &str| {
            let args = [("errors", errors), ("warnings", warnings)];
            fill(
                "({errors#error#errors}, {warnings#warning#warnings})",
                &args,
            )
        };
        assert_eq!(counted("1", "0"), "(1 error, 0 warnings)");
        assert_eq!(counted("2", "1"), "(2 errors, 1 warning)");
        let m = Message::new("check.verdict_bad")
            .arg("errors", 1)
            .arg("warnings", 3);
        assert_eq!(m.render(Lang::En), "not passed (1 error, 3 warnings)");
        assert!(m.render(Lang::Th).contains('1'));
    }

    #[test]
    fn nested_messages_render_in_the_same_language() {
        let m = Message::new("config.invalid_value")
            .arg("key", "base_url")
            .arg_msg("rule", Message::new("config.rule.url"));
        assert!(m.render(Lang::En).contains("http://"));
        assert!(m.render(Lang::Th).contains("ต้องขึ้นต้น"));
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(serde_json::from_str::<Message>(&json).unwrap(), m);
    }
}
