//! `ses::identity_status` through the real SDK against the SES double's `GetEmailIdentity`.

use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::ses::{identity_status, DnsRecord, SesConnection, VerificationState};
use herald_test_support::fake_access_key_id;
use herald_test_support::ses_double::SesDouble;
use serde_json::json;

fn connection(endpoint: &str) -> SesConnection {
    SesConnection {
        region: Some("eu-west-1".into()),
        endpoint: Some(endpoint.to_owned()),
        credentials: ResolvedCredentials::Keys(AwsKeyPair {
            access_key_id: fake_access_key_id("IDENTITY"),
            secret_access_key: "test-secret-not-real".into(),
        }),
    }
}

#[tokio::test]
async fn a_pending_domain_lists_its_dkim_and_mail_from_records() {
    let double = SesDouble::start();
    double.script(|s| {
        s.identities.insert(
            "acme.example".into(),
            json!({
                "IdentityType": "DOMAIN",
                "VerifiedForSendingStatus": false,
                "VerificationStatus": "PENDING",
                "DkimAttributes": {
                    "SigningEnabled": true,
                    "Status": "PENDING",
                    "Tokens": ["tok1", "tok2", "tok3"],
                    "SigningAttributesOrigin": "AWS_SES"
                },
                "MailFromAttributes": {
                    "MailFromDomain": "bounce.acme.example",
                    "MailFromDomainStatus": "PENDING",
                    "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"
                }
            }),
        );
        s.identities.insert(
            "news@ready.example".into(),
            json!({
                "IdentityType": "EMAIL_ADDRESS",
                "VerifiedForSendingStatus": true,
                "VerificationStatus": "SUCCESS",
                "DkimAttributes": { "SigningEnabled": true, "Status": "SUCCESS", "Tokens": ["a", "b", "c"] }
            }),
        );
    });
    let conn = connection(&double.endpoint);

    let status = identity_status(&conn, "acme.example").await.unwrap();
    assert!(status.found);
    assert_eq!(status.identity_type.as_deref(), Some("DOMAIN"));
    assert!(!status.verified_for_sending);
    assert_eq!(status.verification, Some(VerificationState::Pending));
    assert_eq!(status.dkim, Some(VerificationState::Pending));
    assert!(status.dkim_signing_enabled);
    assert_eq!(status.mail_from, Some(VerificationState::Pending));
    let records: Vec<(&str, &str, &str)> = status
        .missing_records
        .iter()
        .map(
            |DnsRecord {
                 name,
                 record_type,
                 value,
                 ..
             }| { (name.as_str(), record_type.as_str(), value.as_str()) },
        )
        .collect();
    assert_eq!(
        records,
        [
            (
                "tok1._domainkey.acme.example",
                "CNAME",
                "tok1.dkim.amazonses.com"
            ),
            (
                "tok2._domainkey.acme.example",
                "CNAME",
                "tok2.dkim.amazonses.com"
            ),
            (
                "tok3._domainkey.acme.example",
                "CNAME",
                "tok3.dkim.amazonses.com"
            ),
            (
                "bounce.acme.example",
                "MX",
                "10 feedback-smtp.eu-west-1.amazonses.com"
            ),
            (
                "bounce.acme.example",
                "TXT",
                "\"v=spf1 include:amazonses.com ~all\""
            ),
        ]
    );

    let ready = identity_status(&conn, "news@ready.example").await.unwrap();
    assert!(ready.verified_for_sending);
    assert_eq!(ready.dkim, Some(VerificationState::Success));
    assert!(ready.missing_records.is_empty());

    let missing = identity_status(&conn, "other.example").await.unwrap();
    assert!(!missing.found);
    assert!(!missing.verified_for_sending);
}
