//! Running the touchscreen: the runtime on its own thread, the window on the main thread, typed
//! inputs and screens passed between them.

use super::window::{KioskUi, UiUpdate};
use crate::app::clock::Clock;
use crate::app::devices::SecurityReport;
use crate::app::runtime::{Inbound, Output, Runtime};
use crate::app::supervision::Heartbeat;
use crate::app::tech_shell::{TechShell, TechView};
use crate::app::{AppError, start};
use crate::circ::Effect;
use crate::config::Config;
use crate::config::secrets::Secrets;
use std::io;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the window takes the newest screen and updates its clock.
const REFRESH: Duration = Duration::from_millis(30);

/// The runtime's output for the touchscreen: screens go to the window; the rest is logged.
pub struct ScreenSink {
    screens: Sender<UiUpdate>,
    seconds_per_slide: u32,
}

impl Output for ScreenSink {
    fn effect(&mut self, effect: &Effect) -> io::Result<()> {
        if let Effect::Show { screen } = effect {
            // The window may be gone while the session finishes; nothing to show then.
            let _ = self.screens.send(UiUpdate::Screen(screen.clone()));
        }
        Ok(())
    }

    fn slides(&mut self, slides: &[kiosk_core::promotion::Slide]) -> io::Result<()> {
        let _ = self.screens.send(UiUpdate::Slides {
            slides: slides.to_vec(),
            seconds_each: self.seconds_per_slide,
        });
        Ok(())
    }

    fn tech(&mut self, view: &TechView) -> io::Result<()> {
        let _ = self.screens.send(UiUpdate::Tech(Box::new(view.clone())));
        Ok(())
    }

    fn security(&mut self, report: &SecurityReport) -> io::Result<()> {
        tracing::info!(item = %report.item, ok = report.ok, error = ?report.error, "security written");
        Ok(())
    }

    fn rejected(&mut self, _line: Option<usize>, message: &str) -> io::Result<()> {
        tracing::warn!(%message, "input not applied");
        Ok(())
    }
}

/// A session running on its own thread: commands in, screens out.
pub struct Running {
    pub commands: Sender<Inbound>,
    pub screens: Receiver<UiUpdate>,
    pub thread: JoinHandle<Result<(), AppError>>,
    /// Beaten by the window's thread; the session loop's watchdog pings stop without it.
    pub heartbeat: Heartbeat,
}

pub fn start_session(
    config: &Config,
    secrets: &Secrets,
    clock: Clock,
) -> Result<Running, AppError> {
    let start::Started {
        session,
        worker,
        devices,
        metrics,
    } = start::start(config, secrets, &clock)?;
    let tech = TechShell::new(config, secrets);
    let promotion = start::promotion(config);
    let seconds_per_slide = config.promotion.seconds_per_slide;
    let voice_settings = config.voice.clone();
    // The sound card for a real kiosk; screenshots and UI tests (virtual clock) stay silent.
    let speaks = !clock.is_virtual();
    let (commands, inputs) = channel();
    let (screens_tx, screens) = channel();
    let heartbeat = Heartbeat::default();
    let watched = heartbeat.clone();
    let thread = std::thread::Builder::new()
        .name("session".into())
        .spawn(move || {
            let mut sink = ScreenSink {
                screens: screens_tx,
                seconds_per_slide,
            };
            let output = if speaks {
                crate::voice::open_device()
            } else {
                Box::new(crate::voice::NullSink)
            };
            let voice = crate::voice::Voice::new(voice_settings, output);
            Runtime::new(session, worker, devices, clock, &mut sink)
                .with_metrics(metrics)
                .with_tech(tech)
                .with_voice(voice)
                .with_promotion(promotion)
                .watching(watched)
                .run(inputs)?;
            Ok(())
        })?;
    Ok(Running {
        commands,
        screens,
        thread,
        heartbeat,
    })
}

/// Why there is no window to open, in one line, when it can be told before trying.
fn no_display() -> Option<&'static str> {
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    let kms = std::env::var("SLINT_BACKEND").is_ok_and(|b| b.contains("kms"));
    (!set("DISPLAY") && !set("WAYLAND_DISPLAY") && !set("WAYLAND_SOCKET") && !kms).then_some(
        "no display to open the kiosk window on (DISPLAY and WAYLAND_DISPLAY are not set); \
         use --headless for commands as JSON lines, or `kiosk demo --transcript`",
    )
}

/// The out-of-service screen alone (no session, no ILS, no parts), until SIGTERM.
pub fn run_out_of_service(config: &Config, code: &str) -> Result<(), AppError> {
    use crate::circ::{Page, Reason, Refusal, Screen};
    if let Some(why) = no_display() {
        return Err(AppError::Usage(why.into()));
    }
    let (commands, _inputs) = channel();
    let (screens_tx, screens) = channel();
    let ui = KioskUi::new(commands.clone(), screens, config, false)
        .map_err(|e| AppError::Usage(format!("cannot open the kiosk window: {e}")))?;
    let screen = Screen {
        notice: Some(Refusal::new(Reason::OutOfService {
            fault: code.to_owned(),
        })),
        ..Screen::blank(Page::OutOfService, config.kiosk.language)
    };
    // As the session would send it: the window takes its language from the screen.
    let _ = screens_tx.send(UiUpdate::Screen(Box::new(screen)));
    ui.apply_pending();
    crate::app::supervision::on_termination(commands, || {
        let _ = slint::quit_event_loop();
    })?;
    slint::ComponentHandle::show(&ui.window)
        .map_err(|e| AppError::Usage(format!("cannot show the kiosk window: {e}")))?;
    slint::run_event_loop_until_quit()
        .map_err(|e| AppError::Usage(format!("the window's event loop failed: {e}")))
}

/// Opens the kiosk window (and with `demo`, the simulated-devices panel) and runs until it is
/// closed.
pub fn run_window(config: &Config, secrets: &Secrets, demo: bool) -> Result<(), AppError> {
    if let Some(why) = no_display() {
        return Err(AppError::Usage(why.into()));
    }
    let running = start_session(config, secrets, Clock::real())?;
    crate::app::supervision::on_termination(running.commands.clone(), || {
        let _ = slint::quit_event_loop();
    })?;
    let ui = KioskUi::new(running.commands.clone(), running.screens, config, demo)
        .map_err(|e| AppError::Usage(format!("cannot open the kiosk window: {e}")))?;
    let ui = std::rc::Rc::new(ui);
    let timer = slint::Timer::default();
    let refresh = std::rc::Rc::clone(&ui);
    let heartbeat = running.heartbeat.clone();
    timer.start(slint::TimerMode::Repeated, REFRESH, move || {
        // The session loop pings systemd's watchdog only while this turns too.
        heartbeat.beat();
        refresh.apply_pending();
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M").to_string();
        slint::ComponentHandle::global::<super::generated::Machine>(&refresh.window)
            .set_clock(now.into());
    });
    let show = |result: Result<(), slint::PlatformError>| {
        result.map_err(|e| AppError::Usage(format!("cannot show the kiosk window: {e}")))
    };
    if let Some(panel) = &ui.panel {
        // Beside the kiosk window, where a window manager would not put it by itself.
        let kiosk = slint::ComponentHandle::window(&ui.window);
        kiosk.set_position(slint::PhysicalPosition::new(0, 0));
        let width = i32::try_from(kiosk.size().width).unwrap_or(0).max(1280);
        let beside = slint::PhysicalPosition::new(width + 16, 0);
        slint::ComponentHandle::window(panel).set_position(beside);
        show(slint::ComponentHandle::show(panel))?;
    }
    show(slint::ComponentHandle::show(&ui.window))?;
    slint::run_event_loop_until_quit()
        .map_err(|e| AppError::Usage(format!("the window's event loop failed: {e}")))?;
    drop(timer);
    drop(ui);
    // Closing the window ends the input: the session finishes what is under way.
    drop(running.commands);
    running
        .thread
        .join()
        .map_err(|_| AppError::Usage("the session thread panicked; see the log".into()))?
}
