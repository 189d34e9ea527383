//! `kiosk stats`: the business statistics, read from the journal (or from several kiosks'
//! exports), written as a table, CSV or JSON.

use super::AppError;
use super::cli::{JournalSource, StatsAction, StatsArgs, StatsFormat, StatsOutput};
use crate::queue::journal::Journal;
use crate::stats::{self, Period};
use chrono::NaiveDate;
use std::io::Write;
use std::path::{Path, PathBuf};

fn day(flag: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    text.map(|t| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
            AppError::Usage(format!("{flag}: expected a date YYYY-MM-DD, found {t:?}"))
        })
    })
    .transpose()
}

fn chinese(lang: &str) -> Result<bool, AppError> {
    match lang {
        "en" => Ok(false),
        "zh-CN" | "zh_CN" => Ok(true),
        other => Err(AppError::Usage(format!(
            "--lang: expected en or zh-CN, found {other:?}"
        ))),
    }
}

pub fn run(args: StatsArgs) -> Result<(), AppError> {
    super::init_logging("warn");
    match args.action {
        Some(StatsAction::Merge { files, report }) => return merge(&files, &report),
        Some(StatsAction::Chart {
            source,
            since,
            until,
            out,
            demo,
        }) => {
            let since = day("--since", since.as_deref())?;
            let until = day("--until", until.as_deref())?;
            return chart(&source, since, until, &out, demo);
        }
        Some(StatsAction::ImportPairs { source, file }) => return import_pairs(&source, &file),
        Some(StatsAction::ExportPairs { source, output }) => {
            let journal = existing_journal(&source)?;
            let pairs = journal
                .pair_counts()
                .map_err(super::queue_cli::journal_error)?;
            return write_text(&stats::pairs::write(&pairs), output.as_deref());
        }
        None => {}
    }
    let chinese_columns = chinese(&args.report.lang)?;
    let since = day("--since", args.since.as_deref())?;
    let until = day("--until", args.until.as_deref())?;
    let journal = existing_journal(&args.source)?;
    let rows = journal
        .hourly_counts()
        .map_err(super::queue_cli::journal_error)?;
    let visits = journal
        .visit_counts()
        .map_err(super::queue_cli::journal_error)?;
    let periods: Vec<Period> = stats::with_visits(
        stats::totals(&rows, args.by, since, until),
        &visits,
        args.by,
        since,
        until,
    );
    write(&periods, &args.report, chinese_columns)
}

/// The journal named by `source`; statistics read a journal, they never start an empty one.
fn existing_journal(source: &JournalSource) -> Result<Journal, AppError> {
    let config = super::queue_cli::config_of(source)?;
    let path = &config.journal.path;
    if path.as_os_str() != ":memory:" && !path.exists() {
        return Err(AppError::Usage(format!(
            "no journal at {}: the kiosk has not recorded anything there",
            path.display()
        )));
    }
    super::queue_cli::open(&config)
}

fn chart(
    source: &JournalSource,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    out: &Path,
    demo: bool,
) -> Result<(), AppError> {
    let svg = match out.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("svg") => true,
        Some(e) if e.eq_ignore_ascii_case("png") => false,
        _ => {
            return Err(AppError::Usage(format!(
                "--out {}: name a .png or an .svg file",
                out.display()
            )));
        }
    };
    let (rows, scores) = if demo {
        let last = until.unwrap_or_else(|| chrono::Local::now().date_naive());
        let days = 56;
        (
            stats::sample::history(last, days, 12.0, 2026),
            stats::sample::scores(days),
        )
    } else {
        let journal = existing_journal(source)?;
        let rows = journal
            .hourly_counts()
            .map_err(super::queue_cli::journal_error)?;
        let mut scores = [0i64; 5];
        for rating in journal.ratings().map_err(super::queue_cli::journal_error)? {
            if let Some(n) = scores.get_mut(usize::from(rating.score).wrapping_sub(1)) {
                *n += 1;
            }
        }
        (rows, scores)
    };
    let data = stats::chart_data(&rows, scores, since, until)
        .ok_or_else(|| AppError::Usage("nothing was counted in that period".into()))?;
    let bytes = if svg {
        stats::chart::svg(&data, stats::chart::SIZE).map(String::into_bytes)
    } else {
        stats::chart::png(&data, stats::chart::SIZE)
    }
    .map_err(|e| AppError::Usage(e.to_string()))?;
    std::fs::write(out, bytes)
        .map_err(|e| AppError::Usage(format!("cannot write {}: {e}", out.display())))
}

/// Reads the whole file first: a bad row imports nothing.
fn import_pairs(source: &JournalSource, file: &Path) -> Result<(), AppError> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| AppError::Usage(format!("cannot read {name}: {e}")))?;
    let pairs = stats::pairs::read(&name, &text).map_err(AppError::Usage)?;
    let config = super::queue_cli::config_of(source)?;
    let mut journal = super::queue_cli::open(&config)?;
    let n = journal
        .import_pairs(&pairs)
        .map_err(super::queue_cli::journal_error)?;
    println!("{n} pairs imported from {name} (the previous import replaced)");
    Ok(())
}

fn merge(files: &[PathBuf], report: &StatsOutput) -> Result<(), AppError> {
    let chinese_columns = chinese(&report.lang)?;
    let mut exports = Vec::with_capacity(files.len());
    for file in files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file)
            .map_err(|e| AppError::Usage(format!("cannot read {name}: {e}")))?;
        let periods =
            stats::read_export(&name, &text).map_err(|e| AppError::Usage(e.to_string()))?;
        exports.push((name, periods));
    }
    let merged = stats::merge(&exports).map_err(|e| AppError::Usage(e.to_string()))?;
    write(&merged, report, chinese_columns)
}

fn write(periods: &[Period], report: &StatsOutput, chinese_columns: bool) -> Result<(), AppError> {
    let text = match report.format {
        StatsFormat::Table => stats::table(periods, chinese_columns),
        StatsFormat::Csv => stats::csv(periods, chinese_columns),
        StatsFormat::Json => serde_json::to_string_pretty(periods).unwrap_or_default() + "\n",
    };
    write_text(&text, report.output.as_deref())
}

fn write_text(text: &str, output: Option<&Path>) -> Result<(), AppError> {
    match output {
        Some(file) => std::fs::write(file, text)
            .map_err(|e| AppError::Usage(format!("cannot write {}: {e}", file.display()))),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}
