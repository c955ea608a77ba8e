//! Sessions and the password: logins, failures and locks, refresh rotation,
//! revocation through the customer's token version.

use super::items::{customer_from_item, profile_key, purge_at, session_item, session_key, sort_key};
use super::{n, s, sdk, time, values, DynamoStore, EXISTS, NOT_EXISTS};
use crate::domain::{Credentials, CustomerRecord, Session, TenantId, REMEMBERED_ROTATIONS};
use crate::store::{keys, table, PasswordChange, SessionStore, WriteError};
use anyhow::Context;
use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes};
use chrono::{DateTime, Utc};

#[async_trait]
impl SessionStore for DynamoStore {
    async fn get_customer_and_session(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        session_id: &str,
    ) -> anyhow::Result<(Option<CustomerRecord>, Option<Session>)> {
        let wanted = KeysAndAttributes::builder()
            .keys(profile_key(tenant, customer_id))
            .keys(session_key(tenant, customer_id, session_id))
            .consistent_read(true)
            .build()?;
        let out = self
            .client
            .batch_get_item()
            .request_items(&self.table, wanted)
            .send()
            .await
            .map_err(sdk("get customer and session"))?;
        // Two small items never exceed BatchGetItem's limits, so nothing is left unprocessed.
        let mut customer = None;
        let mut session = None;
        for item in out.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
            match sort_key(&item) {
                Some(keys::PROFILE) => customer = Some(customer_from_item(item)?),
                Some(_) => session = Some(serde_dynamo::from_item(item).context("session")?),
                None => {}
            }
        }
        Ok((customer, session))
    }

    async fn sessions_of(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<Vec<Session>> {
        let items = self
            .query_all("list sessions", |q| {
                q.key_condition_expression("pk = :p AND begins_with(sk, :s)")
                    .expression_attribute_values(":p", s(keys::customer(tenant, customer_id)))
                    .expression_attribute_values(":s", s(keys::session_sk("")))
            })
            .await?;
        items.into_iter().map(|i| serde_dynamo::from_item(i).context("session")).collect()
    }

    async fn record_login(&self, tenant: &TenantId, session: &Session, now: DateTime<Utc>) -> anyhow::Result<()> {
        let items = vec![
            self.put(session_item(tenant, session)?, Some(NOT_EXISTS))?,
            self.update(
                profile_key(tenant, &session.customer_id),
                "SET lastLoginAt = :now",
                EXISTS,
                values([(":now", time(now)?)]),
            )?,
        ];
        self.transact(items).await.map_err(|e| e.unexpected("login"))
    }

    async fn rotate_refresh_token(
        &self,
        tenant: &TenantId,
        session: &Session,
        new_hash: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<(), WriteError> {
        let mut rotated = session.rotated_hashes.clone();
        rotated.push(session.refresh_hash.clone());
        let skip = rotated.len().saturating_sub(REMEMBERED_ROTATIONS);
        let rotated: Vec<AttributeValue> = rotated.into_iter().skip(skip).map(s).collect();
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(session_key(tenant, &session.customer_id, &session.id)))
            .update_expression("SET refreshHash = :new, rotatedHashes = :rotated, expiresAt = :exp, #purge = :purge")
            .condition_expression("refreshHash = :old")
            .expression_attribute_values(":new", s(new_hash))
            .expression_attribute_values(":old", s(&session.refresh_hash))
            .expression_attribute_values(":rotated", AttributeValue::L(rotated))
            .expression_attribute_values(":exp", n(expires_at.timestamp()))
            .expression_attribute_names("#purge", table::TTL_ATTRIBUTE)
            .expression_attribute_values(":purge", purge_at(expires_at))
            .send()
            .await;
        super::held_or_conflict(result, "rotate refresh token")
    }

    async fn delete_session(&self, tenant: &TenantId, customer_id: &str, session_id: &str) -> anyhow::Result<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(session_key(tenant, customer_id, session_id)))
            .send()
            .await
            .map_err(sdk("delete session"))?;
        Ok(())
    }

    async fn change_password(&self, tenant: &TenantId, change: PasswordChange<'_>) -> Result<(), WriteError> {
        let PasswordChange { customer_id, password_hash, token_version, session, mails, now } = change;
        let mut items = vec![
            self.update(
                profile_key(tenant, customer_id),
                "SET passwordHash = :hash, tokenVersion = tokenVersion + :one, version = version + :one, \
                 updatedAt = :now REMOVE pendingEmailChange",
                "attribute_exists(pk) AND tokenVersion = :tv",
                values([(":hash", s(password_hash)), (":one", n(1)), (":tv", n(token_version)), (":now", time(now)?)]),
            )?,
            self.put(session_item(tenant, session)?, Some(NOT_EXISTS))?,
        ];
        items.extend(self.mail_puts(mails)?);
        self.transact_conditional(items, "change password").await
    }

    async fn rehash_password(
        &self,
        tenant: &TenantId,
        customer_id: &str,
        old: &str,
        new: &str,
    ) -> Result<(), WriteError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(profile_key(tenant, customer_id)))
            .update_expression("SET passwordHash = :new, rehashMark = :mark")
            .condition_expression("passwordHash = :old")
            .expression_attribute_values(":new", s(new))
            .expression_attribute_values(":old", s(old))
            .expression_attribute_values(":mark", s(Credentials::rehash_mark_of(old, new)))
            .send()
            .await;
        super::held_or_conflict(result, "rehash password")
    }

    async fn adopt_password_hash(&self, tenant: &TenantId, customer_id: &str, hash: &str) -> anyhow::Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(profile_key(tenant, customer_id)))
            .update_expression("SET passwordHash = :hash")
            // A customer without a password holds none, or a null.
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(passwordHash) OR attribute_type(passwordHash, :null))",
            )
            .expression_attribute_values(":hash", s(hash))
            .expression_attribute_values(":null", s("NULL"))
            .send()
            .await;
        Ok(super::condition_held(result, "adopt password hash")?)
    }

    async fn revoke_all_sessions(&self, tenant: &TenantId, customer_id: &str) -> anyhow::Result<()> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(profile_key(tenant, customer_id)))
            .update_expression("ADD tokenVersion :one REMOVE pendingEmailChange")
            .condition_expression(EXISTS)
            .expression_attribute_values(":one", n(1))
            .send()
            .await
            .map_err(sdk("revoke sessions"))?;
        Ok(())
    }
}
