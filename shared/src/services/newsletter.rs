//! The newsletter: double opt-in, one-click unsubscribe, and the export.

use super::credentials::{find_token, Principal};
use super::mailing::{compose, token_link, Recipient};
use super::paging::{decode_cursor, encode_cursor, Page, MAX_PAGE};
use super::quota::{mail_quota_allows, Budget};
use super::tokens::new_token;
use super::Services;
use crate::domain::Template;
use crate::domain::{
    CountryCode, DomainError, DomainResult, Email, ErrorCode, Gender, LanguageCode, NewsletterState,
    NewsletterSubscription, Problems, TenantId, TokenKind, UserError,
};
use crate::store::WriteError;
use chrono::{DateTime, Duration, Utc};
use url::Url;

/// Unsubscribe links stay valid as long as anyone might click one.
const UNSUBSCRIBE_TTL_DAYS: i64 = 10 * 365;

/// What a sign-up form sends besides the address.
#[derive(Debug, Clone, Default)]
pub struct NewsletterInfo {
    /// A honeypot: hidden from people, filled in by bots.
    pub email_field: Option<String>,
    pub country_code: Option<String>,
    pub language_code: Option<String>,
    pub gender: Option<Gender>,
}

/// The link that unsubscribes with `secret`: the API's own one-click
/// endpoint when `PUBLIC_API_URL` is set, else the shop's unsubscribe page.
/// The second value says whether it accepts RFC 8058's one-click POST.
fn unsubscribe_link(svc: &Services, tenant: &TenantId, secret: &str) -> Option<(Url, bool)> {
    match &svc.config.public_api_url {
        Some(api) => {
            let mut link =
                Url::parse(&format!("{}/subscriptions/unsubscribe", api.as_str().trim_end_matches('/'))).ok()?;
            link.query_pairs_mut().append_pair("tenant", tenant.as_str()).append_pair("token", secret);
            Some((link, true))
        }
        None => svc.config.tenant(tenant).map(|s| (token_link(s.unsubscribe_url(), secret), false)),
    }
}

/// Starts (or restarts) the double opt-in for `email` (errors in `info`
/// relative to it). The answer does not
/// reveal whether the address is subscribed: anonymous callers always see
/// `PENDING`, only a customer asking for its own, verified address sees the truth.
pub async fn subscribe(
    svc: &Services,
    tenant: &TenantId,
    caller: Option<&Principal>,
    email: &str,
    info: NewsletterInfo,
) -> DomainResult<NewsletterState> {
    let mut p = Problems::new();
    // The address is an argument of its own; the rest is relative to `info`.
    let email = p.check(Email::parse(email, &["email"]).map_err(UserError::anchored));
    let country = p.check_opt(info.country_code, |c| CountryCode::parse(&c, &["countryCode"]));
    let language = p.check_opt(info.language_code, |l| LanguageCode::parse(&l, &["languageCode"]));
    p.finish()?;
    let Some(email) = email else { return Err(anyhow::anyhow!("validated email").into()) };
    if info.email_field.is_some_and(|f| !f.trim().is_empty()) {
        tracing::info!("newsletter honeypot filled; nothing stored");
        return Ok(NewsletterState::Pending);
    }
    // Only a customer who has shown it holds the mailbox (a verified email)
    // learns the address's state; an unverified account is answered, and its
    // request handled, like anyone's.
    let own = caller.is_some_and(|c| c.record.customer.owns_mailbox_of(&email));
    let answer = |real: NewsletterState| if own { real } else { NewsletterState::Pending };

    let now = svc.clock.now();
    let email_key = email.key();
    let existing = svc.store.get_newsletter(tenant, email_key.as_str()).await?;
    if existing.as_ref().is_some_and(|s| s.status == NewsletterState::Subscribed) {
        return Ok(answer(NewsletterState::Subscribed));
    }
    if !mail_quota_allows(svc, &email_key, Budget::Others).await? {
        tracing::info!(to = %email.masked(), "newsletter confirmation not sent: hourly limit");
        return Ok(answer(existing.map_or(NewsletterState::Pending, |s| s.status)));
    }
    let subscription = NewsletterSubscription {
        email: email.clone(),
        status: NewsletterState::Pending,
        country_code: country.or_else(|| existing.as_ref().and_then(|s| s.country_code.clone())),
        language_code: language.or_else(|| existing.as_ref().and_then(|s| s.language_code.clone())),
        gender: info.gender.or_else(|| existing.as_ref().and_then(|s| s.gender)),
        created_at: existing.as_ref().map_or(now, |s| s.created_at),
        updated_at: now,
        confirmed_at: None,
    };
    let token = |kind, expires_at| new_token(kind, None, email_key.as_str(), 0, expires_at);
    let (confirm_secret, confirm) = token(TokenKind::NewsletterConfirm, now + svc.config.confirmation_token_ttl);
    let (unsubscribe_secret, unsubscribe) =
        token(TokenKind::NewsletterUnsubscribe, now + Duration::days(UNSUBSCRIBE_TTL_DAYS));
    let mail = confirmation_mail(
        svc,
        tenant,
        caller.filter(|_| own),
        &subscription,
        &confirm,
        &confirm_secret,
        &unsubscribe_secret,
    );
    svc.store.put_newsletter(tenant, &subscription, &[confirm, unsubscribe], mail.as_slice()).await?;
    Ok(answer(NewsletterState::Pending))
}

/// The double opt-in mail: the confirmation link, and the unsubscribe link
/// (also as `List-Unsubscribe`, one-click where the API serves it).
fn confirmation_mail(
    svc: &Services,
    tenant: &TenantId,
    owner: Option<&Principal>,
    subscription: &NewsletterSubscription,
    confirm: &crate::domain::OneTimeToken,
    confirm_secret: &str,
    unsubscribe_secret: &str,
) -> Option<crate::domain::OutboxMail> {
    let settings = svc.config.tenant(tenant)?;
    let confirm_link = token_link(settings.newsletter_confirm_url(), confirm_secret);
    let mut headers = Vec::new();
    let unsubscribe = unsubscribe_link(svc, tenant, unsubscribe_secret).map(|(link, one_click)| {
        headers.push(("List-Unsubscribe".to_string(), format!("<{link}>")));
        if one_click {
            headers.push(("List-Unsubscribe-Post".to_string(), "List-Unsubscribe=One-Click".to_string()));
        }
        link.to_string()
    });
    let extra = minijinja::context! {
        link => confirm_link.as_str(),
        unsubscribe => unsubscribe,
        expires => super::mailing::at(confirm.expires_at),
    };
    let name = owner.and_then(|c| c.record.customer.display_name());
    let recipient = Recipient { to: subscription.email.as_str(), name, language: subscription.language_code.as_ref() };
    compose(svc, tenant, Template::NewsletterConfirm, &recipient, extra, headers)
}

pub async fn confirm(svc: &Services, tenant: &TenantId, secret: &str) -> DomainResult<NewsletterState> {
    let token = find_token(svc, tenant, secret, TokenKind::NewsletterConfirm, "token").await?;
    let state = NewsletterState::Subscribed;
    match svc.store.set_newsletter_status(tenant, &token.email_key, state, Some(&token), svc.clock.now()).await {
        Ok(()) => {
            tracing::info!(to = %crate::domain::mask_email(&token.email_key), "newsletter subscription confirmed");
            Ok(state)
        }
        Err(WriteError::Conflict) => Err(DomainError::token_invalid(&["token"])),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Unsubscribes by the token of a newsletter mail, or the logged-in
/// customer's own, verified address (`email`, if given, must be that address).
pub async fn unsubscribe(
    svc: &Services,
    tenant: &TenantId,
    caller: Option<&Principal>,
    secret: Option<&str>,
    email: Option<&str>,
) -> DomainResult<NewsletterState> {
    let email_key = match (secret, caller) {
        (Some(secret), _) => {
            find_token(svc, tenant, secret, TokenKind::NewsletterUnsubscribe, "token").await?.email_key
        }
        (None, Some(c)) => {
            let own = &c.record.customer.email;
            if let Some(given) = email {
                if !Email::parse(given, &["email"])?.same_address(own) {
                    return Err(DomainError::user(
                        ErrorCode::Invalid,
                        &["email"],
                        "Only your own address can be unsubscribed here.",
                    ));
                }
            }
            // Registering an address proves nothing about its mailbox: until it is
            // verified, its newsletter is its owner's to change (by a mail's token).
            if !c.record.customer.owns_mailbox() {
                let field: &[&str] = if email.is_some() { &["email"] } else { &[] };
                return Err(DomainError::user(
                    ErrorCode::Invalid,
                    field,
                    "Confirm your email address first; until then only the link in a newsletter mail unsubscribes it.",
                ));
            }
            own.normalized()
        }
        (None, None) => {
            return Err(DomainError::Unauthenticated(
                "unsubscribing needs the token of a newsletter mail or an access token",
            ))
        }
    };
    let state = NewsletterState::Unsubscribed;
    match svc.store.set_newsletter_status(tenant, &email_key, state, None, svc.clock.now()).await {
        // Not subscribed at all: unsubscribed is what was asked for.
        Ok(()) | Err(WriteError::Conflict) => Ok(state),
        Err(e) => Err(anyhow::Error::from(e).into()),
    }
}

/// Takes over a decision another system recorded (an import's row): an
/// address subscribed there is subscribed here at once, with no
/// confirmation mail (the shop collected the consent); one unsubscribed
/// there is unsubscribed here. True when something changed (1-2 RT).
pub async fn adopt(svc: &Services, tenant: &TenantId, email: &Email, subscribed: bool) -> DomainResult<bool> {
    let now = svc.clock.now();
    let email_key = email.key();
    let existing = svc.store.get_newsletter(tenant, email_key.as_str()).await?;
    let status = existing.as_ref().map(|s| s.status);
    if !subscribed {
        if status.is_none_or(|s| s == NewsletterState::Unsubscribed) {
            return Ok(false);
        }
        return match svc
            .store
            .set_newsletter_status(tenant, email_key.as_str(), NewsletterState::Unsubscribed, None, now)
            .await
        {
            Ok(()) => Ok(true),
            Err(WriteError::Conflict) => Ok(false),
            Err(e) => Err(anyhow::Error::from(e).into()),
        };
    }
    if status == Some(NewsletterState::Subscribed) {
        return Ok(false);
    }
    let subscription = NewsletterSubscription {
        email: email.clone(),
        status: NewsletterState::Subscribed,
        country_code: existing.as_ref().and_then(|s| s.country_code.clone()),
        language_code: existing.as_ref().and_then(|s| s.language_code.clone()),
        gender: existing.as_ref().and_then(|s| s.gender),
        created_at: existing.as_ref().map_or(now, |s| s.created_at),
        updated_at: now,
        confirmed_at: Some(now),
    };
    // The link that unsubscribes it, as a confirmed subscription has.
    let (_, unsubscribe) = new_token(
        TokenKind::NewsletterUnsubscribe,
        None,
        email_key.as_str(),
        0,
        now + Duration::days(UNSUBSCRIBE_TTL_DAYS),
    );
    svc.store.put_newsletter(tenant, &subscription, &[unsubscribe], &[]).await?;
    Ok(true)
}

/// The newsletter state of an address and when it last changed.
pub async fn status_of(
    svc: &Services,
    tenant: &TenantId,
    email: &Email,
) -> DomainResult<(NewsletterState, Option<DateTime<Utc>>)> {
    Ok(match subscription_of(svc, tenant, email).await? {
        Some(s) => (s.status, Some(s.updated_at)),
        None => (NewsletterState::Unsubscribed, None),
    })
}

/// The subscription of `email`, if it ever subscribed (1 RT).
pub async fn subscription_of(
    svc: &Services,
    tenant: &TenantId,
    email: &Email,
) -> DomainResult<Option<NewsletterSubscription>> {
    Ok(svc.store.get_newsletter(tenant, &email.normalized()).await?)
}

/// What a subscription's cursor holds: `n1:<position>`.
const CURSOR: &str = "n1";

/// Newsletter subscriptions of the tenant (of one status, or all), `first`
/// (at most 100) after the cursor `after`: by status, then address, each
/// with its cursor.
pub async fn list_newsletters(
    svc: &Services,
    tenant: &TenantId,
    status: Option<NewsletterState>,
    first: usize,
    after: Option<&str>,
) -> DomainResult<Page<NewsletterSubscription>> {
    let first = first.min(MAX_PAGE);
    let position = after.map(|a| decode_cursor(CURSOR, a, "after")).transpose()?;
    // A cursor of another status's listing, or none of ours, is no place
    // this listing can go on from.
    let status_name = status.map(|s| s.as_str());
    if position.as_deref().is_some_and(|p| !crate::store::keys::is_newsletter_position_in(p, status_name)) {
        return Err(super::paging::bad_cursor("after"));
    }
    let mut found: Vec<(String, NewsletterSubscription)> = Vec::with_capacity(first + 1);
    let mut from = position;
    loop {
        let (page, more) =
            svc.store.list_newsletters(tenant, status, from.as_deref(), (first as i32 + 1).max(1)).await?;
        from = page.last().map(|(p, _)| p.clone());
        found.extend(page);
        if found.len() > first || !more || from.is_none() {
            break;
        }
    }
    Ok(Page::cut(found, first, |(p, s)| (encode_cursor(CURSOR, &p), s)))
}
