//! Feeds fetched over HTTP and kept on disk: each feed's last good body and the images its
//! items name live in the cache folder, so the attract loop shows them after a restart with the
//! network down. A fetch that fails or brings something that is not a feed leaves the last good
//! copy in place, and says so.

use super::feed::{self, FeedSource};
use super::{Problem, images};
use kiosk_core::promotion::Slide;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A feed bigger than this is not a list of events.
const MAX_FEED_BYTES: u64 = 2 * 1024 * 1024;

/// The feeds' copies on disk.
#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

/// A stable file name for a URL (FNV-1a: the name must not change between builds, which
/// std's hasher does not promise).
fn key(url: &str) -> String {
    let hash = url.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

impl Cache {
    pub fn new(dir: PathBuf) -> Cache {
        Cache { dir }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn body_path(&self, url: &str) -> PathBuf {
        self.dir.join(format!("feed-{}.body", key(url)))
    }

    /// An image as saved: its name says its format, as the screen's decoder wants.
    fn image_path(&self, url: &str, extension: &str) -> PathBuf {
        self.dir.join(format!("image-{}.{extension}", key(url)))
    }

    /// The saved image of a URL that still checks out.
    fn saved_image(&self, url: &str) -> Option<PathBuf> {
        ["png", "jpg"]
            .into_iter()
            .map(|extension| self.image_path(url, extension))
            .find(|path| path.is_file() && images::check(path).is_ok())
    }

    /// The last good body of a feed and when it was saved.
    pub fn body(&self, url: &str) -> Option<(Vec<u8>, std::time::SystemTime)> {
        let path = self.body_path(url);
        let saved = std::fs::metadata(&path).and_then(|m| m.modified()).ok()?;
        Some((std::fs::read(&path).ok()?, saved))
    }

    /// Written beside and renamed over, so a crash leaves the old copy or the new, whole.
    fn save(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let temporary = path.with_extension("partial");
        std::fs::write(&temporary, bytes)?;
        std::fs::rename(&temporary, path)
    }

    /// Slides from the saved copy only: no network (at start, and when a fetch fails).
    fn saved_slides(&self, source: &FeedSource) -> Option<Vec<Slide>> {
        let (body, _) = self.body(&source.url)?;
        let mut slides = feed::parse(&body, source).ok()?.slides;
        for slide in &mut slides {
            slide.image = slide
                .image
                .take()
                .and_then(|url| self.saved_image(&url))
                .map(|path| path.display().to_string());
        }
        Some(slides)
    }

    /// Removes the images no slide names any more.
    fn forget_images_but(&self, keep: &[String]) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("image-") && !keep.iter().any(|k| Path::new(k) == path) {
                let _ = std::fs::remove_file(path);
            }
        }
    }
}

/// What a round of fetching brought: the slides of every feed and what went wrong.
#[derive(Debug, Clone, Default)]
pub struct FeedRound {
    pub slides: Vec<Slide>,
    pub problems: Vec<Problem>,
}

/// Slides of every feed from the saved copies, with no network; a feed with no copy yet is a
/// problem only once a fetch has failed (see [`fetch_all`]).
pub fn saved(sources: &[FeedSource], cache: &Cache) -> FeedRound {
    let mut round = FeedRound::default();
    for source in sources {
        if let Some(slides) = cache.saved_slides(source) {
            round.slides.extend(slides);
        }
    }
    round
}

/// An HTTP client for feeds and their images.
pub fn client() -> Result<reqwest::blocking::Client, String> {
    reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("library-kiosk/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| format!("cannot set up HTTP: {e}"))
}

/// `GET url`, its body bounded.
fn get(client: &reqwest::blocking::Client, url: &str, limit: u64) -> Result<Vec<u8>, String> {
    let response = client.get(url).send().map_err(|e| {
        let mut message = e.to_string();
        let mut cause = std::error::Error::source(&e);
        while let Some(inner) = cause {
            message = format!("{message}: {inner}");
            cause = inner.source();
        }
        format!("cannot fetch it: {message}")
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered HTTP {status}"));
    }
    let mut body = Vec::new();
    response
        .take(limit + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("the answer broke off: {e}"))?;
    if body.len() as u64 > limit {
        return Err(format!("more than {} MB", limit / 1_000_000));
    }
    Ok(body)
}

/// Fetches one feed now: its body (to save) and its slides, or why not (as a sentence about
/// the URL).
pub fn fetch(
    client: &reqwest::blocking::Client,
    source: &FeedSource,
) -> Result<(Vec<u8>, feed::FeedSlides), String> {
    let body = get(client, &source.url, MAX_FEED_BYTES)?;
    let slides = feed::parse(&body, source)?;
    Ok((body, slides))
}

/// What the kiosk shows of a feed whose fetch failed, for the message.
pub fn fallback_note(cache: &Cache, url: &str) -> String {
    match cache.body(url) {
        Some((_, saved)) => {
            let saved: chrono::DateTime<chrono::Local> = saved.into();
            format!(
                "the kiosk keeps showing the copy saved {}",
                saved.format("%Y-%m-%d %H:%M")
            )
        }
        None => "no copy saved yet: its items do not show".into(),
    }
}

/// Fetches every feed and the images of their items; a feed that fails keeps its saved copy.
pub fn fetch_all(
    sources: &[FeedSource],
    cache: &Cache,
    client: &reqwest::blocking::Client,
) -> FeedRound {
    let mut round = FeedRound::default();
    for source in sources {
        let fetched = fetch(client, source).and_then(|(body, parsed)| {
            cache
                .save(&cache.body_path(&source.url), &body)
                .map(|()| parsed)
                .map_err(|e| format!("cannot save it in {}: {e}", cache.dir().display()))
        });
        let parsed = match fetched {
            Ok(parsed) => parsed,
            Err(message) => {
                round.problems.push(Problem {
                    source: source.url.clone(),
                    message: format!("{message}; {}", fallback_note(cache, &source.url)),
                });
                // The last good copy, as saved.
                let saved = cache.body(&source.url);
                match saved.and_then(|(body, _)| feed::parse(&body, source).ok()) {
                    Some(parsed) => parsed,
                    None => continue,
                }
            }
        };
        for mut slide in parsed.slides {
            slide.image = slide
                .image
                .take()
                .and_then(|url| match image(client, cache, &url) {
                    Ok(path) => Some(path),
                    Err(message) => {
                        round.problems.push(Problem {
                            source: url,
                            message: format!(
                                "{message}; the item {:?} shows without it",
                                slide.title.pick(kiosk_core::circ::Language::ZhCn)
                            ),
                        });
                        None
                    }
                });
            round.slides.push(slide);
        }
    }
    let keep: Vec<String> = round
        .slides
        .iter()
        .filter_map(|s| s.image.clone())
        .collect();
    cache.forget_images_but(&keep);
    round
}

/// An item's image on disk: fetched once, checked as the folder's images are.
fn image(client: &reqwest::blocking::Client, cache: &Cache, url: &str) -> Result<String, String> {
    if let Some(path) = cache.saved_image(url) {
        return Ok(path.display().to_string());
    }
    let bytes = get(client, url, images::MAX_BYTES)?;
    let extension = match imagesize::image_type(&bytes) {
        Ok(imagesize::ImageType::Png) => "png",
        Ok(imagesize::ImageType::Jpeg) => "jpg",
        Ok(other) => return Err(format!("a {other:?} image: use PNG or JPEG")),
        Err(_) => return Err("not an image: use PNG or JPEG".into()),
    };
    let path = cache.image_path(url, extension);
    cache
        .save(&path, &bytes)
        .map_err(|e| format!("cannot save it: {e}"))?;
    if let Err(message) = images::check(&path) {
        let _ = std::fs::remove_file(&path);
        return Err(message);
    }
    Ok(path.display().to_string())
}
