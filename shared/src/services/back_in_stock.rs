//! Back-in-stock alerts: subscribing, unsubscribing, and mailing the
//! subscribers of an item once it is back.

use super::credentials::Principal;
use super::mailing::{compose, Recipient};
use super::quota::{mail_budget, Budget};
use super::Services;
use crate::domain::Template;
use crate::domain::{
    item, BackInStockSubscription, CountryCode, DomainResult, Email, ErrorCode, LanguageCode, Problems, TenantId,
};
use chrono::{DateTime, Utc};
use futures::StreamExt;

/// A back-in-stock request as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct BackInStockInput {
    pub email: Option<String>,
    pub item: String,
    pub country_code: String,
    pub language_code: Option<String>,
}

/// Checks the input; the address is the logged-in customer's own, else the given one.
fn checked(
    caller: Option<&Principal>,
    input: BackInStockInput,
    now: DateTime<Utc>,
) -> DomainResult<BackInStockSubscription> {
    let mut p = Problems::new();
    let email = match (caller, input.email) {
        (Some(c), given) => {
            let own = c.record.customer.email.clone();
            if let Some(given) = given {
                if !Email::parse(&given, &[]).is_ok_and(|g| g.same_address(&own)) {
                    p.push(crate::domain::UserError::new(
                        ErrorCode::Invalid,
                        &["email"],
                        "Logged in, alerts go to your own address.",
                    ));
                }
            }
            Some(own)
        }
        (None, Some(given)) => p.check(Email::parse(&given, &["email"])),
        (None, None) => {
            p.push(crate::domain::UserError::new(
                ErrorCode::Required,
                &["email"],
                "An email is required unless you are logged in.",
            ));
            None
        }
    };
    let item = p.check(item(&input.item, &["item"]));
    let country = p.check(CountryCode::parse(&input.country_code, &["shipTo", "countryCode"]));
    let language = p.check_opt(input.language_code, |l| LanguageCode::parse(&l, &["languageCode"]));
    p.finish()?;
    match (email, item, country) {
        (Some(email), Some(item), Some(country_code)) => {
            Ok(BackInStockSubscription { email, item, country_code, language_code: language, created_at: now })
        }
        _ => Err(anyhow::anyhow!("validated back-in-stock input").into()),
    }
}

pub async fn subscribe(
    svc: &Services,
    tenant: &TenantId,
    caller: Option<&Principal>,
    input: BackInStockInput,
) -> DomainResult<()> {
    let subscription = checked(caller, input, svc.clock.now())?;
    svc.store.put_back_in_stock(tenant, &subscription).await?;
    Ok(())
}

pub async fn unsubscribe(
    svc: &Services,
    tenant: &TenantId,
    caller: Option<&Principal>,
    input: BackInStockInput,
) -> DomainResult<()> {
    let s = checked(caller, input, svc.clock.now())?;
    svc.store.delete_back_in_stock(tenant, &s.item, s.country_code.as_str(), &s.email.normalized()).await?;
    Ok(())
}

/// How many subscribers `notify` reads and mails at a time: the list is
/// never held whole, however long it is.
const NOTIFY_PAGE: usize = 100;

/// Mails every subscriber of `item` (in `country`, or everywhere) once, in
/// the subscriber's language, and ends their subscriptions, a page at a
/// time. Each subscription ends in the same transaction that writes its
/// mail to the outbox and takes a unit of the address's hourly budget (an
/// address anyone may have subscribed), so concurrent calls never mail
/// anyone twice, a mail is never lost (the `events` function retries it),
/// and an address past its budget is not mailed (its subscription ends all
/// the same). Expired subscriptions are skipped. 1 RT per page, then 1 per
/// subscriber (2 when its budget is spent).
pub async fn notify(svc: &Services, tenant: &TenantId, item_name: &str, country: Option<&str>) -> DomainResult<usize> {
    let mut p = Problems::new();
    let item = p.check(item(item_name, &["item"]));
    let country = p.check_opt(country, |c| CountryCode::parse(c, &["countryCode"]));
    p.finish()?;
    let Some(item) = item else { return Err(anyhow::anyhow!("validated item").into()) };
    let Some(settings) = svc.config.tenant(tenant) else {
        return Err(anyhow::anyhow!("no mail settings for tenant {}", tenant.as_str()).into());
    };
    let shop = settings.shop_url().to_string();
    let now = svc.clock.now();
    let mut notified = 0;
    let mut after: Option<BackInStockSubscription> = None;
    loop {
        let page = svc
            .store
            .list_back_in_stock(tenant, &item, country.as_ref().map(|c| c.as_str()), after.as_ref(), NOTIFY_PAGE)
            .await?;
        let last_page = page.len() < NOTIFY_PAGE;
        after = page.last().cloned();
        let waiting = page.into_iter().filter(|s| s.waiting_at(now));
        let outcomes = futures::stream::iter(waiting)
            .map(|s| {
                let shop = shop.clone();
                async move {
                    let extra = minijinja::context! { item => s.item.as_str(), link => shop };
                    let recipient = Recipient { to: s.email.as_str(), name: None, language: s.language_code.as_ref() };
                    let mail = compose(svc, tenant, Template::BackInStock, &recipient, extra, vec![]);
                    let budget = mail_budget(svc, &s.email.key(), Budget::Others);
                    // The subscription ends and its mail is written in one
                    // transaction: exactly one of concurrent calls gets it.
                    svc.store.claim_back_in_stock(tenant, &s, mail.as_ref(), &budget).await
                }
            })
            .buffer_unordered(8)
            .collect::<Vec<_>>()
            .await;
        for outcome in outcomes {
            notified += usize::from(outcome? == Some(true));
        }
        if last_page || after.is_none() {
            break;
        }
    }
    tracing::info!(item = %item, notified, "back-in-stock subscribers notified");
    Ok(notified)
}
