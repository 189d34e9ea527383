//! The voice with a recording sink, driven by the real runtime (simulated library and machine):
//! the clip each step says in each language, cut short when the reader moves on, silence in
//! quiet hours; and a recording for every clip in both languages.

use super::*;
use crate::app::clock::Clock;
use crate::app::devices::SecurityReport;
use crate::app::runtime::{Inbound, Input, Output, Runtime};
use crate::app::start;
use crate::circ::Button;
use crate::circ::types::Pin;
use crate::config::Config;
use crate::config::secrets::Secrets;
use std::io;
use std::time::Duration;

struct Ignore;

impl Output for Ignore {
    fn effect(&mut self, _effect: &Effect) -> io::Result<()> {
        Ok(())
    }
    fn security(&mut self, _report: &SecurityReport) -> io::Result<()> {
        Ok(())
    }
    fn rejected(&mut self, line: Option<usize>, message: &str) -> io::Result<()> {
        panic!("input {line:?} rejected: {message}");
    }
}

/// What the recording sink heard while a reader borrowed at the simulated kiosk.
fn heard_during_a_visit(settings: VoiceSection, language: Language) -> Vec<Heard> {
    let mut config = Config::demo();
    config.kiosk.language = language;
    let clock = Clock::virtual_from_now();
    let start::Started {
        session,
        worker,
        devices,
        ..
    } = start::start(&config, &Secrets::default(), &clock).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    for input in [
        Input::Scan("20234000000019".into()),
        Input::Pin(Pin::new("1234")),
        Input::Press(Button::Borrow),
        Input::Scan("30234000001015".into()),
        // Reserved for another reader: refused.
        Input::Scan("30234000001049".into()),
        Input::Press(Button::Done),
        Input::Press(Button::NoReceipt),
        Input::Wait(Duration::from_secs(20)),
    ] {
        tx.send(Inbound::from(input)).unwrap();
    }
    drop(tx);
    let recording = RecordingSink::default();
    let voice = Voice::new(settings, Box::new(recording.clone()));
    Runtime::new(session, worker, devices, clock, &mut Ignore)
        .with_voice(voice)
        .run(rx)
        .unwrap();
    recording.heard()
}

fn played(heard: &[Heard]) -> Vec<String> {
    heard
        .iter()
        .filter_map(|h| match h {
            Heard::Played { clip, .. } => Some(clip.clone()),
            Heard::Stopped => None,
        })
        .collect()
}

#[test]
fn each_step_is_said_in_the_readers_language_and_cut_when_the_reader_moves_on() {
    for (language, dir) in [(Language::En, "en"), (Language::ZhCn, "zh-CN")] {
        let heard = heard_during_a_visit(VoiceSection::default(), language);
        let expected: Vec<String> = [
            "enter_pin",
            "choose_service",
            "place_books",
            "on_hold_for_another",
            "choose_receipt",
            "goodbye",
        ]
        .iter()
        .map(|clip| format!("{dir}/{clip}"))
        .collect();
        assert_eq!(played(&heard), expected, "{heard:?}");
        // Every clip but the last was cut when the next step came (the PIN prompt as soon as
        // the PIN was in, before the ILS answered).
        let stops = heard.iter().filter(|h| **h == Heard::Stopped).count();
        assert!(stops >= expected.len() - 1, "{heard:?}");
        assert_eq!(heard[1], Heard::Stopped, "{heard:?}");
        assert!(
            heard.iter().all(|h| match h {
                Heard::Played { volume, .. } => (*volume - 0.7).abs() < 1e-6,
                Heard::Stopped => true,
            }),
            "{heard:?}"
        );
    }
}

#[test]
fn quiet_hours_a_zero_volume_and_voice_off_say_nothing() {
    let all_day = VoiceSection {
        quiet_hours: vec!["00:00-23:59".into(), "23:59-00:00".into()],
        ..VoiceSection::default()
    };
    assert!(played(&heard_during_a_visit(all_day, Language::ZhCn)).is_empty());
    let muted = VoiceSection {
        volume: 0,
        ..VoiceSection::default()
    };
    assert!(played(&heard_during_a_visit(muted, Language::En)).is_empty());
    let off = VoiceSection {
        enabled: false,
        ..VoiceSection::default()
    };
    assert!(played(&heard_during_a_visit(off, Language::En)).is_empty());
}

#[test]
fn quiet_hours_may_run_past_midnight() {
    let night = QuietHours::parse("21:30-08:00").unwrap();
    let at = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    assert!(night.contains(at(22, 0)) && night.contains(at(3, 0)) && night.contains(at(21, 30)));
    assert!(!night.contains(at(8, 0)) && !night.contains(at(12, 0)));
    let lunch = QuietHours::parse("12:00 - 14:00").unwrap();
    assert!(lunch.contains(at(13, 59)) && !lunch.contains(at(14, 0)));
    assert!(QuietHours::parse("25:00-08:00").is_err());
    assert!(QuietHours::parse("21:00").is_err());
    assert!(QuietHours::parse("08:00-08:00").is_err());
    let bad = VoiceSection {
        quiet_hours: vec!["9pm-8am".into()],
        ..VoiceSection::default()
    };
    assert!(
        bad.problem()
            .is_some_and(|(key, _, found)| key == "voice.quiet_hours" && found.contains("9pm"))
    );
}

#[test]
fn every_clip_has_a_recording_in_both_languages() {
    for id in crate::circ::voice::clip_ids() {
        for language in [Language::En, Language::ZhCn] {
            let bytes = embedded_clip(id, language).unwrap_or_else(|| {
                panic!("no {language:?} recording of {id}: run ui/voice/generate")
            });
            assert!(
                bytes.starts_with(b"OggS") && bytes.len() > 1000,
                "{id} {language:?}"
            );
        }
    }
}

#[test]
fn a_librarys_own_recording_replaces_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("zh-CN")).unwrap();
    std::fs::write(
        dir.path().join("zh-CN/enter_pin.wav"),
        b"RIFF own recording",
    )
    .unwrap();
    let own = clip_bytes(Some(dir.path()), "enter_pin", Language::ZhCn).unwrap();
    assert_eq!(own, b"RIFF own recording");
    // Other clips, and the other language, keep the built-in recording.
    let built_in = clip_bytes(Some(dir.path()), "enter_pin", Language::En).unwrap();
    assert_eq!(
        Some(built_in.as_slice()),
        embedded_clip("enter_pin", Language::En)
    );
    assert!(clip_bytes(Some(dir.path()), "no_such_clip", Language::En).is_none());
}

/// The sound card's decoder reads every built-in recording (in the Pi's build, with `audio`).
#[cfg(feature = "audio")]
#[test]
fn every_built_in_recording_decodes_to_sound() {
    use rodio::Source;
    for (lang, id, bytes) in clips::EMBEDDED_CLIPS {
        let decoder = rodio::Decoder::new(std::io::Cursor::new(bytes.to_vec()))
            .unwrap_or_else(|e| panic!("{lang}/{id}: {e}"));
        let rate = decoder.sample_rate();
        let samples = decoder.count();
        let seconds = samples as f64 / f64::from(rate.get());
        assert!((0.5..20.0).contains(&seconds), "{lang}/{id}: {seconds} s");
    }
}
