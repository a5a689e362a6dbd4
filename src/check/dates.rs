//! A request's date against the day it is checked. Intake publishes a
//! request at once under its `date`, so a date still to come puts "published
//! on 2 December" on a page that went up on 29 November, at the top of every
//! list; staff often write the day of the event instead. A year mistyped by a
//! digit (2469 for 2569) files the item a century away, at the end of every
//! list. Both are warnings: the staff member knows which date was meant.

use chrono::NaiveDate;

use crate::diagnostic::Code;
use crate::i18n::Message;
use crate::news::{Fields, Sink};

/// Further from today than this (in years), a date's year is taken for a
/// typing mistake.
const FAR_YEARS: i32 = 10;

/// Warns of a date after `today` (unless `publish_at` holds the item back
/// until that day) and of one more than [`FAR_YEARS`] away.
pub(super) fn check(sink: &mut Sink, fields: &Fields, today: NaiveDate) {
    let Some(date) = fields.date else { return };
    let place = sink.locate.key("date");
    // As staff write it, and as `publish_at` takes it: 2/12/2569.
    let shown = crate::thaidate::numeric(date);
    if (date - today).num_days().abs() > i64::from(FAR_YEARS) * 366 {
        let m = Message::new("check.date_far")
            .arg("date", shown)
            .arg("years", FAR_YEARS);
        sink.warning(Code::DateOrder, m, place, None);
        return;
    }
    let held_back = fields.publish_at.is_some_and(|at| at.date_naive() >= date);
    if date > today && !held_back {
        let m = Message::new("check.date_future").arg("date", shown);
        sink.warning(Code::DateOrder, m, place, None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::yaml::YamlLines;

    fn warnings(text: &str, today: NaiveDate) -> Vec<(Code, Option<usize>)> {
        let split = crate::news::yaml::split(text).unwrap();
        let lines = YamlLines { text, split };
        let mut sink = Sink {
            file: "ข่าว.md".into(),
            locate: &lines,
            diags: Vec::new(),
        };
        let map = crate::news::yaml::mapping(text, split).unwrap();
        let yaml = "title: t\nbase_url: https://x.go.th/\n";
        let config =
            crate::config::SiteConfig::parse(yaml, std::path::Path::new("site.yaml")).unwrap();
        let body = split.body.map(|b| &text[b..]);
        let fields =
            crate::news::parse(&map, body, &mut sink, &config, crate::news::Origin::Request);
        sink.diags.clear();
        check(&mut sink, &fields, today);
        sink.diags.iter().map(|d| (d.code, d.line)).collect()
    }

    #[test]
    fn a_date_to_come_is_a_warning_unless_held_back_until_then() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let text = "---\ntitle: ข่าว\ndate: 2/12/2569\n---\nเนื้อข่าว\n";
        assert_eq!(warnings(text, today), [(Code::DateOrder, Some(3))]);
        let held = "---\ntitle: ข่าว\ndate: 2/12/2569\npublish_at: 2/12/2569 08:00\n---\nเนื้อ\n";
        assert_eq!(warnings(held, today), []);
        let past = "---\ntitle: ข่าว\ndate: 20/11/2569\n---\nเนื้อข่าว\n";
        assert_eq!(warnings(past, today), []);
        let same_day = "---\ntitle: ข่าว\ndate: 29/11/2569\n---\nเนื้อข่าว\n";
        assert_eq!(warnings(same_day, today), []);
    }

    #[test]
    fn a_year_a_century_off_is_a_warning() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        for date in ["5/12/2469", "1/12/2600"] {
            let text = format!("---\ntitle: ข่าว\ndate: {date}\n---\nเนื้อข่าว\n");
            assert_eq!(
                warnings(&text, today),
                [(Code::DateOrder, Some(3))],
                "{date}"
            );
        }
        let last_year = "---\ntitle: ข่าว\ndate: 5/12/2568\n---\nเนื้อข่าว\n";
        assert_eq!(warnings(last_year, today), []);
    }
}
