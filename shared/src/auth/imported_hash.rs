//! Password hashes brought from another shop system (an import's
//! `passwordHash`): read once when the row is imported, kept as written, and
//! verified on login exactly as the system that wrote them did, until the
//! first successful login replaces them with the service's own Argon2id.
//!
//! The formats, as their original implementations compute them:
//!
//! - `BCRYPT`: `$2a$`, `$2b$`, `$2y$` (one algorithm; the first 72 bytes of
//!   the password count, as in PHP).
//! - `ARGON2`: a PHC string (`$argon2id$`, `$argon2i$`, `$argon2d$`, also
//!   Django's `argon2$argon2id$…`); no `v=` means version 0x10, as in the
//!   reference implementation.
//! - `PBKDF2_SHA256`: Django's `pbkdf2_sha256$<iterations>$<salt>$<base64>`:
//!   PBKDF2-HMAC-SHA256 of the password with the salt's UTF-8 bytes.
//! - `PHPASS`: WordPress and WooCommerce. The portable `$P$` / `$H$` (MD5 of
//!   salt and password, then 2^n times MD5 of the digest and the password),
//!   and WordPress 6.8's `$wp$2y$…` (bcrypt over the base64 of an
//!   HMAC-SHA384 of the password keyed `wp-sha384`).
//! - `MAGENTO2`: `<hex>:<salt>:<versions>`: version 0 is MD5 and 1 SHA-256 of
//!   salt and password, in hex; 2 and `3_<length>_<ops>_<memory>` are
//!   libsodium's Argon2id13 (p = 1, the salt cut or repeated to 16 bytes);
//!   a chain such as `1:2` (Magento's hash upgrade) applies each step to the
//!   previous step's hex output.
//!
//! Every format's cost is bounded when it is read: a file cannot plant a
//! hash whose check would hold a login for minutes.

use super::password::{ARGON2_MAX_ITERATIONS, ARGON2_MAX_MEMORY_KIB, ARGON2_MAX_PARALLELISM};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use md5::{Digest as _, Md5};
use sha2::{Sha256, Sha384};
use subtle::ConstantTimeEq;

/// The algorithms an import names (`passwordHash.algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HashAlgorithm {
    Bcrypt,
    Argon2,
    Pbkdf2Sha256,
    Phpass,
    Magento2,
}

/// The most work a hash may ask for, per format: a few times what each
/// system writes by default, so that no hash holds a login for long.
pub const BCRYPT_MAX_COST: u32 = 14;
pub const PBKDF2_MAX_ITERATIONS: u32 = 2_000_000;
/// phpass counts in powers of two (WordPress writes 2^13, phpBB 2^11).
pub const PHPASS_MAX_LOG2: u32 = 16;
/// An imported Argon2 hash's memory times passes, in KiB (PHP's default is
/// 64 MiB × 4, Django's 100 MiB × 2, Magento's 64 MiB × 2). A stored
/// hash is read within the service's own bounds (`ARGON2_*` settings: its
/// hashes under earlier settings); an import is held to this.
pub const IMPORT_ARGON2_MAX_WORK_KIB: u64 = 512 * 1024;

/// Magento writes this prefix nowhere: it marks its `hash:salt:versions`
/// triple in storage, where every other format names itself.
const MAGENTO_PREFIX: &str = "$magento2$";
/// WordPress 6.8's bcrypt over a pre-hash.
const WORDPRESS_PREFIX: &str = "$wp";

/// A readable imported hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportedHash {
    Bcrypt(String),
    /// `$wp$2y$…`: the bcrypt string after `$wp`.
    WordPress(String),
    Argon2(Argon2Hash),
    Pbkdf2Sha256 {
        iterations: u32,
        salt: String,
        hash: Vec<u8>,
    },
    /// The whole 34-character string (its first 12 are the setting:
    /// prefix, count, salt).
    Phpass {
        hash: String,
        log2: u32,
    },
    Magento2 {
        hash: Vec<u8>,
        salt: String,
        steps: Vec<MagentoStep>,
    },
}

/// One step of a Magento chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MagentoStep {
    Md5,
    Sha256,
    /// libsodium's Argon2id13: output bytes, passes, memory in bytes.
    Argon2id {
        length: usize,
        ops: u32,
        memory: u32,
    },
}

/// Magento's version 2: libsodium's interactive limits, a 32-byte output.
const MAGENTO_ARGON_DEFAULT: MagentoStep = MagentoStep::Argon2id { length: 32, ops: 2, memory: 64 * 1024 * 1024 };

impl ImportedHash {
    /// Reads `value` as `algorithm` writes it, and answers the form the
    /// credentials keep. The error says what is wrong with it (for the
    /// row's error message; never the value itself).
    pub fn parse(algorithm: HashAlgorithm, value: &str) -> Result<String, String> {
        let value = value.trim();
        let stored = match algorithm {
            HashAlgorithm::Magento2 => format!("{MAGENTO_PREFIX}{value}"),
            // Django keeps its Argon2 hashes as `argon2` + a PHC string.
            HashAlgorithm::Argon2 => value.strip_prefix("argon2$").map_or(value.to_string(), |v| format!("${v}")),
            _ => value.to_string(),
        };
        let read = Self::read(&stored)?;
        let family = match read {
            Self::Bcrypt(_) => HashAlgorithm::Bcrypt,
            Self::WordPress(_) | Self::Phpass { .. } => HashAlgorithm::Phpass,
            Self::Argon2(_) => HashAlgorithm::Argon2,
            Self::Pbkdf2Sha256 { .. } => HashAlgorithm::Pbkdf2Sha256,
            Self::Magento2 { .. } => HashAlgorithm::Magento2,
        };
        // WordPress's own check accepts plain bcrypt too (its newest hashes
        // can be either form), so a PHPASS column may hold both.
        if family != algorithm && !(algorithm == HashAlgorithm::Phpass && family == HashAlgorithm::Bcrypt) {
            return Err(format!("This is not a {} hash.", algorithm_name(algorithm)));
        }
        read.within_import_bounds()?;
        Ok(stored)
    }

    /// An import's hash asks for at most `IMPORT_ARGON2_MAX_WORK_KIB` of
    /// Argon2 work, and a Magento chain holds one Argon2 step at most.
    fn within_import_bounds(&self) -> Result<(), String> {
        let too_much = || {
            format!("The Argon2 parameters ask for too much work (memory times passes at most {IMPORT_ARGON2_MAX_WORK_KIB} KiB).")
        };
        match self {
            Self::Argon2(argon) => {
                let work = u64::from(argon.params.m_cost()) * u64::from(argon.params.t_cost());
                if work > IMPORT_ARGON2_MAX_WORK_KIB {
                    return Err(too_much());
                }
            }
            Self::Magento2 { steps, .. } => {
                let argon: Vec<u64> = steps
                    .iter()
                    .filter_map(|s| match s {
                        MagentoStep::Argon2id { ops, memory, .. } => Some(u64::from(*ops) * u64::from(*memory / 1024)),
                        _ => None,
                    })
                    .collect();
                if argon.len() > 1 {
                    return Err("A Magento hash chain holds one Argon2 step at most.".into());
                }
                if argon.iter().any(|&work| work > IMPORT_ARGON2_MAX_WORK_KIB) {
                    return Err(too_much());
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Reads a stored hash: its shape, and a work within the bounds of
    /// the service's own settings (`parse` holds an import to less).
    pub fn read(stored: &str) -> Result<Self, String> {
        if let Some(magento) = stored.strip_prefix(MAGENTO_PREFIX) {
            return read_magento(magento);
        }
        if let Some(bcrypt) = stored.strip_prefix(WORDPRESS_PREFIX).filter(|b| b.starts_with("$2")) {
            read_bcrypt(bcrypt)?;
            return Ok(Self::WordPress(bcrypt.to_string()));
        }
        if stored.starts_with("$2") {
            read_bcrypt(stored)?;
            return Ok(Self::Bcrypt(stored.to_string()));
        }
        if stored.starts_with("$argon2") {
            return read_argon2(stored).map(Self::Argon2);
        }
        if stored.starts_with("$P$") || stored.starts_with("$H$") {
            return read_phpass(stored);
        }
        if let Some(django) = stored.strip_prefix("pbkdf2_sha256$") {
            return read_pbkdf2(django);
        }
        Err("The hash is in no format this service reads.".into())
    }

    /// Whether `password` is the one hashed. CPU-bound (by design): run it
    /// off the async executor.
    pub fn verify(&self, password: &str) -> bool {
        match self {
            Self::Bcrypt(hash) => bcrypt::verify(password, hash).unwrap_or(false),
            Self::WordPress(hash) => wordpress_candidates(password).any(|password| {
                use hmac::Mac as _;
                let Ok(mut mac) = hmac::Hmac::<Sha384>::new_from_slice(b"wp-sha384") else { return false };
                mac.update(password.as_bytes());
                let pre = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
                bcrypt::verify(pre, hash).unwrap_or(false)
            }),
            Self::Argon2(argon) => argon.verify(password),
            Self::Pbkdf2Sha256 { iterations, salt, hash } => {
                let mut out = vec![0; hash.len()];
                pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), salt.as_bytes(), *iterations, &mut out);
                out.ct_eq(hash).into()
            }
            Self::Phpass { hash, log2 } => {
                // phpass refuses passwords over 4,096 bytes.
                let check = |password: &str| -> bool {
                    password.len() <= 4096
                        && phpass(password, &hash[..12], *log2).as_bytes().ct_eq(hash.as_bytes()).into()
                };
                // `$P$` is WordPress's; `$H$` phpBB's, which takes the password as typed.
                match hash.starts_with("$P$") {
                    true => wordpress_candidates(password).any(check),
                    false => check(password),
                }
            }
            Self::Magento2 { hash, salt, steps } => {
                let mut recreated = password.to_string();
                for step in steps {
                    match magento_step(*step, salt, &recreated) {
                        Some(next) => recreated = next,
                        None => return false,
                    }
                }
                hex::decode(recreated).is_ok_and(|bytes| bool::from(bytes.ct_eq(hash)))
            }
        }
    }
}

/// The passwords WordPress may have hashed for what is typed now: its
/// login trims the password (PHP's `trim`) before checking it, and hashed
/// the trimmed one; the password as typed comes first.
fn wordpress_candidates(password: &str) -> impl Iterator<Item = &str> {
    let trimmed = password.trim_matches([' ', '\t', '\n', '\r', '\0', '\x0B']);
    std::iter::once(password).chain((trimmed != password).then_some(trimmed))
}

fn algorithm_name(algorithm: HashAlgorithm) -> &'static str {
    match algorithm {
        HashAlgorithm::Bcrypt => "BCRYPT",
        HashAlgorithm::Argon2 => "ARGON2",
        HashAlgorithm::Pbkdf2Sha256 => "PBKDF2_SHA256",
        HashAlgorithm::Phpass => "PHPASS",
        HashAlgorithm::Magento2 => "MAGENTO2",
    }
}

/// `$2a$`, `$2b$`, `$2y$`, a cost within the bound, 53 characters of salt and hash.
fn read_bcrypt(hash: &str) -> Result<(), String> {
    const ALPHABET: &str = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let parts: Vec<&str> = hash.split('$').collect();
    let [_, version, cost, rest] = parts[..] else { return Err("A bcrypt hash is $2b$<cost>$<53 characters>.".into()) };
    if !matches!(version, "2a" | "2b" | "2y") {
        return Err("A bcrypt hash starts $2a$, $2b$ or $2y$.".into());
    }
    if cost.len() != 2 {
        return Err("The bcrypt cost has two digits.".into());
    }
    let cost: u32 = cost.parse().map_err(|_| "The bcrypt cost is not a number.".to_string())?;
    if !(4..=BCRYPT_MAX_COST).contains(&cost) {
        return Err(format!("The bcrypt cost must be between 4 and {BCRYPT_MAX_COST}."));
    }
    if rest.len() != 53 || !rest.chars().all(|c| ALPHABET.contains(c)) {
        return Err("A bcrypt hash has 53 characters of salt and hash.".into());
    }
    Ok(())
}

/// An Argon2 PHC string, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argon2Hash {
    algorithm: Algorithm,
    version: Version,
    params: Params,
    salt: Vec<u8>,
    expected: Vec<u8>,
}

impl Argon2Hash {
    /// Checked with a working memory of its own (an imported hash's memory
    /// is not the service's, so it is not pooled).
    fn verify(&self, password: &str) -> bool {
        let mut out = vec![0; self.expected.len()];
        Argon2::new(self.algorithm, self.version, self.params.clone())
            .hash_password_into(password.as_bytes(), &self.salt, &mut out)
            .is_ok()
            && bool::from(out.ct_eq(&self.expected))
    }
}

/// Reads an Argon2 PHC string, within the bounds.
fn read_argon2(phc: &str) -> Result<Argon2Hash, String> {
    let unreadable = |e: argon2::password_hash::Error| format!("The Argon2 hash is not a valid PHC string ({e}).");
    let parsed = argon2::password_hash::PasswordHash::new(phc).map_err(unreadable)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(unreadable)?;
    // The reference implementation reads a missing version as 0x10.
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| format!("Unknown Argon2 version ({e})."))?,
        None => Version::V0x10,
    };
    let params = Params::try_from(&parsed).map_err(unreadable)?;
    if params.m_cost() > ARGON2_MAX_MEMORY_KIB
        || params.t_cost() > ARGON2_MAX_ITERATIONS
        || params.p_cost() > ARGON2_MAX_PARALLELISM
    {
        return Err(format!(
            "The Argon2 parameters ask for too much work (at most m={ARGON2_MAX_MEMORY_KIB}, t={ARGON2_MAX_ITERATIONS}, p={ARGON2_MAX_PARALLELISM})."
        ));
    }
    if !params.keyid().is_empty() || !params.data().is_empty() {
        return Err("Argon2 hashes with a key id or associated data cannot be checked here.".into());
    }
    let mut buf = [0; 64];
    let salt = parsed.salt.ok_or("The Argon2 hash has no salt.")?;
    let salt = salt.decode_b64(&mut buf).map_err(unreadable)?.to_vec();
    let hash = parsed.hash.ok_or("The Argon2 hash has no output.")?.as_bytes().to_vec();
    Ok(Argon2Hash { algorithm, version, params, salt, expected: hash })
}

/// Django's `<iterations>$<salt>$<base64>` (after `pbkdf2_sha256$`).
fn read_pbkdf2(django: &str) -> Result<ImportedHash, String> {
    let shape = || "A Django hash is pbkdf2_sha256$<iterations>$<salt>$<base64 hash>.".to_string();
    let mut parts = django.splitn(3, '$');
    let (Some(iterations), Some(salt), Some(hash)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(shape());
    };
    let iterations: u32 = iterations.parse().map_err(|_| shape())?;
    if !(1..=PBKDF2_MAX_ITERATIONS).contains(&iterations) {
        return Err(format!("The PBKDF2 iterations must be between 1 and {PBKDF2_MAX_ITERATIONS}."));
    }
    let hash = base64::engine::general_purpose::STANDARD.decode(hash).map_err(|_| shape())?;
    if salt.is_empty() || hash.len() != 32 {
        return Err(shape());
    }
    Ok(ImportedHash::Pbkdf2Sha256 { iterations, salt: salt.to_string(), hash })
}

/// phpass's alphabet (its own order: not bcrypt's, not base64's).
const ITOA64: &[u8; 64] = b"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// `$P$` or `$H$`, a count character, 8 of salt, 22 of hash.
fn read_phpass(stored: &str) -> Result<ImportedHash, String> {
    let shape = || "A phpass hash is $P$ (or $H$), a count, 8 characters of salt and 22 of hash.".to_string();
    if stored.len() != 34 || !stored.bytes().skip(3).all(|b| ITOA64.contains(&b)) {
        return Err(shape());
    }
    let log2 = ITOA64.iter().position(|&c| c == stored.as_bytes()[3]).ok_or_else(shape)? as u32;
    if !(7..=PHPASS_MAX_LOG2).contains(&log2) {
        return Err(format!("The phpass count must be between 2^7 and 2^{PHPASS_MAX_LOG2}."));
    }
    Ok(ImportedHash::Phpass { hash: stored.to_string(), log2 })
}

/// phpass's `crypt_private`: the whole 34-character string it would store.
fn phpass(password: &str, setting: &str, log2: u32) -> String {
    let salt = &setting.as_bytes()[4..12];
    let mut hash = Md5::new().chain_update(salt).chain_update(password).finalize();
    for _ in 0..(1u64 << log2) {
        hash = Md5::new().chain_update(hash).chain_update(password).finalize();
    }
    let mut out = setting.to_string();
    out.push_str(&phpass_encode(&hash));
    out
}

/// phpass's `encode64`: little-endian groups of three bytes, six bits a character.
fn phpass_encode(input: &[u8]) -> String {
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let value = chunk.iter().enumerate().fold(0u32, |v, (i, &b)| v | (u32::from(b) << (8 * i)));
        for i in 0..=chunk.len() {
            out.push(char::from(ITOA64[((value >> (6 * i)) & 0x3f) as usize]));
        }
    }
    out
}

/// Magento's `<hex>:<salt>:<version>[:<version>…]`.
fn read_magento(value: &str) -> Result<ImportedHash, String> {
    let shape = || "A Magento 2 hash is <hex hash>:<salt>:<version>.".to_string();
    let mut parts = value.splitn(3, ':');
    let (Some(hash), Some(salt), Some(versions)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(shape());
    };
    let hash = hex::decode(hash).map_err(|_| shape())?;
    if hash.is_empty() {
        return Err(shape());
    }
    let steps = versions.split(':').map(magento_version).collect::<Result<Vec<_>, _>>()?;
    let expected_length = match steps.last() {
        Some(MagentoStep::Md5) => 16,
        Some(MagentoStep::Sha256) => 32,
        Some(MagentoStep::Argon2id { length, .. }) => *length,
        None => return Err(shape()),
    };
    if hash.len() != expected_length || steps.len() > 4 {
        return Err(shape());
    }
    Ok(ImportedHash::Magento2 { hash, salt: salt.to_string(), steps })
}

/// One version of a Magento chain: `0`, `1`, `2` or `3_<length>_<ops>_<memory>`.
fn magento_version(version: &str) -> Result<MagentoStep, String> {
    let unknown = || format!("Unknown Magento hash version {version:?}.");
    match version {
        "0" => Ok(MagentoStep::Md5),
        "1" => Ok(MagentoStep::Sha256),
        "2" => Ok(MAGENTO_ARGON_DEFAULT),
        _ => {
            let fields: Vec<&str> = version.split('_').collect();
            let ["3", length, ops, memory] = fields[..] else { return Err(unknown()) };
            let number = |s: &str| s.parse::<u32>().map_err(|_| unknown());
            let (length, ops, memory) = (number(length)?, number(ops)?, number(memory)?);
            if !(16..=64).contains(&length)
                || !(1..=ARGON2_MAX_ITERATIONS).contains(&ops)
                || !(8 * 1024..=u64::from(ARGON2_MAX_MEMORY_KIB) * 1024).contains(&u64::from(memory))
            {
                return Err(format!("The Magento Argon2 parameters {version:?} are out of bounds."));
            }
            Ok(MagentoStep::Argon2id { length: length as usize, ops, memory })
        }
    }
}

/// One step of Magento's `isValidHash`: the hex output for `input`.
fn magento_step(step: MagentoStep, salt: &str, input: &str) -> Option<String> {
    match step {
        MagentoStep::Md5 => Some(hex::encode(Md5::new().chain_update(salt).chain_update(input).finalize())),
        MagentoStep::Sha256 => Some(hex::encode(Sha256::new().chain_update(salt).chain_update(input).finalize())),
        MagentoStep::Argon2id { length, ops, memory } => {
            // `getArgonHash`: the salt repeated or cut to libsodium's 16 bytes.
            let salt: Vec<u8> = salt.bytes().cycle().take(16).collect();
            if salt.len() < 16 {
                return None;
            }
            let params = Params::new(memory / 1024, ops, 1, Some(length)).ok()?;
            let mut out = vec![0; length];
            Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
                .hash_password_into(input.as_bytes(), &salt, &mut out)
                .ok()?;
            Some(hex::encode(out))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::HashAlgorithm::*;
    use super::*;

    /// Reads `value` as `algorithm` (as an import does) and checks it.
    fn check(algorithm: HashAlgorithm, value: &str, password: &str) -> bool {
        let stored = ImportedHash::parse(algorithm, value).unwrap_or_else(|e| panic!("{value}: {e}"));
        ImportedHash::read(&stored).unwrap().verify(password)
    }

    // Vectors of the original implementations' own tests (named by each),
    // each with a wrong password beside it.

    #[test]
    fn bcrypt_of_php_openbsd_and_the_bcrypt_crate() {
        // php.net's password_verify example.
        assert!(check(Bcrypt, "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorf"));
        assert!(!check(Bcrypt, "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorF"));
        // Openwall's crypt_blowfish and OpenBSD's vectors.
        assert!(check(Bcrypt, "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
        assert!(check(Bcrypt, "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s.", ""));
        assert!(check(
            Bcrypt,
            "$2b$04$EGdrhbKUv8Oc9vGiXX0HQOxSg445d458Muh7DAHskb6QbtCvdxcie",
            "correctbatteryhorsestapler"
        ));
        // As in PHP, only the first 72 bytes count.
        let long = "x".repeat(100);
        assert!(check(Bcrypt, "$2a$05$......................YgIDy4hFBdVlc/6LHnD9mX488r9cLd2", &long));
    }

    #[test]
    fn argon2_of_the_reference_tests_in_every_variant_and_version() {
        let v16 = "$argon2i$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ";
        assert!(check(Argon2, v16, "password"));
        assert!(!check(Argon2, v16, "Password"));
        // Without `v=`: version 0x10, as the reference implementation reads it.
        assert!(check(
            Argon2,
            "$argon2i$m=65536,t=2,p=1$c29tZXNhbHQ$9sTbSlTio3Biev89thdrlKKiCaYsjjYVJxGAL3swxpQ",
            "password"
        ));
        assert!(check(
            Argon2,
            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "password"
        ));
        assert!(check(
            Argon2,
            "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$JcTui6RIBUtJ78gE5Hi52CO+H5vS6Z9R1uxAB6OhUB8",
            "password"
        ));
        // Django's prefix.
        assert!(check(
            Argon2,
            "argon2$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
            "password"
        ));
    }

    #[test]
    fn django_pbkdf2_of_djangos_tests() {
        let h = "pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=";
        assert!(check(Pbkdf2Sha256, h, "lètmein"));
        assert!(!check(Pbkdf2Sha256, h, "letmein"));
        assert!(check(
            Pbkdf2Sha256,
            "pbkdf2_sha256$30000$seasalt2$a75qzbogeVhNFeMqhdgyyoqGKpIzYUo651sq57RERew=",
            "lètmein"
        ));
    }

    #[test]
    fn phpass_of_openwall_passlib_and_wordpress() {
        // Openwall's phpass test.php.
        assert!(check(Phpass, "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345"));
        assert!(!check(Phpass, "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12346"));
        // passlib's: WordPress's count (B) and phpBB's $H$.
        assert!(check(Phpass, "$P$B12345678L6Lpt4BxNotVIMILOa9u81", "JohnRipper"));
        assert!(check(Phpass, "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", "test1"));
        assert!(check(Phpass, "$P$BVaXtDXwf/ceSVp8VpLKx8bS2Y4O5F/", "123456"));
        // WordPress 6.8: bcrypt of the HMAC-SHA384 pre-hash, so past 72 bytes
        // every byte counts.
        assert!(check(Phpass, "$wp$2y$10$abcdefghijklmnopqrstuumEoo.ju1cwQjKzeYRkDL5edk3VdeiFy", "password"));
        assert!(!check(Phpass, "$wp$2y$10$abcdefghijklmnopqrstuumEoo.ju1cwQjKzeYRkDL5edk3VdeiFy", "passwore"));
        let long = "a".repeat(100);
        let wp_long = "$wp$2y$10$abcdefghijklmnopqrstuu6oCzk0CnlULUiKMvCxvahQ/eX9HDs6W";
        assert!(check(Phpass, wp_long, &long));
        assert!(!check(Phpass, wp_long, &long[..72]));
        // WordPress trims what is typed at its login; phpBB does not.
        assert!(check(Phpass, "$P$B12345678L6Lpt4BxNotVIMILOa9u81", " JohnRipper\t"));
        assert!(check(Phpass, "$wp$2y$10$abcdefghijklmnopqrstuumEoo.ju1cwQjKzeYRkDL5edk3VdeiFy", "password "));
        assert!(!check(Phpass, "$H$9aaaaaSXBjgypwqm.JsMssPLiS8YQ00", " test1"));
        // WordPress's check takes plain bcrypt too.
        assert!(check(Phpass, "$2y$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a", "rasmuslerdorf"));
    }

    #[test]
    fn magento_of_magentos_encryptor_tests_with_chains() {
        let cases = [
            "67a1e09bb1f83f5007dc119c14d663aa:salt:0",
            "13601bda4ea78e55a07b98866d2be6be0744e3866f13c00c811cab608a28f322:salt:1",
            "c6aad9e058f6c4b06187c06d2b69bf506a786af030f81fb6d83778422a68205e:salt:1:2",
            "3b68ca4706cbae291455e4340478076c1e1618e742b6144cfcc3e50f648903e4:salt:0:1",
            "7640855aef9cb6ffd20229601d2904a2192e372b391db8230d7faf073b393e4c:salt:2",
            "ca7982945fa90444b78d586678ff1c223ce13f99a39ec9541eae8b63ada3816a:random_salt12345:2",
            // Version 3 names its parameters (the salt cut to 16 bytes).
            "ab5ebf8d273b085b6a60336198e0a5a2090fdc3e0606a678315c7274ab06e046:5PiKJRn28bBKoFMopMaaKuV47aJ6GzVg:3_32_2_67108864",
        ];
        for (i, value) in cases.iter().enumerate() {
            let password = if i == cases.len() - 1 { "Password@" } else { "password" };
            assert!(check(Magento2, value, password), "{value}");
            assert!(!check(Magento2, value, "passwort"), "{value}");
        }
    }

    #[test]
    fn what_cannot_be_read_or_costs_too_much_is_refused_with_a_reason() {
        let refused = |algorithm, value: &str| ImportedHash::parse(algorithm, value).unwrap_err();
        assert!(refused(Bcrypt, "$2y$31$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a").contains("cost"));
        assert!(refused(Bcrypt, "$2x$10$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a").contains("$2y$"));
        assert!(refused(Bcrypt, "$2y$10$short").contains("53"));
        assert!(refused(Pbkdf2Sha256, "pbkdf2_sha256$4000000000$salt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=")
            .contains("iterations"));
        assert!(refused(Pbkdf2Sha256, "pbkdf2_sha256$1000$salt$!!!").contains("Django"));
        assert!(refused(Phpass, "$P$Z12345678L6Lpt4BxNotVIMILOa9u81").contains("2^"), "2^37 rounds");
        assert!(refused(Phpass, "$P$B1234").contains("phpass"));
        assert!(refused(
            Argon2,
            "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"
        )
        .contains("too much"));
        assert!(refused(Magento2, "67a1e09bb1f83f5007dc119c14d663aa:salt:9").contains("version"));
        assert!(refused(Magento2, "67a1e09bb1f83f5007dc119c14d663aa:salt:3_32_2_4294967295").contains("bounds"));
        assert!(refused(Magento2, "67a1e09bb1f83f5007dc119c14d663aa:salt").contains("Magento"));
        assert!(refused(Magento2, "67a1e09b:salt:1").contains("Magento"), "a SHA-256 is 32 bytes");
        assert!(refused(Bcrypt, "$2y$4$.vGA1O9wmRjrwAVXD98HNOgsNpDczlqm3Jq7KnEd1rVAGv3Fykk1a").contains("two digits"));
        // One login's work is bounded, not only each step's: one Argon2 step
        // per Magento chain, and memory times passes within the import bound.
        let two_argon = "7640855aef9cb6ffd20229601d2904a2192e372b391db8230d7faf073b393e4c:salt:2:2";
        assert!(refused(Magento2, two_argon).contains("one Argon2 step"));
        let heavy = "7640855aef9cb6ffd20229601d2904a2192e372b391db8230d7faf073b393e4c:salt:3_32_10_268435456";
        assert!(refused(Magento2, heavy).contains("too much"));
        let heavy = "$argon2id$v=19$m=262144,t=4,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4";
        assert!(refused(Argon2, heavy).contains("too much"));
        // The service's own hashes under earlier settings are read within
        // the settings' bounds, not an import's.
        assert!(ImportedHash::read(heavy).is_ok());
        // A format named wrong.
        assert!(refused(Bcrypt, "pbkdf2_sha256$30000$seasalt$VrX+V8drCGo68wlvy6rfu8i1d1pfkdeXA4LJkRGJodY=")
            .contains("not a BCRYPT"));
        assert!(refused(Argon2, "anything").contains("no format"));
        // The service's own stored forms are read back.
        assert!(matches!(
            ImportedHash::read("$magento2$67a1e09bb1f83f5007dc119c14d663aa:salt:0"),
            Ok(ImportedHash::Magento2 { .. })
        ));
    }
}
