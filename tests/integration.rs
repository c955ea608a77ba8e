//! Integration tests against DynamoDB Local, the SES emulator and moto's
//! EventBridge and SQS (started by `scripts/test.sh`); each test works in its
//! own table (and, reading customer events, its own bus and queue).

use integration_tests as support;

mod account;
mod admin;
mod auth;
mod customer_events;
mod deployment;
mod erasure;
mod faults;
mod orders;
mod schema;
mod seeds;
mod subscriptions;
mod suggestions;
mod tls;
