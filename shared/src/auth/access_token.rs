//! Short-lived JWT access tokens. The algorithm is pinned (HS256): a token
//! naming any other (`none` included) is refused. Several signing keys may be
//! configured so a key can be rolled: the first signs, all verify, matched by
//! `kid`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The customer id.
    pub sub: String,
    pub iat: i64,
    pub exp: i64,
    /// The tenant the customer belongs to.
    pub tid: String,
    /// The session this token belongs to; logout deletes it.
    pub sid: String,
    /// The customer's token version at issue; a password change moves it.
    pub tv: i64,
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

pub struct AccessTokens {
    keys: Vec<SigningKey>,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl AccessTokens {
    /// `secrets`: newest first. Each must be at least 32 bytes.
    pub fn new(secrets: &[String], issuer: &str, audience: &str, ttl: Duration) -> anyhow::Result<Self> {
        anyhow::ensure!(!secrets.is_empty(), "no JWT signing key configured");
        let keys = secrets
            .iter()
            .map(|s| {
                anyhow::ensure!(s.len() >= 32, "a JWT signing key must be at least 32 bytes");
                Ok(SigningKey {
                    kid: URL_SAFE_NO_PAD.encode(&Sha256::digest(s.as_bytes())[..9]),
                    encoding: EncodingKey::from_secret(s.as_bytes()),
                    decoding: DecodingKey::from_secret(s.as_bytes()),
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { keys, issuer: issuer.to_string(), audience: audience.to_string(), ttl })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Signs a token for the customer's session; returns it with its expiry.
    pub fn issue(
        &self,
        tenant: &str,
        customer_id: &str,
        session_id: &str,
        token_version: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let exp = now + self.ttl;
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: customer_id.to_string(),
            iat: now.timestamp(),
            exp: exp.timestamp(),
            tid: tenant.to_string(),
            sid: session_id.to_string(),
            tv: token_version,
        };
        let key = &self.keys[0];
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(key.kid.clone());
        Ok((encode(&header, &claims, &key.encoding)?, exp))
    }

    /// Checks signature, algorithm, issuer, audience and expiry. Whether the
    /// session still lives is the caller's check (it needs the store).
    pub fn verify(&self, token: &str) -> Option<AccessClaims> {
        let header = decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let key = match &header.kid {
            Some(kid) => self.keys.iter().find(|k| &k.kid == kid)?,
            None => &self.keys[0],
        };
        let mut v = Validation::new(Algorithm::HS256);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        v.leeway = 5;
        decode::<AccessClaims>(token, &key.decoding, &v).ok().map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "0123456789abcdef0123456789abcdef-one";
    const K2: &str = "0123456789abcdef0123456789abcdef-two";

    fn tokens(keys: &[&str]) -> AccessTokens {
        let keys: Vec<String> = keys.iter().map(|s| s.to_string()).collect();
        AccessTokens::new(&keys, "iss", "aud", Duration::minutes(15)).unwrap()
    }

    #[test]
    fn round_trip() {
        let t = tokens(&[K1]);
        let (jwt, exp) = t.issue("shop", "c1", "s1", 3, Utc::now()).unwrap();
        let c = t.verify(&jwt).unwrap();
        assert_eq!((c.sub.as_str(), c.tid.as_str(), c.sid.as_str(), c.tv), ("c1", "shop", "s1", 3));
        assert_eq!(c.exp, exp.timestamp());
    }

    #[test]
    fn expired_tampered_foreign_and_none_are_refused() {
        let t = tokens(&[K1]);
        let (old, _) = t.issue("shop", "c1", "s1", 0, Utc::now() - Duration::hours(1)).unwrap();
        assert!(t.verify(&old).is_none(), "expired");

        let (jwt, _) = t.issue("shop", "c1", "s1", 0, Utc::now()).unwrap();
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&serde_json::json!({"iss":"iss","aud":"aud","sub":"c2","iat":0,"exp":9999999999i64,"tid":"shop","sid":"s1","tv":0})).unwrap(),
        );
        parts[1] = &forged;
        assert!(t.verify(&parts.join(".")).is_none(), "tampered payload");

        let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let unsigned = format!("{none_header}.{}.", forged);
        assert!(t.verify(&unsigned).is_none(), "alg none");

        assert!(tokens(&[K2]).verify(&jwt).is_none(), "other key");
        let other_aud = AccessTokens::new(&[K1.to_string()], "iss", "other", Duration::minutes(5)).unwrap();
        assert!(other_aud.verify(&jwt).is_none(), "other audience");
    }

    #[test]
    fn rolled_keys_still_verify_old_tokens() {
        let (jwt, _) = tokens(&[K1]).issue("shop", "c1", "s1", 0, Utc::now()).unwrap();
        assert!(tokens(&[K2, K1]).verify(&jwt).is_some());
    }
}
