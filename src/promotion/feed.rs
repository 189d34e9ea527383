//! A feed from the library's web site turned into slides: RSS 2.0, Atom or JSON Feed 1.1
//! (<https://www.jsonfeed.org/version/1.1/>), all read by `feed-rs`. Each item becomes a slide
//! of the feed's kind: its title, its summary as plain text, its link as the QR code and its
//! first image (an enclosure, `media:content` or `media:thumbnail`, JSON Feed's `image`) as the
//! picture. Pure: bytes in, slides and the images they want out; fetching and caching are
//! [`super::refresh`]'s.

use kiosk_core::promotion::{Bilingual, Schedule, Slide, SlideKind};
use serde::Deserialize;

/// `[[promotion.feed]]`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedSource {
    /// `https://www.library.example.org/events.rss` (RSS 2.0, Atom or JSON Feed).
    pub url: String,
    /// What the feed's items are (the screen marks each kind).
    #[serde(default = "event")]
    pub kind: SlideKind,
    /// The newest this many items show.
    #[serde(default = "five")]
    pub max_items: usize,
    /// Against the folder's slides: higher first.
    #[serde(default)]
    pub priority: i32,
    /// The language the feed is written in (`zh-CN`, `en`), when the feed does not say.
    pub language: Option<String>,
}

fn event() -> SlideKind {
    SlideKind::Event
}

fn five() -> usize {
    5
}

/// A feed's slides; `image` of each names a URL still to be fetched (see [`FeedSlides::images`]).
#[derive(Debug, Clone, PartialEq)]
pub struct FeedSlides {
    pub slides: Vec<Slide>,
}

impl FeedSlides {
    /// The image URLs the slides name, in order.
    pub fn images(&self) -> impl Iterator<Item = &str> {
        self.slides.iter().filter_map(|s| s.image.as_deref())
    }
}

/// A slide's text is a glance, not an article.
const MAX_TEXT_CHARS: usize = 280;
const MAX_TITLE_CHARS: usize = 80;

/// The slides of one feed body, or why it is not a feed.
pub fn parse(body: &[u8], source: &FeedSource) -> Result<FeedSlides, String> {
    let feed = feed_rs::parser::parse(body).map_err(|e| match e {
        feed_rs::parser::ParseFeedError::ParseError(kind) => {
            format!("not an RSS, Atom or JSON feed ({kind})")
        }
        other => format!("not a readable feed ({other})"),
    })?;
    // feed-rs keeps JSON Feed's `image` nowhere; read it beside.
    let json_images: std::collections::HashMap<String, String> =
        if feed.feed_type == feed_rs::model::FeedType::JSON {
            serde_json::from_slice::<JsonImages>(body)
                .map(|f| {
                    f.items
                        .into_iter()
                        .filter_map(|i| {
                            let id = match i.id? {
                                serde_json::Value::String(id) => id,
                                other => other.to_string(),
                            };
                            Some((id, i.image.or(i.banner_image)?))
                        })
                        .collect()
                })
                .unwrap_or_default()
        } else {
            Default::default()
        };
    let mut entries = feed.entries;
    // Newest first; items without a date keep the feed's order, after the dated ones.
    entries.sort_by_key(|e| std::cmp::Reverse(e.published.or(e.updated)));
    let slides = entries
        .into_iter()
        .filter_map(|entry| {
            let title = plain(&entry.title.as_ref()?.content, MAX_TITLE_CHARS);
            if title.is_empty() {
                return None;
            }
            let language = entry
                .language
                .as_deref()
                .or(source.language.as_deref())
                .or(feed.language.as_deref());
            let text = entry
                .summary
                .as_ref()
                .map(|t| t.content.clone())
                .or_else(|| entry.content.as_ref().and_then(|c| c.body.clone()))
                .map(|t| plain(&t, MAX_TEXT_CHARS))
                .unwrap_or_default();
            let chinese = match language {
                Some(l) => l.to_ascii_lowercase().starts_with("zh"),
                None => has_cjk(&title) || has_cjk(&text),
            };
            let (title, text) = if chinese {
                (
                    Bilingual::new(None, Some(title)),
                    Bilingual::new(None, Some(text)),
                )
            } else {
                (
                    Bilingual::new(Some(title), None),
                    Bilingual::new(Some(text), None),
                )
            };
            let link = entry
                .links
                .iter()
                .find(|l| l.rel.as_deref().is_none_or(|r| r == "alternate"))
                .map(|l| l.href.clone())
                .filter(|h| web(h));
            Some(Slide {
                id: format!("{}#{}", source.url, entry.id),
                kind: source.kind,
                title,
                text,
                image: image(&entry)
                    .or_else(|| json_images.get(&entry.id).cloned())
                    .filter(|u| web(u)),
                qr: link,
                when: Schedule::default(),
                priority: source.priority,
            })
        })
        .take(source.max_items)
        .collect();
    Ok(FeedSlides { slides })
}

/// JSON Feed 1.1's item pictures.
#[derive(Deserialize)]
struct JsonImages {
    items: Vec<JsonItemImage>,
}

#[derive(Deserialize)]
struct JsonItemImage {
    id: Option<serde_json::Value>,
    image: Option<String>,
    banner_image: Option<String>,
}

fn web(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// The item's picture: an image enclosure or `media:content`, else a thumbnail.
fn image(entry: &feed_rs::model::Entry) -> Option<String> {
    let content = entry.media.iter().flat_map(|m| &m.content).find(|c| {
        c.content_type
            .as_ref()
            .is_none_or(|t| t.ty().as_str() == "image")
    });
    let thumbnail = entry.media.iter().flat_map(|m| &m.thumbnails).next();
    // Atom: <link rel="enclosure" type="image/png" href="…"/>.
    let enclosure = entry.links.iter().find(|l| {
        l.rel.as_deref() == Some("enclosure")
            && l.media_type
                .as_deref()
                .is_some_and(|t| t.starts_with("image/"))
    });
    content
        .and_then(|c| c.url.as_ref().map(|u| u.to_string()))
        .or_else(|| thumbnail.map(|t| t.image.uri.clone()))
        .or_else(|| enclosure.map(|l| l.href.clone()))
}

fn has_cjk(text: &str) -> bool {
    text.chars()
        .any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c))
}

/// A Chinese character or punctuation mark (，。：).
fn wide(c: char) -> bool {
    has_cjk(c.encode_utf8(&mut [0; 4]))
        || ('\u{3000}'..='\u{303F}').contains(&c)
        || ('\u{FF00}'..='\u{FFEF}').contains(&c)
}

/// Feed text is HTML more often than not: its tags dropped, the common entities read, the
/// whitespace of its markup collapsed, cut to `max` characters.
fn plain(html: &str, max: usize) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match (in_tag, c) {
            (false, '<') => in_tag = true,
            (true, '>') => {
                in_tag = false;
                text.push(' ');
            }
            (false, c) => text.push(c),
            (true, _) => {}
        }
    }
    let text = [
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#39;", "'"),
        ("&apos;", "'"),
        ("&amp;", "&"),
    ]
    .iter()
    .fold(text, |t, (entity, c)| t.replace(entity, c));
    let words: Vec<&str> = text.split_whitespace().collect();
    // Chinese has no spaces between words; a space the markup put between two CJK
    // characters is not the author's.
    let mut joined = String::new();
    for word in words {
        let glued =
            joined.chars().last().is_some_and(wide) && word.chars().next().is_some_and(wide);
        if !joined.is_empty() && !glued {
            joined.push(' ');
        }
        joined.push_str(word);
    }
    if joined.chars().count() > max {
        let cut: String = joined.chars().take(max - 1).collect();
        format!("{}…", cut.trim_end())
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: &str) -> FeedSource {
        FeedSource {
            url: url.into(),
            kind: SlideKind::Event,
            max_items: 5,
            priority: 0,
            language: None,
        }
    }

    #[test]
    fn an_rss_feed_in_chinese_gives_chinese_slides_with_link_and_enclosure() {
        let rss = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>滨江图书馆活动</title><language>zh-cn</language>
<item><title>讲座：宋词里的冬天</title><link>https://lib.example.org/e/1</link>
<description><![CDATA[<p>周日下午两点，<b>报告厅</b>。</p>]]></description>
<enclosure url="https://lib.example.org/e/1.jpg" type="image/jpeg" length="1000"/>
<guid>e1</guid><pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate></item>
<item><title>展览：古籍修复</title><guid>e2</guid><pubDate>Wed, 02 Dec 2026 08:00:00 +0800</pubDate></item>
</channel></rss>"#;
        let slides = parse(rss.as_bytes(), &source("https://lib.example.org/feed.rss"))
            .unwrap()
            .slides;
        assert_eq!(slides.len(), 2);
        // Newest first.
        assert_eq!(slides[0].title.zh.as_deref(), Some("展览：古籍修复"));
        let lecture = &slides[1];
        assert_eq!(lecture.title.zh.as_deref(), Some("讲座：宋词里的冬天"));
        assert_eq!(lecture.title.en, None);
        assert_eq!(lecture.text.zh.as_deref(), Some("周日下午两点，报告厅。"));
        assert_eq!(lecture.qr.as_deref(), Some("https://lib.example.org/e/1"));
        assert_eq!(
            lecture.image.as_deref(),
            Some("https://lib.example.org/e/1.jpg")
        );
        assert_eq!(lecture.kind, SlideKind::Event);
    }

    #[test]
    fn an_atom_feed_and_a_json_feed_are_read_and_max_items_holds() {
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>New arrivals</title><id>urn:x</id>
<updated>2026-12-01T00:00:00Z</updated>
<entry><title>The Three-Body Problem</title><id>urn:1</id><updated>2026-12-01T00:00:00Z</updated>
<link href="https://lib.example.org/b/1"/><summary>Liu Cixin &amp; Ken Liu</summary></entry>
<entry><title>Ball Lightning</title><id>urn:2</id><updated>2026-11-01T00:00:00Z</updated></entry>
</feed>"#;
        let mut one = source("https://lib.example.org/new.atom");
        one.max_items = 1;
        let slides = parse(atom.as_bytes(), &one).unwrap().slides;
        assert_eq!(slides.len(), 1);
        assert_eq!(
            slides[0].title.en.as_deref(),
            Some("The Three-Body Problem")
        );
        assert_eq!(slides[0].text.en.as_deref(), Some("Liu Cixin & Ken Liu"));
        assert_eq!(slides[0].id, "https://lib.example.org/new.atom#urn:1");

        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"News","language":"zh-CN",
"items":[{"id":"n1","title":"春节开放时间","content_text":"除夕闭馆。","url":"https://lib.example.org/n1",
"image":"https://lib.example.org/n1.png"}]}"#;
        let slides = parse(json.as_bytes(), &source("https://x/feed.json"))
            .unwrap()
            .slides;
        assert_eq!(slides[0].title.zh.as_deref(), Some("春节开放时间"));
        assert_eq!(slides[0].qr.as_deref(), Some("https://lib.example.org/n1"));
        assert_eq!(
            slides[0].image.as_deref(),
            Some("https://lib.example.org/n1.png")
        );
    }

    #[test]
    fn garbage_is_named_as_not_a_feed_and_long_text_is_cut() {
        let error = parse(b"<html><body>Bad gateway</body></html>", &source("u")).unwrap_err();
        assert!(error.contains("not an RSS, Atom or JSON feed"), "{error}");
        assert!(parse(b"\x00\xff\xfe garbage", &source("u")).is_err());
        let long = "word ".repeat(200);
        let cut = plain(&long, 50);
        assert_eq!(cut.chars().count(), 50);
        assert!(cut.ends_with('…'));
    }
}
