//! One hourly mail budget per address, across tenants and kinds of mail:
//! no way to mail a victim without limit.

use super::*;
use crate::support::{bearer, email, mail, tenant};

const DELETE: &str = "mutation($p: String!) { deleteAccount(password: $p) { deleted userErrors { code } } }";

#[tokio::test]
async fn rotating_tenants_does_not_reset_the_budget() {
    let app = app(&[("MAILS_PER_ADDRESS_PER_HOUR", "3")]).await;
    let victim = email("victim");
    for shop in 0..8 {
        let shop = format!("shop-{shop}");
        let r = register(&app, &victim, &[tenant(&shop)]).await;
        assert!(r["customer"]["id"].is_string(), "each shop has its own account: {r}");
        let q = "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }";
        gql(&app, q, json!({ "e": victim }), &[tenant(&shop)]).await;
    }
    crate::support::settle(app.services()).await;
    // Confirmations and resets each have their budget: what others trigger
    // never spends the account's recovery.
    assert_eq!(mail::sent_to(&victim).await.len(), 6, "16 requests over 8 tenants: 3 confirmations, 3 resets");
}

#[tokio::test]
async fn registering_and_deleting_in_a_loop_mails_within_the_budget() {
    let svc = crate::support::services(&[("MAILS_PER_ADDRESS_PER_HOUR", "2")]).await;
    let auth = auth::app(svc.clone());
    let account = account::app(svc);
    let victim = email("looped");
    for round in 0..6 {
        let r = register(&auth, &victim, &[]).await;
        let access = r["session"]["accessToken"].as_str().unwrap_or_else(|| panic!("round {round}: {r}")).to_string();
        let d = gql(&account, DELETE, json!({ "p": PASSWORD }), &[bearer(&access)]).await;
        assert_eq!(d["data"]["deleteAccount"]["deleted"], true, "{d}");
    }
    crate::support::settle(auth.services()).await;
    assert_eq!(mail::sent_to(&victim).await.len(), 2, "six registrations, two confirmation mails");
}

#[tokio::test]
async fn tags_and_gmail_dots_spell_one_mailbox_for_the_budget() {
    let app = app(&[("MAILS_PER_ADDRESS_PER_HOUR", "3")]).await;
    let victim = email("tagged");
    let (local, domain) = victim.split_once('@').expect("an address");
    let spellings: Vec<String> = (0..6).map(|i| format!("{local}+{i}@{domain}")).collect();
    for address in &spellings {
        let r = register(&app, address, &[]).await;
        assert!(r["customer"]["id"].is_string(), "each spelling is an account of its own: {r}");
    }
    crate::support::settle(app.services()).await;
    let mut mailed = 0;
    for address in &spellings {
        mailed += mail::sent_to(address).await.len();
    }
    assert_eq!(mailed, 3, "six +tags of one mailbox, three confirmations");
}

#[tokio::test]
async fn a_unicode_domain_and_its_punycode_spelling_are_one_address() {
    let app = app(&[]).await;
    let local = crate::support::unique("ann");
    let unicode = format!("{local}@bücher.example");
    let punycode = format!("{local}@xn--bcher-kva.example");
    let first = register(&app, &unicode, &[]).await;
    assert!(first["customer"]["id"].is_string(), "{first}");
    let again = register(&app, &punycode, &[]).await;
    assert_eq!(crate::support::codes(&again), ["TAKEN"], "{again}");
    let login = crate::support::accounts::login(&app, &punycode, PASSWORD, &[]).await;
    assert_eq!(login["customer"]["id"], first["customer"]["id"], "{login}");
}
