//! The `promotion` check: the slides' folder read as the kiosk reads it, and each feed fetched
//! now. A bad slide file, image or feed is a warning naming the file or the URL and what is
//! wrong (the rest of the slides still show, so it is never a failure).

use super::{Outcome, Status};
use crate::config::Config;
use crate::promotion::{Catalogue, Problem, Sources, refresh};

pub fn check(config: &Config) -> Outcome {
    let section = &config.promotion;
    let sources = Sources::new(section, &config.kiosk.announcement, &config.journal.path);
    let folder = Catalogue::gather(section, &config.kiosk.announcement);
    let mut problems = folder.problems;
    let mut parts = vec![match &section.dir {
        Some(dir) => format!("{} slide(s) in {}", folder.slides.len(), dir.display()),
        None => "no slides' folder".into(),
    }];
    if !section.feed.is_empty() {
        let mut answering = 0;
        let mut items = 0;
        match refresh::client() {
            Ok(client) => {
                for source in &section.feed {
                    match refresh::fetch(&client, source) {
                        Ok((_, slides)) => {
                            answering += 1;
                            items += slides.slides.len();
                        }
                        Err(message) => problems.push(Problem {
                            source: source.url.clone(),
                            message: format!(
                                "{message}; {}",
                                refresh::fallback_note(&sources.cache, &source.url)
                            ),
                        }),
                    }
                }
            }
            Err(message) => problems.push(Problem {
                source: "feeds".into(),
                message,
            }),
        }
        parts.push(format!(
            "{answering} of {} feed(s) answering with {items} item(s)",
            section.feed.len()
        ));
    }
    if problems.is_empty() {
        return (Status::Ok, parts.join("; "), None);
    }
    let named: Vec<String> = problems.iter().map(Problem::to_string).collect();
    (
        Status::Warn,
        format!("{}; {}", parts.join("; "), named.join("; ")),
        Some(
            "fix the slide file or the feed named (the other slides still show); \
             the log says the same at each refresh"
                .into(),
        ),
    )
}
