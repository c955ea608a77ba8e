//! Credentials: password hashing and policy, JWT access tokens, and the opaque
//! one-time / refresh tokens that are stored only as hashes.

pub mod access_token;
pub mod imported_hash;
pub mod opaque;
pub mod password;

pub use access_token::{AccessClaims, AccessTokens, TokenRole};
pub use imported_hash::{HashAlgorithm, ImportedHash};
pub use password::{PasswordHasher, PasswordPolicy};
