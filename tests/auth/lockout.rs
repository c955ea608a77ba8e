//! Exact lockout: attempts are counted before any password is checked, so
//! requests in flight together never get more than the limit.

use super::*;
use crate::support::{codes, email};
use futures::future::join_all;

/// Runs `n` logins for `address` at the same moment; the codes of each.
async fn burst(app: &AuthApp, address: &str, passwords: &[&str]) -> Vec<Vec<String>> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(passwords.len()));
    let attempts = passwords.iter().map(|p| {
        let barrier = barrier.clone();
        async move {
            barrier.wait().await;
            codes(&login(app, address, p, &[]).await)
        }
    });
    join_all(attempts).await
}

fn count(answers: &[Vec<String>], code: &str) -> usize {
    answers.iter().filter(|a| a.first().map(String::as_str) == Some(code)).count()
}

/// Password checks the store saw: each checked attempt reads the email guard
/// and a profile (two `GetItem`s); a refused one makes only its `UpdateItem`.
fn checks(recorder: &crate::support::recorder::Recorder) -> usize {
    recorder.take().iter().filter(|c| c.operation == "GetItem").count() / 2
}

#[tokio::test]
async fn concurrent_wrong_passwords_never_check_more_than_the_limit() {
    let (svc, recorder) = crate::support::services_recorded(&[]).await;
    let app = auth::app(svc);
    let address = email("race");
    register(&app, &address, &[]).await;
    recorder.take();
    let answers = burst(&app, &address, &["wrong password!"; 30]).await;
    // Ten checks: nine answered INVALID_CREDENTIALS, the tenth locked the
    // account; the other twenty were refused without a check.
    assert_eq!(count(&answers, "INVALID_CREDENTIALS"), 9, "{answers:?}");
    assert_eq!(count(&answers, "ACCOUNT_LOCKED"), 21, "{answers:?}");
    assert_eq!(checks(&recorder), 10, "exactly the limit was checked");
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"]);
}

#[tokio::test]
async fn after_nine_failures_a_burst_gets_exactly_one_more_check() {
    let (svc, recorder) = crate::support::services_recorded(&[("LOGIN_LOCK_SECONDS", "600")]).await;
    let app = auth::app(svc);
    let address = email("burst");
    register(&app, &address, &[]).await;
    for _ in 0..9 {
        assert_eq!(codes(&login(&app, &address, "wrong password!", &[]).await), ["INVALID_CREDENTIALS"]);
    }
    let mut passwords = vec!["wrong password!"; 10];
    passwords.push(PASSWORD);
    recorder.take();
    let answers = burst(&app, &address, &passwords).await;
    assert_eq!(checks(&recorder), 1, "one password was checked, the other ten refused unchecked");
    let logged_in = answers.iter().filter(|a| a.is_empty()).count();
    // One check was left: either it was the right password (logged in) or a
    // wrong one (which locked); everything else was refused unchecked.
    assert_eq!(count(&answers, "INVALID_CREDENTIALS"), 0, "{answers:?}");
    assert_eq!(logged_in + count(&answers, "ACCOUNT_LOCKED"), 11, "{answers:?}");
    assert!(logged_in <= 1);
    if logged_in == 0 {
        // The lock stands: the right password does not get through.
        assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"]);
    }
}

#[tokio::test]
async fn unknown_addresses_lock_and_answer_exactly_like_known_ones() {
    let app = app(&[]).await;
    let known = email("known");
    register(&app, &known, &[]).await;
    let unknown = email("unknown");
    for attempt in 1..=11 {
        let a = login(&app, &known, "wrong password!", &[]).await;
        let b = login(&app, &unknown, "wrong password!", &[]).await;
        assert_eq!(a, b, "attempt {attempt}");
        let expected = if attempt < 10 { "INVALID_CREDENTIALS" } else { "ACCOUNT_LOCKED" };
        assert_eq!(codes(&a), [expected], "attempt {attempt}");
    }
}

#[tokio::test]
async fn a_wrong_password_costs_the_same_round_trips_for_known_and_unknown_addresses() {
    let (svc, recorder) = crate::support::services_recorded(&[]).await;
    let app = auth::app(svc);
    let known = email("counted");
    register(&app, &known, &[]).await;
    let unknown = email("nobody");
    let calls_of = |answer: &Value, expected: &str| {
        assert_eq!(codes(answer), [expected]);
        recorder.take().into_iter().map(|c| c.operation).collect::<Vec<_>>()
    };
    for attempt in 1..=11 {
        recorder.take();
        let expected = if attempt < 10 { "INVALID_CREDENTIALS" } else { "ACCOUNT_LOCKED" };
        let a = calls_of(&login(&app, &known, "wrong password!", &[]).await, expected);
        let b = calls_of(&login(&app, &unknown, "wrong password!", &[]).await, expected);
        assert_eq!(a, b, "attempt {attempt}: known and unknown addresses make the same DynamoDB calls");
        match attempt {
            // Attempt, guard, profile (an unknown address reads one that never exists).
            1..=10 => assert_eq!(a, ["UpdateItem", "GetItem", "GetItem"], "attempt {attempt}"),
            // Locked: the attempt is refused and nothing else is read.
            _ => assert_eq!(a, ["UpdateItem"], "attempt {attempt}"),
        }
    }
}
