//! `POST /sns`: SNS messages in. A message is refused (4xx, nothing stored) unless it is
//! well formed, its topic is registered, its certificate URL is an SNS address and its
//! signature checks out. A Notification is answered `200` only after it is committed;
//! a SubscriptionConfirmation only after its SubscribeURL has been visited.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use herald_protocol::api::{EventBody, SesNotification, SubscriptionState};

use crate::sns::{trusted_sns_url, MessageType, Rejection, SnsMessage};
use crate::store::{self, NewEvent, Stored};
use crate::AppState;

pub async fn receive(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let type_header = headers
        .get("x-amz-sns-message-type")
        .and_then(|v| v.to_str().ok());
    let (message, kind) = match SnsMessage::parse(&body, type_header) {
        Ok(parsed) => parsed,
        Err(rejection) => return refuse(&rejection, None),
    };

    // The topic first: it is cheap, and unknown topics never make the relay fetch anything.
    let allowed = &state.config.allowed_topic_arns;
    if !allowed.is_empty() && !allowed.contains(&message.topic_arn) {
        return refuse(
            &Rejection::UnknownTopic(message.topic_arn.clone()),
            Some(&message),
        );
    }
    let topic = message.topic_arn.clone();
    let workspace_id = match state
        .pool
        .run(move |c| store::topic_workspace(c, &topic))
        .await
    {
        Ok(Some(id)) => id,
        Ok(None) => {
            return refuse(
                &Rejection::UnknownTopic(message.topic_arn.clone()),
                Some(&message),
            )
        }
        Err(e) => return unavailable(&e),
    };

    if let Err(rejection) = state.verifier.verify(&message, kind).await {
        return refuse(&rejection, Some(&message));
    }

    match kind {
        MessageType::Notification => {
            let event = NewEvent {
                workspace_id,
                dedupe_key: format!("sns\n{}", message.message_id),
                body: EventBody::Ses(SesNotification {
                    sns_message_id: message.message_id.clone(),
                    topic_arn: message.topic_arn.clone(),
                    sns_timestamp: message.timestamp.clone(),
                    subject: message.subject.clone(),
                    message: message.message,
                }),
            };
            match state.writer.store(event).await {
                Ok(Stored::New) => StatusCode::OK.into_response(),
                Ok(Stored::Duplicate) => {
                    tracing::debug!(message_id = %message.message_id, "duplicate SNS delivery");
                    StatusCode::OK.into_response()
                }
                Err(e) => unavailable(&e),
            }
        }
        MessageType::SubscriptionConfirmation => confirm_subscription(&state, &message).await,
        MessageType::UnsubscribeConfirmation => {
            // Logged and shown to the app; never resubscribed automatically.
            tracing::warn!(topic = %message.topic_arn, "SNS reports the subscription was removed");
            set_state(&state, &message.topic_arn, SubscriptionState::Unsubscribed).await
        }
    }
}

async fn confirm_subscription(state: &AppState, message: &SnsMessage) -> Response {
    let raw = message.subscribe_url.as_deref().unwrap_or_default();
    let url = match trusted_sns_url(raw, "SubscribeURL", false, state.verifier.allow_loopback()) {
        Ok(url) => url,
        Err(rejection) => return refuse(&rejection, Some(message)),
    };
    let visited = state
        .verifier
        .http()
        .get(url)
        .send()
        .await
        .and_then(|r| r.error_for_status());
    match visited {
        Ok(_) => {
            tracing::info!(topic = %message.topic_arn, "confirmed the SNS subscription");
            set_state(state, &message.topic_arn, SubscriptionState::Confirmed).await
        }
        Err(e) => {
            // SNS sends the confirmation again; answering 502 says "not done yet".
            tracing::warn!(topic = %message.topic_arn, error = %e.without_url(), "visiting the SubscribeURL failed");
            (
                StatusCode::BAD_GATEWAY,
                "The subscription could not be confirmed yet.\n",
            )
                .into_response()
        }
    }
}

async fn set_state(state: &AppState, topic_arn: &str, subscription: SubscriptionState) -> Response {
    let topic = topic_arn.to_owned();
    match state
        .pool
        .run(move |c| store::set_subscription(c, &topic, subscription))
        .await
    {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => unavailable(&e),
    }
}

fn refuse(rejection: &Rejection, message: Option<&SnsMessage>) -> Response {
    let status = match rejection {
        Rejection::UnknownTopic(_) | Rejection::BadSignature => StatusCode::FORBIDDEN,
        Rejection::Certificate(_) => StatusCode::BAD_GATEWAY,
        _ => StatusCode::BAD_REQUEST,
    };
    tracing::warn!(
        reason = %rejection,
        message_id = message.map(|m| m.message_id.as_str()).unwrap_or(""),
        topic = message.map(|m| m.topic_arn.as_str()).unwrap_or(""),
        "refused an SNS message"
    );
    (status, format!("{rejection}\n")).into_response()
}

fn unavailable(error: &store::StoreError) -> Response {
    tracing::error!(error = %error, "could not store an SNS message");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        "The message could not be stored; try again.\n",
    )
        .into_response()
}
