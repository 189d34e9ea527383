//! The `kiosk` command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kiosk",
    version,
    about = "Self-service borrow/return kiosk for libraries (自助借还机)",
    long_about = "Self-service borrow/return kiosk for libraries (自助借还机).\n\n\
        Readers borrow, return and renew at the touchscreen; technicians drive the same machine \
        headless with JSON lines, check its configuration and look at its simulated library.",
    after_help = "Examples:\n  kiosk demo                      try it: simulated library, no configuration\n  \
        kiosk run --config /etc/kiosk/kiosk.toml --headless\n  \
        kiosk config check /etc/kiosk/kiosk.toml\n  \
        kiosk sim-ils                   list the simulated library's cards and books"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Commands,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Run a scripted borrow-and-return session against the simulated library.
    #[command(
        after_help = "Examples:\n  kiosk demo               a readable transcript\n  \
        kiosk demo --headless    the same session as JSON lines (the headless protocol)"
    )]
    Demo {
        /// Print every effect as a JSON line instead of a readable transcript.
        #[arg(long)]
        headless: bool,
    },
    /// Run the kiosk with a configuration file.
    #[command(after_help = "Examples:\n  \
        kiosk run --config /etc/kiosk/kiosk.toml --headless < session.jsonl\n  \
        echo '{\"scan\": \"20234000000019\"}' | kiosk run --headless\n\n\
        Without --config, the example configuration (simulated library) is used.\n\
        The headless protocol is described in README.md.")]
    Run(RunArgs),
    /// Work with configuration files.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Show the simulated library (its patrons, PINs and items) that `kiosk demo` uses.
    #[command(
        after_help = "Examples:\n  kiosk sim-ils\n  kiosk sim-ils --seed my-seed.toml --json"
    )]
    SimIls {
        /// A seed file instead of the built-in one.
        #[arg(long, value_name = "PATH")]
        seed: Option<PathBuf>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file (see kiosk.example.toml).
    #[arg(long, short, value_name = "PATH", env = "KIOSK_CONFIG")]
    pub config: Option<PathBuf>,
    /// No touchscreen: read commands as JSON lines on stdin, write effects as JSON lines on stdout.
    #[arg(long)]
    pub headless: bool,
    /// `virtual` makes {"wait": N} pass instantly (scripts and tests of timeouts).
    #[arg(long, value_enum, default_value_t = ClockKind::Real)]
    pub clock: ClockKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ClockKind {
    Real,
    Virtual,
}

#[derive(Debug, Subcommand)]
pub enum ConfigAction {
    /// Check a configuration file (and its secrets file); exit 1 with the reason if it is wrong.
    #[command(after_help = "Example:\n  kiosk config check /etc/kiosk/kiosk.toml")]
    Check {
        /// The file to check.
        path: PathBuf,
    },
}
