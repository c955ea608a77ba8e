//! Every sample event in `events/auth/` runs through the handler, as Lambda
//! would deliver it, and gets the answer a client should see.

use super::*;
use crate::support::{codes, event_names, run_event, top_error};

type Check = fn(&Value);

fn payload<'a>(resp: &'a Value, op: &str) -> &'a Value {
    &resp["data"][op]
}

const EXPECTED: &[(&str, Check)] = &[
    ("register-customer", |r| assert!(payload(r, "registerCustomer")["customer"]["id"].is_string(), "{r}")),
    ("register-customer-bad-input", |r| {
        assert!(codes(payload(r, "registerCustomer")).contains(&"INVALID".to_string()), "{r}")
    }),
    ("login", |r| assert!(payload(r, "login")["session"]["accessToken"].is_string(), "{r}")),
    ("login-wrong-password", |r| assert_eq!(codes(payload(r, "login")), ["INVALID_CREDENTIALS"])),
    ("refresh-session", |r| assert_eq!(codes(payload(r, "refreshSession")), ["TOKEN_INVALID"])),
    ("logout", |r| assert_eq!(codes(payload(r, "logout")), ["TOKEN_INVALID"])),
    ("logout-no-credentials", |r| assert_eq!(top_error(r).as_deref(), Some("UNAUTHENTICATED"))),
    ("confirm-email", |r| assert_eq!(codes(payload(r, "confirmEmail")), ["TOKEN_INVALID"])),
    ("confirm-email-change", |r| assert_eq!(codes(payload(r, "confirmEmailChange")), ["TOKEN_INVALID"])),
    ("resend-email-confirmation", |r| assert_eq!(payload(r, "resendEmailConfirmation")["requested"], true)),
    ("request-password-reset", |r| assert_eq!(payload(r, "requestPasswordReset")["requested"], true, "{r}")),
    ("request-password-reset-foreign-url", |r| assert_eq!(codes(payload(r, "requestPasswordReset")), ["INVALID"])),
    ("verify-password-reset-token", |r| assert_eq!(codes(payload(r, "verifyPasswordResetToken")), ["TOKEN_INVALID"])),
    ("reset-password", |r| assert_eq!(codes(payload(r, "resetPassword")), ["TOKEN_INVALID"])),
    ("password-policy", |r| assert_eq!(payload(r, "passwordPolicy")["minLength"], 10)),
];

#[tokio::test]
async fn every_auth_event_runs_through_the_handler() {
    let mut covered: Vec<String> = EXPECTED.iter().map(|(n, _)| n.to_string()).collect();
    covered.sort();
    assert_eq!(event_names("auth"), covered, "every event has an expectation here, and every expectation an event");
    let app = app(&[]).await;
    for (name, check) in EXPECTED {
        check(&run_event(&app, "auth", name, &[]).await);
    }
}
