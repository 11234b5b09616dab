//! Every SDK attempt recorded as one [`S3Call`], by an interceptor on each tenant client.
//!
//! The call starts when the signed request is about to be transmitted, its first byte is
//! when the response headers arrive, and it ends when the attempt ends (the body of a
//! non-streaming response is read by then). Retries are separate calls, as they are
//! separate requests to the storage.

use std::sync::Arc;
use std::time::Instant;

use aws_sdk_s3::config::interceptors::{
    BeforeDeserializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
    FinalizerInterceptorContextRef,
};
use aws_sdk_s3::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_types::config_bag::{Storable, StoreReplace};

use aws_sdk_s3::config::Region;

use super::BucketName;
use crate::telemetry::Recorder;
use crate::telemetry::otel::spans::{Call, CallSpan};
use crate::telemetry::s3::{S3Api, S3Call};

/// The interceptor; cheap to clone.
#[derive(Debug, Clone)]
pub struct RecordCalls {
    recorder: Arc<Recorder>,
}

#[derive(Debug, Clone)]
struct Transmitted(Instant);
impl Storable for Transmitted {
    type Storer = StoreReplace<Self>;
}

/// The attempt's client span, from transmit to the end of the attempt.
#[derive(Debug, Clone)]
struct AttemptSpan(CallSpan);
impl Storable for AttemptSpan {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug, Clone)]
struct HeadersReceived(Instant);
impl Storable for HeadersReceived {
    type Storer = StoreReplace<Self>;
}

impl RecordCalls {
    pub fn new(recorder: Arc<Recorder>) -> Self {
        Self { recorder }
    }
}

/// The bucket of a path-style URI (`scheme://host/bucket/key`), when it is a valid name.
pub fn bucket_of_uri(uri: &str) -> Option<Arc<str>> {
    let path = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let path = path.find('/').map_or("", |i| &path[i + 1..]);
    let first = path.split(['/', '?']).next()?;
    BucketName::parse(first).map(|b| b.as_arc())
}

impl Intercept for RecordCalls {
    fn name(&self) -> &'static str {
        "SpaceWatchRecordCalls"
    }

    fn read_before_transmit(
        &self,
        ctx: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let request = ctx.request();
        let span = CallSpan::start(&Call {
            api: api_of(cfg),
            method: request.method(),
            uri: request.uri(),
            region: cfg.load::<Region>().map(|r| r.as_ref()),
        });
        // With tracing off there is nothing to keep, and the attempt's end skips it.
        if span.is_enabled() {
            cfg.interceptor_state().store_put(AttemptSpan(span));
        }
        cfg.interceptor_state()
            .store_put(Transmitted(Instant::now()));
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _: &BeforeDeserializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        cfg.interceptor_state()
            .store_put(HeadersReceived(Instant::now()));
        Ok(())
    }

    fn read_after_attempt(
        &self,
        ctx: &FinalizerInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        // An attempt that never reached the wire (signing failed) is not a call.
        let Some(start) = cfg.load::<Transmitted>().map(|t| t.0) else {
            return Ok(());
        };
        let first_byte = cfg
            .load::<HeadersReceived>()
            .map(|h| h.0.saturating_duration_since(start));
        let api = api_of(cfg);
        let request = ctx.request();
        let response = ctx.response();
        let content_length = |h: &aws_sdk_s3::config::http::HttpResponse| {
            h.headers()
                .get("content-length")
                .and_then(|v| v.parse().ok())
        };
        self.recorder.record_s3(&S3Call {
            api,
            bucket: request.and_then(|r| bucket_of_uri(r.uri())),
            status: response.map(|r| r.status().as_u16()),
            first_byte,
            total: start.elapsed(),
            bytes_up: request.and_then(|r| r.body().content_length()).unwrap_or(0),
            bytes_down: response.and_then(content_length).unwrap_or(0),
            ended_at: self.recorder.now(),
            trace_id: None,
        });
        if let Some(AttemptSpan(span)) = cfg.load::<AttemptSpan>().cloned() {
            let header = |name| response.and_then(|r| r.headers().get(name));
            let error = match (response, ctx.output_or_error()) {
                (None, Some(Err(e))) => Some(e.to_string()),
                _ => None,
            };
            span.end(
                response.map(|r| r.status().as_u16()),
                header("x-amz-request-id"),
                error.as_deref(),
            );
        }
        cfg.interceptor_state().unset::<AttemptSpan>();
        cfg.interceptor_state().unset::<Transmitted>();
        cfg.interceptor_state().unset::<HeadersReceived>();
        Ok(())
    }
}

fn api_of(cfg: &ConfigBag) -> S3Api {
    cfg.load::<Metadata>()
        .map_or(S3Api::Other, |m| S3Api::from_name(m.name()))
}

#[cfg(test)]
mod tests;
