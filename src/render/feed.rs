//! `feed.xml`: RSS 2.0 of the latest news, absolute URLs throughout.

use chrono::{Datelike, NaiveDate, Weekday};

use super::filters::absolute;
use crate::config::SiteConfig;

/// One item of the feed.
pub struct FeedItem<'a> {
    pub title: &'a str,
    /// Site path.
    pub url: &'a str,
    pub date: NaiveDate,
    pub category: &'a str,
    pub summary: &'a str,
    /// Absolute URL (size in bytes unknown: given as `<media>`-free HTML in
    /// the description instead) and the photo's description: a feed reader
    /// shows it as a page does, read aloud the same.
    pub image: Option<(String, &'a str)>,
}

/// The RSS document. Deterministic: its dates come from the news, never
/// from the clock.
pub fn rss(config: &SiteConfig, items: &[FeedItem<'_>]) -> String {
    let base = config.base_url();
    let mut out = String::with_capacity(1024 + items.len() * 600);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str("<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n<channel>\n");
    push(&mut out, "title", &config.title);
    push(&mut out, "link", &base);
    let description = if config.description.is_empty() {
        &config.title
    } else {
        &config.description
    };
    push(&mut out, "description", description);
    push(&mut out, "language", config.language.code());
    out.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        xml(&absolute(&base, "/feed.xml"))
    ));
    if let Some(newest) = items.iter().map(|i| i.date).max() {
        push(&mut out, "lastBuildDate", &rfc822(newest));
    }
    push(&mut out, "generator", "khao");
    for item in items {
        let link = absolute(&base, item.url);
        out.push_str("<item>\n");
        push(&mut out, "title", item.title);
        push(&mut out, "link", &link);
        out.push_str(&format!(
            "<guid isPermaLink=\"true\">{}</guid>\n",
            xml(&link)
        ));
        push(&mut out, "pubDate", &rfc822(item.date));
        if !item.category.is_empty() {
            push(&mut out, "category", item.category);
        }
        let mut description = String::new();
        if let Some((src, alt)) = &item.image {
            description.push_str(&format!(
                "<p><img src=\"{}\" alt=\"{}\"></p>",
                crate::markdown::escape(src),
                crate::markdown::escape(alt)
            ));
        }
        if !item.summary.is_empty() {
            description.push_str(&format!("<p>{}</p>", crate::markdown::escape(item.summary)));
        }
        if !description.is_empty() {
            push(&mut out, "description", &description);
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn push(out: &mut String, tag: &str, text: &str) {
    out.push('<');
    out.push_str(tag);
    out.push('>');
    out.push_str(&xml(text));
    out.push_str("</");
    out.push_str(tag);
    out.push_str(">\n");
}

/// Escapes text for XML, dropping the control characters XML 1.0 forbids.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// RFC 822 date at the start of the day, Thailand time (+0700), with
/// English names as RSS requires.
fn rfc822(d: NaiveDate) -> String {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let wd: Weekday = d.weekday();
    format!(
        "{}, {:02} {} {} 00:00:00 +0700",
        DAYS[wd.num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize],
        d.year()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc822() {
        assert_eq!(
            rfc822(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()),
            "Fri, 20 Nov 2026 00:00:00 +0700"
        );
    }

    #[test]
    fn xml_escaping() {
        assert_eq!(
            xml("a & <b> \"c\" \u{1}"),
            "a &amp; &lt;b&gt; &quot;c&quot; "
        );
    }
}
