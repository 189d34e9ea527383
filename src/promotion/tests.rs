use super::*;
use kiosk_core::promotion::SlideKind;

/// A small PNG, as a library's designer would leave it beside the slide.
pub(crate) fn write_png(path: &Path, width: u32, height: u32) {
    let file = std::fs::File::create(path).unwrap();
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().unwrap();
    let data: Vec<u8> = (0..width * height)
        .flat_map(|i| [(i % 251) as u8, 120, 200])
        .collect();
    writer.write_image_data(&data).unwrap();
}

#[test]
fn a_folder_of_slides_shows_the_good_ones_and_names_what_is_wrong_with_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write_png(&d.join("story.png"), 64, 48);
    // A PNG whose header is right and whose pixels are damaged.
    write_png(&d.join("broken.png"), 64, 48);
    let mut damaged = std::fs::read(d.join("broken.png")).unwrap();
    let middle = damaged.len() / 2;
    damaged[middle..middle + 16].fill(0xAA);
    std::fs::write(d.join("broken.png"), damaged).unwrap();
    std::fs::write(
        d.join("a-story-time.toml"),
        r#"kind = "event"
title_zh = "亲子阅读"
title_en = "Story time"
text_en = "Saturdays at 10."
image = "story.png"
qr = "https://library.example.org/events/42"
weekdays = ["sat", "周日"]
hours = "08:00-12:00"
priority = 10
"#,
    )
    .unwrap();
    std::fs::write(
        d.join("b-closure.toml"),
        "kind = \"notice\"\ntitle_zh = \"元旦闭馆\"\nstarts = 2026-12-31\nends = 2027-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("c-bad-image.toml"),
        "title_en = \"New arrivals\"\nkind = \"new_arrival\"\nimage = \"broken.png\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("d-bad-date.toml"),
        "title_en = \"Exhibition\"\nstarts = \"soon\"\n",
    )
    .unwrap();
    std::fs::write(
        d.join("e-reversed.toml"),
        "title_en = \"X\"\nstarts = 2027-01-02\nends = 2027-01-01\n",
    )
    .unwrap();
    std::fs::write(
        d.join("f-escape.toml"),
        "title_en = \"Y\"\nimage = \"../../etc/passwd\"\n",
    )
    .unwrap();
    std::fs::write(d.join("g-typo.toml"), "titel_en = \"Z\"\n").unwrap();
    std::fs::write(d.join("notes.txt"), "not a slide").unwrap();

    let section = PromotionSection {
        dir: Some(d.to_path_buf()),
        ..PromotionSection::default()
    };
    let catalogue = Catalogue::gather(&section, "Closed on 1 January / 元旦闭馆");
    let ids: Vec<&str> = catalogue.slides.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "a-story-time",
            "b-closure",
            "c-bad-image",
            "f-escape",
            "announcement"
        ]
    );
    let story = &catalogue.slides[0];
    assert_eq!(story.kind, SlideKind::Event);
    assert!(
        story
            .image
            .as_deref()
            .is_some_and(|p| p.ends_with("story.png"))
    );
    assert_eq!(story.when.weekdays.len(), 2);
    assert_eq!(
        catalogue.slides[2].image, None,
        "shown without its broken image"
    );
    assert_eq!(
        catalogue.slides[3].image, None,
        "nothing outside the folder"
    );
    let problems: Vec<String> = catalogue.problems.iter().map(ToString::to_string).collect();
    let named = |file: &str, words: &str| {
        problems
            .iter()
            .any(|p| p.contains(file) && p.contains(words))
    };
    assert!(
        named("c-bad-image.toml", "does not decode"),
        "{problems:#?}"
    );
    assert!(named("d-bad-date.toml", "line 2"), "{problems:#?}");
    assert!(named("e-reversed.toml", "before"), "{problems:#?}");
    assert!(
        named("f-escape.toml", "in the slides' folder"),
        "{problems:#?}"
    );
    assert!(named("g-typo.toml", "titel_en"), "{problems:#?}");
    assert_eq!(problems.len(), 5, "{problems:#?}");
}

#[test]
fn a_missing_folder_is_a_problem_not_a_crash() {
    let section = PromotionSection {
        dir: Some("/nonexistent/kiosk-slides".into()),
        ..PromotionSection::default()
    };
    let catalogue = Catalogue::gather(&section, "");
    assert!(catalogue.slides.is_empty());
    assert!(catalogue.problems[0].message.contains("cannot read"));
}

#[test]
fn the_demos_sample_set_reads_cleanly_and_has_events_new_arrivals_and_notices() {
    let dir = sample::unpack().unwrap();
    let section = PromotionSection {
        dir: Some(dir.path().to_path_buf()),
        ..PromotionSection::default()
    };
    let catalogue = Catalogue::gather(&section, "");
    assert!(catalogue.problems.is_empty(), "{:?}", catalogue.problems);
    let of = |kind| catalogue.slides.iter().filter(move |s| s.kind == kind);
    assert!(of(SlideKind::Event).count() >= 2);
    assert!(of(SlideKind::Notice).count() >= 2);
    assert!(of(SlideKind::NewArrival).all(|s| s.image.is_some()));
    assert!(of(SlideKind::Digital).all(|s| s.qr.is_some()));
    // Every slide speaks both languages.
    assert!(
        catalogue
            .slides
            .iter()
            .all(|s| s.title.en.is_some() && s.title.zh.is_some() && s.text.zh.is_some())
    );
}
