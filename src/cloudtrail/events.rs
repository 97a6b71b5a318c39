//! Reading CloudTrail records of S3 (data and management events) and turning
//! each into the IAM requests AWS authorized: principal from `userIdentity`,
//! action from `eventName` ([`super::event_names::iam_actions`]), resource from
//! `requestParameters` / `resources`, context from `sourceIPAddress`,
//! `eventTime`, `tlsDetails`, `userAgent`, `additionalEventData`.
//!
//! Accepted input: the files CloudTrail delivers (`{"Records": [...]}`),
//! one event per line (JSON Lines), a single event, a JSON array of events,
//! and `aws cloudtrail lookup-events` output (`{"Events": [{"CloudTrailEvent": "…"}]}`).
//! The event-name → IAM-action mapping is in `event_names.rs`.

use std::sync::Arc;

use serde_json::Value;

use super::event_names::requests_of;
use crate::awscli::requests::IamRequest;
use crate::condition::date;
use crate::diagnostic::Diagnostic;
use crate::json::{self, SourceFile};
use crate::request::context::ContextValue;
use crate::request::Principal;

/// One CloudTrail event, ready to evaluate (or the reason it cannot be).
#[derive(Debug, Clone)]
pub struct Event {
    /// 1-based line of the record in the file.
    pub line: u32,
    /// `eventID`.
    pub event_id: String,
    /// `eventTime`.
    pub event_time: String,
    /// `eventName`.
    pub event_name: String,
    /// Who called, as recorded (ARN, `anonymous`, service name).
    pub caller: String,
    /// The recorded error, if AWS refused the call (`AccessDenied`).
    pub error_code: Option<String>,
    /// The caller, when s3guard can model it.
    pub principal: Option<Principal>,
    /// The bucket owner's account, when recorded.
    pub resource_account: Option<String>,
    /// Context keys read from the record.
    pub context: Vec<(String, ContextValue)>,
    /// The IAM requests the call was authorized as.
    pub requests: Vec<IamRequest>,
    /// Why the event is not evaluated.
    pub skipped: Option<String>,
    /// Things to know about this event (placeholder keys, …).
    pub notes: Vec<String>,
    /// The record has no `tlsDetails`: `aws:SecureTransport` is left missing.
    pub tls_details_missing: bool,
}

pub(super) fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    match cur {
        Value::String(s) => Some(s),
        Value::Array(a) => a.first().and_then(Value::as_str),
        _ => None,
    }
}

fn single(k: &str, v: &str) -> (String, ContextValue) {
    (k.to_string(), ContextValue::Single(v.to_string()))
}

fn principal_of(
    rec: &Value,
    ctx: &mut Vec<(String, ContextValue)>,
) -> Result<(Principal, String), String> {
    let ui = rec
        .get("userIdentity")
        .ok_or("no userIdentity in the record")?;
    let kind = s(ui, &["type"]).unwrap_or_default();
    let arn = s(ui, &["arn"]).unwrap_or_default();
    if let Some(pid) = s(ui, &["principalId"]).filter(|p| !p.is_empty()) {
        if kind != "AWSAccount" && kind != "AWSService" {
            ctx.push(single("aws:userid", pid));
        }
    }
    let parsed = |a: &str| Principal::parse(a).map_err(|e| e.to_string());
    match kind {
        "IAMUser" | "Root" | "FederatedUser" => Ok((parsed(arn)?, arn.to_string())),
        "AssumedRole" => {
            let p = parsed(arn)?;
            if let Some(role) = s(ui, &["sessionContext", "sessionIssuer", "arn"]) {
                ctx.push(single("aws:PrincipalArn", role));
            }
            if let Some(m) = s(ui, &["sessionContext", "attributes", "mfaAuthenticated"]) {
                ctx.push(single("aws:MultiFactorAuthPresent", m));
            }
            if let Some(t) = s(ui, &["sessionContext", "attributes", "creationDate"]) {
                ctx.push(single("aws:TokenIssueTime", t));
            }
            Ok((p, arn.to_string()))
        }
        "AWSService" => {
            let svc = s(ui, &["invokedBy"]).ok_or("an AWSService identity without invokedBy")?;
            Ok((Principal::Service(svc.to_ascii_lowercase()), svc.to_string()))
        }
        "AWSAccount" => match s(ui, &["accountId"]) {
            Some("anonymous") => Ok((Principal::Anonymous, "anonymous".into())),
            Some(acct) => Err(format!("a principal of account {acct} (type AWSAccount): CloudTrail records only its account, not who it was")),
            None => Err("an AWSAccount identity without accountId".into()),
        },
        other => Err(format!("caller type `{other}` is not modelled (IAM users, role sessions, federated users, root, services and anonymous are)")),
    }
}

/// Reads the context keys of a record; returns whether it had `tlsDetails`.
fn record_context(rec: &Value, ctx: &mut Vec<(String, ContextValue)>) -> bool {
    if let Some(t) = s(rec, &["eventTime"]) {
        ctx.push(single("aws:CurrentTime", t));
        if let Some(i) = date::parse(t) {
            ctx.push(single(
                "aws:EpochTime",
                &i.div_euclid(1_000_000_000).to_string(),
            ));
        }
    }
    if let Some(r) = s(rec, &["awsRegion"]) {
        ctx.push(single("aws:RequestedRegion", r));
    }
    if let Some(ua) = s(rec, &["userAgent"]) {
        ctx.push(single("aws:UserAgent", ua));
    }
    let ip = s(rec, &["sourceIPAddress"]).filter(|i| i.parse::<std::net::IpAddr>().is_ok());
    match (s(rec, &["vpcEndpointId"]), ip) {
        (Some(vpce), ip) => {
            ctx.push(single("aws:SourceVpce", vpce));
            if let Some(ip) = ip {
                ctx.push(single("aws:VpcSourceIp", ip));
            }
        }
        (None, Some(ip)) => ctx.push(single("aws:SourceIp", ip)),
        (None, None) => {}
    }
    let mut tls = true;
    match rec.get("tlsDetails") {
        Some(t) if t.is_object() => {
            ctx.push(single("aws:SecureTransport", "true"));
            if let Some(v) = s(t, &["tlsVersion"]).and_then(|v| v.strip_prefix("TLSv")) {
                ctx.push(single("s3:TlsVersion", v));
            }
        }
        _ => tls = false,
    }
    let via = s(rec, &["userIdentity", "invokedBy"]).is_some_and(|i| i.ends_with(".amazonaws.com"));
    ctx.push(single(
        "aws:ViaAWSService",
        if via { "true" } else { "false" },
    ));
    if let Some(m) = s(rec, &["additionalEventData", "AuthenticationMethod"]) {
        let t = match m {
            "AuthHeader" => "REST-HEADER",
            "QueryString" => "REST-QUERY-STRING",
            other => other,
        };
        ctx.push(single("s3:authType", t));
    }
    if let Some(v) = s(rec, &["additionalEventData", "SignatureVersion"]) {
        ctx.push(single(
            "s3:signatureversion",
            if v == "SigV2" {
                "AWS"
            } else {
                "AWS4-HMAC-SHA256"
            },
        ));
    }
    if let Some(Value::Object(params)) = rec.get("requestParameters") {
        for (k, v) in params {
            if matches!(k.as_str(), "bucketName" | "key" | "Host" | "host") {
                continue;
            }
            let key = format!("s3:{k}");
            if crate::catalog::condition_key(&key).is_none() {
                continue;
            }
            let text = match v {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => continue,
            };
            ctx.push(single(&key, &text));
        }
    }
    tls
}

pub(super) fn resources_of<'a>(rec: &'a Value, kind: &str) -> Vec<&'a str> {
    rec.get("resources")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter(|r| s(r, &["type"]) == Some(kind))
                .filter_map(|r| s(r, &["ARN"]))
                .collect()
        })
        .unwrap_or_default()
}

fn event_of(rec: &Value, line: u32) -> Event {
    let name = s(rec, &["eventName"]).unwrap_or_default().to_string();
    let mut ev = Event {
        line,
        event_id: s(rec, &["eventID"]).unwrap_or_default().to_string(),
        event_time: s(rec, &["eventTime"]).unwrap_or_default().to_string(),
        event_name: name.clone(),
        caller: String::new(),
        error_code: s(rec, &["errorCode"]).map(str::to_string),
        principal: None,
        resource_account: None,
        context: Vec::new(),
        requests: Vec::new(),
        skipped: None,
        notes: Vec::new(),
        tls_details_missing: false,
    };
    ev.caller = s(rec, &["userIdentity", "arn"])
        .or(s(rec, &["userIdentity", "invokedBy"]))
        .or(s(rec, &["userIdentity", "accountId"]))
        .unwrap_or("?")
        .to_string();
    let source = s(rec, &["eventSource"]).unwrap_or_default();
    if source != "s3.amazonaws.com" {
        ev.skipped = Some(format!("not an S3 event (eventSource `{source}`)"));
        return ev;
    }
    let mut ctx = Vec::new();
    match principal_of(rec, &mut ctx) {
        Ok((p, shown)) => {
            ev.principal = Some(p);
            ev.caller = shown;
        }
        Err(e) => {
            ev.skipped = Some(e);
            return ev;
        }
    }
    ev.resource_account = rec
        .get("resources")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|r| s(r, &["type"]) == Some("AWS::S3::Bucket"))
        })
        .and_then(|r| s(r, &["accountId"]))
        .map(str::to_string);
    ev.tls_details_missing = !record_context(rec, &mut ctx);
    match requests_of(rec, &name, &ctx, &mut ev.notes) {
        Ok(r) => ev.requests = r,
        Err(e) => ev.skipped = Some(e),
    }
    ev.context = ctx;
    ev
}

fn syntax(file: &SourceFile, e: &json::SyntaxError) -> Diagnostic {
    Diagnostic::error("JSON_SYNTAX_ERROR", e.message.clone())
        .in_file(file.name())
        .at(file.location(u32::try_from(e.offset).unwrap_or(u32::MAX)))
        .with_hint("CloudTrail input is {\"Records\": [...]} or one JSON event per line (decompress .json.gz first: gunzip -c FILE | s3guard replay -)")
}

/// Reads every event of a CloudTrail file.
pub fn read(file: &Arc<SourceFile>) -> Result<Vec<Event>, Vec<Diagnostic>> {
    let text = file.text();
    let line_of = |offset: u32| file.location(offset).line;
    match json::parse(text) {
        Ok(parsed) => {
            let v = &parsed.value;
            let records: Vec<(&json::Value, u32)> = if let Some(rs) =
                v.get("Records").and_then(|r| r.as_array())
            {
                rs.iter().map(|r| (r, line_of(r.span.start))).collect()
            } else if let Some(evs) = v.get("Events").and_then(|r| r.as_array()) {
                let mut out = Vec::new();
                let mut errors = Vec::new();
                for e in evs {
                    match e.get("CloudTrailEvent").and_then(|c| c.as_str()) {
                        Some(inner) => match serde_json::from_str::<Value>(inner) {
                            Ok(val) => out.push(event_of(&val, line_of(e.span.start))),
                            Err(err) => errors.push(
                                Diagnostic::error(
                                    "JSON_SYNTAX_ERROR",
                                    format!("CloudTrailEvent is not JSON: {err}"),
                                )
                                .in_file(file.name())
                                .at(file.location(e.span.start)),
                            ),
                        },
                        None => errors.push(
                            Diagnostic::error(
                                "INVALID_CLOUDTRAIL",
                                "a lookup-events entry without CloudTrailEvent",
                            )
                            .in_file(file.name())
                            .at(file.location(e.span.start)),
                        ),
                    }
                }
                return if errors.is_empty() {
                    Ok(out)
                } else {
                    Err(errors)
                };
            } else if let Some(a) = v.as_array() {
                a.iter().map(|r| (r, line_of(r.span.start))).collect()
            } else if v.get("eventName").is_some() {
                vec![(v, line_of(v.span.start))]
            } else {
                return Err(vec![Diagnostic::error(
                    "INVALID_CLOUDTRAIL",
                    format!("expected CloudTrail records, found {} without `Records`", v.type_name()),
                )
                .in_file(file.name())
                .at(file.location(v.span.start))
                .with_hint("CloudTrail files look like {\"Records\": [{\"eventSource\": \"s3.amazonaws.com\", …}]}")]);
            };
            let mut errors = Vec::new();
            let mut out = Vec::new();
            for (i, (r, line)) in records.iter().enumerate() {
                if r.as_object().is_none() {
                    errors.push(
                        Diagnostic::error(
                            "INVALID_CLOUDTRAIL",
                            format!("record {} is {}, not an object", i + 1, r.type_name()),
                        )
                        .in_file(file.name())
                        .at(file.location(r.span.start))
                        .with_pointer(format!("/Records/{i}")),
                    );
                    continue;
                }
                out.push(event_of(&r.to_serde(), *line));
            }
            if errors.is_empty() {
                Ok(out)
            } else {
                Err(errors)
            }
        }
        Err(whole) => {
            // JSON Lines: one event per line.
            let mut out = Vec::new();
            let mut errors = Vec::new();
            let mut offset = 0usize;
            let mut lines_seen = 0;
            for (n, line) in text.split('\n').enumerate() {
                let start = offset;
                offset += line.len() + 1;
                if line.trim().is_empty() {
                    continue;
                }
                lines_seen += 1;
                let lineno = u32::try_from(n + 1).unwrap_or(u32::MAX);
                match json::parse(line) {
                    Ok(p) if p.value.as_object().is_some() => {
                        out.push(event_of(&p.value.to_serde(), lineno))
                    }
                    Ok(p) => errors.push(
                        Diagnostic::error(
                            "INVALID_CLOUDTRAIL",
                            format!(
                                "line {lineno} is {}, not an event object",
                                p.value.type_name()
                            ),
                        )
                        .in_file(file.name())
                        .at(file.location(u32::try_from(start).unwrap_or(u32::MAX))),
                    ),
                    Err(e) => errors.push(syntax(
                        file,
                        &json::SyntaxError {
                            offset: start + e.offset,
                            message: e.message,
                        },
                    )),
                }
            }
            if lines_seen <= 1 {
                return Err(vec![syntax(file, &whole)]);
            }
            if errors.is_empty() {
                Ok(out)
            } else {
                Err(errors)
            }
        }
    }
}
