//! Mission Control's admin endpoints: the overview, the per-minute series and the events
//! of [`HttpStats`](crate::mission::HttpStats). Parse → call → render.

use crate::mission::{
    EventsAnswer, SeriesAnswer, events_json, overview_json, series_json, series_params,
};
use crate::server::AppState;
use crate::server::error::{ApiError, ApiResult};
use crate::server::query::Params;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

/// `GET /admin/api/mission-control`.
pub async fn overview(State(state): State<AppState>) -> Response {
    Json(overview_json(&state.http_stats.overview())).into_response()
}

/// `GET /admin/api/timeseries?window=60m&resolution=1m`.
pub async fn timeseries(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<SeriesAnswer>> {
    let (window, resolution) = series_params(params.get("window"), params.get("resolution"))
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let points = state.http_stats.series(window, resolution);
    Ok(Json(series_json(
        state.http_stats.now(),
        window,
        resolution,
        &points,
    )))
}

/// `GET /admin/api/events?limit=50`.
pub async fn events(
    State(state): State<AppState>,
    params: Params,
) -> ApiResult<Json<EventsAnswer>> {
    let limit = params.int("limit", 1..=500, 50)? as usize;
    let events = state.http_stats.events();
    Ok(Json(events_json(state.http_stats.now(), &events, limit)))
}
