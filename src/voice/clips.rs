//! The recordings: built into the binary (`ui/voice/LANG/ID.ogg`, made from the spoken texts
//! with a speech synthesiser: README, "Spoken prompts"), or the library's own from `[voice] dir`.

use crate::circ::Language;
use std::path::Path;

// `(language folder, clip id, bytes)` for every file under `ui/voice/`, written by build.rs.
include!(concat!(env!("OUT_DIR"), "/voice_clips.rs"));

/// The folder a language's clips are in.
pub fn language_dir(language: Language) -> &'static str {
    match language {
        Language::En => "en",
        Language::ZhCn => "zh-CN",
    }
}

/// The built-in recording of a clip.
pub fn embedded_clip(clip: &str, language: Language) -> Option<&'static [u8]> {
    let dir = language_dir(language);
    EMBEDDED_CLIPS
        .iter()
        .find(|(lang, id, _)| *lang == dir && *id == clip)
        .map(|(_, _, bytes)| *bytes)
}

/// The recording to play: the library's own if it has one, else the built-in one.
pub fn clip_bytes(dir: Option<&Path>, clip: &str, language: Language) -> Option<Vec<u8>> {
    if let Some(dir) = dir {
        for extension in ["ogg", "wav"] {
            let path = dir
                .join(language_dir(language))
                .join(format!("{clip}.{extension}"));
            match std::fs::read(&path) {
                Ok(bytes) => return Some(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(error) => {
                    tracing::warn!(path = %path.display(), %error, "cannot read a recording; using the built-in one");
                }
            }
        }
    }
    embedded_clip(clip, language).map(<[u8]>::to_vec)
}
