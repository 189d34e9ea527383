//! The attract loop fed from the library's web site: an RSS feed and an Atom feed served from
//! loopback. Their items become slides (with the cover image fetched and kept on disk); when the
//! site then answers 500, and then garbage, the loop keeps the last good slides, the log and
//! `kiosk diag` name the URL and what is wrong, and a kiosk restarted meanwhile shows the saved
//! copies.

mod common;

use common::live::LiveKiosk;
use serde_json::Value;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const GOOD: u8 = 0;
const FAILING: u8 = 1;
const GARBAGE: u8 = 2;

/// The library's web site, as a test drives it.
struct Site {
    port: u16,
    mode: Arc<AtomicU8>,
    /// Feed requests answered in each mode.
    answered: Arc<Mutex<[usize; 3]>>,
    covers: Arc<AtomicUsize>,
}

impl Site {
    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.port)
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
    }

    /// Waits until both feeds have been asked at least twice in `mode`.
    fn wait_for_fetches(&self, mode: u8) {
        let start = self.answered.lock().unwrap()[usize::from(mode)];
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while self.answered.lock().unwrap()[usize::from(mode)] < start + 4 {
            assert!(
                std::time::Instant::now() < deadline,
                "the kiosk stopped fetching its feeds"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn cover_png() -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, 60, 90);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let pixels: Vec<u8> = (0..60 * 90)
        .flat_map(|i| [200, (i % 255) as u8, 40])
        .collect();
    writer.write_image_data(&pixels).unwrap();
    writer.finish().unwrap();
    bytes
}

fn serve_site() -> Site {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let port = server.server_addr().to_ip().unwrap().port();
    let mode = Arc::new(AtomicU8::new(GOOD));
    let answered = Arc::new(Mutex::new([0; 3]));
    let covers = Arc::new(AtomicUsize::new(0));
    let (m, a, c) = (mode.clone(), answered.clone(), covers.clone());
    let cover = cover_png();
    std::thread::spawn(move || {
        for request in server.incoming_requests() {
            let url = request.url().to_owned();
            let now = m.load(Ordering::SeqCst);
            let feed = match url.as_str() {
                "/events.rss" => Some(rss(port)),
                "/new.atom" => Some(ATOM.to_owned()),
                _ => None,
            };
            let response = match feed {
                Some(body) => {
                    a.lock().unwrap()[usize::from(now)] += 1;
                    match now {
                        GOOD => tiny_http::Response::from_data(body.into_bytes()),
                        FAILING => {
                            tiny_http::Response::from_string("internal error").with_status_code(500)
                        }
                        _ => tiny_http::Response::from_string(
                            "<html><body>Site under maintenance</body></html>",
                        ),
                    }
                }
                None if url == "/cover.png" => {
                    c.fetch_add(1, Ordering::SeqCst);
                    tiny_http::Response::from_data(cover.clone())
                }
                None => tiny_http::Response::from_string("no such page").with_status_code(404),
            };
            let _ = request.respond(response);
        }
    });
    Site {
        port,
        mode,
        answered,
        covers,
    }
}

fn rss(port: u16) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>滨江图书馆活动</title><language>zh-cn</language>
<item><title>讲座：宋词里的冬天</title><guid>lecture-7</guid>
<link>https://www.library.example.org/events/7</link>
<description><![CDATA[<p>周日下午两点，<b>报告厅</b>。</p>]]></description>
<pubDate>Tue, 01 Dec 2026 08:00:00 +0800</pubDate>
<enclosure url="http://127.0.0.1:{port}/cover.png" type="image/png" length="1000"/></item>
<item><title>展览：古籍修复</title><guid>exhibition-3</guid>
<pubDate>Mon, 30 Nov 2026 08:00:00 +0800</pubDate></item>
</channel></rss>"#
    )
}

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>New arrivals</title><id>urn:new</id>
<updated>2026-12-01T00:00:00Z</updated>
<entry><title>The Three-Body Problem</title><id>urn:book:1</id><updated>2026-12-01T00:00:00Z</updated>
<link href="https://www.library.example.org/books/1"/><summary>Liu Cixin, translated by Ken Liu</summary></entry>
</feed>"#;

fn titles(slides: &Value) -> Vec<String> {
    slides
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            s["title"]["zh"]
                .as_str()
                .or(s["title"]["en"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The slides the kiosk shows now (its last `slides` effect).
fn shown(kiosk: &LiveKiosk) -> Option<Value> {
    kiosk
        .lines()
        .into_iter()
        .rfind(|l| l["effect"] == "slides")
        .map(|l| l["slides"].clone())
}

const EXPECTED: [&str; 3] = [
    "讲座：宋词里的冬天",
    "展览：古籍修复",
    "The Three-Body Problem",
];

fn wait_for_feed_slides(kiosk: &LiveKiosk) -> Value {
    let appeared = kiosk.wait_until(Duration::from_secs(30), |k| {
        shown(k).is_some_and(|s| titles(&s) == EXPECTED)
    });
    assert!(
        appeared.is_some(),
        "the feeds' slides did not show: {:?}\nlog:\n{}",
        shown(kiosk),
        kiosk.log()
    );
    shown(kiosk).unwrap()
}

fn diag_promotion(config: &std::path::Path) -> Value {
    let run = common::kiosk(
        &[
            "diag",
            "--config",
            config.to_str().unwrap(),
            "--device",
            "promotion",
            "--json",
        ],
        "",
        &[],
    );
    let report: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", run.stdout, run.stderr));
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "promotion")
        .expect("a promotion check")
        .clone()
}

#[test]
fn feed_slides_survive_a_failing_site_and_a_restart() {
    let site = serve_site();
    let dir = tempfile::tempdir().unwrap();
    let (rss_url, atom_url) = (site.url("events.rss"), site.url("new.atom"));
    let config = common::config_in(dir.path(), |text| {
        format!(
            "{}\n[[promotion.feed]]\nurl = \"{rss_url}\"\nkind = \"event\"\n\n\
             [[promotion.feed]]\nurl = \"{atom_url}\"\nkind = \"new_arrival\"\n",
            text.replace("refresh_secs = 1800", "refresh_secs = 1")
        )
    });
    assert_eq!(diag_promotion(&config)["status"], "ok");

    let kiosk = LiveKiosk::start(&config, &[]);
    let slides = wait_for_feed_slides(&kiosk);
    let lecture = &slides[0];
    assert_eq!(lecture["kind"], "event");
    assert_eq!(lecture["text"]["zh"], "周日下午两点，报告厅。");
    assert_eq!(lecture["qr"], "https://www.library.example.org/events/7");
    // The cover was fetched once and is shown from the kiosk's own disk.
    let image = lecture["image"]
        .as_str()
        .unwrap_or_else(|| panic!("no cover: {lecture}\n{}", kiosk.log()));
    assert!(
        image.starts_with(dir.path().join("promotion").to_str().unwrap()),
        "{image}"
    );
    assert!(std::path::Path::new(image).is_file());
    assert_eq!(slides[2]["kind"], "new_arrival");
    assert_eq!(slides[2]["qr"], "https://www.library.example.org/books/1");
    let effects_before = kiosk.lines().len();

    site.set(FAILING);
    site.wait_for_fetches(FAILING);
    assert_eq!(
        titles(&shown(&kiosk).unwrap()),
        EXPECTED,
        "the last good slides stay"
    );
    let check = diag_promotion(&config);
    assert_eq!(check["status"], "warn", "{check}");
    let message = check["message"].as_str().unwrap();
    for url in [&rss_url, &atom_url] {
        assert!(
            message.contains(&format!("{url}: the server answered HTTP 500")),
            "{message}"
        );
    }
    assert!(
        message.contains("keeps showing the copy saved"),
        "{message}"
    );

    site.set(GARBAGE);
    site.wait_for_fetches(GARBAGE);
    assert_eq!(
        titles(&shown(&kiosk).unwrap()),
        EXPECTED,
        "the last good slides stay"
    );
    // No slides effect at all since: the screen never flickered to fewer slides.
    assert!(
        kiosk.lines()[effects_before..]
            .iter()
            .all(|l| l["effect"] != "slides")
    );
    let check = diag_promotion(&config);
    assert_eq!(check["status"], "warn", "{check}");
    let message = check["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("{rss_url}: not an RSS, Atom or JSON feed")),
        "{message}"
    );
    let (ok, _, log) = kiosk.finish();
    assert!(ok, "{log}");
    assert!(
        log.contains(&rss_url) && log.contains("HTTP 500") && log.contains("not an RSS"),
        "the log names the feed and what is wrong:\n{log}"
    );
    assert_eq!(
        site.covers.load(Ordering::SeqCst),
        1,
        "the cover is fetched once"
    );

    // Restarted while the site is still broken: the saved copies show, cover and all.
    let again = LiveKiosk::start(&config, &[]);
    let slides = wait_for_feed_slides(&again);
    assert_eq!(slides[0]["image"], image);
    let (ok, _, log) = again.finish();
    assert!(ok, "{log}");
}

#[test]
fn a_feed_url_that_is_not_a_web_address_is_refused_by_config_check() {
    let dir = tempfile::tempdir().unwrap();
    let config = common::config_in(dir.path(), |text| {
        format!("{text}\n[[promotion.feed]]\nurl = \"ftp://library/events\"\n")
    });
    let run = common::kiosk(&["config", "check", config.to_str().unwrap()], "", &[]);
    assert!(!run.success);
    assert!(
        run.stderr.contains("promotion.feed[0].url") && run.stderr.contains("ftp://library"),
        "{}",
        run.stderr
    );
}
