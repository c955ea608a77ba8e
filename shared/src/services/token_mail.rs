//! Mails carrying a one-time token as `token=` in a link on the tenant's allow-list.

use super::Services;
use crate::domain::{Customer, TenantId};
use crate::mail::{render, Template};
use chrono::{DateTime, Utc};
use url::Url;

/// Sends `template` with a link `base?token=secret`, `base` defaulting to the
/// tenant's URL for that template. A failed send is logged,
/// not returned: the state change it accompanies has already happened, and
/// the customer can ask again.
pub(crate) async fn send(
    svc: &Services,
    tenant: &TenantId,
    template: Template,
    customer: &Customer,
    base: Option<&Url>,
    secret: &str,
    expires: DateTime<Utc>,
) {
    let Some(settings) = svc.config.tenant(tenant) else {
        tracing::warn!(
            tenant = tenant.as_str(),
            ?template,
            "no mail settings for tenant; mail not sent"
        );
        return;
    };
    let mut link = match (base, template) {
        (Some(url), _) => url.clone(),
        (None, Template::ConfirmEmail) => settings.confirm_email_url.clone(),
        (None, Template::ResetPassword) => settings.reset_password_url.clone(),
    };
    link.query_pairs_mut().append_pair("token", secret);
    let ctx = minijinja::context! {
        shop => settings.name,
        name => customer.display_name(),
        link => link.as_str(),
        expires => expires.format("%Y-%m-%d %H:%M UTC").to_string(),
    };
    let language = customer.language_code.as_ref().map(|l| l.language());
    let from = settings
        .mail_from
        .as_deref()
        .unwrap_or(&svc.config.mail_from);
    let result = match render(template, language, customer.email.as_str(), ctx) {
        Ok(mail) => svc.mailer.send(from, &mail).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => tracing::info!(?template, to = %customer.email.masked(), "mail sent"),
        Err(e) => {
            tracing::error!(?template, to = %customer.email.masked(), error = %e, "mail not sent")
        }
    }
}
