//! `/mcp`: the assistant's tool registry as an MCP server over streamable HTTP (the official
//! Rust SDK, rmcp), so MCP clients — IDE agents, the MCP SDKs — get SpaceWatch's tools
//! with SpaceWatch's telemetry.
//!
//! Stateless: every POST carries one JSON-RPC message and is answered on its own (as
//! JSON), so nothing is kept between requests and any replica can answer. Tenant
//! credentials come in the same headers as everywhere (`X-Spaces-Key`, `X-Spaces-Secret`,
//! `X-Log-Bucket`, …), checked for shape on every request before the body is read; a tool
//! call verifies them with the storage and is one operation of the tool's type (route
//! `/mcp`), with its `execute_tool` span and S3 calls beneath. A failing tool is an MCP
//! tool error (`isError: true`) with the same text an endpoint would answer; an unknown
//! tool's name is echoed cut to 64 characters.
//!
//! Bounds: a result over `AGENT_MAX_TOOL_BYTES` is answered as text cut to it (as the
//! chat's model gets it); a call whose client leaves is dropped when rmcp cancels the
//! request's token, and recorded as 499; `Origin` and `Host` are checked first
//! ([`check_origin`]).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
    ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    ToolAnnotations,
};
use rmcp::service::{RequestContext, RoleServer};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, ServerHandler};
use serde_json::Value;
use tracing::Instrument;

use super::chat::tool_env;
use crate::agent::chat::prompt;
use crate::agent::tools::{self, Args, ToolId};
use crate::config::mcp::McpAccess;
use crate::server::AppState;
use crate::server::credentials::Verified;
use crate::server::error::ApiError;
use crate::server::operation::{OpFields, OpRoute, recorded};
use crate::telemetry::genai::Interface;
use crate::telemetry::otel::spans::ToolSpan;
use crate::telemetry::prom::Refusal;
use crate::tenant::Credentials;

/// The route template of MCP operations.
pub const ROUTE: &str = "/mcp";

/// Largest MCP request body.
const MAX_BODY: usize = 1024 * 1024;

/// The MCP service to mount at `/mcp`.
pub fn service(state: &AppState) -> StreamableHttpService<Mcp, LocalSessionManager> {
    let handler = Mcp {
        state: state.clone(),
    };
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(MAX_BODY)
        // Tenants authenticate every call with their credentials, and SpaceWatch is
        // reached under whatever host name it is deployed as.
        .disable_allowed_hosts();
    StreamableHttpService::new(
        move || Ok(handler.clone()),
        Arc::new(LocalSessionManager::default()),
        config,
    )
}

/// Refuses a request from a browser origin or under a host name `/mcp` does not accept
/// (403; see [`McpAccess`]), before anything else.
pub async fn check_origin(State(state): State<AppState>, req: Request, next: Next) -> Response {
    match refused_origin(&state.settings.mcp, &req) {
        None => next.run(req).await,
        Some(why) => {
            state.counters.refused(Refusal::Origin);
            ApiError::forbidden(why).into_response()
        }
    }
}

fn refused_origin(access: &McpAccess, req: &Request) -> Option<&'static str> {
    let header = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    if !access.origin_allowed(header(http::header::ORIGIN)) {
        return Some("this Origin may not call /mcp (MCP_ALLOWED_ORIGINS)");
    }
    let host = header(http::header::HOST).or(req.uri().host());
    (!access.host_allowed(host))
        .then_some("/mcp does not answer under this host name (MCP_ALLOWED_HOSTS)")
}

/// Refuses a request without well-formed credential headers before its body is read.
pub async fn require_credentials(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    match Credentials::from_headers(req.headers(), &state.tenants) {
        Ok(_) => next.run(req).await,
        Err(e) => {
            state.counters.refused(Refusal::CredentialsMissing);
            ApiError::from(e).into_response()
        }
    }
}

/// The MCP server handler: the registry, with the state of this server.
#[derive(Clone)]
pub struct Mcp {
    state: AppState,
}

fn tool(t: ToolId) -> Tool {
    let schema = match t.schema() {
        Value::Object(o) => o,
        _ => serde_json::Map::new(),
    };
    let hints = ToolAnnotations::new()
        .read_only(!t.writes())
        .destructive(false)
        .open_world(false);
    Tool::new(t.name(), t.description(), schema).with_annotations(hints)
}

impl ServerHandler for Mcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("spacewatch", env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "SpaceWatch's storage tools for the S3-compatible storage (DigitalOcean Spaces) \
                 of the credentials in the X-Spaces-Key / X-Spaces-Secret headers: buckets, \
                 objects, sizes, metric snapshots, access logs and operation metrics.",
            )
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let allow = self.state.assistant.allow_write;
        Ok(ListToolsResult::with_all_items(
            ToolId::offered(allow).map(tool).collect(),
        ))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let Some(parts) = context.extensions.get::<http::request::Parts>() else {
            return Err(ErrorData::internal_error("no HTTP request", None));
        };
        let state = &self.state;
        let Some(t) = ToolId::find(&request.name, state.assistant.allow_write) else {
            let text = format!(
                "unknown tool '{}'",
                request.name.chars().take(64).collect::<String>()
            );
            return Ok(CallToolResult::error(vec![ContentBlock::text(text)]).into());
        };
        let args = Value::Object(request.arguments.unwrap_or_default());
        let route = OpRoute::new(t.operation(), ROUTE);
        let bytes_in = args.to_string().len() as u64;
        let call = recorded(state, parts, route, bytes_in, |fields| {
            call(state, parts, fields, t, args)
        });
        // The client gone (rmcp cancels the request's token when its HTTP request is
        // dropped): the call is dropped too, mid-flight, and recorded as 499.
        let result = tokio::select! {
            r = call => r,
            () = context.ct.cancelled() => {
                return Err(ErrorData::internal_error("the client went away", None));
            }
        };
        Ok(match result {
            Ok(Value::String(cut)) => CallToolResult::success(vec![ContentBlock::text(cut)]),
            Ok(v) => CallToolResult::structured(v),
            Err(e) => CallToolResult::error(vec![ContentBlock::text(e.detail)]),
        }
        .into())
    }
}

/// One tool call of a verified tenant; the operation is attributed to the last bucket
/// whose access passed.
async fn call(
    state: &AppState,
    parts: &http::request::Parts,
    fields: OpFields,
    t: ToolId,
    args: Value,
) -> Result<Value, ApiError> {
    let mut parts = parts.clone();
    parts.extensions.insert(fields.clone());
    let Verified(tenant) = Verified::from_request_parts(&mut parts, state).await?;
    let env = tool_env(state, &tenant);
    let span = ToolSpan::start(t.name());
    let r = match Args::from_wire(&args) {
        Ok(a) => {
            tools::call(&env, t, &a)
                .instrument(span.span().clone())
                .await
        }
        Err(e) => Err(e),
    };
    span.end(r.as_ref().err().map(|e| e.message.as_str()));
    state
        .assistant
        .metrics
        .tool_call(t.name(), r.is_ok(), Interface::Mcp);
    if let Some(b) = env.checked_buckets().last() {
        fields.set_bucket(b);
    }
    let cap = state.assistant.budget.per_result;
    r.map(|o| within(o.value, cap)).map_err(ApiError::from)
}

/// A result as MCP answers it: the JSON object (structured content), or — over
/// `AGENT_MAX_TOOL_BYTES` — its text cut to that size with a marker, as the chat's
/// model gets it (a string: no longer a whole object).
fn within(v: Value, cap: usize) -> Value {
    let text = v.to_string();
    match text.len() > cap {
        true => Value::String(prompt::fit(text, cap)),
        false => v,
    }
}
