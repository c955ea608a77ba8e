//! Integration tests against DynamoDB Local and the SES emulator (started by
//! `scripts/test.sh`); each test works in its own table.

use integration_tests as support;

mod account;
mod admin;
mod auth;
mod deployment;
mod faults;
mod schema;
mod subscriptions;
mod suggestions;
mod tls;
