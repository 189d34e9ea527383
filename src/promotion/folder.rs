//! Slides from the folder a library fills: one TOML file per slide, its image beside it.
//!
//! ```toml
//! kind = "event"                      # event, notice, new_arrival, digital
//! title_zh = "亲子阅读：冬天的故事"
//! title_en = "Story time: winter tales"
//! text_zh = "每周六上午十点，少儿阅览室。"
//! text_en = "Saturdays at 10, in the children's reading room."
//! image = "story-time.png"            # PNG or JPEG, in this folder
//! qr = "https://library.example.org/events/42"
//! starts = 2026-12-01                 # both dates included
//! ends = 2027-01-31
//! weekdays = ["sat"]                  # or "周六"; none: every day
//! hours = "08:00-12:00"
//! priority = 10                       # higher first
//! ```

use super::{Catalogue, Problem, images, inside};
use chrono::NaiveDate;
use kiosk_core::promotion::{Bilingual, Schedule, Slide, SlideKind, parse_hours, parse_weekday};
use serde::Deserialize;
use std::path::Path;

/// One slide's file, as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlideFile {
    #[serde(default)]
    pub kind: SlideKind,
    pub title_en: Option<String>,
    pub title_zh: Option<String>,
    pub text_en: Option<String>,
    pub text_zh: Option<String>,
    pub image: Option<String>,
    pub qr: Option<String>,
    pub starts: Option<toml::value::Datetime>,
    pub ends: Option<toml::value::Datetime>,
    #[serde(default)]
    pub weekdays: Vec<String>,
    pub hours: Option<String>,
    #[serde(default)]
    pub priority: i32,
}

fn date(value: &toml::value::Datetime) -> Option<NaiveDate> {
    let d = value.date?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

impl SlideFile {
    /// The slide, or what is wrong with it. `dir` is where its image is looked for; a bad
    /// image leaves the slide without it (and is a problem of its own).
    pub fn slide(
        self,
        id: String,
        dir: &Path,
        problems: &mut Vec<Problem>,
        source: &str,
    ) -> Result<Slide, String> {
        let title = Bilingual::new(self.title_en, self.title_zh);
        if title.is_empty() {
            return Err("no title: set title_zh or title_en".into());
        }
        let starts = self
            .starts
            .as_ref()
            .map(|d| date(d).ok_or("`starts` is not a date"));
        let ends = self
            .ends
            .as_ref()
            .map(|d| date(d).ok_or("`ends` is not a date"));
        let (starts, ends) = (starts.transpose()?, ends.transpose()?);
        if let (Some(s), Some(e)) = (starts, ends)
            && e < s
        {
            return Err(format!("`ends` ({e}) is before `starts` ({s})"));
        }
        let weekdays = self
            .weekdays
            .iter()
            .map(|d| {
                parse_weekday(d).ok_or(format!("{d:?} is not a weekday (mon … sun, 周一 … 周日)"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let hours = match &self.hours {
            Some(text) => Some(
                parse_hours(text)
                    .ok_or(format!("hours {text:?}: write them as \"09:00-17:30\""))?,
            ),
            None => None,
        };
        if let Some(qr) = &self.qr
            && !(qr.starts_with("https://") || qr.starts_with("http://"))
        {
            return Err(format!("qr {qr:?} is not a web address (https://…)"));
        }
        let image = self.image.and_then(|name| {
            let checked = inside(dir, &name)
                .ok_or_else(|| format!("image {name:?} must be a file in the slides' folder"))
                .and_then(|path| images::check(&path).map(|()| path));
            match checked {
                Ok(path) => Some(path.display().to_string()),
                Err(message) => {
                    problems.push(Problem {
                        source: source.to_owned(),
                        message: format!("{name}: {message}; the slide shows without it"),
                    });
                    None
                }
            }
        });
        Ok(Slide {
            id,
            kind: self.kind,
            title,
            text: Bilingual::new(self.text_en, self.text_zh),
            image,
            qr: self.qr,
            when: Schedule {
                starts,
                ends,
                weekdays,
                hours,
            },
            priority: self.priority,
        })
    }
}

/// Every `*.toml` of the folder, in name order.
pub fn read(dir: &Path, catalogue: &mut Catalogue) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            catalogue.problems.push(Problem {
                source: dir.display().to_string(),
                message: format!("cannot read the slides' folder: {error}"),
            });
            return;
        }
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files {
        let source = path.display().to_string();
        let id = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let parsed = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read it: {e}"))
            .and_then(|text| {
                toml::from_str::<SlideFile>(&text).map_err(|e| {
                    let line = e
                        .span()
                        .map_or(0, |s| text[..s.start].matches('\n').count() + 1);
                    format!("line {line}: {}", e.message())
                })
            })
            .and_then(|file| file.slide(id, dir, &mut catalogue.problems, &source));
        match parsed {
            Ok(slide) => catalogue.slides.push(slide),
            Err(message) => catalogue.problems.push(Problem { source, message }),
        }
    }
}

/// The announcement of older configurations (`[kiosk] announcement`), as a notice slide.
pub fn announcement(text: &str) -> Option<Slide> {
    let text = text.trim();
    (!text.is_empty()).then(|| Slide {
        id: "announcement".into(),
        kind: SlideKind::Notice,
        title: Bilingual::new(Some(text.to_owned()), None),
        text: Bilingual::default(),
        image: None,
        qr: None,
        when: Schedule::default(),
        // Above the folder's ordinary slides: it was the one thing the library said.
        priority: 100,
    })
}
