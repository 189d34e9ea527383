//! The touchscreen driven through Slint's testing backend, by accessible labels, against the
//! simulated library and the simulated machine — the way a reader would use it.

mod promotion;
mod reader_relations;
mod sessions;
mod tech;
mod translations;

use super::run::{Running, start_session};
use super::window::KioskUi;
use crate::app::clock::Clock;
use crate::app::runtime::Input;
use crate::config::Config;
use crate::config::secrets::Secrets;
use crate::ui::generated::{Page, Visit};
use i_slint_backend_testing::{ElementHandle, ElementQuery};
use slint::ComponentHandle;

pub struct Kiosk {
    pub ui: KioskUi,
    /// Touches of the kiosk window (the simulated devices panel does not count).
    pub touches: std::cell::Cell<u32>,
    _thread: std::thread::JoinHandle<Result<(), crate::app::AppError>>,
}

impl Kiosk {
    pub fn start() -> Kiosk {
        Kiosk::start_with(|_| {})
    }

    pub fn start_with(edit: impl FnOnce(&mut Config)) -> Kiosk {
        Kiosk::start_with_secrets(edit, &Secrets::default())
    }

    /// The demo with one simulated part misbehaving from the start.
    pub fn start_with_fault(
        part: kiosk_hw::config::SimPart,
        fault: kiosk_hw::config::PartFault,
    ) -> Kiosk {
        Kiosk::start_with(|config| {
            config.hardware.sim.faults.insert(part, fault);
        })
    }

    pub fn start_with_secrets(edit: impl FnOnce(&mut Config), secrets: &Secrets) -> Kiosk {
        // One testing platform per test thread, however many kiosks the test starts.
        thread_local!(static PLATFORM: std::cell::OnceCell<()> = const { std::cell::OnceCell::new() });
        PLATFORM.with(|p| *p.get_or_init(i_slint_backend_testing::init_no_event_loop));
        let mut config = Config::demo();
        edit(&mut config);
        let Running {
            commands,
            screens,
            thread,
            ..
        } = start_session(&config, secrets, Clock::virtual_from_now()).expect("the session starts");
        let ui = KioskUi::new(commands, screens, &config, true).expect("the window opens");
        if let Some(panel) = &ui.panel {
            // Tall enough that no sample is scrolled out of sight.
            use slint::ComponentHandle;
            panel
                .window()
                .set_size(slint::LogicalSize::new(360.0, 1600.0));
        }
        ui.sync();
        Kiosk {
            ui,
            touches: std::cell::Cell::new(0),
            _thread: thread,
        }
    }

    fn labels_of(root: &impl i_slint_backend_testing::ElementRoot) -> Vec<String> {
        ElementQuery::from_root(root)
            .match_predicate(|e| e.accessible_label().is_some_and(|l| !l.is_empty()))
            .find_all()
            .iter()
            .filter_map(ElementHandle::accessible_label)
            .map(|l| l.to_string())
            .collect()
    }

    /// Every accessible label on the kiosk window now.
    pub fn labels(&self) -> Vec<String> {
        Self::labels_of(&self.ui.window)
    }

    /// True when some label on the kiosk window contains `text`.
    pub fn shows(&self, text: &str) -> bool {
        self.labels().iter().any(|l| l.contains(text))
    }

    #[track_caller]
    pub fn assert_shows(&self, text: &str) {
        assert!(
            self.shows(text),
            "{text:?} is not on the screen: {:#?}",
            self.labels()
        );
    }

    /// Touches the control labelled `label` on the kiosk window, and waits for the session.
    #[track_caller]
    pub fn touch(&self, label: &str) {
        let found: Vec<ElementHandle> =
            ElementHandle::find_by_accessible_label(&self.ui.window, label).collect();
        let Some(element) = found.first() else {
            panic!("no {label:?} to touch on: {:#?}", self.labels());
        };
        element.invoke_accessible_default_action();
        self.touches.set(self.touches.get() + 1);
        self.ui.sync();
    }

    /// Types the PIN on the keypad (these touches are not counted: the PIN is apart).
    pub fn type_pin(&self, pin: &str, ok: &str) {
        let before = self.touches.get();
        for digit in pin.chars() {
            self.touch(&digit.to_string());
        }
        self.touch(ok);
        self.touches.set(before);
    }

    /// Taps a sample on the simulated devices panel.
    #[track_caller]
    pub fn device(&self, label: &str) {
        let panel = self.ui.panel.as_ref().expect("the demo panel");
        let found: Vec<ElementHandle> =
            ElementHandle::find_by_accessible_label(panel, label).collect();
        let Some(element) = found.first() else {
            panic!(
                "no {label:?} on the devices panel: {:#?}",
                Self::labels_of(panel)
            );
        };
        element.invoke_accessible_default_action();
        self.ui.sync();
    }

    /// Lets time pass on the session's clock.
    pub fn wait(&self, secs: f64) {
        self.ui
            .device(Input::Wait(std::time::Duration::from_secs_f64(secs)));
        self.ui.sync();
    }

    pub fn page(&self) -> Page {
        self.ui.window.global::<Visit>().get_page()
    }
}
