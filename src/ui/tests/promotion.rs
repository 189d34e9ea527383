//! The attract loop at the touchscreen: slides beside the card prompt, never over it, at every
//! supported size and in both languages; a slide opened by a touch; a card laid meanwhile.

use super::Kiosk;
use crate::ui::generated::{Page, Promotion};
use i_slint_backend_testing::{ElementHandle, ElementQuery};
use slint::{ComponentHandle, LogicalPosition, LogicalSize, Model};
use std::path::Path;

const SIZES: [(f32, f32); 3] = [(800.0, 480.0), (1280.0, 800.0), (1080.0, 1920.0)];

/// (English title, Chinese title) of the slides [`folder`] writes, in the order they show.
const TITLES: [(&str, &str); 5] = [
    ("Story time", "亲子阅读"),
    ("E-books on your phone", "手机上读电子书"),
    ("New this month", "本月新书"),
    ("Lecture: the Grand Canal", "讲座：大运河"),
    ("Closed on 1 January", "元旦闭馆"),
];

/// A slides folder with the first `active` of [`TITLES`] (the first with an image, the second
/// with a QR code), and two that do not show today: one whose dates have passed, one to come.
fn folder(active: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/promotion-sample/story-time.png");
    std::fs::copy(sample, dir.path().join("story-time.png")).expect("the sample image");
    for (i, (en, zh)) in TITLES.iter().take(active).enumerate() {
        let extra = match i {
            0 => "image = \"story-time.png\"\nkind = \"event\"\n",
            1 => "qr = \"https://library.example.org/digital\"\nkind = \"digital\"\n",
            _ => "",
        };
        let text = format!(
            "title_en = \"{en}\"\ntitle_zh = \"{zh}\"\ntext_en = \"More about {en}.\"\n\
             text_zh = \"{zh}详情。\"\npriority = {}\n{extra}",
            10 - i
        );
        std::fs::write(dir.path().join(format!("{i}.toml")), text).expect("a slide");
    }
    let gone = "title_en = \"Last year's book fair\"\ntitle_zh = \"去年的书展\"\n\
                starts = 2020-01-01\nends = 2020-01-31\npriority = 50\n";
    std::fs::write(dir.path().join("gone.toml"), gone).expect("a slide");
    let coming = "title_en = \"Next century\"\ntitle_zh = \"下个世纪\"\nstarts = 2099-01-01\n";
    std::fs::write(dir.path().join("coming.toml"), coming).expect("a slide");
    dir
}

/// The demo kiosk with these slides on its attract screen.
fn kiosk_with(slides: &tempfile::TempDir) -> Kiosk {
    let dir = slides.path().to_owned();
    Kiosk::start_with(move |config| config.promotion.dir = Some(dir))
}

/// The slide showing in the loop, as a button labelled with its title.
fn slide_cards(k: &Kiosk, title: &str) -> Vec<ElementHandle> {
    ElementQuery::from_root(&k.ui.window)
        .match_accessible_role(i_slint_backend_testing::AccessibleRole::Button)
        .match_predicate({
            let title = title.to_owned();
            move |e| e.accessible_label().is_some_and(|l| l == title)
        })
        .find_all()
}

fn rect(e: &ElementHandle) -> (LogicalPosition, LogicalSize) {
    (e.absolute_position(), e.size())
}

fn overlap(a: &ElementHandle, b: &ElementHandle) -> bool {
    let ((pa, sa), (pb, sb)) = (rect(a), rect(b));
    pa.x < pb.x + sb.width
        && pb.x < pa.x + sa.width
        && pa.y < pb.y + sb.height
        && pb.y < pa.y + sa.height
}

fn labelled(k: &Kiosk, text: &str) -> Vec<ElementHandle> {
    ElementQuery::from_root(&k.ui.window)
        .match_predicate({
            let text = text.to_owned();
            move |e| e.accessible_label().is_some_and(|l| l.contains(&text))
        })
        .find_all()
}

/// The card prompt lies inside the window and nothing labelled lies over it (the slides, the
/// buttons, the notices: each has its own place).
fn prompt_in_view(k: &Kiosk, (width, height): (f32, f32)) -> Result<(), String> {
    let prompts: Vec<_> = ["Place your library card", "请将读者证放在读卡区"]
        .iter()
        .flat_map(|t| labelled(k, t))
        .collect();
    let [prompt] = prompts.as_slice() else {
        return Err(format!("{} card prompts: {:#?}", prompts.len(), k.labels()));
    };
    let (at, size) = rect(prompt);
    if at.x < 0.0 || at.y < 0.0 || at.x + size.width > width + 0.5 {
        return Err(format!("the prompt at {at:?} {size:?} in {width}x{height}"));
    }
    if at.y + size.height > height + 0.5 {
        return Err(format!("the prompt at {at:?} {size:?} in {width}x{height}"));
    }
    let others = ElementQuery::from_root(&k.ui.window)
        .match_predicate(|e| e.accessible_label().is_some_and(|l| !l.is_empty()))
        .find_all();
    for other in others {
        let label = other.accessible_label().unwrap_or_default();
        let itself =
            Some(&label) == prompt.accessible_label().as_ref() && rect(&other) == rect(prompt);
        if !itself && overlap(prompt, &other) {
            return Err(format!(
                "{label:?} lies over the card prompt at {width}x{height}"
            ));
        }
    }
    Ok(())
}

fn set_size(k: &Kiosk, (width, height): (f32, f32)) {
    k.ui.window
        .window()
        .set_size(LogicalSize::new(width, height));
}

/// The slide titles the window holds, in the order they show.
fn shown_titles(k: &Kiosk) -> Vec<String> {
    let slides = k.ui.window.global::<Promotion>().get_slides();
    slides.iter().map(|s| s.title_en.to_string()).collect()
}

#[test]
fn the_card_prompt_stays_in_view_with_0_1_and_5_slides_at_every_size_in_both_languages() {
    for active in [0, 1, 5] {
        let slides = folder(active);
        let k = kiosk_with(&slides);
        let expected: Vec<&str> = TITLES.iter().take(active).map(|t| t.0).collect();
        assert_eq!(shown_titles(&k), expected, "the slides showing today");
        let mut problems = Vec::new();
        for (switch, pick) in [("English", 0), ("中文", 1)] {
            k.touch(switch);
            for size in SIZES {
                set_size(&k, size);
                let first = TITLES.first().map(|t| if pick == 0 { t.0 } else { t.1 });
                let card = first
                    .map(|title| slide_cards(&k, title))
                    .unwrap_or_default();
                match (active, card.len()) {
                    (0, 0) => {}
                    (0, _) => problems.push(format!("a slide with none at {size:?}")),
                    (_, 1) => {}
                    (_, n) => problems.push(format!("{n} first slides at {size:?}")),
                }
                problems.extend(prompt_in_view(&k, size).err());
                problems.extend(super::sessions::buttons_inside(&k, size.0, size.1).err());
                if active > 0 {
                    // Opened, the slide takes the room below the prompt, not the prompt's.
                    let title = first.unwrap_or_default();
                    k.touch(title);
                    if labelled(&k, &format!("{title}: ")).is_empty() {
                        problems.push(format!("{title:?} did not open at {size:?}"));
                    }
                    problems.extend(prompt_in_view(&k, size).err());
                    problems.extend(super::sessions::buttons_inside(&k, size.0, size.1).err());
                    k.ui.window.global::<Promotion>().set_open(-1);
                }
            }
        }
        assert!(problems.is_empty(), "{active} slides: {problems:#?}");
    }
}

#[test]
fn the_loop_shows_each_slide_in_turn_with_its_image_or_qr_code_and_never_an_expired_one() {
    let slides = folder(5);
    let k = kiosk_with(&slides);
    k.touch("English");
    set_size(&k, (1080.0, 1920.0));
    let mut seen = Vec::new();
    for _ in 0..TITLES.len() {
        let current = k.ui.window.global::<Promotion>().get_current();
        let slide =
            k.ui.window
                .global::<Promotion>()
                .get_slides()
                .row_data(usize::try_from(current).unwrap_or_default())
                .expect("the current slide");
        seen.push(slide.title_en.to_string());
        assert_eq!(
            slide_cards(&k, &slide.title_en).len(),
            1,
            "{:#?}",
            k.labels()
        );
        // The next one after the configured 8 seconds.
        i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(8));
        slint::platform::update_timers_and_animations();
    }
    let all: Vec<&str> = TITLES.iter().map(|t| t.0).collect();
    assert_eq!(seen, all);
    assert!(!k.shows("Last year's book fair") && !k.shows("Next century"));
    let data = k.ui.window.global::<Promotion>().get_slides();
    let first = data.row_data(0).expect("the image slide");
    assert!(
        first.has_image && first.image.size().width == 480,
        "the image is shown"
    );
    let second = data.row_data(1).expect("the QR slide");
    assert!(
        second.has_qr && second.qr.size().width > 20,
        "the link is a QR code"
    );
    assert!(!data.iter().skip(2).any(|s| s.has_image || s.has_qr));
}

#[test]
fn a_card_laid_while_a_slide_is_open_starts_the_session_and_the_loop_comes_back_after() {
    let slides = folder(5);
    let k = kiosk_with(&slides);
    k.touch("English");
    k.touch("Story time");
    k.assert_shows("Story time: More about Story time.");
    k.device("Card: Li Hua");
    assert_eq!(k.page(), Page::Pin, "the card started a visit at once");
    assert_eq!(k.ui.window.global::<Promotion>().get_open(), -1);
    // Walked away: back on the attract screen, the loop and not the opened slide.
    k.wait(120.0);
    assert_eq!(k.page(), Page::Idle);
    assert!(!k.shows("Story time: "), "{:#?}", k.labels());
    assert_eq!(slide_cards(&k, "Story time").len(), 1);
}

#[test]
fn an_opened_slide_goes_back_to_the_loop_by_itself_or_at_a_touch() {
    let slides = folder(2);
    let k = kiosk_with(&slides);
    k.touch("English");
    k.touch("Story time");
    k.assert_shows("Story time: More about Story time.");
    k.assert_shows("Touch anywhere to go back.");
    i_slint_backend_testing::mock_elapsed_time(std::time::Duration::from_secs(21));
    slint::platform::update_timers_and_animations();
    assert_eq!(k.ui.window.global::<Promotion>().get_open(), -1);
    assert!(!k.shows("Touch anywhere to go back."));
    assert_eq!(k.page(), Page::Idle);
}
