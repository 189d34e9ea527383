//! `[voice]`: on or off, the volume, quiet hours, and a folder of the library's own recordings.

use chrono::NaiveTime;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VoiceSection {
    /// Spoken prompts at all.
    #[serde(default = "VoiceSection::default_enabled")]
    pub enabled: bool,
    /// Percent of the clips' own loudness, 0–100.
    #[serde(default = "VoiceSection::default_volume")]
    pub volume: u8,
    /// Times of day the kiosk stays silent, e.g. `["12:00-14:00", "21:00-08:30"]` (a range may
    /// run past midnight): a reading room's quiet hours, a library closed at night.
    #[serde(default)]
    pub quiet_hours: Vec<String>,
    /// The library's own recordings: `DIR/zh-CN/enter_pin.ogg` (or `.wav`) replaces that clip;
    /// clips not there keep the built-in recording.
    #[serde(default)]
    pub dir: Option<PathBuf>,
}

impl Default for VoiceSection {
    fn default() -> Self {
        VoiceSection {
            enabled: Self::default_enabled(),
            volume: Self::default_volume(),
            quiet_hours: Vec::new(),
            dir: None,
        }
    }
}

impl VoiceSection {
    fn default_enabled() -> bool {
        true
    }
    fn default_volume() -> u8 {
        70
    }

    /// A problem for the configuration check: (key, expected, found).
    pub fn problem(&self) -> Option<(String, &'static str, String)> {
        if self.volume > 100 {
            return Some((
                "voice.volume".into(),
                "a percentage, 0 to 100",
                self.volume.to_string(),
            ));
        }
        self.quiet_hours.iter().find_map(|range| {
            QuietHours::parse(range).err().map(|why| {
                (
                    "voice.quiet_hours".into(),
                    "ranges like \"21:00-08:30\"",
                    format!("{range:?} ({why})"),
                )
            })
        })
    }
}

/// A range of the day, start included, end excluded; past midnight when the end comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    start: NaiveTime,
    end: NaiveTime,
}

impl QuietHours {
    pub fn parse(text: &str) -> Result<QuietHours, String> {
        let (start, end) = text
            .split_once('-')
            .ok_or("two times joined by '-'".to_owned())?;
        let time = |t: &str| {
            NaiveTime::parse_from_str(t.trim(), "%H:%M")
                .map_err(|_| format!("{:?} is not a time of day (HH:MM)", t.trim()))
        };
        let (start, end) = (time(start)?, time(end)?);
        if start == end {
            return Err("the range is empty".into());
        }
        Ok(QuietHours { start, end })
    }

    pub fn contains(&self, at: NaiveTime) -> bool {
        if self.start < self.end {
            self.start <= at && at < self.end
        } else {
            at >= self.start || at < self.end
        }
    }
}
