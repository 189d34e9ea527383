//! Compiles the touchscreen UI (`ui/*.slint`) with its zh-CN translation bundled.

fn main() {
    let config = slint_build::CompilerConfiguration::new()
        .with_bundled_translations("ui/translations")
        .with_default_translation_context(slint_build::DefaultTranslationContext::None)
        // Element lookup by accessible label in the UI tests needs it; it costs little.
        .with_debug_info(true)
        .with_style("fluent".into());
    if let Err(error) = slint_build::compile_with_config("ui/app.slint", config) {
        eprintln!("cannot compile the UI: {error}");
        std::process::exit(1);
    }
    println!("cargo:rerun-if-changed=ui");
}
