//! What the attract screen promotes (宣传推广): the library's events, notices, new arrivals and
//! digital services, as slides with a bilingual title and text, an optional image and QR code,
//! and when to show them. Which slides show at a given moment, and in which order, is decided
//! here; loading them (a folder, a feed) and drawing them is the shell's.

use crate::circ::Language;
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};

/// A text in both languages; either may be missing, and the other stands in for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bilingual {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zh: Option<String>,
}

impl Bilingual {
    pub fn new(en: Option<String>, zh: Option<String>) -> Bilingual {
        let keep = |t: Option<String>| t.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        Bilingual {
            en: keep(en),
            zh: keep(zh),
        }
    }

    /// In `language`, else in the other one.
    pub fn pick(&self, language: Language) -> &str {
        let (first, second) = match language {
            Language::En => (&self.en, &self.zh),
            Language::ZhCn => (&self.zh, &self.en),
        };
        first.as_deref().or(second.as_deref()).unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.en.is_none() && self.zh.is_none()
    }
}

/// What a slide is about (the screen marks each kind).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlideKind {
    /// A lecture, a children's reading hour, an exhibition (讲座, 亲子阅读, 展览).
    Event,
    /// Opening hours, a closure.
    #[default]
    Notice,
    NewArrival,
    /// E-books, the library's WeChat account or app.
    Digital,
}

/// One slide of the attract loop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slide {
    /// Stable within its source (the file's name, the feed item's id).
    pub id: String,
    pub kind: SlideKind,
    pub title: Bilingual,
    pub text: Bilingual,
    /// The image, as the shell keeps it (a file it has checked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// A link readers follow with their phone: drawn as a QR code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr: Option<String>,
    pub when: Schedule,
    /// Higher first; ties keep the sources' order.
    pub priority: i32,
}

/// When a slide shows: between two dates (inclusive), on some weekdays, between two times.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Schedule {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starts: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ends: Option<NaiveDate>,
    /// Empty: every day.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<Weekday>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hours: Option<(NaiveTime, NaiveTime)>,
}

impl Schedule {
    /// Whether the slide shows at this local time.
    pub fn covers(&self, at: NaiveDateTime) -> bool {
        let day = at.date();
        self.starts.is_none_or(|s| day >= s)
            && self.ends.is_none_or(|e| day <= e)
            && (self.weekdays.is_empty() || self.weekdays.contains(&day.weekday()))
            && self
                .hours
                .is_none_or(|(from, to)| (from..to).contains(&at.time()))
    }
}

/// The slides to show now, in order: higher priority first, the sources' order among equals.
pub fn showing(slides: &[Slide], at: NaiveDateTime) -> Vec<&Slide> {
    let mut now: Vec<&Slide> = slides.iter().filter(|s| s.when.covers(at)).collect();
    now.sort_by_key(|s| std::cmp::Reverse(s.priority));
    now
}

/// `"09:00-17:30"`.
pub fn parse_hours(text: &str) -> Option<(NaiveTime, NaiveTime)> {
    let (from, to) = text.split_once('-')?;
    let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").ok();
    let (from, to) = (time(from)?, time(to)?);
    (from < to).then_some((from, to))
}

/// `"mon"`, `"Monday"`, `"周一"`, `"星期一"`.
pub fn parse_weekday(text: &str) -> Option<Weekday> {
    let text = text.trim();
    let zh = ["一", "二", "三", "四", "五", "六", "日"];
    if let Some(n) = zh.iter().position(|d| {
        text == format!("周{d}") || text == format!("星期{d}") || (*d == "日" && text == "星期天")
    }) {
        return Weekday::try_from(n as u8).ok();
    }
    text.parse::<Weekday>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 12, day)
            .and_then(|d| d.and_hms_opt(hour, 0, 0))
            .unwrap()
    }

    fn slide(id: &str, priority: i32, when: Schedule) -> Slide {
        Slide {
            id: id.into(),
            kind: SlideKind::Event,
            title: Bilingual::new(Some(id.into()), None),
            text: Bilingual::default(),
            image: None,
            qr: None,
            when,
            priority,
        }
    }

    #[test]
    fn slides_show_within_their_dates_days_and_hours_by_priority() {
        let weekend_mornings = Schedule {
            weekdays: vec![Weekday::Sat, Weekday::Sun],
            hours: parse_hours("09:00-12:00"),
            ..Schedule::default()
        };
        let december = Schedule {
            starts: NaiveDate::from_ymd_opt(2026, 12, 1),
            ends: NaiveDate::from_ymd_opt(2026, 12, 6),
            ..Schedule::default()
        };
        let slides = [
            slide("always", 0, Schedule::default()),
            slide("reading-hour", 5, weekend_mornings),
            slide("closure", 10, december),
        ];
        let ids = |at| {
            showing(&slides, at)
                .iter()
                .map(|s| s.id.as_str())
                .collect::<Vec<_>>()
        };
        // Saturday 5 December 2026, 10:00.
        assert_eq!(ids(at(5, 10)), ["closure", "reading-hour", "always"]);
        assert_eq!(ids(at(5, 14)), ["closure", "always"], "past noon");
        assert_eq!(ids(at(7, 10)), ["always"], "a Monday, after the closure");
    }

    #[test]
    fn the_readers_language_decides_and_the_other_stands_in() {
        let both = Bilingual::new(Some("Story time".into()), Some("亲子阅读".into()));
        assert_eq!(both.pick(Language::ZhCn), "亲子阅读");
        assert_eq!(both.pick(Language::En), "Story time");
        let zh_only = Bilingual::new(None, Some("闭馆通知".into()));
        assert_eq!(zh_only.pick(Language::En), "闭馆通知");
        assert!(Bilingual::new(Some("  ".into()), None).is_empty());
    }

    #[test]
    fn hours_and_weekdays_read_as_libraries_write_them() {
        assert!(parse_hours("09:00-17:30").is_some());
        assert_eq!(parse_hours("17:00-09:00"), None);
        assert_eq!(parse_hours("9-5"), None);
        assert_eq!(parse_weekday("sat"), Some(Weekday::Sat));
        assert_eq!(parse_weekday("Sunday"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("周三"), Some(Weekday::Wed));
        assert_eq!(parse_weekday("星期天"), Some(Weekday::Sun));
        assert_eq!(parse_weekday("someday"), None);
    }
}
