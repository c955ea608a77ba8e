//! The shop's contact form (OXID's): a visitor's message, mailed to the
//! tenant's `contactEmail` with `Reply-To` the visitor. Nothing is stored but
//! the outbox mail, which the `events` function sends like every other.

use super::mailing::{compose, Recipient};
use super::quota::{mail_budget, Budget};
use super::Services;
use crate::domain::{ContactRequest, DomainError, DomainResult, Email, ErrorCode, TenantId};
use crate::domain::{OutboxMail, Template};

/// A contact request as a client sends it.
#[derive(Debug, Clone, Default)]
pub struct ContactRequestInput {
    pub email: String,
    pub salutation: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub subject: String,
    pub message: String,
    /// A honeypot: hidden from people, filled in by bots.
    pub email_field: Option<String>,
}

/// Mails the request to the shop's contact address (errors relative to the
/// input). The answer is `true` whether or not a mail goes out: a filled
/// honeypot and a sender whose hourly mail budget is spent get it too, and
/// nothing is sent. A shop without a contact address is `INVALID`, for
/// bots and people alike.
pub async fn send(svc: &Services, tenant: &TenantId, input: ContactRequestInput) -> DomainResult<bool> {
    let request = ContactRequest::parse(
        &input.email,
        input.salutation.as_deref(),
        input.first_name.as_deref(),
        input.last_name.as_deref(),
        &input.subject,
        &input.message,
    )
    .map_err(DomainError::User)?;
    let Some(shop) = svc.config.tenant(tenant).and_then(|s| s.contact_email()) else {
        tracing::warn!(tenant = tenant.as_str(), "contact request refused: the tenant has no contactEmail");
        return Err(DomainError::general(
            ErrorCode::Invalid,
            "This shop takes no messages through its contact form: it has no contact address.",
        ));
    };
    if input.email_field.is_some_and(|f| !f.trim().is_empty()) {
        tracing::info!("contact form honeypot filled; nothing sent");
        return Ok(true);
    }
    let Some(mail) = contact_mail(svc, tenant, &shop, &request) else {
        return Err(anyhow::anyhow!("the contact mail of tenant {} could not be composed", tenant.as_str()).into());
    };
    // On the sender's budget (not the shop's, which would let anyone shut
    // the form for everybody): one address sends the shop only so many.
    // Taken with the mail's write, in one transaction.
    if !svc.store.put_mail(&mail, &mail_budget(svc, &request.email.key(), Budget::Others)).await? {
        tracing::info!(from = %request.email.masked(), "contact request not sent: hourly limit");
        return Ok(true);
    }
    tracing::info!(from = %request.email.masked(), mail = %mail.id, "contact request written to the outbox");
    Ok(true)
}

/// The mail to the shop: the visitor's name, address, subject and message,
/// answered to the visitor. In English: the shop's settings name no
/// language (the template has a German variant for when they do).
fn contact_mail(svc: &Services, tenant: &TenantId, shop: &Email, request: &ContactRequest) -> Option<OutboxMail> {
    let extra = minijinja::context! {
        sender => request.sender_name(),
        salutation => request.salutation.as_deref(),
        first_name => request.first_name.as_deref(),
        last_name => request.last_name.as_deref(),
        email => request.email.as_str(),
        subject => request.subject.as_str(),
        message => request.message.as_str(),
    };
    let recipient = Recipient { to: shop.as_str(), name: None, language: None };
    let mail = compose(svc, tenant, Template::ContactRequest, &recipient, extra, vec![])?;
    Some(mail.with_reply_to(request.email.as_str()))
}
