//! Who the reader is and what they have: user, PIN, blocks and fees for the sign-in; loans,
//! requests and fees for the account page.

use super::{FolioIls, api, cql};
use crate::circ::IlsError;
use crate::circ::reason::ils_words;
use crate::circ::types::{
    Account, Block, Due, FineLine, HoldLine, ItemId, LoanLine, PatronId, PatronStatus, Pin,
};
use crate::ils::http::{Method, encode};
use chrono::{DateTime, Utc};

/// A patron FOLIO knows, with their open fees.
type Found = (api::User, Vec<api::Account>);

impl FolioIls {
    pub(super) fn status_of(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError> {
        self.status_with(patron, pin).map(|(status, _)| status)
    }

    /// The patron's status, and the user record and open fees it was made from (the account
    /// page needs them too, and need not ask FOLIO again).
    fn status_with(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<(PatronStatus, Option<Found>), IlsError> {
        let Some(user) = self.user(&patron.0)? else {
            return Ok((PatronStatus::bare(patron.clone(), false), None));
        };
        let pin_ok = match (pin, self.section.patron_pin) {
            (Some(pin), true) => {
                let body = serde_json::json!({"id": user.id, "pin": pin.expose()});
                let response = self.call(Method::Post, "/patron-pin/verify", Some(&body))?;
                match response.status {
                    200 | 204 => Some(true),
                    422 | 400 | 404 => Some(false),
                    status => {
                        return Err(IlsError::BadReply(format!(
                            "patron PIN check: HTTP {status}"
                        )));
                    }
                }
            }
            _ => None,
        };
        let mut blocks = Vec::new();
        let mut messages = Vec::new();
        let expired = user
            .expiration_date
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .is_some_and(|t| t.with_timezone(&Utc) < Utc::now());
        if !user.active || expired {
            blocks.push(Block::CardExpired);
        }
        let automated: api::AutomatedBlocks = self.get(
            &format!("/automated-patron-blocks/{}", encode(&user.id)),
            "automated blocks",
        )?;
        let query = encode(&format!("userId==\"{}\"", cql(&user.id)));
        let manual: api::ManualBlocks = self.get(
            &format!("/manualblocks?query={query}&limit=100"),
            "manual blocks",
        )?;
        let now = Utc::now();
        let current = |expiry: &Option<String>| {
            expiry
                .as_deref()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .is_none_or(|t| t.with_timezone(&Utc) > now)
        };
        for block in automated.automated_patron_blocks {
            if block.block_borrowing && !blocks.contains(&Block::ChargePrivilegesDenied) {
                blocks.push(Block::ChargePrivilegesDenied);
            }
            if block.block_renewals && !blocks.contains(&Block::RenewalPrivilegesDenied) {
                blocks.push(Block::RenewalPrivilegesDenied);
            }
            messages.push(block.message);
        }
        for block in manual
            .manualblocks
            .into_iter()
            .filter(|b| current(&b.expiration_date))
        {
            if block.borrowing && !blocks.contains(&Block::ChargePrivilegesDenied) {
                blocks.push(Block::ChargePrivilegesDenied);
            }
            if block.renewals && !blocks.contains(&Block::RenewalPrivilegesDenied) {
                blocks.push(Block::RenewalPrivilegesDenied);
            }
            messages.push(block.patron_message);
        }
        let fees = self.open_fees(&user.id)?;
        let owed: f64 = fees.iter().map(|a| a.remaining).sum();
        messages.retain(|m| !m.trim().is_empty());
        let status = PatronStatus {
            patron: patron.clone(),
            valid: true,
            pin_ok,
            name: user.name(),
            blocks,
            fines: (owed > 0.0).then(|| self.money(owed)),
            email: user.personal.email.clone().filter(|e| !e.is_empty()),
            screen_message: ils_words(&messages.join("; ")),
        };
        Ok((status, Some((user, fees))))
    }

    pub(super) fn account_of(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<Account, IlsError> {
        let (status, found) = self.status_with(patron, pin)?;
        let Some((user, fees)) = found else {
            return Ok(Account {
                status,
                loans: Vec::new(),
                holds: Vec::new(),
                fines: Vec::new(),
            });
        };
        let now = chrono::Local::now().naive_local();
        let loans = self
            .open_loans(&user.id)?
            .into_iter()
            .map(|loan| {
                let at = loan.due_date.as_deref().and_then(api::local);
                LoanLine {
                    item: ItemId(loan.item.barcode.clone()),
                    title: loan.item.title.clone(),
                    due: Due {
                        text: loan.due_date.clone().unwrap_or_default(),
                        at,
                    },
                    overdue: at.is_some_and(|at| at < now),
                }
            })
            .collect();
        let query = encode(&format!(
            "requesterId==\"{}\" and status==\"Open*\"",
            cql(&user.id)
        ));
        let requests: api::Requests = self.get(
            &format!("/circulation/requests?query={query}&limit=100"),
            "requests",
        )?;
        let holds = requests
            .requests
            .into_iter()
            .map(|r| {
                let title = r
                    .item
                    .as_ref()
                    .map(|i| i.title.clone())
                    .filter(|t| !t.is_empty())
                    .or(r.instance.map(|i| i.title))
                    .unwrap_or_default();
                HoldLine {
                    title,
                    ready: r.status.to_lowercase().contains("awaiting pickup"),
                    pickup_by: r.hold_shelf_expiration_date.as_deref().map(|t| Due {
                        text: t.to_owned(),
                        at: api::local(t),
                    }),
                }
            })
            .collect();
        let fines = fees
            .into_iter()
            .map(|a| FineLine {
                amount: Some(self.money(a.remaining)),
                description: match a.title {
                    Some(title) if !title.is_empty() => format!("{}: {title}", a.fee_fine_type),
                    _ => a.fee_fine_type,
                },
            })
            .collect();
        Ok(Account {
            status,
            loans,
            holds,
            fines,
        })
    }
}
