//! Counts what the DynamoDB client does: an SDK interceptor that records
//! each call's operation, time, and capacity units estimated from the
//! request and response sizes (DynamoDB Local reports no consumed capacity).

use aws_sdk_dynamodb::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_types::config_bag::{Storable, StoreReplace};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub elapsed: Duration,
    pub read_units: f64,
    pub write_units: f64,
    /// What IAM authorises the call by: each item's action and key.
    pub touches: Vec<Touch>,
}

/// One authorisation of a call: the IAM action, the index (`None`: the
/// table) and the partition key value (`dynamodb:LeadingKeys`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Touch {
    pub action: String,
    pub index: Option<String>,
    pub partition: Option<String>,
}

/// The partition key value of an item or key (`pk`).
fn partition(item: &Value) -> Option<String> {
    item["pk"]["S"].as_str().map(String::from)
}

/// What a request asks IAM for: per item of a transaction or batch, the
/// action and key; for a query, the partition it reads.
fn touches(op: &str, body: &Value) -> Vec<Touch> {
    let touch = |action: &str, index: Option<String>, partition: Option<String>| Touch {
        action: format!("dynamodb:{action}"),
        index,
        partition,
    };
    let each = |v: &Value| v.as_array().cloned().unwrap_or_default();
    let per_table =
        |v: &Value| -> Vec<Value> { v.as_object().map(|t| t.values().flat_map(each).collect()).unwrap_or_default() };
    match op {
        "GetItem" | "UpdateItem" | "DeleteItem" => vec![touch(op, None, partition(&body["Key"]))],
        "PutItem" => vec![touch(op, None, partition(&body["Item"]))],
        "TransactWriteItems" => each(&body["TransactItems"])
            .iter()
            .map(|w| match (&w["Put"], &w["Update"], &w["Delete"], &w["ConditionCheck"]) {
                (Value::Object(p), _, _, _) => touch("PutItem", None, partition(&p["Item"].clone())),
                (_, Value::Object(u), _, _) => touch("UpdateItem", None, partition(&u["Key"].clone())),
                (_, _, Value::Object(d), _) => touch("DeleteItem", None, partition(&d["Key"].clone())),
                _ => touch("ConditionCheckItem", None, partition(&w["ConditionCheck"]["Key"])),
            })
            .collect(),
        "TransactGetItems" => {
            each(&body["TransactItems"]).iter().map(|g| touch("GetItem", None, partition(&g["Get"]["Key"]))).collect()
        }
        "BatchGetItem" => body["RequestItems"]
            .as_object()
            .into_iter()
            .flat_map(|t| t.values())
            .flat_map(|k| each(&k["Keys"]))
            .map(|k| touch(op, None, partition(&k)))
            .collect(),
        "BatchWriteItem" => per_table(&body["RequestItems"])
            .iter()
            .map(|w| {
                touch(op, None, partition(&w["PutRequest"]["Item"]).or_else(|| partition(&w["DeleteRequest"]["Key"])))
            })
            .collect(),
        "Query" => {
            // The partition key's condition: `<name> = <:value>`, first.
            let condition = body["KeyConditionExpression"].as_str().unwrap_or_default();
            let value = condition.split(" AND ").next().and_then(|c| c.split_once('=')).map(|(_, v)| v.trim());
            let partition = value.and_then(|v| body["ExpressionAttributeValues"][v]["S"].as_str()).map(String::from);
            vec![touch(op, body["IndexName"].as_str().map(String::from), partition)]
        }
        other => vec![touch(other, None, None)],
    }
}

/// Shared by the client's interceptor and the test or benchmark that reads it.
#[derive(Debug, Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<Call>>>);

fn operation(target: Option<&str>) -> String {
    target.and_then(|t| t.rsplit('.').next()).unwrap_or("?").to_string()
}

fn kb(v: &Value, unit: f64) -> f64 {
    (v.to_string().len() as f64 / unit).ceil().max(1.0)
}

/// Write units a request costs: a put by its item's size, an update or
/// delete at least one unit (the stored item's size is not in the request),
/// twice that inside a transaction.
fn write_units(op: &str, body: &Value) -> f64 {
    let one = |w: &Value| match (&w["Put"]["Item"], &w["PutRequest"]["Item"]) {
        (Value::Object(_), _) => kb(&w["Put"]["Item"], 1024.0),
        (_, Value::Object(_)) => kb(&w["PutRequest"]["Item"], 1024.0),
        _ => 1.0,
    };
    match op {
        "PutItem" => kb(&body["Item"], 1024.0),
        "UpdateItem" | "DeleteItem" => 1.0,
        "TransactWriteItems" => body["TransactItems"].as_array().map_or(0.0, |a| a.iter().map(|w| 2.0 * one(w)).sum()),
        "BatchWriteItem" => body["RequestItems"]
            .as_object()
            .map_or(0.0, |t| t.values().flat_map(|l| l.as_array().into_iter().flatten()).map(one).sum()),
        _ => 0.0,
    }
}

/// Read units a response cost: its size in 4 KB (half for eventually
/// consistent reads), at least one per item read.
fn read_units(op: &str, consistent: bool, response: &[u8]) -> f64 {
    if !matches!(op, "GetItem" | "BatchGetItem" | "Query" | "Scan") {
        return 0.0;
    }
    let units = (response.len() as f64 / 4096.0).ceil().max(1.0);
    if consistent {
        units
    } else {
        units / 2.0
    }
}

#[derive(Debug, Clone)]
struct Request {
    at: Instant,
    operation: String,
    consistent: bool,
    write_units: f64,
    touches: Vec<Touch>,
}

impl Storable for Request {
    type Storer = StoreReplace<Self>;
}

impl Recorder {
    pub fn take(&self) -> Vec<Call> {
        std::mem::take(&mut *self.0.lock().expect("recorder"))
    }
}

impl Intercept for Recorder {
    fn name(&self) -> &'static str {
        "BenchRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = context.request();
        let operation = operation(request.headers().get("x-amz-target"));
        let body: Value = request.body().bytes().and_then(|b| serde_json::from_slice(b).ok()).unwrap_or(Value::Null);
        let consistent = body["ConsistentRead"].as_bool().unwrap_or(false)
            || body["RequestItems"].as_object().is_some_and(|t| t.values().any(|k| k["ConsistentRead"] == true));
        let write_units = write_units(&operation, &body);
        let touches = touches(&operation, &body);
        cfg.interceptor_state().store_put(Request { at: Instant::now(), operation, consistent, write_units, touches });
        Ok(())
    }

    fn read_before_deserialization(
        &self,
        context: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(r) = cfg.load::<Request>().cloned() else { return Ok(()) };
        let response = context.response().body().bytes().unwrap_or_default();
        let read_units = read_units(&r.operation, r.consistent, response);
        self.0.lock().expect("recorder").push(Call {
            operation: r.operation,
            elapsed: r.at.elapsed(),
            read_units,
            write_units: r.write_units,
            touches: r.touches,
        });
        Ok(())
    }
}
