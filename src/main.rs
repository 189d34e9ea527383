fn main() -> std::process::ExitCode {
    kiosk::app::main()
}
