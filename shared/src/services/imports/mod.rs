//! Imports of customers (`admin`): a job is staged with an upload URL, run
//! once its file has arrived, and then worked off by the `imports` function
//! in tasks from a queue: one that reads the file through and cuts it into
//! chunks, then one per chunk that writes its rows. Counters live on the
//! job; a chunk checkpoints its progress with them, so that a retried
//! chunk goes on where the last one stopped and counts nothing twice.

mod jobs;
mod work;

pub use jobs::{cancel, errors, errors_url, get, list, run, stage, Staged};
pub use work::{perform, CHUNK_BYTES, CHUNK_ROWS};
