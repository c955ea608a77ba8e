//! Imports of customers from files: the formats a file may come in, and
//! how each record becomes a row as the schema names and types it.

pub mod files;
pub mod formats;
pub mod row;

pub use files::{ImportFiles, ImportTask};
pub use formats::{FileError, FileFormat, Header, Position, Record};
pub use row::{ImportRow, Newsletter};
