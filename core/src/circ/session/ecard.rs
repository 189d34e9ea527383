//! E-card QR codes (电子读者证) at the scanner: a plain or URL code is a card like any other; a
//! signed token is first checked with the journal — current, and never used before — so a
//! screenshot passed to a friend signs in once, whoever shows it first.

use super::identify::CardSource;
use super::{Phase, Session, Waiting};
use crate::circ::effect::Effect;
use crate::circ::ils_io::{IlsAnswer, IlsError, IlsReply, JournalRequest};
use crate::circ::reason::Reason;
use crate::circ::types::PatronId;
use crate::ecard::{QrRead, QrRefusal, SignedCard, TokenUse};

impl Session {
    /// Takes a scanned text if the library's QR rule says it is an e-card; `false` leaves it to
    /// the barcode rules.
    pub(super) fn ecard_scanned(&mut self, raw: &str, fx: &mut Vec<Effect>) -> bool {
        let Some(rule) = self.policy.barcodes.qr.as_ref() else {
            return false;
        };
        match rule.read(raw) {
            QrRead::NotECard => return false,
            QrRead::Card(card) => self.card_presented(PatronId(card), CardSource::Scanner, fx),
            QrRead::Token(signed) => self.token_presented(signed, fx),
            QrRead::Refused(refusal) => {
                let reason = match refusal {
                    QrRefusal::Unreadable(why) => {
                        tracing::info!(%why, "QR code that is not an e-card");
                        Reason::EcardUnreadable
                    }
                    QrRefusal::Forged => {
                        tracing::warn!("e-card QR code with a signature that is not the library's");
                        Reason::EcardForged
                    }
                };
                self.tell(reason, fx);
            }
        }
        true
    }

    fn token_presented(&mut self, signed: SignedCard, fx: &mut Vec<Effect>) {
        let id = PatronId(signed.card.clone());
        let same_reader = self.visit.reader.as_ref().is_some_and(|r| r.id == id);
        let signing_in = matches!(self.phase, Phase::Idle | Phase::Goodbye | Phase::Pin)
            || self.visit.reader.is_none();
        if same_reader || !signing_in || self.phase == Phase::OutOfService {
            // Nothing to sign in to (or someone else is signed in): the token is not spent.
            return self.card_presented(id, CardSource::ECard, fx);
        }
        if self.waiting.is_some() {
            // The ILS is busy (returns without a card): the token is checked once it is free.
            self.waiting_token = Some(signed);
            return;
        }
        self.use_token(signed, fx);
    }

    pub(super) fn use_token(&mut self, signed: SignedCard, fx: &mut Vec<Effect>) {
        let max_lifetime_secs = self
            .policy
            .barcodes
            .qr
            .as_ref()
            .map_or(0, |rule| rule.max_lifetime_secs);
        let request = JournalRequest::UseToken {
            digest: signed.digest,
            expires: signed.expires,
            max_lifetime_secs,
        };
        let card = PatronId(signed.card);
        self.request(request, Some(Waiting::Token(card)), fx);
    }

    pub(super) fn token_checked(&mut self, card: PatronId, reply: IlsReply, fx: &mut Vec<Effect>) {
        match reply {
            Ok(IlsAnswer::Token(TokenUse::Fresh)) => {
                self.card_presented(card, CardSource::ECard, fx)
            }
            Ok(IlsAnswer::Token(TokenUse::Used)) => {
                tracing::info!("e-card QR code shown again after it was used");
                self.tell(Reason::EcardUsed, fx);
            }
            Ok(IlsAnswer::Token(TokenUse::Expired)) => self.tell(Reason::EcardExpired, fx),
            Ok(IlsAnswer::Token(TokenUse::TooLongLived)) => {
                tracing::warn!(
                    "e-card QR code valid for longer than max_lifetime_secs: the app's clock or \
                     this kiosk's is wrong, or the token was not made by the library's app"
                );
                self.tell(Reason::EcardForged, fx);
            }
            Err(IlsError::Storage(error)) => self.out_of_service("STORAGE", &error, fx),
            other => {
                tracing::error!(
                    ?other,
                    "the journal answered a token check with something else"
                );
                self.tell(Reason::IlsUnavailable, fx);
            }
        }
    }
}
