//! Who the reader is and what they have: the patron record, password, restrictions and
//! balance for the sign-in; checkouts, holds and fees for the account page.

use super::{KohaIls, api};
use crate::circ::IlsError;
use crate::circ::types::{
    Account, Block, Due, FineLine, HoldLine, ItemId, LoanLine, PatronId, PatronStatus, Pin,
};
use crate::ils::http::{Method, encode};
use chrono::{Local, NaiveDate};

impl KohaIls {
    fn patron(&mut self, cardnumber: &str) -> Result<Option<api::Patron>, IlsError> {
        let patrons: Vec<api::Patron> = self.get(
            &format!("/patrons?cardnumber={}", encode(cardnumber)),
            None,
            "patrons",
        )?;
        let found = patrons
            .into_iter()
            .find(|p| p.cardnumber.as_deref() == Some(cardnumber));
        if let Some(patron) = &found {
            self.patron_ids
                .insert(cardnumber.to_owned(), patron.patron_id);
        }
        Ok(found)
    }

    pub(super) fn patron_id(&mut self, cardnumber: &str) -> Result<Option<u64>, IlsError> {
        if let Some(id) = self.patron_ids.get(cardnumber) {
            return Ok(Some(*id));
        }
        Ok(self.patron(cardnumber)?.map(|p| p.patron_id))
    }

    /// Koha's password check; the PIN is the patron's OPAC password.
    fn password_ok(&mut self, cardnumber: &str, pin: &Pin) -> Result<bool, IlsError> {
        let body = serde_json::json!({"identifier": cardnumber, "password": pin.expose()});
        let response = self.call(Method::Post, "/auth/password/validation", &[], Some(&body))?;
        match response.status {
            200 | 201 | 204 => Ok(true),
            400 | 403 | 404 => Ok(false),
            status => Err(IlsError::BadReply(format!(
                "password validation: HTTP {status}: {}",
                crate::ils::http::excerpt(&response.body)
            ))),
        }
    }

    fn balance(&mut self, patron_id: u64) -> Result<api::Account, IlsError> {
        self.get(&format!("/patrons/{patron_id}/account"), None, "account")
    }

    pub(super) fn status_of(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError> {
        self.status_with(patron, pin).map(|(status, _)| status)
    }

    /// The patron's status, and the patron id and account it was made from (the account page
    /// needs them too, and need not ask Koha again).
    fn status_with(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<(PatronStatus, Option<(u64, api::Account)>), IlsError> {
        let Some(record) = self.patron(&patron.0)? else {
            return Ok((PatronStatus::bare(patron.clone(), false), None));
        };
        let pin_ok = match pin {
            Some(pin) => Some(self.password_ok(&patron.0, pin)?),
            None => None,
        };
        let mut blocks = Vec::new();
        let today = Local::now().date_naive();
        let expired = record
            .expiry_date
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_some_and(|d| d < today);
        if expired {
            blocks.push(Block::CardExpired);
        }
        if record.restricted {
            blocks.push(Block::ChargePrivilegesDenied);
            blocks.push(Block::RenewalPrivilegesDenied);
        }
        let account = self.balance(record.patron_id)?;
        let status = PatronStatus {
            patron: patron.clone(),
            valid: true,
            pin_ok,
            name: record.name(),
            blocks,
            fines: (account.balance > 0.0).then(|| self.money(account.balance)),
            email: record.email.clone().filter(|e| !e.is_empty()),
            screen_message: None,
        };
        Ok((status, Some((record.patron_id, account))))
    }

    pub(super) fn account_of(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<Account, IlsError> {
        let (status, found) = self.status_with(patron, pin)?;
        let Some((patron_id, account)) = found else {
            return Ok(Account {
                status,
                loans: Vec::new(),
                holds: Vec::new(),
                fines: Vec::new(),
            });
        };
        let now = Local::now().naive_local();
        let mut loans = Vec::new();
        for checkout in self.checkouts_of(patron_id)? {
            let Some(item) = checkout.item else { continue };
            let title = self.title(&item)?;
            let due = Self::due(checkout.due_date.as_deref());
            loans.push(LoanLine {
                item: ItemId(item.external_id.unwrap_or_default()),
                title,
                overdue: due.at.is_some_and(|at| at < now),
                due,
            });
        }
        let found: Vec<api::Hold> =
            self.get(&format!("/holds?patron_id={patron_id}"), None, "holds")?;
        let mut holds = Vec::new();
        for hold in found {
            let title = match hold.biblio_id {
                Some(biblio) => self.biblio_title(biblio)?,
                None => String::new(),
            };
            holds.push(HoldLine {
                title,
                ready: hold.status.as_deref() == Some("W"),
                pickup_by: hold.expiration_date.map(|d| Due {
                    at: NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                        .ok()
                        .and_then(|d| d.and_hms_opt(23, 59, 59)),
                    text: d,
                }),
            });
        }
        let fines = account
            .outstanding_debits
            .lines
            .into_iter()
            .filter(|d| d.amount_outstanding > 0.0)
            .map(|d| FineLine {
                amount: Some(self.money(d.amount_outstanding)),
                description: d
                    .description
                    .filter(|s| !s.is_empty())
                    .or(d.debit_type)
                    .unwrap_or_default(),
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
