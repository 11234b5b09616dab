//! A real OTLP receiver for the tests: the collector services of opentelemetry-proto
//! over gRPC (tonic), and the same messages over HTTP/protobuf (`POST /v1/traces`,
//! `POST /v1/metrics`). It keeps what it receives for the test to inspect.

#![allow(dead_code)] // each test binary uses a part

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use opentelemetry_proto::tonic::collector::metrics::v1::metrics_service_server::{
    MetricsService, MetricsServiceServer,
};
use opentelemetry_proto::tonic::collector::metrics::v1::{
    ExportMetricsServiceRequest, ExportMetricsServiceResponse,
};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{
    TraceService, TraceServiceServer,
};
use opentelemetry_proto::tonic::collector::trace::v1::{
    ExportTraceServiceRequest, ExportTraceServiceResponse,
};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::metrics::v1::{ResourceMetrics, metric};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, Span};
use parking_lot::Mutex;
use prost::Message;
use tokio::net::TcpListener;

/// What the receiver got.
#[derive(Debug, Default)]
pub struct Received {
    pub spans: Vec<ResourceSpans>,
    pub metrics: Vec<ResourceMetrics>,
    /// Export requests seen, both signals.
    pub requests: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Receiver {
    pub got: Arc<Mutex<Received>>,
}

pub struct Running {
    pub receiver: Receiver,
    /// `http://127.0.0.1:PORT` (the base; HTTP paths are /v1/traces and /v1/metrics).
    pub endpoint: String,
    task: Option<tokio::task::JoinHandle<()>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// Stops the collector as a process exit would: its connections close (gRPC
    /// GOAWAY / HTTP close), and nothing listens any more.
    pub async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

#[tonic::async_trait]
impl TraceService for Receiver {
    async fn export(
        &self,
        req: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        self.take_spans(req.into_inner());
        Ok(tonic::Response::new(ExportTraceServiceResponse::default()))
    }
}

#[tonic::async_trait]
impl MetricsService for Receiver {
    async fn export(
        &self,
        req: tonic::Request<ExportMetricsServiceRequest>,
    ) -> Result<tonic::Response<ExportMetricsServiceResponse>, tonic::Status> {
        self.take_metrics(req.into_inner());
        Ok(tonic::Response::new(ExportMetricsServiceResponse::default()))
    }
}

impl Receiver {
    fn take_spans(&self, r: ExportTraceServiceRequest) {
        let mut g = self.got.lock();
        g.requests += 1;
        g.spans.extend(r.resource_spans);
    }

    fn take_metrics(&self, r: ExportMetricsServiceRequest) {
        let mut g = self.got.lock();
        g.requests += 1;
        g.metrics.extend(r.resource_metrics);
    }

    /// A gRPC collector on `listener`.
    pub async fn grpc_on(listener: TcpListener) -> Running {
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let receiver = Receiver::default();
        let r = receiver.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = tonic::transport::Server::builder()
                .add_service(TraceServiceServer::new(r.clone()))
                .add_service(MetricsServiceServer::new(r))
                .serve_with_incoming_shutdown(
                    tonic::transport::server::TcpIncoming::from(listener),
                    async {
                        let _ = stopped.await;
                    },
                )
                .await;
        });
        Running {
            receiver,
            endpoint,
            task: Some(task),
            stop: Some(stop),
        }
    }

    /// An HTTP/protobuf collector on `listener`.
    pub async fn http_on(listener: TcpListener) -> Running {
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let receiver = Receiver::default();
        let (r1, r2) = (receiver.clone(), receiver.clone());
        let app = axum::Router::new()
            .route(
                "/v1/traces",
                axum::routing::post(move |body: Bytes| async move {
                    match ExportTraceServiceRequest::decode(body) {
                        Ok(req) => {
                            r1.take_spans(req);
                            proto_ok(ExportTraceServiceResponse::default().encode_to_vec())
                        }
                        Err(_) => axum::response::IntoResponse::into_response(
                            http::StatusCode::BAD_REQUEST,
                        ),
                    }
                }),
            )
            .route(
                "/v1/metrics",
                axum::routing::post(move |body: Bytes| async move {
                    match ExportMetricsServiceRequest::decode(body) {
                        Ok(req) => {
                            r2.take_metrics(req);
                            proto_ok(ExportMetricsServiceResponse::default().encode_to_vec())
                        }
                        Err(_) => axum::response::IntoResponse::into_response(
                            http::StatusCode::BAD_REQUEST,
                        ),
                    }
                }),
            );
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Running {
            receiver,
            endpoint,
            task: Some(task),
            stop: Some(stop),
        }
    }

    pub async fn grpc() -> Running {
        Self::grpc_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    pub async fn http() -> Running {
        Self::http_on(TcpListener::bind("127.0.0.1:0").await.unwrap()).await
    }

    /// Every span received so far, with the service name of its resource.
    pub fn spans(&self) -> Vec<(String, Span)> {
        let g = self.got.lock();
        g.spans
            .iter()
            .flat_map(|rs| {
                let service = rs
                    .resource
                    .as_ref()
                    .and_then(|r| str_attr(&r.attributes, "service.name"))
                    .unwrap_or_default();
                rs.scope_spans
                    .iter()
                    .flat_map(|ss| ss.spans.iter().cloned())
                    .map(move |s| (service.clone(), s))
            })
            .collect()
    }

    /// Waits until `done` holds for the spans received (or fails after 20 s).
    pub async fn wait_spans(&self, what: &str, done: impl Fn(&[(String, Span)]) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let spans = self.spans();
            if done(&spans) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; got {} spans: {:?}",
                spans.len(),
                spans.iter().map(|(_, s)| &s.name).collect::<Vec<_>>()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The sum over data points of the named monotonic counter in the latest export
    /// that carries it (exports are cumulative, so the latest is the total).
    pub fn latest_sum(&self, name: &str) -> Option<f64> {
        let g = self.got.lock();
        g.metrics.iter().rev().find_map(|rm| {
            rm.scope_metrics
                .iter()
                .flat_map(|sm| sm.metrics.iter())
                .find(|m| m.name == name)
                .and_then(|m| match &m.data {
                    Some(metric::Data::Sum(s)) => Some(
                        s.data_points
                            .iter()
                            .map(|p| match p.value {
                                Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsInt(i)) => i as f64,
                                Some(opentelemetry_proto::tonic::metrics::v1::number_data_point::Value::AsDouble(d)) => d,
                                None => 0.0,
                            })
                            .sum(),
                    ),
                    _ => None,
                })
        })
    }

    /// The count over data points of the named histogram in the latest export.
    pub fn latest_histogram_count(&self, name: &str) -> Option<u64> {
        let g = self.got.lock();
        g.metrics.iter().rev().find_map(|rm| {
            rm.scope_metrics
                .iter()
                .flat_map(|sm| sm.metrics.iter())
                .find(|m| m.name == name)
                .and_then(|m| match &m.data {
                    Some(metric::Data::Histogram(h)) => {
                        Some(h.data_points.iter().map(|p| p.count).sum())
                    }
                    _ => None,
                })
        })
    }
}

fn proto_ok(body: Vec<u8>) -> axum::response::Response {
    axum::response::IntoResponse::into_response((
        [(http::header::CONTENT_TYPE, "application/x-protobuf")],
        body,
    ))
}

/// A string attribute's value.
pub fn str_attr(attrs: &[KeyValue], key: &str) -> Option<String> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match &kv.value {
            Some(AnyValue {
                value: Some(any_value::Value::StringValue(s)),
            }) => Some(s.clone()),
            _ => None,
        })
}

/// An integer attribute's value.
pub fn int_attr(attrs: &[KeyValue], key: &str) -> Option<i64> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match &kv.value {
            Some(AnyValue {
                value: Some(any_value::Value::IntValue(i)),
            }) => Some(*i),
            _ => None,
        })
}

/// Ids as the W3C and the logs write them.
pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
