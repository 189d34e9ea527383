//! The kiosk window (and, in the demo, the simulated-devices panel) wired to the session: each
//! callback becomes a typed input for the runtime's thread, each screen it sends back is shown.

use super::bind;
use super::generated::{Actions, KioskWindow, Machine, SimPanel, Technician};
use crate::app::runtime::{Inbound, Input, SimInput};
use crate::app::sim_pad::{PlaceTag, Placement, PrinterState};
use crate::app::tech_shell::{TechCommand, TechView};
use crate::circ::Screen;
use crate::circ::screen::Language;
use crate::circ::types::{ItemId, Pin};
use crate::config::Config;
use kiosk_hw::config::{PartFault, SimPart};
use slint::ComponentHandle;
use std::cell::Cell;
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

/// What the window is sent: the reader's screen, or the technician's.
#[derive(Debug, Clone)]
pub enum UiUpdate {
    Screen(Box<Screen>),
    Tech(Box<TechView>),
    /// The attract screen's slides now.
    Slides {
        slides: Vec<kiosk_core::promotion::Slide>,
        seconds_each: u32,
    },
}

pub struct KioskUi {
    pub window: KioskWindow,
    pub panel: Option<SimPanel>,
    commands: Sender<Inbound>,
    screens: Receiver<UiUpdate>,
    language: Cell<Option<Language>>,
}

impl KioskUi {
    pub fn new(
        commands: Sender<Inbound>,
        screens: Receiver<UiUpdate>,
        config: &Config,
        with_panel: bool,
    ) -> Result<Self, slint::PlatformError> {
        let window = KioskWindow::new()?;
        let machine = window.global::<Machine>();
        let kiosk = &config.kiosk;
        machine.set_library_name(kiosk.library_name.as_str().into());
        if let Some(form) = config
            .suggestions
            .form_url
            .as_deref()
            .and_then(super::slides::qr_image)
        {
            machine.set_feedback_form(form);
            machine.set_has_feedback_form(true);
        }
        let side = |side: crate::config::Side| match side {
            crate::config::Side::Below => super::generated::Side::Below,
            crate::config::Side::Left => super::generated::Side::Left,
            crate::config::Side::Right => super::generated::Side::Right,
            crate::config::Side::Above => super::generated::Side::Above,
        };
        machine.set_card_side(side(kiosk.layout.card_reader));
        machine.set_pad_side(side(kiosk.layout.pad));
        machine.set_slot_side(side(kiosk.layout.return_slot));
        machine.set_rating_question_en(config.satisfaction.question_en.trim().into());
        machine.set_rating_question_zh(config.satisfaction.question_zh.trim().into());
        if let Some(path) = &kiosk.logo {
            match slint::Image::load_from_path(path) {
                Ok(logo) => {
                    machine.set_logo(logo);
                    machine.set_has_logo(true);
                }
                Err(_) => tracing::error!(path = %path.display(), "the logo cannot be loaded"),
            }
        }
        let panel = if with_panel {
            Some(SimPanel::new()?)
        } else {
            None
        };
        let ui = KioskUi {
            window,
            panel,
            commands,
            screens,
            language: Cell::new(None),
        };
        ui.connect();
        Ok(ui)
    }

    fn connect(&self) {
        let actions = self.window.global::<Actions>();
        let send = self.sender();
        actions.on_press(move |choice| send(Input::Press(bind::button(choice))));
        let send = self.sender();
        actions.on_pin_entered(move |pin| send(Input::Pin(Pin::new(pin.as_str()))));
        let send = self.sender();
        actions.on_choose_language(move |language| send(Input::Language(bind::language(language))));
        let send = self.sender();
        actions.on_touched(move || send(Input::Touch));
        let send = self.sender();
        actions.on_rate(move |score| {
            if let Ok(score) = u8::try_from(score) {
                send(Input::Rate(score));
            }
        });
        let send = self.sender();
        actions.on_isbn_typed(move |text| send(Input::IsbnTyped(text.to_string())));
        let send = self.sender();
        actions.on_feedback(move |topic| send(Input::Feedback(bind::topic(topic))));
        let send = self.sender();
        actions.on_reply_wanted(move |wanted| send(Input::ReplyWanted(wanted)));
        let send = self.sender();
        actions.on_rate_reason(move |reason| send(Input::RateReason(bind::rating_reason(reason))));
        let tech = self.window.global::<Technician>();
        let send = self.sender();
        tech.on_corner_held(move || send(Input::Tech(TechCommand::CornerHeld)));
        let send = self.sender();
        tech.on_pin_entered(move |pin| send(Input::Tech(TechCommand::Pin(Pin::new(pin.as_str())))));
        let send = self.sender();
        tech.on_open(move |screen| {
            if let Some(page) = bind::tech_page(screen) {
                send(Input::Tech(TechCommand::Open(page)));
            }
        });
        let send = self.sender();
        tech.on_test(move |part| send(Input::Tech(TechCommand::Test(part.to_string()))));
        let send = self.sender();
        tech.on_test_ils(move || send(Input::Tech(TechCommand::TestIls)));
        let send = self.sender();
        tech.on_replay_now(move || send(Input::Tech(TechCommand::ReplayNow)));
        let send = self.sender();
        tech.on_exit(move || send(Input::Tech(TechCommand::Exit)));
        let send = self.sender();
        tech.on_voice_control(move |control| {
            use crate::app::tech_shell::VoiceControl;
            let control = match control.as_str() {
                "on" => VoiceControl::On,
                "off" => VoiceControl::Off,
                "louder" => VoiceControl::Louder,
                "softer" => VoiceControl::Softer,
                _ => VoiceControl::Test,
            };
            send(Input::Tech(TechCommand::Voice(control)))
        });
        let send = self.sender();
        tech.on_read_tags(move || send(Input::Tech(TechCommand::ReadTags)));
        let send = self.sender();
        tech.on_secure(move |uid, on_loan| {
            send(Input::Tech(TechCommand::Secure {
                uid: uid.to_string(),
                on_loan,
            }))
        });
        let send = self.sender();
        let weak = self.window.as_weak();
        actions.on_renew_selected(move || {
            if let Some(window) = weak.upgrade() {
                let items = bind::selected_loans(&window);
                if !items.is_empty() {
                    send(Input::Renew(items.into_iter().map(ItemId).collect()));
                }
            }
        });
        if let Some(panel) = &self.panel {
            let send = self.sender();
            panel.on_sample(move |id| {
                for input in sample(&id) {
                    send(input);
                }
            });
        }
    }

    fn sender(&self) -> impl Fn(Input) + 'static {
        let commands = self.commands.clone();
        move |input| {
            if commands.send(Inbound::from(input)).is_err() {
                tracing::error!("the session has stopped; the touch is lost");
            }
        }
    }

    /// Sends an input as the devices would (the scanner, the pad), not through the window.
    pub fn device(&self, input: Input) {
        (self.sender())(input);
    }

    /// Shows the newest screens the session and the technician's shell sent, if any.
    pub fn apply_pending(&self) {
        let (mut screen, mut tech, mut slides) = (None, None, None);
        for update in self.screens.try_iter() {
            match update {
                UiUpdate::Screen(s) => screen = Some(s),
                UiUpdate::Tech(t) => tech = Some(t),
                UiUpdate::Slides {
                    slides: s,
                    seconds_each,
                } => slides = Some((s, seconds_each)),
            }
        }
        if let Some((slides, seconds_each)) = slides {
            super::slides::show(&self.window, &slides, seconds_each);
        }
        if let Some(view) = tech {
            bind::show_tech(&self.window, &view);
        }
        let Some(screen) = screen else {
            return;
        };
        if self.language.get() != Some(screen.language) {
            self.language.set(Some(screen.language));
            let code = match screen.language {
                Language::ZhCn => "zh_CN",
                Language::En => "en",
            };
            if let Err(error) = slint::select_bundled_translation(code) {
                tracing::error!(%error, "cannot switch the UI language");
            }
        }
        bind::show(&self.window, &screen);
    }

    /// Waits until the session has handled everything sent so far, then shows the result.
    pub fn sync(&self) {
        let (ack, done) = std::sync::mpsc::channel();
        if self.commands.send(Inbound::Sync(ack)).is_ok() {
            let _ = done.recv_timeout(Duration::from_secs(30));
        }
        self.apply_pending();
    }
}

/// What each sample of the simulated-devices panel does.
pub fn sample(id: &str) -> Vec<Input> {
    let tag = |uid: &str, item: &str| PlaceTag::item(uid, item);
    match id {
        "card-li-hua" => vec![Input::Scan("20234000000019".into())],
        // The library app's e-card for Li Hua, a fresh one-minute code; then the same code
        // again, as a screenshot passed on would be.
        "ecard-li-hua" => vec![Input::Scan(demo_ecard(true))],
        "ecard-again" => vec![Input::Scan(demo_ecard(false))],
        "card-emily" => vec![Input::Scan("20234000000050".into())],
        "book-santi" => vec![Input::Scan("30234000001015".into())],
        "book-reserved" => vec![Input::Scan("30234000001049".into())],
        "stack" => vec![Input::Sim(SimInput::Place(Placement::Stack(vec![
            tag("E004015000001114", "30234000001114"),
            tag("E004015000001122", "30234000001122"),
            tag("E004015000001130", "30234000001130"),
        ])))],
        "set-incomplete" | "set-complete" => {
            let part = if id == "set-incomplete" { 1 } else { 2 };
            vec![Input::Sim(SimInput::Place(Placement::One(PlaceTag {
                parts: Some(2),
                part: Some(part),
                ..tag(&format!("E00401500000103{part}"), "30234000001031")
            })))]
        }
        "clear" => vec![Input::Sim(SimInput::ClearPad)],
        "printer-paper-out" => vec![Input::Sim(SimInput::Printer(PrinterState::PaperOut))],
        "printer-load-paper" => vec![Input::Sim(SimInput::Printer(PrinterState::Ready))],
        "item-reader-fails" | "item-reader-mended" => {
            let fault = (id == "item-reader-fails").then_some(PartFault::Timeout);
            vec![Input::Sim(SimInput::Fault(
                [(SimPart::ItemReader, fault)].into(),
            ))]
        }
        other => {
            tracing::error!(sample = other, "unknown sample");
            Vec::new()
        }
    }
}

/// The demo app's e-card QR code for Li Hua: a fresh one, or the last one shown.
fn demo_ecard(fresh: bool) -> String {
    static LAST: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());
    let mut last = LAST
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if fresh || last.is_empty() {
        let now = chrono::Utc::now().timestamp();
        *last = kiosk_core::ecard::sign_ed25519(
            crate::config::DEMO_APP_KEY,
            "20234000000019",
            now + 60,
        );
    }
    last.clone()
}
