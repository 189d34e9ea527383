fn main() -> std::process::ExitCode {
    kiosk::app::main(&kiosk::ui::Touchscreen)
}
