//! Mails, composed for the outbox: links carrying a one-time token as
//! `token=` (only to URLs from the tenant's settings or its allow-list), and
//! notices. A use case writes what these return in the same transaction as
//! its change; the `events` function renders and sends them.

use super::Services;
use crate::domain::{Customer, Email, LanguageCode, TenantId};
use crate::domain::{OutboxMail, Template};
use chrono::{DateTime, Utc};
use url::Url;

/// Who a mail goes to: an address, and what personalises it.
pub(crate) struct Recipient<'a> {
    pub to: &'a str,
    pub name: Option<&'a str>,
    pub language: Option<&'a LanguageCode>,
}

impl<'a> Recipient<'a> {
    pub fn customer(c: &'a Customer) -> Self {
        Self { to: c.email.as_str(), name: c.display_name(), language: c.language_code.as_ref() }
    }
}

/// `template` for `recipient`, with the shop's name and sender; `None` (and
/// a warning) for a tenant without mail settings.
pub(crate) fn compose(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    recipient: &Recipient<'_>,
    extra: minijinja::Value,
    headers: Vec<(String, String)>,
) -> Option<OutboxMail> {
    let Some(settings) = svc.config.tenant(tenant) else {
        tracing::warn!(tenant = tenant.as_str(), ?template, "no mail settings for tenant; no mail");
        return None;
    };
    let ctx = minijinja::context! { shop => settings.name, name => recipient.name, ..extra };
    let context = match serde_json::to_value(&ctx) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(?template, error = %e, "mail variables not serialisable; no mail");
            return None;
        }
    };
    let language = recipient.language.map(|l| l.language());
    let from = settings.mail_from.as_deref().unwrap_or(&svc.config.mail_from);
    Some(
        OutboxMail::new(tenant.as_str(), template, from, recipient.to, language, &context, svc.clock.now())
            .with_headers(headers),
    )
}

/// `base` with `token=secret` added to its query.
pub(crate) fn token_link(base: &Url, secret: &str) -> Url {
    let mut link = base.clone();
    link.query_pairs_mut().append_pair("token", secret);
    link
}

/// A time as mails show it.
pub(crate) fn at(time: DateTime<Utc>) -> String {
    time.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `template` with a link `base?token=secret` to `to` (the customer's
/// address unless given). `base` defaults to the tenant's URL for the template.
#[allow(clippy::too_many_arguments)]
pub(crate) fn link_mail(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    to: Option<&str>,
    base: Option<&Url>,
    secret: &str,
    expires: DateTime<Utc>,
) -> Option<OutboxMail> {
    let settings = svc.config.tenant(tenant)?;
    let default = match template {
        Template::ResetPassword | Template::Invite => &settings.reset_password_url,
        Template::ChangeEmail => settings.confirm_email_change_url(),
        _ => &settings.confirm_email_url,
    };
    let link = token_link(base.unwrap_or(default), secret);
    let extra = minijinja::context! { link => link.as_str(), expires => at(expires) };
    let recipient = Recipient { to: to.unwrap_or(customer.email.as_str()), ..Recipient::customer(customer) };
    compose(svc, tenant, template, &recipient, extra, vec![])
}

/// A notice to the customer's address. An address nobody has proved to own
/// (unverified) gets notices only within its hourly mail budget: otherwise
/// registering someone else's address and changing the password in a loop
/// would mail them without limit.
async fn notice(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    extra: minijinja::Value,
) -> Option<OutboxMail> {
    if !customer.owns_mailbox() {
        match super::quota::mail_quota_allows(svc, &customer.email.key(), super::quota::Budget::Others).await {
            Ok(true) => {}
            Ok(false) => {
                tracing::info!(?template, customer = %customer.id, "notice not sent: mail budget spent");
                return None;
            }
            Err(e) => {
                tracing::error!(?template, error = %e, "mail budget unavailable; notice not sent");
                return None;
            }
        }
    }
    compose(svc, tenant, template, &Recipient::customer(customer), extra, vec![])
}

/// To the old address of a requested email change: what was asked, and a
/// link (`token=`) that cancels it.
pub(crate) async fn email_change_notice(
    svc: &Services,
    tenant: &TenantId,
    customer: &Customer,
    new_email: &Email,
    cancel_secret: &str,
    expires: DateTime<Utc>,
) -> Option<OutboxMail> {
    let settings = svc.config.tenant(tenant)?;
    let link = token_link(&settings.cancel_email_change_url(), cancel_secret);
    let extra = minijinja::context! { new_email => new_email.as_str(), link => link.as_str(), expires => at(expires) };
    notice(svc, tenant, Template::EmailChangeNotice, customer, extra).await
}

/// To the address that held the account: the email changed to `new_email`.
pub(crate) async fn email_changed_notice(
    svc: &Services,
    tenant: &TenantId,
    before: &Customer,
    new_email: &Email,
    now: DateTime<Utc>,
) -> Option<OutboxMail> {
    let extra = minijinja::context! { new_email => new_email.as_str(), at => at(now) };
    notice(svc, tenant, Template::EmailChanged, before, extra).await
}

/// To the account's address: its password was changed (`reset`: through a
/// reset link).
pub(crate) async fn password_changed_notice(
    svc: &Services,
    tenant: &TenantId,
    customer: &Customer,
    reset: bool,
    now: DateTime<Utc>,
) -> Option<OutboxMail> {
    let extra = minijinja::context! { reset => reset, at => at(now) };
    notice(svc, tenant, Template::PasswordChanged, customer, extra).await
}
