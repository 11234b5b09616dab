//! Fleet endpoints: `/fleet/operations` and `/fleet/timeseries`, answered by the
//! Prometheus-HTTP-API engine that scrapes every replica (see [`crate::fleet`]).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use http::StatusCode;
use serde::Serialize;

use crate::fleet::{Fleet, FleetError, Health, OperationsView, RangeRequest, TimeseriesView};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::query::Params;

const NOT_CONFIGURED: &str = "The fleet view is not configured: start SpaceWatch with \
--prometheus-url URL (or SPACEWATCH_PROMETHEUS_URL) naming a Prometheus-compatible engine \
(Prometheus, VictoriaMetrics, Thanos, Mimir) that scrapes every replica's /metrics";

fn configured(state: &AppState) -> ApiResult<Arc<Fleet>> {
    state
        .fleet
        .clone()
        .ok_or_else(|| ApiError::service_unavailable(NOT_CONFIGURED))
}

/// An engine that is slow is a 504; one that is away or answers an error, a 502.
fn engine_error(e: FleetError) -> ApiError {
    let status = if e.is_timeout() {
        StatusCode::GATEWAY_TIMEOUT
    } else {
        StatusCode::BAD_GATEWAY
    };
    ApiError::new(status, e.to_string())
}

pub async fn operations(State(state): State<AppState>) -> ApiResult<Json<OperationsView>> {
    let fleet = configured(&state)?;
    let view = fleet
        .operations(state.recorder.clock().as_ref())
        .await
        .map_err(engine_error)?;
    Ok(Json(view))
}

/// The parameters first: a bad one is a 400 whether or not the fleet view is configured.
pub async fn timeseries(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<TimeseriesView>> {
    let req = RangeRequest::parse(params.get("window"), params.get("resolution"))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let fleet = configured(&state)?;
    let view = fleet
        .timeseries(state.recorder.clock().as_ref(), &req)
        .await
        .map_err(engine_error)?;
    Ok(Json(view))
}

/// The `fleet` object of `/health`: the fleet's, and this replica's id.
#[derive(Debug, Serialize)]
pub struct FleetHealth {
    #[serde(flatten)]
    fleet: Health,
    instance_id: String,
}

/// The `fleet` object of `/health`: present only when the fleet view is configured.
pub fn health(state: &AppState) -> Option<FleetHealth> {
    Some(FleetHealth {
        fleet: state.fleet.as_ref()?.health(),
        instance_id: state.settings.instance_id.value.clone(),
    })
}
