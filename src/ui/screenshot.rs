//! `kiosk screenshot`: any reader screen rendered without a display, with the software renderer,
//! to a PNG — for the README, for documentation and for checking a layout at a screen size.
//! The screens are reached the way a reader reaches them, through the session and the simulated
//! library; only the out-of-service page (a storage fault) is set up directly.

use super::bind;
use super::run::start_session;
use super::window::KioskUi;
use crate::app::AppError;
use crate::app::cli::ScreenshotArgs;
use crate::app::clock::Clock;
use crate::app::runtime::Input;
use crate::circ::Button;
use crate::circ::reason::{Reason, Refusal};
use crate::circ::screen::{Language, Page, Screen};
use crate::circ::types::Pin;
use crate::config::Config;
use crate::config::secrets::Secrets;
use slint::Rgb8Pixel;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use std::path::Path;
use std::rc::Rc;

/// The screens that can be rendered.
pub const SCREENS: &[&str] = &[
    "idle",
    "slide",
    "pin",
    "pin_wrong",
    "menu",
    "borrow",
    "return",
    "renew",
    "account",
    "receipt",
    "goodbye",
    "suggest",
    "out_of_service",
    "timeout",
    "statistics",
];

struct Offscreen {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for Offscreen {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, slint::PlatformError> {
        Ok(self.window.clone())
    }
}

/// What to render.
#[derive(Debug, Clone)]
pub struct Shot {
    pub screen: String,
    pub language: Language,
    pub width: u32,
    pub height: u32,
    pub large_text: bool,
    pub high_contrast: bool,
}

fn usage(message: String) -> AppError {
    AppError::Usage(message)
}

/// Renders every shot, in order, into `paths`; one offscreen window serves them all.
pub fn render(config: &Config, shots: &[(Shot, &Path)]) -> Result<(), AppError> {
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(Offscreen {
        window: window.clone(),
    }))
    .map_err(|e| usage(format!("cannot render offscreen: {e}")))?;
    for (shot, path) in shots {
        if !SCREENS.contains(&shot.screen.as_str()) {
            return Err(usage(format!(
                "no screen {:?}; the screens are: {}",
                shot.screen,
                SCREENS.join(", ")
            )));
        }
        let pixels = render_one(config, &window, shot)?;
        write_png(path, shot.width, shot.height, &pixels)?;
    }
    Ok(())
}

fn render_one(
    config: &Config,
    window: &MinimalSoftwareWindow,
    shot: &Shot,
) -> Result<Vec<Rgb8Pixel>, AppError> {
    let running = start_session(config, &Secrets::default(), Clock::virtual_from_now())?;
    let ui = KioskUi::new(running.commands.clone(), running.screens, config, false)
        .map_err(|e| usage(format!("cannot create the window: {e}")))?;
    slint::ComponentHandle::show(&ui.window)
        .map_err(|e| usage(format!("cannot show the window: {e}")))?;
    window.set_size(slint::PhysicalSize::new(shot.width, shot.height));
    let theme = slint::ComponentHandle::global::<super::generated::Theme>(&ui.window);
    theme.set_large_text(shot.large_text);
    theme.set_high_contrast(shot.high_contrast);
    slint::ComponentHandle::global::<super::generated::Machine>(&ui.window)
        .set_clock("2026-11-29 10:00".into());
    let step = |input: Input| {
        ui.device(input);
        ui.sync();
    };
    step(Input::Language(shot.language));
    let sign_in = |card: &str, pin: &str| {
        step(Input::Scan(card.into()));
        step(Input::Pin(Pin::new(pin)));
    };
    match shot.screen.as_str() {
        "pin" => {
            step(Input::Scan("20234000000019".into()));
            // Two digits typed: two dots of the four places.
            slint::ComponentHandle::global::<super::generated::PinEntry>(&ui.window)
                .set_pin("12".into());
        }
        "pin_wrong" => sign_in("20234000000019", "9999"),
        "menu" => sign_in("20234000000019", "1234"),
        "renew" => {
            sign_in("20234000000043", "4567");
            step(Input::Press(Button::Renew));
        }
        "borrow" | "receipt" | "goodbye" => {
            sign_in("20234000000019", "1234");
            step(Input::Scan("30234000001015".into()));
            step(Input::Scan("30234000001049".into()));
            if shot.screen != "borrow" {
                step(Input::Press(Button::Done));
            }
            if shot.screen == "goodbye" {
                step(Input::Press(Button::PrintReceipt));
            }
        }
        "return" => {
            step(Input::Scan("30234000001080".into()));
            step(Input::Scan("30234000001098".into()));
        }
        "account" => {
            sign_in("20234000000043", "4567");
            step(Input::Press(Button::Account));
        }
        "timeout" => {
            sign_in("20234000000019", "1234");
            step(Input::Wait(std::time::Duration::from_secs(50)));
        }
        "suggest" => {
            sign_in("20234000000019", "1234");
            step(Input::Press(Button::Suggest));
            step(Input::Feedback(
                crate::circ::suggestion::FeedbackTopic::Praise,
            ));
            // 三体's ISBN, scanned from the back cover: shown back for confirmation.
            step(Input::Scan("9787536692930".into()));
        }
        "out_of_service" => bind::show(&ui.window, &out_of_service(shot.language)),
        "statistics" => bind::show_tech(&ui.window, &statistics()),
        // The first slide opened by a touch on the attract screen.
        "slide" => {
            slint::ComponentHandle::global::<super::generated::Promotion>(&ui.window).set_open(0)
        }
        _ => {}
    }
    slint::platform::update_timers_and_animations();
    let mut pixels = vec![Rgb8Pixel::new(0, 0, 0); (shot.width * shot.height) as usize];
    // Rendered twice: the first pass lays out, the second paints what the layout settled on.
    for _ in 0..2 {
        window.request_redraw();
        window.draw_if_needed(|renderer| {
            renderer.render(&mut pixels, shot.width as usize);
        });
    }
    slint::ComponentHandle::hide(&ui.window).ok();
    drop(ui);
    drop(running.commands);
    let _ = running.thread.join();
    Ok(pixels)
}

/// The technician's Statistics page over the made-up library's eight weeks (the same as
/// `kiosk stats chart --demo`), on the day the screenshots' clock shows.
fn statistics() -> crate::app::tech_shell::TechView {
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 29).unwrap_or_default();
    let rows = crate::stats::sample::history(today, 56, 12.0, 2026);
    crate::app::tech_shell::TechView {
        page: Some(crate::tech::TechPage::Statistics),
        statistics: Some(crate::stats::summary(&rows, today)),
        ..Default::default()
    }
}

fn out_of_service(language: Language) -> Screen {
    Screen {
        notice: Some(Refusal::new(Reason::OutOfService {
            fault: "STORAGE".into(),
        })),
        ..Screen::blank(Page::OutOfService, language)
    }
}

fn write_png(path: &Path, width: u32, height: u32, pixels: &[Rgb8Pixel]) -> Result<(), AppError> {
    let file = std::fs::File::create(path)
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))?;
    let mut encoder = png::Encoder::new(std::io::BufWriter::new(file), width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let bytes: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&bytes))
        .map_err(|e| usage(format!("cannot write {}: {e}", path.display())))
}

/// `kiosk screenshot`: one screen, or with `--all` the README's set, rendered to PNG files.
pub fn from_args(args: ScreenshotArgs) -> Result<(), AppError> {
    let mut config = Config::demo();
    // The demo's slides on the attract screen.
    let slides = crate::promotion::sample::unpack()?;
    config.promotion.dir = Some(slides.path().to_owned());
    let language = |text: &str| match text {
        "en" => Ok(Language::En),
        "zh_CN" | "zh-CN" => Ok(Language::ZhCn),
        other => Err(AppError::Usage(format!(
            "--lang: expected en or zh_CN, found {other:?}"
        ))),
    };
    let size = |text: &str| {
        let parsed = text
            .split_once('x')
            .and_then(|(w, h)| Some((w.parse::<u32>().ok()?, h.parse::<u32>().ok()?)))
            .filter(|(w, h)| (200..=4096).contains(w) && (200..=4096).contains(h));
        parsed.ok_or_else(|| {
            AppError::Usage(format!(
                "--size: expected WIDTHxHEIGHT between 200 and 4096, e.g. 1280x800, found {text:?}"
            ))
        })
    };
    if let Some(dir) = &args.all {
        std::fs::create_dir_all(dir)?;
        let mut shots = Vec::new();
        for screen in [
            "idle",
            "slide",
            "pin",
            "pin_wrong",
            "menu",
            "borrow",
            "return",
            "renew",
            "account",
            "receipt",
            "goodbye",
            "suggest",
            "out_of_service",
            "statistics",
        ] {
            for lang in ["en", "zh_CN"] {
                for (width, height) in [(800, 480), (1080, 1920)] {
                    let shot = Shot {
                        screen: screen.into(),
                        language: language(lang)?,
                        width,
                        height,
                        large_text: false,
                        high_contrast: false,
                    };
                    shots.push((
                        shot,
                        dir.join(format!("{screen}-{lang}-{width}x{height}.png")),
                    ));
                }
            }
        }
        let refs: Vec<(Shot, &std::path::Path)> = shots
            .iter()
            .map(|(s, p)| (s.clone(), p.as_path()))
            .collect();
        return render(&config, &refs);
    }
    let (width, height) = size(&args.size)?;
    let shot = Shot {
        screen: args.screen.clone(),
        language: language(&args.lang)?,
        width,
        height,
        large_text: args.large_text,
        high_contrast: args.high_contrast,
    };
    let out = args
        .out
        .ok_or_else(|| AppError::Usage("the PNG file to write is missing".into()))?;
    render(&config, &[(shot, out.as_path())])
}
