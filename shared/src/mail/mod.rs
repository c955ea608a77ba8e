//! Outgoing mail: a `Mailer` port, its SES adapter, and the templates.

pub mod outbox;
pub mod ses;
pub mod templates;

use async_trait::async_trait;

pub use ses::SesMailer;
pub use templates::render;

/// A rendered mail, ready to send.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Extra headers (e.g. `List-Unsubscribe`).
    pub headers: Vec<(String, String)>,
    /// Where answers go instead of the sender (`Reply-To`): the visitor of
    /// a contact request.
    pub reply_to: Option<String>,
    /// The tenant the mail is sent for: SES tags the mail with it
    /// (`TENANT_TAG`), and its bounces and complaints come back with it.
    pub tenant: Option<String>,
}

/// The SES message tag naming a mail's tenant.
pub const TENANT_TAG: &str = "tenant";

/// Why a mail was not sent: whether sending it again can succeed.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// Refused for good (its content, sender or recipient, the sending
    /// account): sending the same mail again fails the same way. The reason
    /// is the provider's, kept for an operator.
    #[error("mail rejected: {0}")]
    Rejected(String),
    /// Failed for now (throttling, network, timeouts, the provider's own
    /// errors): worth another attempt later.
    #[error("mail not sent for now: {0:#}")]
    Transient(anyhow::Error),
}

#[async_trait]
pub trait Mailer: Send + Sync {
    async fn send(&self, from: &str, mail: &Mail) -> Result<(), MailError>;
}
