//! Opaque tokens (refresh, password reset, email confirmation): 256 random
//! bits, handed to the client once, stored only as their SHA-256. A database
//! leak therefore yields no usable token; SHA-256 suffices (no slow hash)
//! because the input has full entropy.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A fresh token and the hash under which it is stored.
pub struct IssuedToken {
    pub secret: String,
    pub hash: String,
}

pub fn issue() -> IssuedToken {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash(&secret);
    IssuedToken { secret, hash }
}

/// The stored form of a token a client presents.
pub fn hash(secret: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(secret.as_bytes()))
}

/// A plausible token: right length and alphabet. Anything else is refused
/// before it costs a database read.
pub fn looks_valid(secret: &str) -> bool {
    secret.len() == 43 && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hash_stably() {
        let a = issue();
        let b = issue();
        assert_ne!(a.secret, b.secret);
        assert_eq!(hash(&a.secret), a.hash);
        assert_ne!(a.hash, a.secret);
        assert!(looks_valid(&a.secret));
        assert!(!looks_valid("short"));
        assert!(!looks_valid(&format!("{}!", &a.secret[..42])));
    }
}
