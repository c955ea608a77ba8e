use super::*;
use crate::support::{codes, email, tenant};

#[tokio::test]
async fn login_returns_the_customer_and_a_session() {
    let app = app(&[]).await;
    let address = email("login");
    register(&app, &address, &[]).await;
    let l = login(&app, &address.to_uppercase(), PASSWORD, &[]).await;
    assert!(codes(&l).is_empty(), "{l}");
    assert_eq!(l["customer"]["email"], address.as_str());
    assert!(l["customer"]["lastLoginAt"].is_string());
    assert!(l["session"]["accessToken"].is_string());
}

#[tokio::test]
async fn wrong_email_and_wrong_password_get_the_same_answer() {
    let app = app(&[]).await;
    let address = email("same");
    register(&app, &address, &[]).await;
    let wrong_password = login(&app, &address, "not the password at all", &[]).await;
    let wrong_email = login(&app, &email("nobody"), PASSWORD, &[]).await;
    let malformed_email = login(&app, "not-an-email", PASSWORD, &[]).await;
    assert_eq!(wrong_password, wrong_email);
    assert_eq!(wrong_password, malformed_email);
    assert_eq!(codes(&wrong_password), ["INVALID_CREDENTIALS"]);
    assert!(wrong_password["session"].is_null() && wrong_password["customer"].is_null());
}

#[tokio::test]
async fn accounts_of_another_tenant_do_not_log_in() {
    let app = app(&[]).await;
    let address = email("tenant");
    register(&app, &address, &[tenant("shop-a")]).await;
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[tenant("shop-b")]).await), ["INVALID_CREDENTIALS"]);
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"], "default tenant");
    assert!(codes(&login(&app, &address, PASSWORD, &[tenant("shop-a")]).await).is_empty());
}

#[tokio::test]
async fn ten_failures_lock_the_account_even_against_the_right_password_until_the_lock_ends() {
    let app = app(&[]).await;
    let address = email("lock");
    register(&app, &address, &[]).await;
    for attempt in 1..=9 {
        assert_eq!(
            codes(&login(&app, &address, "wrong password!", &[]).await),
            ["INVALID_CREDENTIALS"],
            "attempt {attempt}"
        );
    }
    assert_eq!(codes(&login(&app, &address, "wrong password!", &[]).await), ["ACCOUNT_LOCKED"], "the tenth locks");
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"], "right password while locked");
    // The lock lasts LOGIN_LOCK_SECONDS (15 minutes by default).
    let clock = crate::support::clock(app.services());
    clock.advance(chrono::Duration::minutes(14));
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_LOCKED"], "a minute before it ends");
    clock.advance(chrono::Duration::seconds(61));
    assert!(codes(&login(&app, &address, PASSWORD, &[]).await).is_empty(), "lock over");
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let app = app(&[]).await;
    let address = email("reset-count");
    register(&app, &address, &[]).await;
    for _ in 0..9 {
        login(&app, &address, "wrong password!", &[]).await;
    }
    assert!(codes(&login(&app, &address, PASSWORD, &[]).await).is_empty());
    for _ in 0..9 {
        assert_eq!(codes(&login(&app, &address, "wrong password!", &[]).await), ["INVALID_CREDENTIALS"]);
    }
}

#[tokio::test]
async fn an_inactive_customer_is_disabled() {
    let app = app(&[]).await;
    let address = email("inactive");
    let id = register(&app, &address, &[]).await["customer"]["id"].as_str().unwrap().to_string();
    // No admin operation exists yet to deactivate; set the stored status as it would.
    let svc = app.services();
    let aws = crate::support::aws().await;
    aws_sdk_dynamodb::Client::new(&aws)
        .update_item()
        .table_name(&svc.config.table_name)
        .key("pk", aws_sdk_dynamodb::types::AttributeValue::S(format!("T#default#C#{id}")))
        .key("sk", aws_sdk_dynamodb::types::AttributeValue::S("PROFILE".into()))
        .update_expression("SET #s = :s")
        .expression_attribute_names("#s", "status")
        .expression_attribute_values(":s", aws_sdk_dynamodb::types::AttributeValue::S("INACTIVE".into()))
        .send()
        .await
        .unwrap();
    assert_eq!(codes(&login(&app, &address, PASSWORD, &[]).await), ["ACCOUNT_DISABLED"]);
    assert_eq!(
        codes(&login(&app, &address, "wrong password!", &[]).await),
        ["INVALID_CREDENTIALS"],
        "status only after the password"
    );
}

/// A customer whose password hash an import brought logs in with its old
/// password, in every format the imports read; the first success keeps the
/// same password under the service's own Argon2id, and the old hash is gone.
#[tokio::test]
async fn an_imported_hash_logs_in_with_the_old_password_and_is_replaced_by_argon2id() {
    use shared::auth::HashAlgorithm::*;
    let app = app(&[]).await;
    let svc = app.services();
    let address = email("imported");
    let id = register(&app, &address, &[]).await["customer"]["id"].as_str().expect("registered").to_string();
    let tenant = shared::domain::TenantId::default_tenant();
    let formats = [
        (Phpass, "$P$B12345678L6Lpt4BxNotVIMILOa9u81", "JohnRipper"),
        (Phpass, "$wp$2y$10$abcdefghijklmnopqrstuumEoo.ju1cwQjKzeYRkDL5edk3VdeiFy", "password"),
        (Bcrypt, "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorf"),
        (Pbkdf2Sha256, "pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=", "lètmein"),
        (Argon2, "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4", "password"),
        (Magento2, "c6aad9e058f6c4b06187c06d2b69bf506a786af030f81fb6d83778422a68205e:salt:1:2", "password"),
    ];
    for (algorithm, value, password) in formats {
        let planted = crate::support::accounts::plant_password_hash(svc, &tenant, &id, algorithm, value).await;
        let wrong = login(&app, &address, &format!("{password}!"), &[]).await;
        assert_eq!(codes(&wrong), ["INVALID_CREDENTIALS"], "{value}");
        let stored =
            || async { svc.store.get_customer(&tenant, &id).await.unwrap().unwrap().credentials.password_hash };
        assert_eq!(stored().await.as_deref(), Some(planted.as_str()), "a wrong password changes nothing");

        let right = login(&app, &address, password, &[]).await;
        assert!(codes(&right).is_empty(), "{value}: {right}");
        let now = stored().await.expect("a hash");
        assert!(now.starts_with("$argon2id$v=19$") && svc.hasher.is_current(&now), "{value} became {now}");
        assert_eq!(crate::support::items_mentioning(&svc.config.table_name, &planted).await, 0, "{value} is gone");
        // The same password, under the new hash; the old session lives on.
        assert!(codes(&login(&app, &address, password, &[]).await).is_empty(), "{value}");
        let refreshed = gql(&app, REFRESH, json!({ "t": right["session"]["refreshToken"] }), &[]).await;
        assert!(codes(&refreshed["data"]["refreshSession"]).is_empty(), "{refreshed}");
    }
}

/// The first logins under an imported hash, at the same moment: every one
/// succeeds (a rehash that loses its conditional write to another is no
/// error), and the password logs in under the hash that was kept.
#[tokio::test]
async fn first_logins_at_the_same_moment_under_an_imported_hash_all_succeed_and_leave_one_current_hash() {
    let app = app(&[]).await;
    let svc = app.services();
    let address = email("imported-race");
    let id = register(&app, &address, &[]).await["customer"]["id"].as_str().expect("registered").to_string();
    let tenant = shared::domain::TenantId::default_tenant();
    let (algorithm, value) = (shared::auth::HashAlgorithm::Phpass, "$P$B12345678L6Lpt4BxNotVIMILOa9u81");
    crate::support::accounts::plant_password_hash(svc, &tenant, &id, algorithm, value).await;
    let logins = futures::future::join_all((0..4).map(|_| login(&app, &address, "JohnRipper", &[]))).await;
    for l in &logins {
        assert!(codes(l).is_empty(), "{l}");
    }
    let stored = svc.store.get_customer(&tenant, &id).await.unwrap().unwrap().credentials.password_hash.unwrap();
    assert!(svc.hasher.is_current(&stored), "{stored}");
    assert!(codes(&login(&app, &address, "JohnRipper", &[]).await).is_empty());
    assert_eq!(codes(&login(&app, &address, "JohnRipperX", &[]).await), ["INVALID_CREDENTIALS"]);
}
