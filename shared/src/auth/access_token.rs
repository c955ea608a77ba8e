//! Short-lived JWT access tokens in the profile of RFC 9068, signed with
//! Ed25519 (EdDSA). The algorithm is pinned: a token naming any other
//! (HS256, `none`, ...) is refused, and so is one whose header `typ` is not
//! `at+jwt`, so that no other kind of JWT passes for an access token.
//!
//! Signing is asymmetric so that only the functions opening sessions (`auth`,
//! `account`) hold the private keys; `subscriptions` verifies with the public
//! keys and `admin` holds no key at all ([`TokenRole`]).
//!
//! Keys roll: several may be configured, newest first; the first signs, all
//! verify, matched by the header's `kid` (derived from the public key).
//!
//! Keys in text form (`JWT_PRIVATE_KEYS`, the Secrets Manager secret,
//! `JWT_PUBLIC_KEYS`, `customer-ctl jwt-key`): base64url without padding of
//! the 32 raw bytes, the Ed25519 seed (RFC 8032) for a private key and the
//! public key (a JWK's `x`) for a public key.

use anyhow::{anyhow, Context};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The JOSE header `typ` of an access token (RFC 9068, section 2.1).
pub const TOKEN_TYPE: &str = "at+jwt";
/// How far past `exp` a token is still taken: clocks of issuer and verifier drift.
const LEEWAY_SECONDS: i64 = 5;

/// The PKCS#8 v1 (RFC 5958, RFC 8410) encoding of an Ed25519 private key is
/// this prefix and the 32-byte seed; it is what `EncodingKey::from_ed_der` reads.
const PKCS8_ED25519_PREFIX: [u8; 16] =
    [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

/// What a function does with access tokens, hence which keys it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenRole {
    /// Opens sessions (`auth`, `account`): signs and verifies; holds the private keys.
    Issuer,
    /// Only checks tokens (`subscriptions`): holds the public keys.
    Verifier,
    /// Has no use for access tokens (`admin`): holds no key and accepts no token.
    NoKeys,
}

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

/// A new Ed25519 key pair in text form, with the `kid` its tokens carry.
pub struct KeyPair {
    pub private_key: String,
    pub public_key: String,
    pub kid: String,
}

/// A fresh key pair, its seed drawn from the operating system's CSPRNG.
pub fn generate_key_pair() -> KeyPair {
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let public = public_of(&seed);
    KeyPair {
        private_key: URL_SAFE_NO_PAD.encode(seed),
        public_key: URL_SAFE_NO_PAD.encode(public),
        kid: kid_of(&public),
    }
}

/// The public key (text form) of a private key (text form).
pub fn public_key_of(private_key: &str) -> anyhow::Result<String> {
    Ok(URL_SAFE_NO_PAD.encode(public_of(&key_bytes(private_key, "private")?)))
}

/// The `kid` of the tokens a public key (text form) verifies.
pub fn kid_of_public_key(public_key: &str) -> anyhow::Result<String> {
    Ok(accepted_key(key_bytes(public_key, "public")?)?.kid)
}

fn public_of(seed: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(seed).verifying_key().to_bytes()
}

/// base64url of the first 9 bytes of the public key's SHA-256: 12 characters.
fn kid_of(public: &[u8; 32]) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(public)[..9])
}

/// The 32 bytes of a key in text form. Errors never quote the key.
fn key_bytes(text: &str, kind: &str) -> anyhow::Result<[u8; 32]> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim().trim_end_matches('='))
        .map_err(|_| anyhow!("a JWT {kind} key must be base64url (the 32 bytes of an Ed25519 {kind} key)"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| anyhow!("a JWT {kind} key must hold 32 bytes (an Ed25519 {kind} key), not {}", bytes.len()))
}

/// The private key that signs, with the `kid` its tokens carry.
struct IssuingKey {
    kid: String,
    encoding: EncodingKey,
}

/// A public key tokens are accepted under.
struct AcceptedKey {
    kid: String,
    decoding: DecodingKey,
}

fn accepted_key(public: [u8; 32]) -> anyhow::Result<AcceptedKey> {
    // A point off the curve would make every verification fail later, silently.
    ed25519_dalek::VerifyingKey::from_bytes(&public)
        .map_err(|_| anyhow!("a JWT public key is not a valid Ed25519 public key"))?;
    // For EdDSA, jsonwebtoken's "DER" decoding key is the raw 32-byte public key.
    Ok(AcceptedKey { kid: kid_of(&public), decoding: DecodingKey::from_ed_der(&public) })
}

/// Issues and checks access tokens, as far as the keys it holds allow: a
/// signer holds private keys (and their public keys), a verifier public keys
/// only, and [`AccessTokens::none`] no key (it issues nothing and accepts no token).
pub struct AccessTokens {
    /// The newest private key; none on a function that only verifies.
    issuing: Option<IssuingKey>,
    /// Every key a token may be signed with, newest first.
    accepted: Vec<AcceptedKey>,
    issuer: String,
    audience: String,
    ttl: Duration,
}

impl AccessTokens {
    /// Signs with the first of `private_keys` (text form, newest first) and
    /// verifies tokens of any of them.
    pub fn signer(private_keys: &[String], issuer: &str, audience: &str, ttl: Duration) -> anyhow::Result<Self> {
        let seeds = private_keys.iter().map(|k| key_bytes(k, "private")).collect::<anyhow::Result<Vec<_>>>()?;
        let newest = seeds.first().context("no JWT private key configured")?;
        let accepted = seeds.iter().map(|s| accepted_key(public_of(s))).collect::<anyhow::Result<Vec<_>>>()?;
        let mut der = PKCS8_ED25519_PREFIX.to_vec();
        der.extend_from_slice(newest);
        let issuing = IssuingKey { kid: kid_of(&public_of(newest)), encoding: EncodingKey::from_ed_der(&der) };
        Ok(Self { issuing: Some(issuing), accepted, issuer: issuer.to_string(), audience: audience.to_string(), ttl })
    }

    /// Verifies tokens of any of `public_keys` (text form, newest first); issues none.
    pub fn verifier(public_keys: &[String], issuer: &str, audience: &str, ttl: Duration) -> anyhow::Result<Self> {
        anyhow::ensure!(!public_keys.is_empty(), "no JWT public key configured");
        let accepted = public_keys
            .iter()
            .map(|k| key_bytes(k, "public").and_then(accepted_key))
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self { issuing: None, accepted, issuer: issuer.to_string(), audience: audience.to_string(), ttl })
    }

    /// No key: issues nothing and accepts no token (a function without customers' tokens).
    pub fn none() -> Self {
        Self { issuing: None, accepted: vec![], issuer: String::new(), audience: String::new(), ttl: Duration::zero() }
    }

    /// Whether this holds a private key, i.e. can issue tokens.
    pub fn can_issue(&self) -> bool {
        self.issuing.is_some()
    }

    /// Signs a token for the customer's session; returns it with its expiry.
    /// Fails on a function that holds no private key.
    pub fn issue(
        &self,
        tenant: &str,
        customer_id: &str,
        session_id: &str,
        token_version: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<(String, DateTime<Utc>)> {
        let key = self.issuing.as_ref().context("this function holds no JWT private key: it cannot issue tokens")?;
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
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(TOKEN_TYPE.to_string());
        header.kid = Some(key.kid.clone());
        Ok((encode(&header, &claims, &key.encoding)?, exp))
    }

    /// Checks type, algorithm, key, signature, issuer, audience and expiry
    /// at `now` (the services' clock). Whether the session still lives is
    /// the caller's check (it needs the store).
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<AccessClaims> {
        let header = decode_header(token).ok()?;
        // RFC 8725, 3.11: media types compare case-insensitively; nothing but `at+jwt` passes.
        let typed = header.typ.as_deref().is_some_and(|t| t.eq_ignore_ascii_case(TOKEN_TYPE));
        // No extension is understood, so a token demanding one (`crit`) is refused (RFC 7515, 4.1.11).
        if header.alg != Algorithm::EdDSA || !typed || header.crit.is_some() {
            return None;
        }
        let kid = header.kid.as_deref()?;
        let key = self.accepted.iter().find(|k| k.kid == kid)?;
        let mut v = Validation::new(Algorithm::EdDSA);
        v.set_issuer(&[&self.issuer]);
        v.set_audience(&[&self.audience]);
        v.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // Expiry is checked against the services' clock below, not the
        // library's reading of the system time; `exp` is still required.
        v.validate_exp = false;
        let claims = decode::<AccessClaims>(token, &key.decoding, &v).ok()?.claims;
        (claims.exp.saturating_add(LEEWAY_SECONDS) >= now.timestamp()).then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(pairs: &[&KeyPair]) -> AccessTokens {
        let keys: Vec<String> = pairs.iter().map(|p| p.private_key.clone()).collect();
        AccessTokens::signer(&keys, "iss", "aud", Duration::minutes(15)).unwrap()
    }

    fn claims() -> AccessClaims {
        let now = crate::clock::an_instant().timestamp();
        AccessClaims {
            iss: "iss".into(),
            aud: "aud".into(),
            sub: "c1".into(),
            iat: now,
            exp: now + 600,
            tid: "shop".into(),
            sid: "s1".into(),
            tv: 0,
        }
    }

    /// A token for `claims` under `header`, signed with the private key `private` (text form).
    fn signed(header: &Header, claims: &AccessClaims, private: &str) -> String {
        let mut der = PKCS8_ED25519_PREFIX.to_vec();
        der.extend_from_slice(&key_bytes(private, "private").unwrap());
        encode(header, claims, &EncodingKey::from_ed_der(&der)).unwrap()
    }

    fn eddsa_header(typ: &str, private: &str) -> Header {
        let mut h = Header::new(Algorithm::EdDSA);
        h.typ = Some(typ.to_string());
        h.kid = Some(kid_of_public_key(&public_key_of(private).unwrap()).unwrap());
        h
    }

    #[test]
    fn keys_in_text_form_follow_rfc_8032() {
        // RFC 8032, 7.1, TEST 1.
        let private = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
        assert_eq!(public_key_of(private).unwrap(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        let pair = generate_key_pair();
        assert_eq!(public_key_of(&pair.private_key).unwrap(), pair.public_key);
        assert_eq!(kid_of_public_key(&pair.public_key).unwrap(), pair.kid);
        assert_eq!(pair.kid.len(), 12);
        assert_ne!(generate_key_pair().private_key, pair.private_key);
        assert!(public_key_of("not base64!").is_err());
        assert!(public_key_of(&URL_SAFE_NO_PAD.encode([7u8; 31])).is_err(), "31 bytes");
        assert!(AccessTokens::signer(&[], "iss", "aud", Duration::minutes(1)).is_err());
        assert!(AccessTokens::verifier(&[], "iss", "aud", Duration::minutes(1)).is_err());
    }

    #[test]
    fn round_trip_with_at_jwt_type_and_kid() {
        let pair = generate_key_pair();
        let t = signer(&[&pair]);
        let (jwt, exp) = t.issue("shop", "c1", "s1", 3, crate::clock::an_instant()).unwrap();
        let header = decode_header(&jwt).unwrap();
        assert_eq!(
            (header.alg, header.typ.as_deref(), header.kid.as_deref()),
            (Algorithm::EdDSA, Some("at+jwt"), Some(pair.kid.as_str()))
        );
        let c = t.verify(&jwt, crate::clock::an_instant()).unwrap();
        assert_eq!((c.sub.as_str(), c.tid.as_str(), c.sid.as_str(), c.tv), ("c1", "shop", "s1", 3));
        assert_eq!(c.exp, exp.timestamp());
    }

    #[test]
    fn a_verifier_verifies_but_cannot_issue_and_none_does_neither() {
        let pair = generate_key_pair();
        let (jwt, _) = signer(&[&pair]).issue("shop", "c1", "s1", 0, crate::clock::an_instant()).unwrap();
        let v = AccessTokens::verifier(std::slice::from_ref(&pair.public_key), "iss", "aud", Duration::minutes(15))
            .unwrap();
        assert!(!v.can_issue());
        assert_eq!(v.verify(&jwt, crate::clock::an_instant()).unwrap().sub, "c1");
        assert!(v.issue("shop", "c1", "s1", 0, crate::clock::an_instant()).is_err());
        let none = AccessTokens::none();
        assert!(!none.can_issue());
        assert!(none.verify(&jwt, crate::clock::an_instant()).is_none());
        assert!(none.issue("shop", "c1", "s1", 0, crate::clock::an_instant()).is_err());
        // y = 2 is no point's y-coordinate: (y² - 1) / (d·y² + 1) is not a square mod 2^255 - 19.
        let mut not_on_curve = [0u8; 32];
        not_on_curve[0] = 2;
        let bad_point = URL_SAFE_NO_PAD.encode(not_on_curve);
        assert!(AccessTokens::verifier(&[bad_point], "iss", "aud", Duration::minutes(1)).is_err());
    }

    #[test]
    fn another_key_expired_tampered_and_other_audience_are_refused() {
        let (k1, k2) = (generate_key_pair(), generate_key_pair());
        let t = signer(&[&k1]);
        let (old, _) = t.issue("shop", "c1", "s1", 0, crate::clock::an_instant() - Duration::hours(1)).unwrap();
        assert!(t.verify(&old, crate::clock::an_instant()).is_none(), "expired");

        let (jwt, _) = t.issue("shop", "c1", "s1", 0, crate::clock::an_instant()).unwrap();
        let mut parts: Vec<&str> = jwt.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(
            serde_json::to_vec(&serde_json::json!({"iss":"iss","aud":"aud","sub":"c2","iat":0,"exp":9999999999i64,"tid":"shop","sid":"s1","tv":0})).unwrap(),
        );
        parts[1] = &forged;
        assert!(t.verify(&parts.join("."), crate::clock::an_instant()).is_none(), "tampered payload");

        let other = signer(&[&k2]);
        assert!(other.verify(&jwt, crate::clock::an_instant()).is_none(), "signed by another key");
        // Another key's signature under this key's kid.
        let impostor = signed(&eddsa_header(TOKEN_TYPE, &k1.private_key), &claims(), &k2.private_key);
        assert!(t.verify(&impostor, crate::clock::an_instant()).is_none(), "another key's signature");
        assert!(t
            .verify(
                &signed(&eddsa_header(TOKEN_TYPE, &k1.private_key), &claims(), &k1.private_key),
                crate::clock::an_instant()
            )
            .is_some());

        let other_aud =
            AccessTokens::signer(std::slice::from_ref(&k1.private_key), "iss", "other", Duration::minutes(5)).unwrap();
        assert!(other_aud.verify(&jwt, crate::clock::an_instant()).is_none(), "other audience");
    }

    #[test]
    fn a_token_typed_other_than_at_jwt_is_refused() {
        let k = generate_key_pair();
        let t = signer(&[&k]);
        assert!(t
            .verify(
                &signed(&eddsa_header("AT+JWT", &k.private_key), &claims(), &k.private_key),
                crate::clock::an_instant()
            )
            .is_some());
        for typ in ["JWT", "jwt", "at+jwt ", "application/jwt", "at+JWT2"] {
            let token = signed(&eddsa_header(typ, &k.private_key), &claims(), &k.private_key);
            assert!(t.verify(&token, crate::clock::an_instant()).is_none(), "typ {typ}");
        }
        let mut untyped = eddsa_header(TOKEN_TYPE, &k.private_key);
        untyped.typ = None;
        assert!(t.verify(&signed(&untyped, &claims(), &k.private_key), crate::clock::an_instant()).is_none(), "no typ");
        let mut critical = eddsa_header(TOKEN_TYPE, &k.private_key);
        critical.crit = Some(vec!["exp".into()]);
        assert!(t.verify(&signed(&critical, &claims(), &k.private_key), crate::clock::an_instant()).is_none(), "crit");
    }

    #[test]
    fn hs256_none_and_unknown_kid_are_refused() {
        let k = generate_key_pair();
        let t = signer(&[&k]);
        // HMAC keyed with what a verifier holds in the open: the public key.
        for secret in [k.public_key.as_bytes().to_vec(), key_bytes(&k.public_key, "public").unwrap().to_vec()] {
            let mut h = Header::new(Algorithm::HS256);
            h.typ = Some(TOKEN_TYPE.into());
            h.kid = Some(k.kid.clone());
            let hs256 = encode(&h, &claims(), &EncodingKey::from_secret(&secret)).unwrap();
            assert!(t.verify(&hs256, crate::clock::an_instant()).is_none(), "HS256");
        }

        let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap());
        for header in [
            format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#, k.kid),
            r#"{"alg":"none","typ":"JWT"}"#.to_string(),
        ] {
            let unsigned = format!("{}.{payload}.", URL_SAFE_NO_PAD.encode(&header));
            assert!(t.verify(&unsigned, crate::clock::an_instant()).is_none(), "alg none: {header}");
        }

        let mut unknown = eddsa_header(TOKEN_TYPE, &k.private_key);
        unknown.kid = Some("AAAAAAAAAAAA".into());
        assert!(
            t.verify(&signed(&unknown, &claims(), &k.private_key), crate::clock::an_instant()).is_none(),
            "unknown kid"
        );
        unknown.kid = None;
        assert!(t.verify(&signed(&unknown, &claims(), &k.private_key), crate::clock::an_instant()).is_none(), "no kid");
    }

    #[test]
    fn rolled_keys_still_verify_old_tokens() {
        let (old, new) = (generate_key_pair(), generate_key_pair());
        let (jwt, _) = signer(&[&old]).issue("shop", "c1", "s1", 0, crate::clock::an_instant()).unwrap();
        let rolled = signer(&[&new, &old]);
        assert!(rolled.verify(&jwt, crate::clock::an_instant()).is_some(), "old key listed second");
        let (fresh, _) = rolled.issue("shop", "c1", "s1", 0, crate::clock::an_instant()).unwrap();
        assert_eq!(decode_header(&fresh).unwrap().kid, Some(new.kid.clone()), "the first key signs");
        let publics = [new.public_key.clone(), old.public_key.clone()];
        let verifier = AccessTokens::verifier(&publics, "iss", "aud", Duration::minutes(15)).unwrap();
        assert!(
            verifier.verify(&jwt, crate::clock::an_instant()).is_some()
                && verifier.verify(&fresh, crate::clock::an_instant()).is_some()
        );
        assert!(signer(&[&new]).verify(&jwt, crate::clock::an_instant()).is_none(), "old key dropped");
    }

    #[test]
    fn a_token_lives_until_its_expiry_and_the_leeway_by_the_clock_it_is_checked_with() {
        let t = signer(&[&generate_key_pair()]);
        let issued = crate::clock::an_instant();
        let (jwt, exp) = t.issue("shop", "c1", "s1", 0, issued).unwrap();
        assert_eq!(exp, issued + Duration::minutes(15));
        assert!(t.verify(&jwt, exp).is_some(), "at its expiry, within the leeway");
        assert!(t.verify(&jwt, exp + Duration::seconds(LEEWAY_SECONDS)).is_some(), "the leeway's last second");
        assert!(t.verify(&jwt, exp + Duration::seconds(LEEWAY_SECONDS + 1)).is_none(), "past the leeway");
        assert!(t.verify(&jwt, issued + Duration::days(365)).is_none(), "a year later");
    }
}
