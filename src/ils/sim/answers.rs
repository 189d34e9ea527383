//! The simulated library answering as an ILS: the [`Ils`] trait over [`SimIls`].

use super::*;

impl Ils for SimIls {
    fn patron_status(
        &mut self,
        patron: &PatronId,
        pin: Option<&Pin>,
    ) -> Result<PatronStatus, IlsError> {
        self.ensure_logged_in()?;
        Ok(self.status(patron, pin))
    }

    fn account(&mut self, patron: &PatronId, pin: Option<&Pin>) -> Result<Account, IlsError> {
        self.ensure_logged_in()?;
        let now = (self.clock)();
        let status = self.status(patron, pin);
        let loans = self
            .loans_of(patron)
            .map(|(id, item, loan)| LoanLine {
                item: id.clone(),
                title: item.title.clone(),
                due: Due::at(loan.due),
                overdue: loan.due < now,
            })
            .collect();
        let holds = self
            .items
            .values()
            .filter_map(|item| {
                let hold = item.holds.iter().find(|h| &h.patron == patron)?;
                Some(HoldLine {
                    title: item.title.clone(),
                    ready: hold.ready && item.loan.is_none(),
                    pickup_by: None,
                })
            })
            .collect();
        let fines = self
            .patrons
            .get(patron)
            .map(|p| p.fines.clone())
            .unwrap_or_default();
        Ok(Account {
            status,
            loans,
            holds,
            fines,
        })
    }

    fn checkout(&mut self, patron: &PatronId, item_id: &ItemId) -> Answer<Loan> {
        let now = (self.clock)();
        self.checkout_at(patron, item_id, now)
    }

    fn replay_checkout(
        &mut self,
        patron: &PatronId,
        item: &ItemId,
        at: NaiveDateTime,
        _due: Option<NaiveDateTime>,
    ) -> Answer<Loan> {
        self.checkout_at(patron, item, at)
    }

    fn replay_checkin(&mut self, item: &ItemId, at: NaiveDateTime) -> Answer<Return> {
        self.checkin_at(item, at)
    }

    fn checkin(&mut self, item_id: &ItemId) -> Answer<Return> {
        let now = (self.clock)();
        self.checkin_at(item_id, now)
    }

    fn renew(&mut self, patron: &PatronId, item: &ItemId) -> Answer<Loan> {
        self.ensure_logged_in()?;
        Ok(self.renew_one(patron, item))
    }

    fn renew_all(&mut self, patron: &PatronId) -> Answer<RenewAllResult> {
        self.ensure_logged_in()?;
        let loans: Vec<ItemId> = self.loans_of(patron).map(|(id, _, _)| id.clone()).collect();
        let (mut renewed, mut unrenewed) = (Vec::new(), Vec::new());
        for item in loans {
            match self.renew_one(patron, &item) {
                Ok(_) => renewed.push(item),
                Err(_) => unrenewed.push(item),
            }
        }
        let screen_message = (!unrenewed.is_empty())
            .then(|| format!("{} item(s) could not be renewed", unrenewed.len()));
        Ok(Ok(RenewAllResult {
            renewed,
            unrenewed,
            screen_message,
        }))
    }

    fn item_info(&mut self, item_id: &ItemId) -> Answer<ItemInfo> {
        self.ensure_logged_in()?;
        let Some(item) = self.items.get(item_id) else {
            return Ok(Err(Refusal::new(Reason::UnknownItem)));
        };
        let status = match (&item.loan, item.holds.first()) {
            (Some(_), _) => ItemCirculation::OnLoan,
            (None, _) if !item.for_loan => ItemCirculation::NotForLoan,
            (None, Some(hold)) if hold.ready => ItemCirculation::OnHoldShelf,
            (None, _) => ItemCirculation::Available,
        };
        Ok(Ok(ItemInfo {
            item: item_id.clone(),
            title: item.title.clone(),
            status,
            due: item.loan.as_ref().map(|l| Due::at(l.due)),
        }))
    }

    fn end_session(&mut self, _patron: &PatronId) -> Result<(), IlsError> {
        self.ensure_logged_in()
    }

    fn can_email_receipts(&self) -> bool {
        true
    }

    fn probe(&mut self) -> Result<crate::ils::Probe, IlsError> {
        Ok(crate::ils::Probe::fine(format!(
            "the simulated library, in process ({} items)",
            self.items.len()
        )))
    }

    fn email_receipt(&mut self, patron: &PatronId, receipt: &Receipt) -> Answer<()> {
        self.ensure_logged_in()?;
        if self
            .patrons
            .get(patron)
            .and_then(|p| p.email.as_ref())
            .is_none()
        {
            return Ok(Err(Refusal::new(Reason::EmailFailed)));
        }
        self.emails.push((patron.clone(), receipt.clone()));
        Ok(Ok(()))
    }
}
