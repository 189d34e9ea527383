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
    /// Try the kiosk: its window with the simulated library and simulated devices (tap a sample
    /// card or books on the panel beside it), or a scripted session printed as text or JSON.
    #[command(
        after_help = "Examples:\n  kiosk demo                 the kiosk window and the simulated devices panel\n  \
        kiosk demo --transcript    a scripted borrow and return, as a readable transcript\n  \
        kiosk demo --headless      the same scripted session as JSON lines (the headless protocol)"
    )]
    Demo {
        /// Run the scripted session and print every effect as a JSON line (no window).
        #[arg(long, conflicts_with = "transcript")]
        headless: bool,
        /// Run the scripted session and print a readable transcript (no window).
        #[arg(long)]
        transcript: bool,
        /// Reach the simulated library over SIP2 on a loopback socket, as a real ILS is reached.
        #[arg(long, conflicts_with = "folio")]
        sip2: bool,
        /// Reach the simulated library through the FOLIO adapter, over HTTP on a loopback socket.
        #[arg(long)]
        folio: bool,
    },
    /// Render a reader screen to a PNG without a display (software renderer).
    #[command(after_help = "Examples:\n  \
        kiosk screenshot --screen borrow --lang zh_CN --size 1280x800 borrow.png\n  \
        kiosk screenshot --screen pin --size 800x480 --large-text pin.png\n  \
        kiosk screenshot --all docs/screens     the README's set (both languages, two sizes)\n\n\
        Screens: idle, slide, pin, pin_wrong, menu, borrow, return, renew, account, receipt,\n\
        goodbye, suggest, out_of_service, timeout, statistics (the technician's, made-up counts).")]
    Screenshot(ScreenshotArgs),
    /// Run the kiosk with a configuration file.
    #[command(after_help = "Examples:\n  \
        kiosk run --config /etc/kiosk/kiosk.toml --headless < session.jsonl\n  \
        echo '{\"scan\": \"20234000000019\"}' | kiosk run --headless\n\n\
        Without --config, the example configuration (simulated library) is used.\n\
        The headless protocol is described in README.md.")]
    Run(RunArgs),
    /// Show only the out-of-service screen, in both languages, with a code (systemd starts this
    /// when the kiosk failed too often to be started again).
    #[command(after_help = "Example:\n  kiosk out-of-service --code START")]
    OutOfService {
        /// The code a technician looks up (START: the kiosk failed to start repeatedly).
        #[arg(long, default_value = "START")]
        code: String,
        /// The configuration (for the library's name and language); unreadable, the defaults.
        #[arg(long, value_name = "PATH", default_value = "/etc/kiosk/kiosk.toml")]
        config: PathBuf,
    },
    /// Work with configuration files.
    Config {
        #[command(subcommand)]
        action: ConfigAction,
    },
    /// Show the simulated library (its patrons, PINs and items), or serve it over SIP2.
    #[command(
        after_help = "Examples:\n  kiosk sim-ils                          list the cards and books\n  \
        kiosk sim-ils --seed my-seed.toml --json\n  \
        kiosk sim-ils --sip2 127.0.0.1:6001     serve it as a SIP2 ACS (until Ctrl-C)\n  \
        kiosk sim-ils --folio 127.0.0.1:9130    serve it behind a FOLIO-shaped HTTP endpoint"
    )]
    SimIls(SimIlsArgs),
    /// Look after the journal and the offline queue (staff, after an outage).
    #[command(after_help = "Examples:\n  \
        kiosk queue status\n  \
        kiosk queue list --state refused\n  \
        kiosk queue retry kiosk-01-17\n  \
        kiosk queue discard kiosk-01-18 --reason \"lent by hand at the desk\"\n  \
        kiosk queue export --format koc --output offline.koc\n  \
        kiosk queue blocked-import blocked.txt\n\n\
        States: pending (waiting for the ILS), sending, unknown (asked again before anything is \
        resent), done, refused and review (need staff), declined, void, discarded.")]
    Queue(QueueArgs),
    /// Feedback and purchase suggestions readers left at the kiosk, for staff.
    #[command(after_help = "Examples:\n  \
        kiosk feedback --config /etc/kiosk/kiosk.toml list\n  \
        kiosk feedback export --format csv --since 2026-12-01 -o suggestions.csv\n\n\
        A suggestion names a reader only when they asked the library to reply.")]
    Feedback(FeedbackArgs),
    /// Check the machine's parts: ok / warn / fail each, with what to do (exit 0, 1 or 2).
    #[command(after_help = "Examples:\n  \
        kiosk diag                       every check, for a person\n  \
        kiosk diag --json                the same for scripts (see README: Technicians)\n  \
        kiosk diag --device ils          only the ILS link\n  \
        kiosk diag bundle support.tar.gz a support bundle (no secrets, no patron ids)\n\n\
        Checks: item_reader, card_reader, scanner, indicators, return_slot, printer, ils, clock,\n\
        storage, cpu, promotion. Stop the kiosk first: the readers and the printer serve one program at a time.\n\
        Exit code: 0 all ok, 1 a warning, 2 a failure.")]
    Diag(DiagArgs),
    /// Business statistics (业务统计) from the journal's anonymous counts: borrowed, returned,
    /// renewed, refused and offline, per hour, day, week, month, weekday or hour of the day.
    #[command(after_help = "Examples:\n  \
        kiosk stats                                   per day, as a table\n  \
        kiosk stats --by hour-of-day --since 2026-11-01   the busiest hours\n  \
        kiosk stats --by month --format csv --lang zh-CN -o 月报.csv   for Excel or WPS\n  \
        kiosk stats merge north.json south.json       a branch's report from its kiosks\n  \
        kiosk stats chart --out report.png            the charts, one A4 page\n  \
        kiosk stats import-pairs pairs.csv            \"also borrowed\" pairs from the library\n\n\
        Nothing about readers is counted: see the README, \"What the kiosk keeps about readers\".")]
    Stats(StatsArgs),
    /// The spoken prompts: the text of every clip (to record a library's own), or one clip
    /// played through the sound card (to check the speaker and the volume).
    #[command(after_help = "Examples:\n  \
        kiosk voice texts                     every clip id and what it says, per language (TSV)\n  \
        kiosk voice say enter_pin --lang zh-CN\n\n\
        A library's recording replaces a built-in one when it has the same name in [voice] dir,\n\
        e.g. /etc/kiosk/voice/zh-CN/enter_pin.ogg.")]
    Voice {
        #[command(subcommand)]
        action: VoiceAction,
    },
}

#[derive(Debug, Subcommand)]
pub enum VoiceAction {
    /// Print `language<TAB>clip<TAB>text` for every clip.
    Texts,
    /// Play one clip (at the configured volume, ignoring quiet hours) and wait for it to end.
    Say {
        clip: String,
        #[arg(long, value_name = "en|zh-CN", default_value = "zh-CN")]
        lang: String,
        /// The configuration (for `[voice] dir` and the volume); the defaults without it.
        #[arg(long, value_name = "PATH")]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DiagAction {
    /// Write a support bundle (.tar.gz): the configuration without secrets, the diagnosis, the
    /// journal's statistics and the recent log, with no patron identifier.
    Bundle {
        /// Where to write it, e.g. kiosk-01-support.tar.gz.
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct DiagArgs {
    /// The kiosk's configuration.
    #[arg(
        long,
        short,
        global = true,
        value_name = "PATH",
        env = "KIOSK_CONFIG",
        default_value = "/etc/kiosk/kiosk.toml"
    )]
    pub config: PathBuf,
    #[command(subcommand)]
    pub action: Option<DiagAction>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Run only this check.
    #[arg(long, value_name = "NAME")]
    pub device: Option<String>,
    /// Move things and read the field: cycle the lights and beep, pulse the return slot's
    /// lock, list the tags on the pad (a technician stands at the machine).
    #[arg(long)]
    pub active: bool,
}

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// The kiosk's configuration (it names the journal).
    #[arg(long, env = "KIOSK_CONFIG", default_value = "/etc/kiosk/kiosk.toml")]
    pub config: PathBuf,
    #[command(subcommand)]
    pub action: FeedbackAction,
}

#[derive(Debug, Subcommand)]
pub enum FeedbackAction {
    /// The suggestions, oldest first, with where each has been delivered.
    List {
        /// Only from this time on (YYYY-MM-DD, or an RFC 3339 time).
        #[arg(long)]
        since: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Write them out for a spreadsheet (CSV, UTF-8 with BOM) or a script (JSON lines).
    Export {
        #[arg(long, value_enum)]
        format: FeedbackFormat,
        #[arg(long)]
        since: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FeedbackFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct QueueArgs {
    #[command(flatten)]
    pub source: JournalSource,
    #[command(subcommand)]
    pub action: QueueAction,
}

/// Where a staff tool finds the journal: through the configuration, or named directly.
#[derive(Debug, Args)]
pub struct JournalSource {
    /// The kiosk's configuration (it names the journal).
    #[arg(
        long,
        short,
        value_name = "PATH",
        env = "KIOSK_CONFIG",
        default_value = "/etc/kiosk/kiosk.toml"
    )]
    pub config: PathBuf,
    /// The journal itself, read without the configuration (a package being removed whose
    /// configuration was never filled in).
    #[arg(long, value_name = "PATH")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum QueueAction {
    /// Counts by state, the oldest transaction waiting, the link, the last replay.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// How many transactions have still to reach the ILS (queued, in flight, or to be asked
    /// about), as one number for scripts (the package's removal reads it).
    Waiting,
    /// The transactions, oldest first.
    List {
        /// Only this state (pending, sending, unknown, done, refused, review, declined, void, discarded).
        #[arg(long)]
        state: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Send the queue to the ILS now (the kiosk does it by itself; stop it first).
    Replay {
        /// Show what would be sent, send nothing.
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Send a refused or reviewed transaction again.
    Retry { id: String },
    /// Settle a transaction by hand; it stays in the journal with the reason.
    Discard {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Write transactions out: .koc for Koha's offline circulation upload, JSON lines, CSV.
    Export {
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// Only transactions from this local time on (YYYY-MM-DD or YYYY-MM-DD HH:MM:SS).
        #[arg(long)]
        since: Option<String>,
        /// Only this state; by default what the ILS does not have yet (pending, sending,
        /// unknown, refused, review).
        #[arg(long)]
        state: Option<String>,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Load the blocked-patron list used offline from a file: one `CARD TAG` a line
    /// (Evergreen's format: L lost, E expired, B barred, D penalized). Replaces the last import.
    BlockedImport { file: PathBuf },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Koc,
    Jsonl,
    Csv,
}

#[derive(Debug, Args)]
pub struct SimIlsArgs {
    /// A seed file instead of the built-in one.
    #[arg(long, value_name = "PATH")]
    pub seed: Option<PathBuf>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Serve the simulated library as a SIP2 ACS on this address.
    #[arg(long, value_name = "ADDR", conflicts_with = "folio")]
    pub sip2: Option<String>,
    /// Serve the simulated library behind a FOLIO-shaped HTTP endpoint (Okapi) on this address.
    #[arg(long, value_name = "ADDR")]
    pub folio: Option<String>,
    /// FOLIO: the tenant the endpoint answers for.
    #[arg(long, default_value = "sim")]
    pub tenant: String,
    /// FOLIO: how long a login token lives, in seconds.
    #[arg(long, default_value_t = 600)]
    pub token_ttl_secs: u64,
    /// Character set on the wire: utf-8, cp850 or iso-8859-1.
    #[arg(long, default_value = "utf-8")]
    pub charset: crate::ils::sip2::Charset,
    /// Turn SIP2 error detection (AY/AZ) off.
    #[arg(long)]
    pub no_error_detection: bool,
    /// Announce in the 98 status that store-and-forward (no block) transactions are accepted.
    #[arg(long)]
    pub offline_ok: bool,
    /// The institution id (AO) the ACS answers with.
    #[arg(long, default_value = "SIM")]
    pub institution: String,
    /// Close connections idle this many seconds.
    #[arg(long, default_value_t = 600)]
    pub idle_timeout_secs: u64,
    /// Append every transaction the simulated library applies to this file (JSON lines), so
    /// tests can check nothing was applied twice.
    #[arg(long, value_name = "FILE")]
    pub applied_log: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ScreenshotArgs {
    /// Which screen.
    #[arg(long, default_value = "idle")]
    pub screen: String,
    /// `en` or `zh_CN`.
    #[arg(long, default_value = "en")]
    pub lang: String,
    /// Width x height in pixels: 800x480 (Pi 7" display), 1280x800, 1080x1920 (portrait).
    #[arg(long, default_value = "1280x800")]
    pub size: String,
    #[arg(long)]
    pub large_text: bool,
    #[arg(long)]
    pub high_contrast: bool,
    /// Render the README's set into this directory instead of one screen.
    #[arg(long, value_name = "DIR", conflicts_with = "out")]
    pub all: Option<PathBuf>,
    /// The PNG file to write.
    #[arg(required_unless_present = "all")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The configuration file (see kiosk.example.toml).
    #[arg(long, short, value_name = "PATH", env = "KIOSK_CONFIG")]
    pub config: Option<PathBuf>,
    /// No window: read commands as JSON lines on stdin, write effects as JSON lines on stdout.
    /// Without it the kiosk opens its touchscreen window.
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
    /// Read a staff PIN on standard input and print its argon2 hash, for `staff_pin_hash` in
    /// the secrets file (the PIN never goes on the command line or into shell history).
    #[command(after_help = "Example:\n  read -rs PIN; echo \"$PIN\" | kiosk config hash-pin")]
    HashPin,
    /// Print the documented example configuration; with --packaged, as the Debian package
    /// installs it for a real machine (what is left to fill in is marked).
    #[command(after_help = "Example:\n  kiosk config example --packaged > kiosk.toml")]
    Example {
        #[arg(long)]
        packaged: bool,
    },
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct StatsArgs {
    #[command(subcommand)]
    pub action: Option<StatsAction>,
    #[command(flatten)]
    pub source: JournalSource,
    /// First day counted (YYYY-MM-DD, the kiosk's local date).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Last day counted (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    #[arg(long, value_enum, default_value = "day")]
    pub by: crate::stats::By,
    #[command(flatten)]
    pub report: StatsOutput,
}

/// How a statistics report is written.
#[derive(Debug, Args)]
pub struct StatsOutput {
    #[arg(long, value_enum, default_value = "table")]
    pub format: StatsFormat,
    /// Column names in English or Chinese (`zh-CN`: CSV in UTF-8 with a byte-order mark).
    #[arg(long, value_name = "en|zh-CN", default_value = "en")]
    pub lang: String,
    /// Write here instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum StatsAction {
    /// Add up exports of several kiosks (`kiosk stats --format json|csv`, grouped the same way)
    /// into one report: a branch's or a library's.
    #[command(after_help = "Example:\n  \
        kiosk stats merge north.json south.json --format csv --lang zh-CN -o 分馆.csv\n\n\
        JSON exports keep refusals by reason; CSV exports only the totals.")]
    Merge {
        /// The exports (JSON or CSV, either language).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        report: StatsOutput,
    },
    /// Draw the statistics as one page (A4, legible on a phone): the daily trend, use by
    /// weekday and hour, refusals by reason, satisfaction and the share done offline.
    #[command(after_help = "Examples:\n  \
        kiosk stats chart --out report.png --since 2026-11-01\n  \
        kiosk stats chart --out report.svg\n  \
        kiosk stats chart --demo --out sample.png      a made-up library's eight weeks\n\n\
        The PNG carries its Chinese in the kiosk's own font; the SVG names common Chinese fonts and \
        relies on the viewer's fonts.")]
    Chart {
        #[command(flatten)]
        source: JournalSource,
        /// First day drawn (YYYY-MM-DD); the first day with counts without it.
        #[arg(long, value_name = "DATE")]
        since: Option<String>,
        /// Last day drawn (YYYY-MM-DD); the last day with counts without it.
        #[arg(long, value_name = "DATE")]
        until: Option<String>,
        /// The file to write: `.png` or `.svg`.
        #[arg(long, short, value_name = "FILE")]
        out: PathBuf,
        /// Draw the demo's made-up library (eight weeks) instead of a journal.
        #[arg(long)]
        demo: bool,
    },
    /// Load "also borrowed" pair counts computed by the library from its ILS (CSV:
    /// title_a,title_b,sessions); they replace the previous import and add to this kiosk's own.
    #[command(
        after_help = "Example:\n  kiosk stats import-pairs /srv/library/pairs.csv\n\n\
        Shown only with [also_borrowed] enabled, and only pairs seen in at least min_sessions visits."
    )]
    ImportPairs {
        #[command(flatten)]
        source: JournalSource,
        file: PathBuf,
    },
    /// Write the pairs this kiosk counted (CSV: title_a,title_b,sessions), for the library to
    /// add up across its kiosks.
    #[command(after_help = "Example:\n  kiosk stats export-pairs -o pairs-north.csv")]
    ExportPairs {
        #[command(flatten)]
        source: JournalSource,
        /// Write here instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatsFormat {
    Table,
    Csv,
    Json,
}
