//! Mobile phone numbers in what a news item publishes. A teacher's or a
//! parent's mobile number on the office's website is personal data
//! (PDPA), but a contact number its owner agreed to publish is common in
//! school news, so one found is a warning: the staff member decides. Office
//! numbers (nine digits, `077-205317`) are not reported, nor the
//! requester's phone, which is never published.

use std::ops::Range;

use super::personal_id::digit_runs;

/// Byte ranges of `text` holding a Thai mobile number: ten digits
/// beginning 06, 08 or 09, however grouped (`081-234-5678`,
/// `081 234 5678`, `081.234.5678`, `(081) 234 5678`, `0812345678`, Thai
/// digits), or `+66` and nine digits.
/// A number inside a longer run of digits (a slug, an ID) is not one.
pub fn find(text: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    for groups in digit_runs(text) {
        let mut a = 0;
        while a < groups.len() {
            let international = text[..groups[a].start].ends_with('+');
            let mut all = Vec::new();
            let mut end = None;
            for (b, group) in groups.iter().enumerate().skip(a) {
                all.extend_from_slice(&group.digits);
                if is_mobile(&all, international) {
                    end = Some(b);
                    break;
                }
                if all.len() >= 11 {
                    break;
                }
            }
            match end {
                Some(b) => {
                    let start = groups[a].start - usize::from(international);
                    found.push(start..groups[b].end);
                    a = b + 1;
                }
                None => a += 1,
            }
        }
    }
    found
}

/// Ten digits 06…, 08…, 09…; after a `+`, 66 and nine digits 6…, 8…, 9….
fn is_mobile(digits: &[u8], international: bool) -> bool {
    let mobile_prefix = |d: u8| matches!(d, b'6' | b'8' | b'9');
    if international {
        digits.len() == 11 && digits.starts_with(b"66") && mobile_prefix(digits[2])
    } else {
        digits.len() == 10 && digits[0] == b'0' && mobile_prefix(digits[1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(text: &str) -> Vec<&str> {
        find(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn finds_mobile_numbers_however_written() {
        for n in [
            "081-234-5678",
            "081 234 5678",
            "0812345678",
            "08-1234-5678",
            "091-2345678",
            "๐๘๑-๒๓๔-๕๖๗๘",
            "+66 81 234 5678",
            "+66812345678",
            "081.234.5678",
            "081\u{2013}234\u{2013}5678",
            "081 - 234 - 5678",
            "081) 234 5678",
        ] {
            let text = format!("สอบถามเพิ่มเติม ครูสมศรี โทร {n} ในเวลาราชการ");
            assert_eq!(numbers(&text), [n], "{text}");
        }
        assert_eq!(
            numbers("โทร 081-234-5678, 062 345 6789"),
            ["081-234-5678", "062 345 6789"]
        );
    }

    #[test]
    fn office_numbers_slugs_ids_and_masked_numbers_are_not_mobiles() {
        for text in [
            "โทร 077-205317 หรือ 02-123-4567",
            "ข่าว 20240401-02501",
            "เลขที่หนังสือ ศธ 04123/1234",
            "โทร 08x-xxx-5678",
            "เลข 1081234567890",
            "ปี 2567 จำนวน 120 คน",
            "ผู้เข้าร่วม 081234567 คน",
            "เวลา 08.30 - 16.30 น.",
            "วันที่ 08.12.2569",
        ] {
            assert!(numbers(text).is_empty(), "{text}: {:?}", numbers(text));
        }
    }
}
