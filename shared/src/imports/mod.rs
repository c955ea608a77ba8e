//! Customers in files: the formats a file may come in, how each record
//! becomes a row as the schema names and types it, and how a customer
//! becomes a row of an export.

pub mod export_rows;
pub mod files;
pub mod formats;
pub mod row;

pub use files::{ExportTuning, ImportFiles, ImportTask};
pub use formats::{FileError, FileFormat, Header, Position, Record};
pub use row::{ImportRow, Newsletter};
