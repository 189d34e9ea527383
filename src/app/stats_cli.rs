//! `kiosk stats`: the business statistics, read from the journal, written as a table, CSV or
//! JSON.

use super::AppError;
use super::cli::{StatsArgs, StatsFormat};
use crate::stats::{self, Period};
use chrono::NaiveDate;
use std::io::Write;

fn day(flag: &str, text: Option<&str>) -> Result<Option<NaiveDate>, AppError> {
    text.map(|t| {
        NaiveDate::parse_from_str(t, "%Y-%m-%d").map_err(|_| {
            AppError::Usage(format!("{flag}: expected a date YYYY-MM-DD, found {t:?}"))
        })
    })
    .transpose()
}

pub fn run(args: StatsArgs) -> Result<(), AppError> {
    super::init_logging("warn");
    let chinese = match args.lang.as_str() {
        "en" => false,
        "zh-CN" | "zh_CN" => true,
        other => {
            return Err(AppError::Usage(format!(
                "--lang: expected en or zh-CN, found {other:?}"
            )));
        }
    };
    let since = day("--since", args.since.as_deref())?;
    let until = day("--until", args.until.as_deref())?;
    let config = super::queue_cli::config_of(&args.source)?;
    // Statistics read a journal; they never start an empty one.
    let path = &config.journal.path;
    if path.as_os_str() != ":memory:" && !path.exists() {
        return Err(AppError::Usage(format!(
            "no journal at {}: the kiosk has not recorded anything there",
            path.display()
        )));
    }
    let journal = super::queue_cli::open(&config)?;
    let rows = journal
        .hourly_counts()
        .map_err(super::queue_cli::journal_error)?;
    let periods: Vec<Period> = stats::totals(&rows, args.by, since, until);
    let text = match args.format {
        StatsFormat::Table => stats::table(&periods, chinese),
        StatsFormat::Csv => stats::csv(&periods, chinese),
        StatsFormat::Json => serde_json::to_string_pretty(&periods).unwrap_or_default() + "\n",
    };
    match args.output {
        Some(file) => std::fs::write(&file, text)
            .map_err(|e| AppError::Usage(format!("cannot write {}: {e}", file.display()))),
        None => Ok(std::io::stdout().lock().write_all(text.as_bytes())?),
    }
}
