//! Argon2id hashing (run off the async executor: it is deliberately slow) and
//! the password policy, whose strength check is zxcvbn.

use crate::domain::{ErrorCode, UserError};
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// What a password must satisfy; also served to clients as `passwordPolicy`.
#[derive(Debug, Clone)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    /// The least zxcvbn score (0-4) accepted.
    pub min_strength: u8,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self { min_length: 10, max_length: 128, min_strength: 3 }
    }
}

impl PasswordPolicy {
    /// Checks `password`; `user_inputs` (email, names) make passwords built
    /// from them count as weak.
    pub fn check(&self, password: &str, user_inputs: &[&str], field: &[&str]) -> Result<(), UserError> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(UserError::new(
                ErrorCode::TooShort,
                field,
                format!("Password must be at least {} characters.", self.min_length),
            ));
        }
        if len > self.max_length {
            return Err(UserError::new(
                ErrorCode::TooLong,
                field,
                format!("Password must be at most {} characters.", self.max_length),
            ));
        }
        let estimate = zxcvbn::zxcvbn(password, user_inputs);
        if (estimate.score() as u8) < self.min_strength {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()))
                .unwrap_or_else(|| "Add more words or characters that are hard to guess.".to_string());
            return Err(UserError::new(
                ErrorCode::PasswordTooWeak,
                field,
                format!("Password is too easy to guess. {hint}"),
            ));
        }
        Ok(())
    }
}

/// Argon2id with fixed parameters (OWASP: m=19 MiB, t=2, p=1 by default).
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    /// A hash of a random password, verified against when the account does
    /// not exist, so that unknown emails take as long as wrong passwords.
    dummy: Arc<OnceCell<String>>,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(Self { params, dummy: Arc::new(OnceCell::new()) })
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let argon = self.argon();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await?
    }

    /// True when `password` matches `phc`. A stored hash with other parameters
    /// still verifies (they are part of the PHC string).
    pub async fn verify(&self, password: &str, phc: &str) -> anyhow::Result<bool> {
        let argon = self.argon();
        let password = password.to_owned();
        let phc = phc.to_owned();
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash unreadable: {e}"))?;
            Ok(argon.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await?
    }

    /// Spends the time of one verification on nothing, for unknown accounts.
    pub async fn verify_dummy(&self, password: &str) -> anyhow::Result<()> {
        let dummy = self
            .dummy
            .get_or_try_init(|| async {
                let random = crate::auth::opaque::issue().secret;
                self.hash(&random).await
            })
            .await?;
        self.verify(password, dummy).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const F: &[&str] = &["password"];

    #[test]
    fn policy_codes() {
        let p = PasswordPolicy::default();
        assert_eq!(p.check("short", &[], F).unwrap_err().code, ErrorCode::TooShort);
        assert_eq!(p.check(&"x".repeat(129), &[], F).unwrap_err().code, ErrorCode::TooLong);
        assert_eq!(p.check("password123", &[], F).unwrap_err().code, ErrorCode::PasswordTooWeak);
        assert_eq!(p.check("qwertyuiop", &[], F).unwrap_err().code, ErrorCode::PasswordTooWeak);
        assert!(p.check("correct horse battery staple", &[], F).is_ok());
        // Built from the customer's own name: weak.
        assert_eq!(
            p.check("MargaretaWillson", &["margareta", "willson"], F).unwrap_err().code,
            ErrorCode::PasswordTooWeak
        );
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = PasswordHasher::new(8 * 1024, 1, 1).unwrap();
        let phc = h.hash("correct horse battery staple").await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(h.verify("correct horse battery staple", &phc).await.unwrap());
        assert!(!h.verify("wrong", &phc).await.unwrap());
        h.verify_dummy("anything").await.unwrap();
    }
}
