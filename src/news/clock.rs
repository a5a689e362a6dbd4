//! A news item's place in time: before `publish_at` it is under embargo
//! (built nowhere); from `expires` on it is ended (off the home page and
//! the pinned spot, marked "สิ้นสุดแล้ว", still in its category, the
//! archives, the sitemap and search); it is pinned while `pinned` holds and
//! `pinned_until` has not passed. An instant belongs to the state it
//! starts: at `publish_at` exactly the item is out.

use chrono::{DateTime, FixedOffset};

use super::News;

type Instant = DateTime<FixedOffset>;

impl News {
    /// Not yet to be published.
    pub fn is_embargoed(&self, now: &Instant) -> bool {
        self.publish_at.is_some_and(|t| *now < t)
    }

    /// Expired.
    pub fn is_ended(&self, now: &Instant) -> bool {
        self.expires.is_some_and(|t| *now >= t)
    }

    /// On the home page's pinned spot.
    pub fn is_pinned(&self, now: &Instant) -> bool {
        self.pinned && !self.is_ended(now) && self.pinned_until.is_none_or(|t| *now < t)
    }

    /// The next instant after `now` at which the item's state changes.
    /// Under embargo it is shown nowhere, so its end or pin lapsing before
    /// `publish_at` changes nothing.
    pub fn next_change(&self, now: &Instant) -> Option<Instant> {
        let pinned_until = self.pinned_until.filter(|_| self.pinned);
        let hidden_until = self.publish_at.filter(|t| t > now);
        [self.publish_at, self.expires, pinned_until]
            .into_iter()
            .flatten()
            .filter(|t| t > now && hidden_until.is_none_or(|h| *t >= h))
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::news::Requester;

    fn at(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn item() -> News {
        News {
            title: "t".into(),
            slug: "s".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
            category: "pr".into(),
            tags: vec![],
            summary: None,
            requester: Requester::default(),
            cover: None,
            images: vec![],
            attachments: vec![],
            pinned: true,
            pinned_until: Some(at("2026-12-31T00:00:00+07:00")),
            publish_at: Some(at("2026-12-01T08:00:00+07:00")),
            expires: Some(at("2026-12-15T00:00:00+07:00")),
            received: None,
            accepted: None,
            body: String::new(),
        }
    }

    #[test]
    fn each_instant_starts_its_state() {
        let n = item();
        let before = at("2026-12-01T07:59:59+07:00");
        let on = at("2026-12-01T08:00:00+07:00");
        assert!(n.is_embargoed(&before) && !n.is_embargoed(&on));
        // Midnight in Bangkok is 17:00 UTC the day before.
        assert!(!n.is_ended(&at("2026-12-14T16:59:59Z")));
        assert!(n.is_ended(&at("2026-12-14T17:00:00Z")));
        assert!(n.is_pinned(&on));
        assert!(
            !n.is_pinned(&at("2026-12-15T00:00:00+07:00")),
            "an ended item is not pinned"
        );
        assert_eq!(n.next_change(&before), Some(on));
        assert_eq!(n.next_change(&on), Some(at("2026-12-15T00:00:00+07:00")));
        assert_eq!(n.next_change(&at("2026-12-31T00:00:00+07:00")), None);
        // Ending before its embargo lifts changes nothing anyone sees.
        let mut late = item();
        late.publish_at = Some(at("2026-12-01T08:30:00+07:00"));
        late.expires = Some(at("2026-11-30T00:00:00+07:00"));
        let now = at("2026-11-29T20:00:00+07:00");
        assert_eq!(late.next_change(&now), late.publish_at);
    }
}
