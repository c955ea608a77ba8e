use super::*;
use crate::support::{bearer, codes, email, mail, top_error, SHOP_URL};

const REQUEST: &str = "mutation($e: String!, $u: String) { requestPasswordReset(email: $e, resetUrl: $u) { requested userErrors { code field message } } }";
const VERIFY: &str =
    "mutation($t: String!) { verifyPasswordResetToken(token: $t) { valid userErrors { code field message } } }";
const RESET: &str = "mutation($t: String!, $p: String!, $l: Boolean) { resetPassword(token: $t, newPassword: $p, loginOnSuccess: $l) { changed session { accessToken refreshToken } userErrors { code field message } } }";
const NEW_PASSWORD: &str = "violet tractor sings at dawn";

async fn request(app: &AuthApp, address: &str, url: Option<&str>) -> Value {
    gql(app, REQUEST, json!({ "e": address, "u": url }), &[]).await["data"]["requestPasswordReset"].clone()
}

async fn verify(app: &AuthApp, token: &str) -> Value {
    gql(app, VERIFY, json!({ "t": token }), &[]).await["data"]["verifyPasswordResetToken"].clone()
}

async fn reset(app: &AuthApp, token: &str, password: &str, login: bool) -> Value {
    gql(app, RESET, json!({ "t": token, "p": password, "l": login }), &[]).await["data"]["resetPassword"].clone()
}

#[tokio::test]
async fn the_same_answer_whether_or_not_the_account_exists_and_mail_only_where_it_does() {
    let app = app(&[]).await;
    let address = email("reset");
    register(&app, &address, &[]).await;
    let nobody = email("nobody");
    let known = request(&app, &address, None).await;
    let unknown = request(&app, &nobody, None).await;
    assert_eq!(known, unknown);
    assert_eq!(known, json!({ "requested": true, "userErrors": [] }));
    let m = mail::nth_to(&address, 2).await;
    assert!(m.link().starts_with(&format!("{SHOP_URL}/reset-password?token=")), "{}", m.link());
    crate::support::settle(app.services()).await;
    assert!(mail::sent_to(&nobody).await.is_empty());
}

#[tokio::test]
async fn reset_links_point_only_at_allowed_urls() {
    let app = app(&[]).await;
    let address = email("url");
    register(&app, &address, &[]).await;
    let custom = format!("{SHOP_URL}/de/passwort?src=mail");
    assert!(codes(&request(&app, &address, Some(&custom)).await).is_empty());
    let link = mail::nth_to(&address, 2).await.link();
    assert!(link.starts_with(&format!("{custom}&token=")), "{link}");
    for foreign in
        ["https://evil.example/reset", "http://localhost:3000.evil.io/reset", "javascript:alert(1)", "not a url"]
    {
        let p = request(&app, &address, Some(foreign)).await;
        assert_eq!(codes(&p), ["INVALID"], "{foreign}");
        assert_eq!(p["userErrors"][0]["field"], json!(["resetUrl"]));
    }
    crate::support::settle(app.services()).await;
    assert_eq!(mail::sent_to(&address).await.len(), 2, "no mail for refused URLs");
}

#[tokio::test]
async fn reset_changes_the_password_once_and_revokes_every_earlier_session() {
    let app = app(&[]).await;
    let address = email("reset-flow");
    let registered = register(&app, &address, &[]).await;
    let old_session = login(&app, &address, PASSWORD, &[]).await["session"].clone();
    request(&app, &address, None).await;
    let token = mail::nth_to(&address, 2).await.token();

    assert_eq!(verify(&app, &token).await, json!({ "valid": true, "userErrors": [] }));
    assert_eq!(verify(&app, &token).await["valid"], true, "verifying does not use it up");

    // A refused password leaves the token usable.
    let weak = reset(&app, &token, "password123", false).await;
    assert_eq!(codes(&weak), ["PASSWORD_TOO_WEAK"]);
    assert_eq!(weak["userErrors"][0]["field"], json!(["newPassword"]));
    assert_eq!(codes(&reset(&app, &token, "short", false).await), ["TOO_SHORT"]);
    assert_eq!(verify(&app, &token).await["valid"], true);

    let done = reset(&app, &token, NEW_PASSWORD, true).await;
    assert_eq!(done["changed"], true, "{done}");
    assert!(done["session"]["accessToken"].is_string(), "loginOnSuccess");

    // Used up.
    assert_eq!(codes(&reset(&app, &token, "another fine passphrase", false).await), ["TOKEN_INVALID"]);
    assert_eq!(codes(&verify(&app, &token).await), ["TOKEN_INVALID"]);

    // Old password out, new one in; the email counts as verified now.
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    let fresh = login(&app, &address, NEW_PASSWORD, &[]).await;
    assert_eq!(fresh["customer"]["emailVerified"], true);

    // Every earlier session and access token is dead, the new ones live.
    for s in [&registered["session"], &old_session] {
        let r = gql(&app, REFRESH, json!({ "t": s["refreshToken"] }), &[]).await;
        assert_eq!(codes(&r["data"]["refreshSession"]), ["TOKEN_INVALID"]);
        let out = gql(&app, LOGOUT, json!({}), &[bearer(s["accessToken"].as_str().unwrap())]).await;
        assert_eq!(top_error(&out).as_deref(), Some("UNAUTHENTICATED"));
    }
    let r = gql(&app, REFRESH, json!({ "t": done["session"]["refreshToken"] }), &[]).await;
    assert!(codes(&r["data"]["refreshSession"]).is_empty(), "{r}");
    // The address is told the password was reset.
    let notice = mail::nth_to(&address, 3).await;
    assert!(notice.text.contains("reset"), "{}", notice.text);
    assert!(!notice.text.contains("token="));
}

#[tokio::test]
async fn a_reset_also_unlocks_a_locked_account() {
    let app = app(&[]).await;
    let address = email("unlock");
    register(&app, &address, &[]).await;
    for _ in 0..10 {
        login(&app, &address, "wrong password!", &[]).await;
    }
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"]);
    request(&app, &address, None).await;
    let token = mail::nth_to(&address, 2).await.token();
    assert_eq!(reset(&app, &token, NEW_PASSWORD, false).await["changed"], true);
    assert!(codes(&login(&app, &address, NEW_PASSWORD, &[]).await).is_empty());
}

#[tokio::test]
async fn an_outdated_reset_token_is_expired_and_a_superseded_one_invalid() {
    let app = app(&[]).await;
    let address = email("expiry");
    register(&app, &address, &[]).await;
    request(&app, &address, None).await;
    let token = mail::nth_to(&address, 2).await.token();
    // RESET_TOKEN_TTL_SECONDS: an hour by default.
    let clock = crate::support::clock(app.services());
    clock.advance(chrono::Duration::minutes(59));
    assert!(codes(&verify(&app, &token).await).is_empty(), "a minute before it ends");
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(codes(&verify(&app, &token).await), ["TOKEN_EXPIRED"]);
    assert_eq!(codes(&reset(&app, &token, NEW_PASSWORD, false).await), ["TOKEN_EXPIRED"]);

    // Two requests: once one token changed the password, the other is dead.
    let app = super::app(&[]).await;
    let address = email("two-tokens");
    register(&app, &address, &[]).await;
    request(&app, &address, None).await;
    request(&app, &address, None).await;
    let first = mail::nth_to(&address, 2).await.token();
    let second = mail::nth_to(&address, 3).await.token();
    assert_eq!(reset(&app, &second, NEW_PASSWORD, false).await["changed"], true);
    assert_eq!(codes(&reset(&app, &first, "another fine passphrase", false).await), ["TOKEN_INVALID"]);
}
