//! The app's API: event polling and registration, each call with the workspace's bearer
//! token. Shapes are in `herald_protocol::api`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;

use herald_protocol::api::{
    ApiError, ApiErrorBody, TopicsRequest, UnsubscribeKeyRequest, WorkspaceStatus,
    DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT, SNS_PATH, UNSUBSCRIBE_PATH_PREFIX,
};
use herald_protocol::unsubscribe::KEY_BYTES;

use crate::config::is_topic_arn;
use crate::store::{self, StoreError, WorkspaceRow};
use crate::AppState;

/// The most topics one workspace registers (SES: one configuration set per region, usually one).
const MAX_TOPICS: usize = 20;

/// `{ "error": { code, message } }` with `status`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(ApiError {
            error: ApiErrorBody {
                code: code.to_owned(),
                message: message.to_owned(),
            },
        }),
    )
        .into_response()
}

fn unavailable(e: &StoreError) -> Response {
    tracing::error!(error = %e, "API call failed in the database");
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "The relay's database is unavailable; try again.",
    )
}

fn invalid(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "invalid_request", message)
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<WorkspaceRow, Response> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|v| v.trim().to_owned());
    let found = match bearer {
        Some(token) => state
            .pool
            .run(move |c| store::authenticate(c, &token))
            .await
            .map_err(|e| unavailable(&e))?,
        None => None,
    };
    found.ok_or_else(|| {
        let mut response = error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid workspace token is required (Authorization: Bearer ...).",
        );
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        response
    })
}

/// `GET /v1/events?after=CURSOR&limit=N`
pub async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let workspace = match authenticate(&state, &headers).await {
        Ok(w) => w,
        Err(response) => return response,
    };
    let after = match query.get("after").map(|v| v.parse::<u64>()) {
        None => 0,
        Some(Ok(after)) => after,
        Some(Err(_)) => return invalid("after must be a cursor (a whole number)."),
    };
    let limit = match query.get("limit").map(|v| v.parse::<u32>()) {
        None => DEFAULT_PAGE_LIMIT,
        Some(Ok(limit)) if (1..=MAX_PAGE_LIMIT).contains(&limit) => limit,
        _ => return invalid(&format!("limit must be between 1 and {MAX_PAGE_LIMIT}.")),
    };
    match state
        .pool
        .run(move |c| store::events_after(c, workspace.id, after, limit))
        .await
    {
        Ok(page) => Json(page).into_response(),
        Err(e) => unavailable(&e),
    }
}

/// `GET /v1/workspace`
pub async fn workspace(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    match authenticate(&state, &headers).await {
        Ok(workspace) => status(&state, workspace).await,
        Err(response) => response,
    }
}

/// `PUT /v1/topics`
pub async fn put_topics(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let workspace = match authenticate(&state, &headers).await {
        Ok(w) => w,
        Err(response) => return response,
    };
    let Ok(request) = serde_json::from_slice::<TopicsRequest>(&body) else {
        return invalid("The body must be {\"topic_arns\": [\"arn:aws:sns:...\"]}.");
    };
    let mut arns = request.topic_arns;
    arns.sort();
    arns.dedup();
    if arns.len() > MAX_TOPICS {
        return invalid(&format!("At most {MAX_TOPICS} topics per workspace."));
    }
    if let Some(bad) = arns.iter().find(|a| !is_topic_arn(a)) {
        return invalid(&format!("{bad:?} is not an SNS topic ARN."));
    }
    let allowed = &state.config.allowed_topic_arns;
    if let Some(refused) = arns
        .iter()
        .find(|a| !allowed.is_empty() && !allowed.contains(a))
    {
        return error(
            StatusCode::FORBIDDEN,
            "not_allowed",
            &format!("This relay does not accept the topic {refused}; ask IT to add it to allowed_topic_arns."),
        );
    }
    let id = workspace.id;
    match state
        .pool
        .run(move |c| store::set_topics(c, id, &arns))
        .await
    {
        Ok(()) => status(&state, workspace).await,
        Err(StoreError::TopicTaken(arn)) => error(
            StatusCode::CONFLICT,
            "conflict",
            &format!("The topic {arn} is registered by another workspace on this relay."),
        ),
        Err(e) => unavailable(&e),
    }
}

/// `PUT /v1/unsubscribe-key`
pub async fn put_unsubscribe_key(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let workspace = match authenticate(&state, &headers).await {
        Ok(w) => w,
        Err(response) => return response,
    };
    let Ok(request) = serde_json::from_slice::<UnsubscribeKeyRequest>(&body) else {
        return invalid("The body must be {\"workspace_id\": \"...\", \"key\": \"<base64>\"}.");
    };
    let app_workspace_id = request.workspace_id.trim().to_owned();
    if app_workspace_id.is_empty()
        || app_workspace_id.len() > 200
        || app_workspace_id.contains('\n')
    {
        return invalid("workspace_id must be the desktop workspace's id.");
    }
    let key = match STANDARD.decode(request.key.trim()) {
        Ok(key) if key.len() >= KEY_BYTES && key.len() <= 1024 => key,
        _ => {
            return invalid(&format!(
                "key must be base64 of at least {KEY_BYTES} bytes."
            ))
        }
    };
    let id = workspace.id;
    match state
        .pool
        .run(move |c| store::add_unsubscribe_key(c, id, &app_workspace_id, &key))
        .await
    {
        Ok(()) => status(&state, workspace).await,
        Err(e) => unavailable(&e),
    }
}

async fn status(state: &AppState, workspace: WorkspaceRow) -> Response {
    let id = workspace.id;
    let found = state
        .pool
        .run(move |c| Ok((store::topics(c, id)?, store::unsubscribe_keys(c, id)?)))
        .await;
    match found {
        Ok((topics, unsubscribe_keys)) => Json(WorkspaceStatus {
            name: workspace.name,
            sns_endpoint_url: format!("{}{SNS_PATH}", state.config.public_url),
            unsubscribe_base_url: format!("{}{UNSUBSCRIBE_PATH_PREFIX}", state.config.public_url),
            retention_days: state.config.retention_days,
            topics,
            unsubscribe_keys,
        })
        .into_response(),
        Err(e) => unavailable(&e),
    }
}
