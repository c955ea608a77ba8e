//! Outgoing mail: a `Mailer` port, its SES adapter, and the templates.

pub mod ses;
pub mod templates;

use async_trait::async_trait;

pub use ses::SesMailer;
pub use templates::{render, Template};

/// A rendered mail, ready to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (e.g. `List-Unsubscribe`).
    pub headers: Vec<(String, String)>,
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, from: &str, mail: &Mail) -> anyhow::Result<()>;
}
