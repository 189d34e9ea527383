//! The kiosk's voice: carries out the session's `speak` and `hush` effects through an audio
//! output — the clip named, in the reader's language, at the configured volume, never in quiet
//! hours, cut short when the next clip comes or the reader moves on.
//!
//! What is said and when is decided in the core (`circ::voice`); this is the edge: the clips
//! (built in, or the library's own in `[voice] dir`), the clock for quiet hours, the sound card.

pub(crate) mod clips;
mod settings;
mod sink;

#[cfg(test)]
mod tests;

pub use clips::{clip_bytes, embedded_clip, language_dir};
pub use settings::{QuietHours, VoiceSection};
pub use sink::{AudioSink, NullSink, open_device};
#[cfg(test)]
pub use sink::{Heard, RecordingSink};

use crate::circ::{Effect, Language};
use chrono::NaiveTime;

pub struct Voice {
    settings: VoiceSection,
    quiet: Vec<QuietHours>,
    sink: Box<dyn AudioSink>,
    /// Clips already reported missing (each is logged once, not at every session).
    missing: std::collections::HashSet<String>,
}

impl Voice {
    pub fn new(settings: VoiceSection, sink: Box<dyn AudioSink>) -> Self {
        // The configuration check refused bad ranges; any left are skipped.
        let quiet = settings
            .quiet_hours
            .iter()
            .filter_map(|range| QuietHours::parse(range).ok())
            .collect();
        Voice {
            settings,
            quiet,
            sink,
            missing: Default::default(),
        }
    }

    /// A voice that says nothing (scripts, tests that do not listen).
    pub fn silent() -> Self {
        let settings = VoiceSection {
            enabled: false,
            ..VoiceSection::default()
        };
        Voice::new(settings, Box::new(NullSink))
    }

    /// Whether the voice speaks (the technician may turn it off until the kiosk restarts).
    pub fn enabled(&self) -> bool {
        self.settings.enabled
    }

    pub fn set_enabled(&mut self, on: bool) {
        self.settings.enabled = on;
        if !on {
            self.sink.stop();
        }
    }

    /// Percent, 0–100.
    pub fn volume(&self) -> u8 {
        self.settings.volume
    }

    pub fn set_volume(&mut self, percent: u8) {
        self.settings.volume = percent.min(100);
    }

    /// One line for the technician: on or off, volume, quiet hours, the output.
    pub fn describe(&self) -> String {
        let quiet = if self.settings.quiet_hours.is_empty() {
            "none".to_owned()
        } else {
            self.settings.quiet_hours.join(", ")
        };
        format!(
            "{}, volume {}%, quiet hours {quiet}, output {}",
            if self.settings.enabled { "on" } else { "off" },
            self.settings.volume,
            self.sink.name()
        )
    }

    /// Plays one clip now, whatever the hour (`kiosk voice say`, the technician's test), and
    /// waits for it to end if asked. `false` when there is no such clip.
    pub fn say_now(&mut self, clip: &str, language: Language, wait: bool) -> bool {
        let played = self.play(clip, language);
        if played && wait {
            self.sink.wait();
        }
        played
    }

    /// Cuts whatever is being said and plays the clip at the set volume; `false` when there is
    /// no recording of it.
    fn play(&mut self, clip: &str, language: Language) -> bool {
        self.sink.stop();
        let Some(bytes) = clip_bytes(self.settings.dir.as_deref(), clip, language) else {
            return false;
        };
        let volume = f32::from(self.settings.volume) / 100.0;
        self.sink
            .play(&format!("{}/{clip}", language_dir(language)), bytes, volume);
        true
    }

    /// Whether `at` (the kiosk's local time) is in quiet hours.
    pub fn quiet_at(&self, at: NaiveTime) -> bool {
        self.quiet.iter().any(|range| range.contains(at))
    }

    /// Carries out a `speak` or `hush` effect at local time `at`; other effects pass by.
    pub fn carry_out(&mut self, effect: &Effect, at: NaiveTime) {
        match effect {
            Effect::Speak { clip, language } => self.say(clip, *language, at),
            Effect::Hush => self.sink.stop(),
            _ => {}
        }
    }

    fn say(&mut self, clip: &str, language: Language, at: NaiveTime) {
        if !self.settings.enabled || self.settings.volume == 0 || self.quiet_at(at) {
            // Whatever was being said belongs to the step the reader has left.
            self.sink.stop();
            return;
        }
        if !self.play(clip, language) && self.missing.insert(format!("{language:?}/{clip}")) {
            tracing::warn!(clip, ?language, "no recording of this spoken prompt");
        }
    }
}
