//! FOLIO's and Koha's JSON replies as the adapters decode them: the first byte picks the
//! adapter, the rest is a script of replies (`kiosk::ils::scripted`) that a reader's visit
//! takes in order — sign-in with a PIN, the account, a loan, a return, a renewal, renew all,
//! an item's details. Nothing panics, and whatever the server said, the words a reader is
//! shown from it are one line of at most `ILS_WORDS_MAX` characters.
#![no_main]

use kiosk::circ::reason::{ILS_WORDS_MAX, Refusal};
use kiosk::config::secrets::Secret;
use kiosk::ils::Ils;
use kiosk::ils::folio::FolioIls;
use kiosk::ils::koha::KohaIls;
use kiosk::ils::scripted::{Scripted, visit};
use libfuzzer_sys::fuzz_target;

fn shown(words: Option<&String>) {
    if let Some(words) = words {
        assert!(words.chars().count() <= ILS_WORDS_MAX, "{words}");
        assert!(!words.chars().any(char::is_control), "{words:?}");
    }
}

fn refused<T>(answer: &Result<Result<T, Refusal>, kiosk::circ::IlsError>) {
    if let Ok(Err(refusal)) = answer {
        shown(refusal.screen_message.as_ref());
    }
}

fn adapter(which: u8, script: &[u8]) -> Box<dyn Ils> {
    let link = Box::new(Scripted::parse(script));
    let secret = Some(Secret::new("s3cret"));
    if which % 2 == 0 {
        let section = serde_json::from_str(
            r#"{"url": "https://okapi.example.org", "tenant": "diku", "username": "kiosk",
                "service_point": "3a40852d-49fd-4df2-a1f9-6e2641a6e91f", "patron_pin": true}"#,
        )
        .expect("a FOLIO section");
        Box::new(FolioIls::over(link, section, secret))
    } else {
        let section = serde_json::from_str(
            r#"{"url": "https://koha.example.org", "auth": "basic", "username": "kiosk"}"#,
        )
        .expect("a Koha section");
        Box::new(KohaIls::over(link, section, secret, None))
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, script)) = data.split_first() else {
        return;
    };
    let mut ils = adapter(which, script);
    let visit = visit(ils.as_mut(), "30234000001015");
    if let Ok(status) = &visit.status {
        shown(status.screen_message.as_ref());
    }
    refused(&visit.checkout);
    refused(&visit.checkin);
    refused(&visit.renew);
    refused(&visit.renew_all);
    if let Ok(Ok(result)) = &visit.renew_all {
        shown(result.screen_message.as_ref());
    }
    refused(&visit.item_info);
});
