//! Argon2id hashing (run off the async executor: it is deliberately slow) and
//! the password policy, whose strength check is zxcvbn.

use super::imported_hash::ImportedHash;
use crate::domain::{ErrorCode, UserError};
use argon2::password_hash::{Output, ParamsString, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use std::sync::{Arc, Mutex};

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

/// The bounds of the `ARGON2_*` settings; a stored Argon2 hash asking for
/// more is not read.
pub const ARGON2_MAX_MEMORY_KIB: u32 = 1024 * 1024;
pub const ARGON2_MAX_ITERATIONS: u32 = 20;
pub const ARGON2_MAX_PARALLELISM: u32 = 16;

/// Argon2id with fixed parameters (OWASP: m=19 MiB, t=2, p=1 by default).
///
/// Each hash needs `m` of working memory. Allocated per hash, that memory
/// ended up kept by glibc in a separate arena per blocking thread (about
/// 190 MB of peak RSS after a burst of logins, BENCHMARKS.md); here it is
/// allocated once and reused, one buffer per hash running at the same time.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    memory: Arc<Mutex<Vec<Vec<Block>>>>,
}

impl PasswordHasher {
    pub fn new(memory_kib: u32, iterations: u32, parallelism: u32) -> anyhow::Result<Self> {
        let params = Params::new(memory_kib, iterations, parallelism, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(Self { params, memory: Arc::default() })
    }

    /// Runs `argon` into `out` on a reused working-memory buffer, off the async executor.
    async fn run(
        &self,
        argon: Argon2<'static>,
        password: String,
        salt: Vec<u8>,
        out: usize,
    ) -> anyhow::Result<Vec<u8>> {
        let pool = self.memory.clone();
        tokio::task::spawn_blocking(move || {
            let blocks = argon.params().block_count();
            let mut memory =
                pool.lock().map_err(|_| anyhow::anyhow!("hash memory poisoned"))?.pop().unwrap_or_default();
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            let mut output = vec![0; out];
            let outcome =
                argon.hash_password_into_with_memory(password.as_bytes(), &salt, &mut output, &mut memory[..blocks]);
            if let Ok(mut pool) = pool.lock() {
                pool.push(memory);
            }
            outcome.map(|()| output).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
        })
        .await?
    }

    /// A PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let mut salt_bytes = [0; Salt::RECOMMENDED_LENGTH * 2];
        let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(|e| anyhow::anyhow!("salt: {e}"))?.to_vec();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let output = self.run(argon, password.to_owned(), raw_salt, Params::DEFAULT_OUTPUT_LEN).await?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(|e| anyhow::anyhow!("parameters: {e}"))?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&output).map_err(|e| anyhow::anyhow!("output: {e}"))?),
        };
        Ok(phc.to_string())
    }

    /// Whether `stored` is a hash of this hasher's own: Argon2id, version
    /// 0x13, the configured parameters. Any other (an imported hash, or
    /// ours under parameters since changed) is replaced on the next
    /// successful login.
    pub fn is_current(&self, stored: &str) -> bool {
        PasswordHash::new(stored).is_ok_and(|parsed| {
            parsed.algorithm == Algorithm::Argon2id.ident()
                && parsed.version == Some(Version::V0x13.into())
                && Params::try_from(&parsed).is_ok_and(|p| {
                    (p.m_cost(), p.t_cost(), p.p_cost())
                        == (self.params.m_cost(), self.params.t_cost(), self.params.p_cost())
                })
        })
    }

    /// True when `password` matches `stored`: a hash of ours, or one an
    /// import brought (`imported_hash`), checked as its system did.
    pub async fn verify(&self, password: &str, stored: &str) -> anyhow::Result<bool> {
        if !self.is_current(stored) {
            let imported = match ImportedHash::read(stored) {
                Ok(imported) => imported,
                // A hash nothing reads (a bug, a hand edit): logged, and the
                // answer and its time are a wrong password's.
                Err(e) => {
                    tracing::error!(error = %e, "a stored password hash cannot be read");
                    self.verify_dummy(password).await?;
                    return Ok(false);
                }
            };
            let owned = password.to_owned();
            // Never faster than an unknown address (which spends one Argon2
            // hash): an old format's quick check (phpass, a SHA-256) would
            // otherwise tell that the account exists.
            let (right, floor) =
                tokio::join!(tokio::task::spawn_blocking(move || imported.verify(&owned)), self.verify_dummy(password));
            floor?;
            return Ok(right?);
        }
        fn unreadable(e: impl std::fmt::Display) -> anyhow::Error {
            anyhow::anyhow!("stored hash unreadable: {e}")
        }
        // Current: Argon2id, version 0x13 and this hasher's parameters.
        let parsed = PasswordHash::new(stored).map_err(unreadable)?;
        let expected = parsed.hash.ok_or_else(|| anyhow::anyhow!("stored hash has no output"))?;
        let mut salt_bytes = [0; Salt::MAX_LENGTH];
        let salt = parsed.salt.ok_or_else(|| anyhow::anyhow!("stored hash has no salt"))?;
        let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(unreadable)?.to_vec();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        let output = self.run(argon, password.to_owned(), raw_salt, expected.len()).await?;
        // Output's equality is constant-time.
        Ok(Output::new(&output).map_err(unreadable)? == expected)
    }

    /// Spends the time of one verification on nothing, for unknown accounts:
    /// one hash with the configured parameters and a random salt, so that an
    /// unknown email takes as long as a wrong password (even the first time).
    pub async fn verify_dummy(&self, password: &str) -> anyhow::Result<()> {
        let salt = rand::random::<[u8; 16]>().to_vec();
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone());
        self.run(argon, password.to_owned(), salt, Params::DEFAULT_OUTPUT_LEN).await.map(|_| ())
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

    #[tokio::test]
    async fn hashes_are_standard_phc_strings_both_ways() {
        use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};
        let h = PasswordHasher::new(8 * 1024, 2, 1).unwrap();
        // Ours, checked by the argon2 crate's own verifier (the memory reused by a second hash).
        h.hash("warm the memory up").await.unwrap();
        let ours = h.hash("correct horse battery staple").await.unwrap();
        let standard = Argon2::default();
        assert!(standard.verify_password(b"correct horse battery staple", &PasswordHash::new(&ours).unwrap()).is_ok());
        // The crate's, with other parameters, checked by ours.
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(4 * 1024, 3, 1, None).unwrap())
            .hash_password(b"another password", &salt)
            .unwrap()
            .to_string();
        assert!(h.verify("another password", &theirs).await.unwrap());
        assert!(!h.verify("not it", &theirs).await.unwrap());
        assert!(!h.verify("x", "not a hash").await.unwrap(), "unreadable: a wrong password");
    }
}
