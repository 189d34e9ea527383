//! What the journal hands out: a transaction's record, the day's anonymous counts, and how an
//! attempt or replay ended.

use super::*;
use chrono::format::{Item, Parsed, StrftimeItems};
use std::sync::LazyLock;

/// One transaction as the journal holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// `<kiosk>-<seq>`: unique across kiosks.
    pub id: String,
    pub seq: i64,
    #[serde(serialize_with = "serialize_kind")]
    pub kind: Action,
    pub origin: Origin,
    pub state: State,
    pub patron: Option<String>,
    pub item: String,
    pub tag: Option<String>,
    pub kiosk: String,
    pub local_time: String,
    pub utc_time: String,
    /// The offline due date given to the reader, or the ILS's due date.
    pub due: Option<String>,
    /// The outcome of an earlier send is unknown: ask the ILS before sending again.
    pub reconcile: bool,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// What the ILS said.
    pub reply: Option<String>,
    pub discard_reason: Option<String>,
    pub updated_utc: String,
}

/// A queued transaction as the replay engine reads it: only what it needs to send or reconcile
/// it (it reads one per transaction sent).
#[derive(Debug, Clone, PartialEq)]
pub struct ReplayRow {
    pub seq: i64,
    pub kind: Action,
    pub origin: Origin,
    pub state: State,
    pub patron: Option<String>,
    pub item: String,
    pub local_time: String,
    /// The due date the reader was given offline.
    pub due: Option<String>,
    /// The outcome of an earlier send is unknown: ask the ILS before sending again.
    pub reconcile: bool,
    /// How many times it was sent to the ILS.
    pub attempts: i64,
}

pub(super) const QUEUED_COLUMNS: &str =
    "seq, kind, origin, state, patron, item, local_time, due, reconcile, attempts";

impl ReplayRow {
    pub(super) fn from_row(r: &Row) -> rusqlite::Result<ReplayRow> {
        let (kind, origin, state) = kind_origin_state(r)?;
        Ok(ReplayRow {
            seq: r.get(0)?,
            kind,
            origin,
            state,
            patron: r.get(4)?,
            item: r.get(5)?,
            local_time: r.get(6)?,
            due: r.get(7)?,
            reconcile: r.get::<_, i64>(8)? != 0,
            attempts: r.get(9)?,
        })
    }
    pub fn patron_id(&self) -> Option<PatronId> {
        self.patron.clone().map(PatronId)
    }
    pub fn item_id(&self) -> ItemId {
        ItemId(self.item.clone())
    }
    pub fn local(&self) -> Option<NaiveDateTime> {
        parse_local(&self.local_time)
    }
    pub fn due_at(&self) -> Option<NaiveDateTime> {
        self.due.as_deref().and_then(parse_local)
    }
}

/// Columns 1 to 3 of a row (both column lists start `seq, kind, origin, state`), read in place:
/// no copy of their text per row.
pub(super) fn kind_origin_state(r: &Row) -> rusqlite::Result<(Action, Origin, State)> {
    let word = |i: usize| r.get_ref(i).and_then(|v| Ok(v.as_str()?));
    Ok((
        parse_kind(word(1)?).unwrap_or(Action::Borrow),
        Origin::parse(word(2)?).unwrap_or(Origin::Online),
        State::parse(word(3)?).unwrap_or(State::Review),
    ))
}

/// [`LOCAL_FORMAT`], taken apart once: the replay reads a date per transaction, and taking the
/// format string apart each time cost more than reading the date.
static LOCAL_ITEMS: LazyLock<Vec<Item<'static>>> =
    LazyLock::new(|| StrftimeItems::new(LOCAL_FORMAT).collect());

fn parse_local(text: &str) -> Option<NaiveDateTime> {
    let mut parsed = Parsed::new();
    chrono::format::parse(&mut parsed, text, LOCAL_ITEMS.iter()).ok()?;
    parsed.to_naive_datetime_with_offset(0).ok()
}

/// Anonymous statistics by hour: how many transactions of a kind ended how, and why a refused
/// one was refused. `hour` is -1 for history kept before hours were (the daily counts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HourlyCount {
    pub day: String,
    pub hour: i64,
    pub kind: String,
    pub origin: String,
    pub outcome: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
    pub count: i64,
}

fn serialize_kind<S: serde::Serializer>(
    kind: &Action,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(kind_str(*kind))
}

/// How an attempt or a replay ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Finish {
    Done {
        due: Option<String>,
        reply: Option<String>,
    },
    /// An online attempt the ILS refused (the reader was told).
    Declined {
        reply: Option<String>,
        /// The refusal's reason code, for the anonymous statistics.
        reason: Option<&'static str>,
    },
    /// A queued transaction the ILS refused (staff must look).
    Refused {
        reply: Option<String>,
        reason: Option<&'static str>,
    },
    /// Took effect on the ILS, but the reader was never told (an online attempt interrupted):
    /// staff check the item. Settled as far as order goes: later transactions of the item
    /// follow it.
    Untold {
        note: String,
    },
    /// Never took effect.
    Void {
        note: String,
    },
    /// Sent without an answer: reconcile before anything else.
    Unknown {
        error: String,
    },
    /// Not sent (the link was down): try again after a while.
    Retry {
        error: String,
        after: Duration,
    },
    Review {
        note: String,
    },
}
