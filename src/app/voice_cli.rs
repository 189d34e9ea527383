//! `kiosk voice`: the spoken prompts' texts, and one clip played to check the speaker.

use super::AppError;
use super::cli::VoiceAction;
use super::tell::translate;
use crate::circ::Language;
use crate::circ::voice::{clip_ids, spoken_text};
use crate::config::Config;
use crate::voice::{Voice, language_dir, open_device};

pub fn run(action: VoiceAction) -> Result<(), AppError> {
    match action {
        VoiceAction::Texts => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for language in [Language::En, Language::ZhCn] {
                for id in clip_ids() {
                    let text = translate(spoken_text(id).unwrap_or_default(), language);
                    // A closed pipe (`| head`) ends the listing, quietly.
                    if writeln!(out, "{}\t{id}\t{text}", language_dir(language)).is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        }
        VoiceAction::Say { clip, lang, config } => {
            let language = match lang.as_str() {
                "en" => Language::En,
                "zh-CN" | "zh_CN" => Language::ZhCn,
                other => {
                    return Err(AppError::Usage(format!(
                        "--lang takes en or zh-CN, not {other:?}"
                    )));
                }
            };
            let settings = match config {
                Some(path) => Config::load(&path)?.voice,
                None => Default::default(),
            };
            let mut voice = Voice::new(settings, open_device());
            println!("voice: {}", voice.describe());
            if !voice.say_now(&clip, language, true) {
                return Err(AppError::Usage(format!(
                    "no clip {clip:?}; `kiosk voice texts` lists them"
                )));
            }
            Ok(())
        }
    }
}
