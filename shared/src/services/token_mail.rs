//! Mails to customers: links carrying a one-time token as `token=` (only to
//! URLs on the tenant's allow-list), and plain notices.

use super::Services;
use crate::domain::{Customer, TenantId};
use crate::mail::{render, Template};
use chrono::{DateTime, Utc};
use url::Url;

/// Sends `template` to `to`, rendered in the customer's language. A failed
/// send is logged, not returned: the state change it accompanies has already
/// happened, and the customer can ask again.
async fn deliver(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    to: &str,
    extra: minijinja::Value,
) {
    let Some(settings) = svc.config.tenant(tenant) else {
        tracing::warn!(tenant = tenant.as_str(), ?template, "no mail settings for tenant; mail not sent");
        return;
    };
    let ctx = minijinja::context! { shop => settings.name, name => customer.display_name(), ..extra };
    let language = customer.language_code.as_ref().map(|l| l.language());
    let from = settings.mail_from.as_deref().unwrap_or(&svc.config.mail_from);
    let result = match render(template, language, to, ctx) {
        Ok(mail) => svc.mailer.send(from, &mail).await,
        Err(e) => Err(e),
    };
    let masked = crate::domain::mask_email(to);
    match result {
        Ok(()) => tracing::info!(?template, to = %masked, "mail sent"),
        Err(e) => tracing::error!(?template, to = %masked, error = %e, "mail not sent"),
    }
}

/// Sends `template` with a link `base?token=secret` to `to` (the customer's
/// address unless given). `base` defaults to the tenant's URL for the template.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn send(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    to: Option<&str>,
    base: Option<&Url>,
    secret: &str,
    expires: DateTime<Utc>,
) {
    let Some(settings) = svc.config.tenant(tenant) else {
        tracing::warn!(tenant = tenant.as_str(), ?template, "no mail settings for tenant; mail not sent");
        return;
    };
    let mut link = match (base, template) {
        (Some(url), _) => url.clone(),
        (None, Template::ResetPassword | Template::Invite) => settings.reset_password_url.clone(),
        (None, Template::ChangeEmail) => settings.confirm_email_change_url().clone(),
        (None, _) => settings.confirm_email_url.clone(),
    };
    link.query_pairs_mut().append_pair("token", secret);
    let extra = minijinja::context! {
        link => link.as_str(),
        expires => expires.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    deliver(svc, tenant, template, customer, to.unwrap_or(customer.email.as_str()), extra).await;
}

/// Sends a notice without a token to the customer's address.
pub(crate) async fn notice(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    extra: minijinja::Value,
) {
    deliver(svc, tenant, template, customer, customer.email.as_str(), extra).await;
}
