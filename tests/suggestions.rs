//! With introspection off, error messages suggest no field or argument names
//! (docs/security.md): a schema that is not published is
//! not given away one "Did you mean" at a time.

use crate::account::{shop, Shop};
use crate::support::gql;
use serde_json::{json, Value};

/// Misspelled fields and arguments of `auth`, each one edit from a real name.
const AUTH_TYPOS: [&str; 3] = [
    r#"mutation { logn(email: "a@example.com", password: "x") { userErrors { code } } }"#,
    r#"mutation { login(emal: "a@example.com", password: "x") { userErrors { code } } }"#,
    "{ passwordPolicy { minLenght } }",
];

/// Misspelled fields of `account`.
const ACCOUNT_TYPOS: [&str; 2] = ["{ custmer { id } }", "{ customer { id emal } }"];

/// The messages of the errors of `resp`, which must have some.
fn messages(resp: &Value) -> String {
    let errors = resp["errors"].as_array().unwrap_or_else(|| panic!("errors expected: {resp}"));
    assert!(!errors.is_empty(), "errors expected: {resp}");
    errors.iter().map(|e| e["message"].as_str().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

/// The error messages of every typo, `account`'s sent with `access`.
async fn typo_messages(shop: &Shop, access: &str) -> Vec<String> {
    let mut out = Vec::new();
    for q in AUTH_TYPOS {
        out.push(messages(&gql(&shop.auth, q, json!({}), &[]).await));
    }
    for q in ACCOUNT_TYPOS {
        out.push(messages(&shop.call(access, q, json!({})).await));
    }
    out
}

#[tokio::test]
async fn with_introspection_off_misspelled_fields_and_arguments_get_no_suggestion() {
    let shop = shop(&[("GRAPHIQL", "false")]).await;
    let c = shop.customer("typo").await;
    for message in typo_messages(&shop, &c.access).await {
        assert!(message.contains("Unknown"), "the typo itself is reported: {message}");
        assert!(!message.contains("Did you mean"), "{message}");
    }
}

#[tokio::test]
async fn with_introspection_on_the_same_typos_get_suggestions() {
    // The control: the typos above are close enough to be suggested when the schema is public anyway.
    let shop = shop(&[("GRAPHIQL", "true")]).await;
    let c = shop.customer("typo").await;
    for message in typo_messages(&shop, &c.access).await {
        assert!(message.contains("Did you mean"), "{message}");
    }
}
