//! The attract screen's slides, gathered: a folder the library fills (one TOML file per slide,
//! with its image), the announcement of old configurations, and feeds from the library's web
//! site (cached on disk). What is wrong with one of them — a bad date, an image that does not
//! decode, a feed that fails — is a [`Problem`] named for the log and `kiosk diag`; the rest
//! still show.

pub mod feed;
mod folder;
pub mod images;
pub mod refresh;
pub mod sample;

use kiosk_core::promotion::Slide;
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub use feed::FeedSource;
pub use folder::SlideFile;
use refresh::Cache;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// `[promotion]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PromotionSection {
    /// The folder of slides: one `*.toml` per slide, its image beside it.
    pub dir: Option<PathBuf>,
    /// How long each slide shows, in seconds.
    pub seconds_per_slide: u32,
    /// Feeds from the library's web site (`[[promotion.feed]]`).
    pub feed: Vec<FeedSource>,
    /// How often the feeds are fetched and the folder read again, in seconds.
    pub refresh_secs: u64,
    /// Where the feeds' last good copies and images are kept (default: a `promotion` folder
    /// beside the journal).
    pub cache_dir: Option<PathBuf>,
}

impl Default for PromotionSection {
    fn default() -> Self {
        PromotionSection {
            dir: None,
            seconds_per_slide: 8,
            feed: Vec::new(),
            refresh_secs: 30 * 60,
            cache_dir: None,
        }
    }
}

impl PromotionSection {
    /// The key that is wrong, what it should be, and what it is.
    pub fn problem(&self) -> Option<(String, &'static str, String)> {
        if !(2..=600).contains(&self.seconds_per_slide) {
            return Some((
                "promotion.seconds_per_slide".into(),
                "2 to 600 seconds",
                self.seconds_per_slide.to_string(),
            ));
        }
        if self.refresh_secs == 0 {
            return Some((
                "promotion.refresh_secs".into(),
                "at least 1 second (a feed is usually read every 15 to 60 minutes)",
                "0".into(),
            ));
        }
        for (n, feed) in self.feed.iter().enumerate() {
            let key = |field: &str| format!("promotion.feed[{n}].{field}");
            let web = feed.url.starts_with("https://") || feed.url.starts_with("http://");
            if !web || reqwest::Url::parse(&feed.url).is_err() {
                return Some((
                    key("url"),
                    "a web address (https://…)",
                    format!("{:?}", feed.url),
                ));
            }
            if feed.max_items == 0 {
                return Some((key("max_items"), "at least 1", "0".into()));
            }
        }
        None
    }
}

/// Where the slides come from, as configured.
#[derive(Debug, Clone)]
pub struct Sources {
    pub section: PromotionSection,
    pub announcement: String,
    pub cache: Cache,
}

impl Sources {
    /// `journal` is where the journal lives: the cache goes beside it unless configured.
    pub fn new(section: &PromotionSection, announcement: &str, journal: &Path) -> Sources {
        let cache = section.cache_dir.clone().unwrap_or_else(|| {
            match journal
                .parent()
                .filter(|_| journal.as_os_str() != ":memory:")
            {
                Some(dir) if !dir.as_os_str().is_empty() => dir.join("promotion"),
                Some(_) => PathBuf::from("promotion"),
                None => std::env::temp_dir().join("kiosk-promotion"),
            }
        });
        Sources {
            section: section.clone(),
            announcement: announcement.to_owned(),
            cache: Cache::new(cache),
        }
    }

    /// What shows at start: the folder and the feeds' saved copies, no network.
    pub fn saved(&self) -> Catalogue {
        let feeds = refresh::saved(&self.section.feed, &self.cache);
        self.with_feeds(feeds)
    }

    /// The folder read again and the feeds fetched now.
    pub fn fetched(&self, client: &reqwest::blocking::Client) -> Catalogue {
        let feeds = refresh::fetch_all(&self.section.feed, &self.cache, client);
        self.with_feeds(feeds)
    }

    fn with_feeds(&self, feeds: refresh::FeedRound) -> Catalogue {
        let mut catalogue = Catalogue::gather(&self.section, &self.announcement);
        catalogue.slides.extend(feeds.slides);
        catalogue.problems.extend(feeds.problems);
        catalogue
    }

    /// Keeps the catalogue fresh from a thread of its own: every `refresh_secs` the folder is
    /// read and the feeds fetched; a catalogue that changed is sent. The thread ends when the
    /// receiver is gone. Nothing to refresh, no thread.
    pub fn spawn_refresh(self, shown: Catalogue) -> Option<Receiver<Catalogue>> {
        if self.section.dir.is_none() && self.section.feed.is_empty() {
            return None;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("promotion".into())
            .spawn(move || self.refresh_loop(shown, &tx));
        if let Err(error) = spawned {
            tracing::warn!(%error, "cannot start the promotion thread: the slides stay as they are");
        }
        Some(rx)
    }

    fn refresh_loop(self, mut shown: Catalogue, tx: &Sender<Catalogue>) {
        let client = match refresh::client() {
            Ok(client) => client,
            Err(error) => {
                tracing::warn!(%error, "promotion feeds cannot be fetched");
                return;
            }
        };
        let every = Duration::from_secs(self.section.refresh_secs.max(1));
        let mut first = true;
        loop {
            // The folder was read at start; the feeds are fetched at once.
            if !first || !self.section.feed.is_empty() {
                let fresh = self.fetched(&client);
                for problem in fresh
                    .problems
                    .iter()
                    .filter(|p| !shown.problems.contains(p))
                {
                    tracing::warn!(%problem, "a promotion slide or feed cannot be shown");
                }
                for problem in shown
                    .problems
                    .iter()
                    .filter(|p| !fresh.problems.contains(p))
                {
                    tracing::info!(source = %problem.source, "promotion source is fine again");
                }
                let changed = fresh.slides != shown.slides;
                shown = fresh;
                if changed && tx.send(shown.clone()).is_err() {
                    return;
                }
            }
            first = false;
            std::thread::sleep(every);
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

/// The slides at start, and the catalogues that replace them as the sources change.
#[derive(Debug, Default)]
pub struct Live {
    pub now: Catalogue,
    pub updates: Option<Receiver<Catalogue>>,
}

/// The slides there are, and what went wrong gathering them.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    pub slides: Vec<Slide>,
    pub problems: Vec<Problem>,
}

impl Catalogue {
    /// The folder, then the announcement as a notice (the feeds are [`Sources`]').
    pub fn gather(section: &PromotionSection, announcement: &str) -> Catalogue {
        let mut catalogue = Catalogue::default();
        if let Some(dir) = &section.dir {
            folder::read(dir, &mut catalogue);
        }
        if let Some(slide) = folder::announcement(announcement) {
            catalogue.slides.push(slide);
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
