//! One-time tokens and the changes they authorise, each using the token up
//! in the same transaction as its change.

use super::attempts::attempts_key;
use super::items::{profile_key, proven, session_item, token_item, token_key};
use super::{n, s, sdk, time, values, DynamoStore, Transaction, EXISTS};
use crate::domain::OutboxMail;
use crate::domain::{Email, OneTimeToken, TenantId};
use crate::store::{keys, PasswordReset, TokenStore, UniqueKey, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

impl DynamoStore {
    /// The customer a token acts on: a token that changes a customer names one.
    fn owner(token: &OneTimeToken) -> anyhow::Result<&str> {
        token.customer_id.as_deref().context("a customer's token names no customer")
    }

    /// Uses up a token: the transaction fails if it is gone already.
    pub(super) fn spend(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
    ) -> anyhow::Result<aws_sdk_dynamodb::types::TransactWriteItem> {
        self.delete(token_key(tenant, &token.hash), Some(EXISTS))
    }
}

#[async_trait]
impl TokenStore for DynamoStore {
    async fn put_token(&self, tenant: &TenantId, token: &OneTimeToken, mails: &[OutboxMail]) -> anyhow::Result<()> {
        if mails.is_empty() {
            self.client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(token_item(tenant, token)?))
                .send()
                .await
                .map_err(sdk("put token"))?;
            return Ok(());
        }
        let mut items = vec![self.put(token_item(tenant, token)?, None)?];
        items.extend(self.mail_puts(mails)?);
        self.transact(items).await.map_err(|e| e.unexpected("put token with its mail"))
    }

    async fn put_token_within(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        mails: &[OutboxMail],
        budgets: &[crate::store::Quota],
    ) -> anyhow::Result<bool> {
        let mut items = vec![self.put(token_item(tenant, token)?, None)?];
        items.extend(self.mail_puts(mails)?);
        for budget in budgets {
            items.push(self.quota_take(budget)?);
        }
        match self.transact_conditional(items, "put token within budgets").await {
            Ok(()) => Ok(true),
            // The token's hash is new: only a budget's condition can fail.
            Err(WriteError::Conflict) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    async fn get_token(&self, tenant: &TenantId, hash: &str) -> anyhow::Result<Option<OneTimeToken>> {
        let item = self.get_item(token_key(tenant, hash)).await?;
        item.map(|i| serde_dynamo::from_item(i).context("token")).transpose()
    }

    async fn confirm_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        now: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let items = vec![
            self.spend(tenant, token)?,
            self.update(
                profile_key(tenant, Self::owner(token)?),
                "SET emailVerified = :true, version = version + :one, updatedAt = :now ADD provenEmails :proven",
                "attribute_exists(pk) AND emailKey = :ek",
                values([
                    (":true", AttributeValue::Bool(true)),
                    (":one", n(1)),
                    (":now", time(now)?),
                    (":ek", s(&token.email_key)),
                    (":proven", proven(&token.email_key)),
                ]),
            )?,
        ];
        self.transact_conditional(items, "confirm email").await
    }

    async fn reset_password(&self, tenant: &TenantId, reset: PasswordReset<'_>) -> Result<(), WriteError> {
        let token = reset.token;
        let mut items = vec![
            self.spend(tenant, token)?,
            self.update(
                profile_key(tenant, Self::owner(token)?),
                "SET passwordHash = :hash, tokenVersion = tokenVersion + :one, emailVerified = :true, \
                 version = version + :one, updatedAt = :now REMOVE pendingEmailChange ADD provenEmails :proven",
                "attribute_exists(pk) AND emailKey = :ek AND tokenVersion = :tv",
                values([
                    (":hash", s(reset.password_hash)),
                    (":true", AttributeValue::Bool(true)),
                    (":one", n(1)),
                    (":now", time(reset.now)?),
                    (":ek", s(&token.email_key)),
                    (":tv", n(token.token_version)),
                    (":proven", proven(&token.email_key)),
                ]),
            )?,
        ];
        items.push(self.delete(attempts_key(tenant, reset.attempts_address), None)?);
        if let Some(session) = reset.session {
            items.push(self.put(session_item(tenant, session)?, None)?);
        }
        items.extend(self.mail_puts(reset.mails)?);
        self.transact_conditional(items, "reset password").await
    }

    async fn start_email_change(
        &self,
        tenant: &TenantId,
        change: &OneTimeToken,
        cancel: &OneTimeToken,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError> {
        let mut items = vec![
            self.put(token_item(tenant, change)?, None)?,
            self.put(token_item(tenant, cancel)?, None)?,
            self.update(
                profile_key(tenant, Self::owner(change)?),
                "SET pendingEmailChange = :pending",
                "attribute_exists(pk) AND tokenVersion = :tv",
                values([(":pending", s(&change.hash)), (":tv", n(change.token_version))]),
            )?,
        ];
        items.extend(self.mail_puts(mails)?);
        self.transact_conditional(items, "start email change").await
    }

    async fn cancel_email_change(&self, tenant: &TenantId, cancel: &OneTimeToken) -> Result<(), WriteError> {
        let change = cancel.cancels.as_deref().context("a cancel token names the change it cancels")?;
        let items = vec![
            self.spend(tenant, cancel)?,
            self.update(
                profile_key(tenant, Self::owner(cancel)?),
                "REMOVE pendingEmailChange",
                "attribute_exists(pk) AND pendingEmailChange = :pending",
                values([(":pending", s(change))]),
            )?,
            self.delete(token_key(tenant, change), None)?,
        ];
        self.transact_conditional(items, "cancel email change").await
    }

    async fn change_email(
        &self,
        tenant: &TenantId,
        token: &OneTimeToken,
        new_email: &Email,
        old_proven: bool,
        now: DateTime<Utc>,
        mails: &[OutboxMail],
    ) -> Result<(), WriteError> {
        // The new address is proven by the link; the old one stays proven
        // if it was (an erasure covers both).
        let mut proven_keys = vec![new_email.normalized()];
        if old_proven {
            proven_keys.push(token.email_key.clone());
        }
        let mut tx = Transaction::default();
        tx.push(self.spend(tenant, token)?);
        let customer_id = Self::owner(token)?;
        tx.release(self, keys::email_guard(tenant, &token.email_key), customer_id, false)?;
        tx.claim(self, UniqueKey::Email, keys::email_guard(tenant, &new_email.normalized()), customer_id)?;
        tx.push(self.update(
            profile_key(tenant, Self::owner(token)?),
            "SET email = :email, emailKey = :ek, emailVerified = :true, version = version + :one, updatedAt = :now \
             REMOVE pendingEmailChange ADD provenEmails :proven",
            "attribute_exists(pk) AND emailKey = :old AND pendingEmailChange = :pending AND tokenVersion = :tv",
            values([
                (":email", s(new_email.as_str())),
                (":ek", s(new_email.normalized())),
                (":proven", AttributeValue::Ss(proven_keys)),
                (":old", s(&token.email_key)),
                (":true", AttributeValue::Bool(true)),
                (":one", n(1)),
                (":now", time(now)?),
                (":pending", s(&token.hash)),
                (":tv", n(token.token_version)),
            ]),
        )?);
        for put in self.mail_puts(mails)? {
            tx.push(put);
        }
        self.commit(tx, "email change").await
    }
}
