//! SNS intake against a real relay on loopback, with messages signed by the test key whose
//! certificate a loopback server hands out.

mod common;

use common::TestRelay;
use herald_protocol::api::{EventBody, SubscriptionState, WorkspaceStatus};
use herald_test_support::sns::{ses::Mail, topic_arn, SnsTestServer};

#[tokio::test]
async fn signed_notifications_of_both_versions_are_stored_once_each() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;

    let mail = Mail::new("ses-0001", "jane@example.com").tag("herald_campaign", "7");
    let delivery = mail.delivery("2026-11-27T10:00:02.000Z");
    let v2 = sns.notification(&topic, &delivery);
    assert_eq!(relay.post_sns(&v2).await.0, 200);
    assert_eq!(relay.post_sns(&v2).await.0, 200, "SNS retries get 200 too");
    let v1 = sns
        .notification(
            &topic,
            &mail.open("2026-11-27T10:05:00.000Z", "Mozilla/5.0", "192.0.2.1"),
        )
        .with_signature_version("1");
    assert_eq!(relay.post_sns(&v1).await.0, 200);
    let with_subject = sns
        .notification(
            &topic,
            &mail.click(
                "2026-11-27T10:06:00.000Z",
                "https://acme.example/offer",
                "Mozilla/5.0",
                "192.0.2.1",
            ),
        )
        .set("Subject", "Amazon SES Email Event Notification");
    let mut with_subject = with_subject;
    with_subject.sign();
    assert_eq!(relay.post_sns(&with_subject).await.0, 200);

    assert_eq!(
        relay.count_events(),
        3,
        "the retried message is stored once"
    );
    let page = relay.poll(&token, 0, 10).await;
    assert_eq!(page.events.len(), 3);
    assert!(!page.has_more);
    let EventBody::Ses(first) = &page.events[0].event else {
        panic!("an SES event")
    };
    assert_eq!(first.sns_message_id, v2.message_id());
    assert_eq!(first.topic_arn, topic);
    assert_eq!(first.sns_timestamp, "2026-11-27T10:00:00.000Z");
    let carried: serde_json::Value = serde_json::from_str(&first.message).unwrap();
    assert_eq!(carried, delivery, "the SES event arrives unchanged");
    let EventBody::Ses(third) = &page.events[2].event else {
        panic!("an SES event")
    };
    assert_eq!(
        third.subject.as_deref(),
        Some("Amazon SES Email Event Notification")
    );
    assert!(page.events.windows(2).all(|w| w[0].cursor < w[1].cursor));
    assert_eq!(page.next_cursor, page.events[2].cursor);
    relay.stop().await;
}

#[tokio::test]
async fn forged_altered_wrong_topic_and_unsupported_messages_are_refused_and_nothing_is_stored() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;
    let event = Mail::new("ses-0002", "jane@example.com").delivery("2026-11-27T10:00:02.000Z");
    let good = sns.notification(&topic, &event);

    let altered = good.clone().set("Message", r#"{"eventType":"Complaint"}"#);
    assert_eq!(
        relay.post_sns(&altered).await.0,
        403,
        "altered after signing"
    );

    let forged = good.clone().set("Signature", &"QUFB".repeat(86));
    assert_eq!(
        relay.post_sns(&forged).await.0,
        403,
        "a signature from no key of ours"
    );

    let wrong_topic = sns.notification(&topic_arn("someone-else"), &event);
    let (status, body) = relay.post_sns(&wrong_topic).await;
    assert_eq!(status, 403, "{body}");

    let v3 = good.clone().with_signature_version("3");
    assert_eq!(relay.post_sns(&v3).await.0, 400, "only versions 1 and 2");

    let mut elsewhere = good
        .clone()
        .set("SigningCertURL", "https://certs.evil.example/cert.pem");
    elsewhere.sign();
    assert_eq!(
        relay.post_sns(&elsewhere).await.0,
        400,
        "a certificate URL that is not SNS"
    );

    let mut s3 = good.clone().set(
        "SigningCertURL",
        "https://my-bucket.s3.amazonaws.com/cert.pem",
    );
    s3.sign();
    assert_eq!(
        relay.post_sns(&s3).await.0,
        400,
        "amazonaws.com alone is not enough"
    );

    let mut missing_certificate = good
        .clone()
        .set("SigningCertURL", &format!("{}/missing.pem", sns.base_url));
    missing_certificate.sign();
    assert_eq!(
        relay.post_sns(&missing_certificate).await.0,
        502,
        "SNS will retry"
    );
    assert_eq!(relay.post_sns(&missing_certificate).await.0, 502);

    let mut unknown_type = good.clone().set("Type", "Surprise");
    unknown_type.sign();
    assert_eq!(relay.post_sns(&unknown_type).await.0, 400);

    // The type header must agree with the body.
    let response = relay
        .http
        .post(format!("{}/sns", relay.url))
        .header("x-amz-sns-message-type", "SubscriptionConfirmation")
        .body(good.body())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let not_json = relay
        .http
        .post(format!("{}/sns", relay.url))
        .header("x-amz-sns-message-type", "Notification")
        .body("hello")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);

    let too_large = relay
        .http
        .post(format!("{}/sns", relay.url))
        .header("x-amz-sns-message-type", "Notification")
        .body(vec![b' '; 600 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(too_large.status(), 413, "the body limit");

    assert_eq!(relay.count_events(), 0);
    assert!(relay.poll(&token, 0, 10).await.events.is_empty());
    assert!(sns.visits().is_empty());

    assert_eq!(
        relay.post_sns(&good).await.0,
        200,
        "the untouched message still passes"
    );
    assert_eq!(relay.count_events(), 1);
    relay.stop().await;
}

#[tokio::test]
async fn loopback_certificates_are_refused_unless_the_test_switch_is_set() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start_with(|c| c.testing.allow_loopback_certificates = false).await;
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;
    let message = sns.notification(&topic, &Mail::new("ses-3", "a@example.com").send());
    assert_eq!(relay.post_sns(&message).await.0, 400);
    assert_eq!(relay.count_events(), 0);
    relay.stop().await;
}

#[tokio::test]
async fn a_subscription_confirmation_visits_the_subscribe_url() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;

    let (_, status) = relay
        .api(reqwest::Method::GET, "/v1/workspace", &token, None)
        .await;
    let status: WorkspaceStatus = serde_json::from_value(status).unwrap();
    assert_eq!(status.topics[0].subscription, SubscriptionState::Pending);
    assert_eq!(status.sns_endpoint_url, "https://relay.example.com/sns");

    // A confirmation whose SubscribeURL leaves SNS is refused before anything is fetched.
    let mut phishing = sns
        .subscription_confirmation(&topic)
        .set("SubscribeURL", "https://evil.example/confirm?Token=x");
    phishing.sign();
    assert_eq!(relay.post_sns(&phishing).await.0, 400);
    assert!(sns.visits().is_empty());

    let confirmation = sns.subscription_confirmation(&topic);
    let altered = confirmation.clone().set("Token", "another");
    assert_eq!(relay.post_sns(&altered).await.0, 403);
    assert!(sns.visits().is_empty());

    assert_eq!(relay.post_sns(&confirmation).await.0, 200);
    let visits = sns.visits();
    assert_eq!(visits.len(), 1);
    let expected_token = confirmation.fields["Token"].as_str().unwrap();
    assert!(
        visits[0].starts_with("/confirm?Action=ConfirmSubscription"),
        "{visits:?}"
    );
    assert!(
        visits[0].ends_with(&format!("Token={expected_token}")),
        "{visits:?}"
    );

    let (_, status) = relay
        .api(reqwest::Method::GET, "/v1/workspace", &token, None)
        .await;
    let status: WorkspaceStatus = serde_json::from_value(status).unwrap();
    assert_eq!(status.topics[0].subscription, SubscriptionState::Confirmed);
    assert!(status.topics[0].confirmed_at.is_some());
    assert_eq!(relay.count_events(), 0, "confirmations are not events");

    // SNS reports the subscription removed: shown to the app, never resubscribed.
    let mut removed = sns
        .subscription_confirmation(&topic)
        .set("Type", "UnsubscribeConfirmation")
        .with_signature_version("1");
    removed.sign();
    assert_eq!(relay.post_sns(&removed).await.0, 200);
    assert_eq!(
        sns.visits().len(),
        1,
        "the SubscribeURL of an unsubscribe is not visited"
    );
    let (_, status) = relay
        .api(reqwest::Method::GET, "/v1/workspace", &token, None)
        .await;
    assert_eq!(status["topics"][0]["subscription"], "unsubscribed");

    let other = sns.subscription_confirmation(&topic_arn("not-registered"));
    assert_eq!(relay.post_sns(&other).await.0, 403);
    assert_eq!(
        sns.visits().len(),
        1,
        "unregistered topics are never confirmed"
    );
    relay.stop().await;
}

#[tokio::test]
async fn the_blocking_helper_posts_like_sns() {
    let sns = SnsTestServer::start();
    let relay = TestRelay::start().await;
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;
    let message = sns.notification(
        &topic,
        &Mail::new("ses-4", "a@example.com").bounce(
            "2026-11-27T10:00:05.000Z",
            "Permanent",
            "General",
        ),
    );
    let url = format!("{}/sns", relay.url);
    let (status, _) = tokio::task::spawn_blocking(move || message.post_blocking(&url))
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(relay.count_events(), 1);
    relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_message_delivered_concurrently_is_stored_once() {
    let sns = SnsTestServer::start();
    let relay = std::sync::Arc::new(TestRelay::start().await);
    let token = relay.add_workspace("acme");
    let topic = topic_arn("herald-acme");
    relay.register_topic(&token, &topic).await;
    let message = sns.notification(
        &topic,
        &Mail::new("ses-5", "a@example.com").delivery("2026-11-27T10:00:02.000Z"),
    );
    let deliveries: Vec<_> = (0..20)
        .map(|_| {
            let (relay, message) = (relay.clone(), message.clone());
            tokio::spawn(async move { relay.post_sns(&message).await.0 })
        })
        .collect();
    for delivery in deliveries {
        assert_eq!(delivery.await.unwrap(), 200);
    }
    assert_eq!(relay.count_events(), 1);
    assert_eq!(relay.poll(&token, 0, 10).await.events.len(), 1);
}
