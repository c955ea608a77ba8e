//! Data portability: one JSON document of everything the service stores
//! about a customer (GDPR article 20), built when its link is opened, so
//! that it is never stale and nothing of it is kept anywhere.
//!
//! - `request` (`account`'s `requestDataExport`) mails the customer a link
//!   valid `LINK_DAYS`, once a day;
//! - `link` (`admin`'s `exportCustomerData`) answers a link valid an hour;
//! - `open` (the link: `GET /account/data-export`) answers the document.
//!
//! The link carries a one-time token of kind `DataExport`, which opens the
//! document as often as asked until it expires, and no longer once the
//! customer's credentials change (a new password, a logout everywhere), its
//! email changes, or the customer is erased (the token goes with it).
//!
//! Round trips of the document: the token and the customer (2), then side
//! by side: orders and loyalty transactions (a page of 100 each, one after
//! the other), the standing, wishlists, contracts, sessions (1 each), the
//! owner of each address the customer held (1 each), their newsletter
//! subscriptions (1) and back-in-stock alerts (1 each).

use super::credentials::{live_customer_token, Principal};
use super::mailing::{self, Recipient};
use super::quota::{mail_budget, Budget};
use super::tokens::new_token;
use super::Services;
use crate::domain::{
    Customer, CustomerRecord, DomainError, DomainResult, ErrorCode, OrderRange, Template, TenantId, TokenKind,
};
use crate::imports::export_rows;
use crate::store::{Quota, UniqueKey};
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};
use url::Url;

/// How long a mailed link opens the document.
pub const LINK_DAYS: i64 = 7;
/// How long the back office's link opens it.
pub const ADMIN_LINK_MINUTES: i64 = 60;
/// Orders and loyalty transactions read a round trip.
const PAGE: usize = 100;

/// Where the link points: the API's own `/account/data-export`.
fn link_to(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<Url> {
    let api =
        svc.config.public_api_url.as_ref().ok_or_else(|| {
            DomainError::from(anyhow::anyhow!("data exports link to the API itself: set PUBLIC_API_URL"))
        })?;
    let mut link = Url::parse(&format!("{}/account/data-export", api.as_str().trim_end_matches('/')))
        .map_err(|e| DomainError::from(anyhow::anyhow!("PUBLIC_API_URL: {e}")))?;
    link.query_pairs_mut().append_pair("tenant", tenant.as_str()).append_pair("token", secret);
    Ok(link)
}

/// Once a day (a UTC day) per customer.
fn daily(tenant: &TenantId, customer_id: &str, now: DateTime<Utc>) -> Quota {
    let day = now.timestamp().div_euclid(86_400);
    let window_ends = DateTime::from_timestamp((day + 1) * 86_400, 0).unwrap_or(now);
    Quota { key: format!("DATAEXPORT#{}#{customer_id}#{day}", tenant.as_str()), max: 1, window_ends }
}

/// Mails the customer of `p` a link to its document: once a day, to a
/// verified address only (the document goes where the email says), within
/// the address's mail budget; the token, the mail and both budgets in one
/// write.
pub async fn request(svc: &Services, p: &Principal) -> DomainResult<()> {
    let c = &p.record.customer;
    if !c.email_verified {
        return Err(DomainError::user(
            ErrorCode::Invalid,
            &[],
            "Confirm your email address first: the link to your data is mailed there.",
        ));
    }
    let now = svc.clock.now();
    let expires_at = now + Duration::days(LINK_DAYS);
    let (secret, token) = new_token(
        TokenKind::DataExport,
        Some(&c.id),
        &c.email.normalized(),
        p.record.credentials.token_version,
        expires_at,
    );
    let link = link_to(svc, &p.tenant, &secret)?;
    let extra = minijinja::context! { link => link.as_str(), expires => mailing::at(expires_at) };
    let Some(mail) = mailing::compose(svc, &p.tenant, Template::DataExport, &Recipient::customer(c), extra, vec![])
    else {
        return Err(anyhow::anyhow!("the tenant has no mail settings").into());
    };
    let budgets = [daily(&p.tenant, &c.id, now), mail_budget(svc, &c.email.key(), Budget::Others)];
    if !svc.store.put_token_within(&p.tenant, &token, &[mail], &budgets).await? {
        return Err(DomainError::user(
            ErrorCode::LimitExceeded,
            &[],
            "A data export can be asked for once a day (and within this address's hourly mail budget): try again later.",
        ));
    }
    tracing::info!(customer = %c.id, "data export mailed");
    Ok(())
}

/// A link to the document of `record`, valid `ADMIN_LINK_MINUTES` (no mail).
pub async fn link(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> DomainResult<(Url, DateTime<Utc>)> {
    let c = &record.customer;
    let expires_at = svc.clock.now() + Duration::minutes(ADMIN_LINK_MINUTES);
    let (secret, token) = new_token(
        TokenKind::DataExport,
        Some(&c.id),
        &c.email.normalized(),
        record.credentials.token_version,
        expires_at,
    );
    let link = link_to(svc, tenant, &secret)?;
    svc.store.put_token(tenant, &token, &[]).await?;
    Ok((link, expires_at))
}

/// The document the link `secret` opens: `TOKEN_INVALID` for a link that
/// is not one or no longer works, `TOKEN_EXPIRED` past its time.
pub async fn open(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<Value> {
    let (_, record) = live_customer_token(svc, tenant, secret, TokenKind::DataExport).await?;
    document(svc, tenant, &record).await
}

/// Everything stored about the customer of `record`, as the customer may
/// see it: no password hash, token or session secret, none of the back
/// office's tags, note or hidden attributes, nothing of another customer.
pub async fn document(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> DomainResult<Value> {
    let c = &record.customer;
    let store = &svc.store;
    let addresses = held_addresses(svc, tenant, record).await?;
    let (orders, transactions, standing, wishlists, contracts, sessions, newsletters, alerts) = tokio::try_join!(
        all_orders(svc, tenant, &c.id),
        all_transactions(svc, tenant, &c.id),
        store.get_standing(tenant, &c.id),
        store.wishlists(tenant, &c.id),
        store.contracts_of(tenant, &c.id),
        store.sessions_of(tenant, &c.id),
        store.newsletters(tenant, &addresses),
        back_in_stock(svc, tenant, &addresses),
    )?;
    let now = svc.clock.now();
    let sessions: Vec<Value> = sessions
        .into_iter()
        .filter(|s| s.expires_at > now)
        .map(|s| json!({ "id": s.id, "createdAt": s.created_at, "expiresAt": s.expires_at }))
        .collect();
    Ok(json!({
        "exportedAt": now,
        "shop": tenant.as_str(),
        "customer": profile(svc, tenant, record),
        "orders": orders,
        "loyalty": { "standing": standing, "transactions": transactions },
        "wishlists": { "defaultId": wishlists.default_id, "lists": wishlists.lists },
        "subscriptionContracts": contracts,
        "newsletterSubscriptions": newsletters.into_iter().flatten().collect::<Vec<_>>(),
        "backInStockSubscriptions": alerts,
        "sessions": sessions,
    }))
}

/// The customer's profile as an export row has it, less what only the
/// back office sees, plus what the record says of its history.
fn profile(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> Value {
    let c: &Customer = &record.customer;
    let mut row = export_rows::row(c, None);
    if let Value::Object(fields) = &mut row {
        fields.remove("tags");
        fields.remove("note");
        let visible: Vec<_> = svc.config.attribute_rules(tenant).visible(&c.attributes).collect();
        match visible.is_empty() {
            true => fields.remove("attributes"),
            false => fields.insert("attributes".into(), json!(visible)),
        };
        fields.insert("lastLoginAt".into(), json!(c.last_login_at));
        fields.insert(
            "consents".into(),
            json!(c
                .consents
                .iter()
                .map(|k| json!({ "key": k.key, "granted": k.granted, "updatedAt": k.updated_at }))
                .collect::<Vec<_>>()),
        );
    }
    row
}

/// The addresses the customer proved it holds (its email if verified, and
/// those it held verified before) that no other customer holds now: their
/// subscriptions are the customer's.
async fn held_addresses(svc: &Services, tenant: &TenantId, record: &CustomerRecord) -> DomainResult<Vec<String>> {
    let proven = record.proven_addresses();
    let owners = futures::future::try_join_all(
        proven.iter().map(|address| svc.store.customer_id_by(tenant, UniqueKey::Email, address)),
    )
    .await?;
    let mine = |owner: &Option<String>| owner.as_deref().is_none_or(|id| id == record.customer.id);
    // At most 100 addresses a batch read; a customer holds a handful.
    Ok(proven.into_iter().zip(owners).filter(|(_, owner)| mine(owner)).map(|(a, _)| a).take(100).collect())
}

async fn all_orders(svc: &Services, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<Value>> {
    let range = OrderRange::default();
    let (mut all, mut after) = (vec![], None::<String>);
    loop {
        let (page, more) = svc.store.list_orders(tenant, customer_id, &range, after.as_deref(), PAGE).await?;
        after = page.last().map(|(at, _)| at.clone());
        all.extend(page.into_iter().map(|(_, order)| json!(order)));
        if !more || after.is_none() {
            return Ok(all);
        }
    }
}

async fn all_transactions(svc: &Services, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<Value>> {
    let (mut all, mut after) = (vec![], None::<String>);
    loop {
        let (page, more) = svc.store.list_loyalty(tenant, customer_id, false, after.as_deref(), PAGE).await?;
        after = page.last().map(|(at, _)| at.clone());
        all.extend(page.into_iter().map(|(_, t)| json!(t)));
        if !more || after.is_none() {
            return Ok(all);
        }
    }
}

async fn back_in_stock(svc: &Services, tenant: &TenantId, addresses: &[String]) -> anyhow::Result<Vec<Value>> {
    let lists = futures::future::try_join_all(addresses.iter().map(|a| svc.store.back_in_stock_of(tenant, a))).await?;
    Ok(lists.into_iter().flatten().map(|s| json!(s)).collect())
}
