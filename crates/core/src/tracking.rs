//! "Connect event tracking": with the workspace's AWS credentials, create or repair every
//! piece that carries SES events to Herald Relay, and say how each one stands:
//!
//! 1. the SES configuration set (mail sent with it is event-published; SES tracks opens and
//!    clicks for it with its own tracking domain);
//! 2. a standard SNS topic, with the access policy that lets SES publish to it (limited to
//!    this account and this configuration set) and SignatureVersion 2;
//! 3. the configuration set's event destination: enabled, every relevant event type, to
//!    the topic;
//! 4. the relay: the topic registered for this workspace and the unsubscribe key uploaded;
//! 5. the topic's HTTPS subscription to the relay's SNS endpoint (the relay confirms it).
//!
//! Every step looks first and changes only what differs, so running it again is safe.

use aws_sdk_sesv2::types::{EventDestinationDefinition, EventType, SnsDestination};
use rusqlite::Connection;
use serde::Serialize;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::events::poll::RelayClient;
use crate::ses::SesConnection;
use crate::settings::{self, Settings};

/// The event destination's name inside the configuration set.
pub const EVENT_DESTINATION: &str = "herald-relay";

/// The event types Herald asks SES to publish.
pub const EVENT_TYPES: [EventType; 10] = [
    EventType::Send,
    EventType::Delivery,
    EventType::Bounce,
    EventType::Complaint,
    EventType::Reject,
    EventType::Open,
    EventType::Click,
    EventType::RenderingFailure,
    EventType::DeliveryDelay,
    EventType::Subscription,
];

/// The configuration set (and topic) name for a workspace: stable, SES-safe, unique per
/// workspace so two workspaces on one AWS account never share events.
pub fn configuration_set_name(workspace_id: &str) -> String {
    let short: String = workspace_id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(12)
        .collect();
    format!("herald-{short}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Piece {
    ConfigurationSet,
    Topic,
    TopicPolicy,
    EventDestination,
    Relay,
    Subscription,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PieceState {
    /// It was already right.
    Ok,
    Created,
    /// It existed but differed; now fixed.
    Repaired,
    /// Done on our side, waiting for the other (the relay confirms the subscription).
    Pending,
    Failed,
    /// Not tried because an earlier piece failed.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PieceStatus {
    pub piece: Piece,
    pub state: PieceState,
    /// What was found or done, or what went wrong, in words.
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct TrackingStatus {
    pub configuration_set: String,
    pub topic_arn: Option<String>,
    pub pieces: Vec<PieceStatus>,
}

impl TrackingStatus {
    /// Every piece is in place (a subscription the relay has yet to confirm counts).
    pub fn connected(&self) -> bool {
        self.pieces
            .iter()
            .all(|p| !matches!(p.state, PieceState::Failed | PieceState::Skipped))
    }

    fn push(&mut self, piece: Piece, state: PieceState, detail: impl Into<String>) {
        self.pieces.push(PieceStatus {
            piece,
            state,
            detail: detail.into(),
        });
    }

    fn skip_rest(&mut self, after: Piece) {
        let order = [
            Piece::ConfigurationSet,
            Piece::Topic,
            Piece::TopicPolicy,
            Piece::EventDestination,
            Piece::Relay,
            Piece::Subscription,
        ];
        let from = order.iter().position(|p| *p == after).map_or(0, |i| i + 1);
        for piece in &order[from..] {
            if !self.pieces.iter().any(|p| p.piece == *piece) {
                self.push(
                    *piece,
                    PieceState::Skipped,
                    "Not tried: an earlier step failed.",
                );
            }
        }
    }
}

fn failure<E, R>(
    connection: &SesConnection,
    e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> String
where
    E: aws_sdk_sesv2::error::ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let region = connection.region.clone().unwrap_or_default();
    connection.call_error(&region, e).to_string()
}

/// The access policy SES needs to publish to the topic: only this account's configuration
/// set may.
pub fn topic_policy(topic_arn: &str, configuration_set: &str) -> Result<String> {
    let parts: Vec<&str> = topic_arn.split(':').collect();
    let (region, account) = match parts.as_slice() {
        ["arn", _, "sns", region, account, _] => (*region, *account),
        _ => {
            return Err(Error::invalid(
                "topic_arn",
                format!("“{topic_arn}” is not an SNS topic ARN."),
            ))
        }
    };
    let partition = parts[1];
    Ok(serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "HeraldSesPublish",
            "Effect": "Allow",
            "Principal": {"Service": "ses.amazonaws.com"},
            "Action": "SNS:Publish",
            "Resource": topic_arn,
            "Condition": {
                "StringEquals": {
                    "AWS:SourceAccount": account,
                    "AWS:SourceArn": format!("arn:{partition}:ses:{region}:{account}:configuration-set/{configuration_set}")
                }
            }
        }]
    })
    .to_string())
}

/// The configuration set tracking uses and campaigns are sent with: the one chosen in
/// Settings, or else the workspace's own name from [`configuration_set_name`].
pub fn configuration_set_for(settings: &Settings, workspace_id: &str) -> String {
    settings
        .configuration_set
        .clone()
        .unwrap_or_else(|| configuration_set_name(workspace_id))
}

/// After [`connect`]: when Settings named no configuration set and the one Herald made is
/// in place, remember it, so every campaign from now on is sent with it (and its events
/// reach the relay). A name the user chose is never replaced.
pub fn remember_configuration_set(conn: &mut Connection, status: &TrackingStatus) -> Result<()> {
    let in_place = status.pieces.iter().any(|p| {
        p.piece == Piece::ConfigurationSet
            && matches!(
                p.state,
                PieceState::Ok | PieceState::Created | PieceState::Repaired
            )
    });
    let mut current = settings::load_stored(conn)?;
    if in_place && current.configuration_set.is_none() {
        current.configuration_set = Some(status.configuration_set.clone());
        settings::save(conn, current)?;
    }
    Ok(())
}

/// Creates or repairs every piece; see the module docs. Never fails as a whole: each
/// piece's outcome is in the status.
pub async fn connect(
    connection: &SesConnection,
    relay: &RelayClient,
    workspace_id: &str,
    configuration_set: &str,
    unsubscribe_key: &[u8],
) -> Result<TrackingStatus> {
    let config = connection.sdk_config().await?;
    let ses = aws_sdk_sesv2::Client::new(&config);
    let sns = aws_sdk_sns::Client::new(&config);
    let name = configuration_set.to_owned();
    let mut status = TrackingStatus {
        configuration_set: name.clone(),
        topic_arn: None,
        pieces: Vec::new(),
    };

    // 1. The configuration set: creating one that exists answers AlreadyExists, which is
    //    how Herald learns it is there (GetConfigurationSet would need more permission and
    //    reads differently on SES-compatible test endpoints).
    match ses
        .create_configuration_set()
        .configuration_set_name(&name)
        .send()
        .await
    {
        Ok(_) => status.push(
            Piece::ConfigurationSet,
            PieceState::Created,
            format!("Created “{name}”."),
        ),
        Err(e)
            if e.as_service_error().is_some_and(|s| {
                use aws_sdk_sesv2::error::ProvideErrorMetadata;
                // SES v2 says AlreadyExists; moto answers with the v1 name.
                s.is_already_exists_exception()
                    || s.code() == Some("ConfigurationSetAlreadyExistsException")
            }) =>
        {
            status.push(
                Piece::ConfigurationSet,
                PieceState::Ok,
                format!("“{name}” exists."),
            )
        }
        Err(e) => {
            status.push(
                Piece::ConfigurationSet,
                PieceState::Failed,
                failure(connection, e),
            );
            status.skip_rest(Piece::ConfigurationSet);
            return Ok(status);
        }
    }

    // 2. The topic (CreateTopic returns the existing one when it is there).
    let topic_arn = match sns.create_topic().name(&name).send().await {
        Ok(out) => match out.topic_arn() {
            Some(arn) => arn.to_owned(),
            None => {
                status.push(
                    Piece::Topic,
                    PieceState::Failed,
                    "SNS created no topic ARN.",
                );
                status.skip_rest(Piece::Topic);
                return Ok(status);
            }
        },
        Err(e) => {
            status.push(Piece::Topic, PieceState::Failed, failure(connection, e));
            status.skip_rest(Piece::Topic);
            return Ok(status);
        }
    };
    status.topic_arn = Some(topic_arn.clone());
    status.push(
        Piece::Topic,
        PieceState::Ok,
        format!("Standard topic {topic_arn}."),
    );

    // 3. Its policy and signature version.
    let wanted = topic_policy(&topic_arn, &name)?;
    let current = sns
        .get_topic_attributes()
        .topic_arn(&topic_arn)
        .send()
        .await
        .ok()
        .and_then(|out| out.attributes().cloned())
        .unwrap_or_default();
    let same_policy = current
        .get("Policy")
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        == serde_json::from_str::<serde_json::Value>(&wanted).ok();
    let signed_v2 = current.get("SignatureVersion").map(String::as_str) == Some("2");
    if same_policy && signed_v2 {
        status.push(
            Piece::TopicPolicy,
            PieceState::Ok,
            "SES may publish to the topic.",
        );
    } else {
        let set = |attribute: &'static str, value: String| {
            sns.set_topic_attributes()
                .topic_arn(&topic_arn)
                .attribute_name(attribute)
                .attribute_value(value)
                .send()
        };
        let result = match set("Policy", wanted).await {
            Ok(_) => set("SignatureVersion", "2".into()).await.map(drop),
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => status.push(
                Piece::TopicPolicy,
                if current.contains_key("Policy") { PieceState::Repaired } else { PieceState::Created },
                "SES may publish to the topic (this account and configuration set only); messages are signed with SHA-256.",
            ),
            Err(e) => status.push(Piece::TopicPolicy, PieceState::Failed, failure(connection, e)),
        }
    }

    // 4. The event destination.
    let definition = EventDestinationDefinition::builder()
        .enabled(true)
        .set_matching_event_types(Some(EVENT_TYPES.to_vec()))
        .sns_destination(
            SnsDestination::builder()
                .topic_arn(&topic_arn)
                .build()
                .map_err(|e| Error::invalid("topic_arn", e.to_string()))?,
        )
        .build();
    match ses
        .get_configuration_set_event_destinations()
        .configuration_set_name(&name)
        .send()
        .await
    {
        Ok(out) => {
            let existing = out
                .event_destinations()
                .iter()
                .find(|d| d.name() == EVENT_DESTINATION);
            let right = existing.is_some_and(|d| {
                d.enabled()
                    && d.sns_destination().map(|s| s.topic_arn()) == Some(topic_arn.as_str())
                    && EVENT_TYPES
                        .iter()
                        .all(|t| d.matching_event_types().contains(t))
            });
            let outcome = if right {
                Ok(PieceState::Ok)
            } else if existing.is_some() {
                ses.update_configuration_set_event_destination()
                    .configuration_set_name(&name)
                    .event_destination_name(EVENT_DESTINATION)
                    .event_destination(definition)
                    .send()
                    .await
                    .map(|_| PieceState::Repaired)
                    .map_err(|e| failure(connection, e))
            } else {
                ses.create_configuration_set_event_destination()
                    .configuration_set_name(&name)
                    .event_destination_name(EVENT_DESTINATION)
                    .event_destination(definition)
                    .send()
                    .await
                    .map(|_| PieceState::Created)
                    .map_err(|e| failure(connection, e))
            };
            match outcome {
                Ok(state) => status.push(
                    Piece::EventDestination,
                    state,
                    "Enabled: sends, deliveries, bounces, complaints, rejects, opens, clicks, rendering failures, delays and subscriptions go to the topic.",
                ),
                Err(detail) => status.push(Piece::EventDestination, PieceState::Failed, detail),
            }
        }
        Err(e) => status.push(
            Piece::EventDestination,
            PieceState::Failed,
            failure(connection, e),
        ),
    }

    // 5. The relay: the topic is this workspace's, and it knows the unsubscribe key.
    let registered = async {
        relay.put_topics(vec![topic_arn.clone()]).await?;
        relay
            .put_unsubscribe_key(workspace_id, unsubscribe_key)
            .await
    }
    .await;
    let relay_status = match registered {
        Ok(s) => {
            status.push(
                Piece::Relay,
                PieceState::Ok,
                format!("The relay keeps this topic's events for “{}” and checks this workspace's unsubscribe links.", s.name),
            );
            s
        }
        Err(e) => {
            status.push(Piece::Relay, PieceState::Failed, e.to_string());
            status.skip_rest(Piece::Relay);
            return Ok(status);
        }
    };

    // 6. The HTTPS subscription to the relay.
    let endpoint = relay_status.sns_endpoint_url.clone();
    let existing = sns
        .list_subscriptions_by_topic()
        .topic_arn(&topic_arn)
        .send()
        .await
        .map(|out| {
            out.subscriptions()
                .iter()
                .any(|s| s.protocol() == Some("https") && s.endpoint() == Some(endpoint.as_str()))
        });
    let confirmed = relay_status.topics.iter().any(|t| {
        t.topic_arn == topic_arn
            && t.subscription == herald_protocol::api::SubscriptionState::Confirmed
    });
    match existing {
        Ok(true) if confirmed => status.push(Piece::Subscription, PieceState::Ok, format!("Confirmed: SNS delivers to {endpoint}.")),
        // Subscribed but not confirmed (e.g. SNS asked before the topic was registered on
        // the relay): subscribing the same endpoint again makes SNS send a new confirmation.
        Ok(true) => match sns
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("https")
            .endpoint(&endpoint)
            .return_subscription_arn(true)
            .send()
            .await
        {
            Ok(_) => status.push(
                Piece::Subscription,
                PieceState::Pending,
                format!("Subscribed {endpoint}; asked SNS to confirm again — the relay confirms it by itself within a minute."),
            ),
            Err(e) => status.push(Piece::Subscription, PieceState::Failed, failure(connection, e)),
        },
        Ok(false) => match sns
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("https")
            .endpoint(&endpoint)
            .return_subscription_arn(true)
            .send()
            .await
        {
            Ok(_) => status.push(
                Piece::Subscription,
                PieceState::Pending,
                format!("Subscribed {endpoint}; the relay confirms it when SNS asks."),
            ),
            Err(e) => status.push(Piece::Subscription, PieceState::Failed, failure(connection, e)),
        },
        Err(e) => status.push(Piece::Subscription, PieceState::Failed, failure(connection, e)),
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_the_topic_policy() {
        assert_eq!(
            configuration_set_name("3f1c2d4e-0000-4000-8000-000000000001"),
            "herald-3f1c2d4e0000"
        );
        let policy: serde_json::Value = serde_json::from_str(
            &topic_policy("arn:aws:sns:eu-west-1:123456789012:herald-x", "herald-x").unwrap(),
        )
        .unwrap();
        let statement = &policy["Statement"][0];
        assert_eq!(statement["Principal"]["Service"], "ses.amazonaws.com");
        assert_eq!(
            statement["Condition"]["StringEquals"]["AWS:SourceArn"],
            "arn:aws:ses:eu-west-1:123456789012:configuration-set/herald-x"
        );
        assert_eq!(
            statement["Condition"]["StringEquals"]["AWS:SourceAccount"],
            "123456789012"
        );
        assert!(topic_policy("not-an-arn", "x").is_err());
    }
}
