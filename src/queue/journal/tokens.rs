//! E-card tokens used to sign in: a token is spent in one statement (the digest is the key), so
//! two kiosks sharing a journal, or one kiosk restarted, never let the same code in twice.

use super::*;
use kiosk_core::ecard::{self, TokenUse};

impl Journal {
    /// Spends a genuine token at `now` (Unix seconds) if it is current and unused.
    pub fn use_token(
        &mut self,
        digest: &str,
        expires: i64,
        max_lifetime_secs: u64,
        now: i64,
    ) -> Result<TokenUse> {
        if let Err(verdict) = ecard::judge(expires, now, max_lifetime_secs) {
            return Ok(verdict);
        }
        let tx = self.conn.transaction()?;
        // Tokens past their expiry can no longer be used anyway: forget them.
        tx.execute(
            "DELETE FROM used_tokens WHERE expires < ?1",
            params![now.saturating_sub(ecard::CLOCK_SKEW_SECS)],
        )?;
        let spent = tx.execute(
            "INSERT OR IGNORE INTO used_tokens (digest, expires) VALUES (?1, ?2)",
            params![digest, expires],
        )?;
        tx.commit()?;
        Ok(if spent == 1 {
            TokenUse::Fresh
        } else {
            TokenUse::Used
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_spent_once_and_forgotten_after_it_expires() {
        let settings = JournalSettings {
            kiosk: "kiosk-01".into(),
            patron_retention: std::time::Duration::ZERO,
        };
        let mut journal = Journal::open(Path::new(":memory:"), settings)
            .unwrap()
            .journal;
        let now = 1_900_000_000;
        let spend = |j: &mut Journal, digest: &str, expires: i64, now: i64| {
            j.use_token(digest, expires, 300, now).unwrap()
        };
        assert_eq!(spend(&mut journal, "a", now + 60, now), TokenUse::Fresh);
        assert_eq!(spend(&mut journal, "a", now + 60, now + 1), TokenUse::Used);
        assert_eq!(spend(&mut journal, "b", now + 60, now + 1), TokenUse::Fresh);
        assert_eq!(
            spend(&mut journal, "a", now + 60, now + 200),
            TokenUse::Expired
        );
        assert_eq!(
            spend(&mut journal, "c", now + 3600, now),
            TokenUse::TooLongLived
        );
        let kept: i64 = journal
            .conn
            .query_row("SELECT count(*) FROM used_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 2);
        // Once both have expired, the next use clears them.
        assert_eq!(
            spend(&mut journal, "d", now + 1000, now + 900),
            TokenUse::Fresh
        );
        let kept: i64 = journal
            .conn
            .query_row("SELECT count(*) FROM used_tokens", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 1);
    }
}
