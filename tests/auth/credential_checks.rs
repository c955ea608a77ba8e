//! One credential check per HTTP request: aliases and batches cannot
//! multiply password guesses, token guesses or mails.

use super::*;
use crate::support::{codes, email, mail, post, top_error};

/// `n` aliased logins with different passwords, in one operation.
fn aliased_logins(address: &str, n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| {
            format!("a{i}: login(email: \"{address}\", password: \"guess number {i}\") {{ userErrors {{ code }} }} ")
        })
        .collect();
    format!("mutation {{ {fields}}}")
}

#[tokio::test]
async fn aliased_logins_are_refused_before_any_password_is_checked() {
    let app = app(&[]).await;
    let address = email("aliased");
    register(&app, &address, &[]).await;
    // Eleven wrong guesses in one request would lock the account; 200 would
    // be 200 hashes. Neither runs.
    for n in [2, 11, 200] {
        let resp = gql(&app, &aliased_logins(&address, n), json!({}), &[]).await;
        assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{n} aliases");
        assert!(resp["data"].is_null(), "nothing ran: {resp}");
    }
    // No guess was counted: nine wrong passwords still leave room for the right one.
    for _ in 0..9 {
        assert_eq!(codes(&login(&app, &address, "still wrong!", &[]).await), ["INVALID_CREDENTIALS"]);
    }
    assert!(codes(&login(&app, &address, PASSWORD, &[]).await).is_empty());
}

#[tokio::test]
async fn a_batch_counts_as_one_request() {
    let app = app(&[]).await;
    let address = email("batched");
    register(&app, &address, &[]).await;
    let one = |password: &str| {
        json!({ "query": "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { userErrors { code } } }",
                "variables": { "e": address, "p": password } })
    };
    let batch = serde_json::to_vec(&json!([one("guess one"), one("guess two"), one(PASSWORD)])).unwrap();
    let (status, resp) = post(&app, batch, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    // A batch with one credential field and other fields runs.
    let policy = json!({ "query": "{ passwordPolicy { minLength } }" });
    let mixed = serde_json::to_vec(&json!([policy, one(PASSWORD)])).unwrap();
    let (_, resp) = post(&app, mixed, &[]).await;
    assert_eq!(resp[0]["data"]["passwordPolicy"]["minLength"], 10, "{resp}");
    assert!(resp[1]["data"]["login"]["userErrors"].as_array().is_some_and(|e| e.is_empty()), "{resp}");
}

#[tokio::test]
async fn aliased_reset_requests_send_no_mail() {
    let app = app(&[]).await;
    let address = email("victim");
    register(&app, &address, &[]).await;
    let fields: String =
        (0..4).map(|i| format!("r{i}: requestPasswordReset(email: \"{address}\") {{ requested }} ")).collect();
    // Fragments and inline fragments count too.
    let hidden = format!(
        "mutation {{ ...F ... on Mutation {{ x: requestPasswordReset(email: \"{address}\") {{ requested }} }} }} \
         fragment F on Mutation {{ y: requestPasswordReset(email: \"{address}\") {{ requested }} }}"
    );
    // Nested deeper than any counter cap would look.
    let deep = format!("mutation {{ {}{fields}{} }}", "... { ".repeat(20), "} ".repeat(20));
    for query in [format!("mutation {{ {fields}}}"), hidden, deep] {
        let resp = gql(&app, &query, json!({}), &[]).await;
        assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    }
    crate::support::settle(app.services()).await;
    assert_eq!(mail::sent_to(&address).await.len(), 1, "only the registration mail");
}

#[tokio::test]
async fn a_fragment_bomb_below_a_field_or_in_an_idle_operation_is_refused_at_once() {
    let app = app(&[]).await;
    let doubling: String =
        (1..40).map(|i| format!("fragment F{i} on PasswordPolicy {{ ...F{} ...F{} }} ", i + 1, i + 1)).collect();
    let tail = "fragment F40 on PasswordPolicy { minLength }";
    for (query, operation) in [
        (format!("{{ passwordPolicy {{ ...F1 }} }} {doubling} {tail}"), None),
        (
            format!("query Run {{ __typename }} query Idle {{ passwordPolicy {{ ...F1 }} }} {doubling} {tail}"),
            Some("Run"),
        ),
    ] {
        let body = serde_json::json!({ "query": query, "operationName": operation }).to_string().into_bytes();
        // Refused before the executor expands it (2^40 selections would never end).
        let (_, resp) = post(&app, body, &[]).await;
        assert_eq!(top_error(&resp).as_deref(), Some("LIMIT_EXCEEDED"), "{resp}");
    }
}
