//! Erasure in two steps. The first is one write: the customer's profile and
//! unique values go, and an erasure record (a tombstone) takes their place,
//! so that from then on no read, login or identifier finds the customer.
//! The rest (orders, ledger, sessions, wishlists, tokens, the subscriptions
//! of its proven addresses) is removed by a job that the record starts and
//! that can run again after any failure until the record itself goes;
//! `customer.deleted` follows that last removal.

use super::customer::CustomerRecord;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Erasure {
    pub customer_id: String,
    /// The customer's last version (`customer.deleted` carries it).
    pub version: i64,
    /// The normalised addresses whose newsletter and back-in-stock
    /// subscriptions go too: every address the customer proved it holds.
    /// An address it never proved may be someone else's, whose
    /// subscriptions an account registered with it must not end.
    pub addresses: Vec<String>,
    pub started_at: DateTime<Utc>,
    /// How often the job was started again (a new round is a new stream
    /// record, and so a new run).
    #[serde(default)]
    pub round: u32,
}

impl Erasure {
    /// The erasure of `record`, starting at `now`.
    pub fn of(record: &CustomerRecord, now: DateTime<Utc>) -> Self {
        Erasure {
            customer_id: record.customer.id.clone(),
            version: record.customer.version,
            addresses: record.proven_addresses(),
            started_at: now,
            round: 0,
        }
    }
}

impl CustomerRecord {
    /// Every address the customer proved it holds (normalised, sorted):
    /// those it held verified before, and its email if verified now.
    pub fn proven_addresses(&self) -> Vec<String> {
        let mut all: Vec<String> = self.credentials.proven_emails.iter().cloned().collect();
        if self.customer.email_verified {
            all.push(self.customer.email.normalized());
        }
        all.sort();
        all.dedup();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Credentials, Customer, Email, TenantId};

    fn record(verified: bool, earlier: &[&str]) -> CustomerRecord {
        let email = Email::parse("Ann@Example.com", &[]).unwrap();
        let mut customer =
            Customer::new("c1".into(), TenantId::default_tenant(), "000001".into(), email, crate::clock::an_instant());
        customer.email_verified = verified;
        let credentials =
            Credentials { proven_emails: earlier.iter().map(|e| e.to_string()).collect(), ..Credentials::default() };
        CustomerRecord { customer, credentials }
    }

    #[test]
    fn an_erasure_covers_the_addresses_the_customer_proved_and_no_other() {
        let now = crate::clock::an_instant();
        assert_eq!(Erasure::of(&record(false, &[]), now).addresses, Vec::<String>::new(), "never proven");
        assert_eq!(Erasure::of(&record(true, &[]), now).addresses, ["ann@example.com"]);
        let moved = record(false, &["old@example.com", "ann@example.com"]);
        assert_eq!(Erasure::of(&moved, now).addresses, ["ann@example.com", "old@example.com"]);
    }
}
