//! Who is calling: access-token authentication, and redemption checks for
//! one-time tokens.

use super::Services;
use crate::auth::opaque;
use crate::domain::{
    CustomerRecord, CustomerStatus, DomainError, DomainResult, ErrorCode, OneTimeToken, TenantId, TokenKind,
};

/// A customer authenticated by an access token of a live session.
#[derive(Debug, Clone)]
pub struct Principal {
    pub tenant: TenantId,
    /// The customer with its credentials, as read with the session.
    pub record: CustomerRecord,
    pub session_id: String,
}

/// Accepts an access token only if it verifies (signature, algorithm, issuer,
/// audience, expiry), belongs to the tenant the request names, and its
/// session still exists under the customer's current token version. One
/// round trip, which also loads the customer for the resolver.
pub async fn authenticate(svc: &Services, header_tenant: Option<&TenantId>, token: &str) -> DomainResult<Principal> {
    let claims = svc
        .access_tokens
        .verify(token, svc.clock.now())
        .ok_or(DomainError::Unauthenticated("invalid or expired access token"))?;
    let tenant = TenantId::parse(&claims.tid).ok_or(DomainError::Unauthenticated("invalid access token"))?;
    if header_tenant.is_some_and(|h| h != &tenant) {
        return Err(DomainError::Unauthenticated("the access token belongs to another tenant"));
    }
    let (record, session) = svc.store.get_customer_and_session(&tenant, &claims.sub, &claims.sid).await?;
    let (Some(record), Some(session)) = (record, session) else {
        return Err(DomainError::Unauthenticated("the session has ended"));
    };
    let current = record.credentials.token_version;
    if claims.tv != current || session.token_version != current || session.expires_at <= svc.clock.now() {
        return Err(DomainError::Unauthenticated("the session has ended"));
    }
    if record.customer.status == CustomerStatus::Inactive {
        return Err(DomainError::Unauthenticated("the account is disabled"));
    }
    Ok(Principal { tenant, record, session_id: session.id })
}

/// Looks up a one-time token of `kind`: unknown, used or of another kind is
/// `TOKEN_INVALID`, past its expiry `TOKEN_EXPIRED` (TTL deletion lags, so
/// expiry is checked here, not left to DynamoDB).
pub(crate) async fn find_token(
    svc: &Services,
    tenant: &TenantId,
    secret: &str,
    kind: TokenKind,
    field: &str,
) -> DomainResult<OneTimeToken> {
    let invalid = || DomainError::token_invalid(&[field]);
    if !opaque::looks_valid(secret) {
        return Err(invalid());
    }
    let token = svc.store.get_token(tenant, &opaque::hash(secret)).await?.ok_or_else(invalid)?;
    if token.kind != kind {
        return Err(invalid());
    }
    if token.expires_at <= svc.clock.now() {
        return Err(DomainError::user(ErrorCode::TokenExpired, &[field], "The token has expired; ask for a new one."));
    }
    Ok(token)
}

/// A customer's one-time token of `kind` that still holds: found as
/// `find_token` finds it, and issued under the customer's present
/// credentials (a password change, a reset or a logout everywhere ends it)
/// to its present address (an email change ends it); with the customer.
pub(crate) async fn live_customer_token(
    svc: &Services,
    tenant: &TenantId,
    secret: &str,
    kind: TokenKind,
) -> DomainResult<(OneTimeToken, CustomerRecord)> {
    let token = find_token(svc, tenant, secret, kind, "token").await?;
    let record = match token.customer_id.as_deref() {
        Some(id) => svc.store.get_customer(tenant, id).await?,
        None => None,
    };
    match record {
        Some(r)
            if r.credentials.token_version == token.token_version
                && r.customer.email.key().as_str() == token.email_key =>
        {
            Ok((token, r))
        }
        _ => Err(DomainError::token_invalid(&["token"])),
    }
}
