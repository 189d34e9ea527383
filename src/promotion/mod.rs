//! The attract screen's slides, gathered: a folder the library fills (one TOML file per slide,
//! with its image), the announcement of old configurations, and feeds from the library's web
//! site (cached on disk). What is wrong with one of them — a bad date, an image that does not
//! decode, a feed that fails — is a [`Problem`] named for the log and `kiosk diag`; the rest
//! still show.

mod folder;
mod images;
pub mod sample;

use kiosk_core::promotion::Slide;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use folder::SlideFile;

/// `[promotion]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PromotionSection {
    /// The folder of slides: one `*.toml` per slide, its image beside it.
    pub dir: Option<PathBuf>,
    /// How long each slide shows, in seconds.
    pub seconds_per_slide: u32,
}

impl Default for PromotionSection {
    fn default() -> Self {
        PromotionSection {
            dir: None,
            seconds_per_slide: 8,
        }
    }
}

/// Something that keeps a slide (or its image, or a feed) from showing, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file or URL.
    pub source: String,
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.source, self.message)
    }
}

/// The slides there are, and what went wrong gathering them.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub slides: Vec<Slide>,
    pub problems: Vec<Problem>,
}

impl Catalogue {
    /// Everything the configuration names: the folder, then the announcement as a notice.
    pub fn gather(section: &PromotionSection, announcement: &str) -> Catalogue {
        let mut catalogue = Catalogue::default();
        if let Some(dir) = &section.dir {
            folder::read(dir, &mut catalogue);
        }
        if let Some(slide) = folder::announcement(announcement) {
            catalogue.slides.push(slide);
        }
        for problem in &catalogue.problems {
            tracing::warn!(%problem, "a promotion slide cannot be shown");
        }
        catalogue
    }
}

/// The image files a slide may name, relative to its folder; nothing outside it.
fn inside(dir: &Path, name: &str) -> Option<PathBuf> {
    let path = Path::new(name);
    let plain = path
        .components()
        .all(|c| matches!(c, std::path::Component::Normal(_)));
    plain.then(|| dir.join(path))
}

#[cfg(test)]
pub(crate) mod tests;
