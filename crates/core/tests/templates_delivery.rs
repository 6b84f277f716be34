//! Templates leaving the app: test sends through the SES emulator and asset publishing to
//! moto's S3, with real workspaces on disk. Both need outside servers that
//! `scripts/setup.sh` installs, so they are ignored by default; `scripts/test.sh` runs them.

use std::io::{Read, Write};
use std::net::TcpStream;

use herald_core::assets::{self, publish};
use herald_core::credentials::{self, AwsKeyPair};
use herald_core::secrets::MemorySecretStore;
use herald_core::settings;
use herald_core::templates::{self, test_send, TemplateDraft, TemplateFormat};
use herald_core::workspaces::{Home, Workspace};
use herald_test_support::{fake_access_key_id, MotoServer, SesEmulator};
use serde_json::Value;

fn workspace(dir: &tempfile::TempDir, values: &[(&str, &str)]) -> (Workspace, MemorySecretStore) {
    let mut ws = Home::at(dir.path()).create("Acme").unwrap();
    let mut s = settings::load(ws.conn()).unwrap();
    for (key, value) in values {
        s.set(key, value).unwrap();
    }
    settings::save(ws.conn_mut(), s).unwrap();
    let secrets = MemorySecretStore::default();
    credentials::store(
        &secrets,
        ws.id(),
        &AwsKeyPair {
            access_key_id: fake_access_key_id("HERALDTPLTEST"),
            secret_access_key: "templates-test-secret-0000000000000000".into(),
        },
    )
    .unwrap();
    (ws, secrets)
}

fn png() -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 20, |x, _| image::Rgb([200, (x * 6) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// An S3 client for moto at `endpoint`, with `bucket` created.
async fn bucket_on_moto(endpoint: &str, bucket: &str) -> aws_sdk_s3::Client {
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_s3::config::Credentials::new(
            "test", "test", None, None, "test",
        ))
        .load()
        .await;
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket().bucket(bucket).send().await.unwrap();
    s3
}

/// A plain HTTP GET on loopback, returning the body.
fn http_get(url: &str) -> String {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = TcpStream::connect(host).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

#[test]
#[ignore = "needs the SES emulator: run scripts/test.sh"]
fn a_test_send_reaches_each_address_with_html_text_and_the_sender() {
    let ses = SesEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let (ws, secrets) = workspace(
        &dir,
        &[
            ("aws_region", "eu-west-1"),
            ("ses_endpoint", &ses.endpoint),
            ("from_name", "Acme News"),
            ("from_address", "news@acme.example"),
            ("reply_to", "hello@acme.example"),
            ("postal_address", "1 Main Street, Springfield"),
        ],
    );
    let newsletter = templates::find(&ws, "Newsletter").unwrap();
    let to = vec!["ana@example.com".to_owned(), "bo@example.com".to_owned()];
    let report = test_send::send_blocking(&ws, &secrets, newsletter.id, &to, None).unwrap();
    assert_eq!(report.sent.len(), 2);
    assert!(
        report
            .sent
            .iter()
            .all(|r| r.error.is_none() && r.message_id.is_some()),
        "{report:?}"
    );
    assert!(
        report.subject.starts_with("[Test] Acme News monthly"),
        "{}",
        report.subject
    );

    let store: Value = serde_json::from_str(&http_get(&format!("{}/store", ses.endpoint))).unwrap();
    let emails = store["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2);
    for (email, address) in emails.iter().zip(&to) {
        assert_eq!(
            email["destination"]["to"][0],
            address.as_str(),
            "one message per address"
        );
        assert_eq!(email["from"], "\"Acme News\" <news@acme.example>");
        assert_eq!(email["replyTo"][0], "hello@acme.example");
        assert_eq!(email["subject"], report.subject.as_str());
        let html = email["body"]["html"].as_str().unwrap();
        let text = email["body"]["text"].as_str().unwrap();
        assert!(html.contains("Hello Alex") && html.contains("1 Main Street, Springfield"));
        assert!(
            text.contains("Hello Alex") && text.contains("Unsubscribe ("),
            "{text}"
        );
    }

    // More than five addresses are refused before anything is sent.
    let six: Vec<String> = (0..6).map(|i| format!("p{i}@example.com")).collect();
    let err = test_send::send_blocking(&ws, &secrets, newsletter.id, &six, None).unwrap_err();
    assert_eq!(err.code(), "validation");
}

#[test]
#[ignore = "needs moto's S3 server and the SES emulator: run scripts/test.sh"]
fn assets_are_published_once_and_sent_mail_links_to_them() {
    let moto = MotoServer::start();
    let ses = SesEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let (ws, secrets) = workspace(
        &dir,
        &[
            ("aws_region", "us-east-1"),
            ("ses_endpoint", &ses.endpoint),
            ("s3_endpoint", &moto.endpoint),
            ("assets_bucket", "acme-mail-assets"),
            ("assets_prefix", "herald"),
            ("from_address", "news@acme.example"),
            ("postal_address", "1 Main Street"),
        ],
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let s3 = runtime.block_on(bucket_on_moto(&moto.endpoint, "acme-mail-assets"));

    let bytes = png();
    let asset = assets::add_bytes(&ws, "logo.png", &bytes, "brand", &[])
        .unwrap()
        .asset;
    let first = publish::publish_blocking(&ws, &secrets, std::slice::from_ref(&asset)).unwrap();
    assert_eq!(first.len(), 1);
    assert!(first[0].uploaded);
    let key = format!("herald/{}.png", asset.sha256);
    assert_eq!(first[0].key, key);
    assert_eq!(
        first[0].url,
        format!("{}/acme-mail-assets/{key}", moto.endpoint)
    );
    assert_eq!(
        assets::get(&ws, asset.id).unwrap().published_key.as_deref(),
        Some(key.as_str())
    );

    let object = runtime.block_on(async {
        let out = s3
            .get_object()
            .bucket("acme-mail-assets")
            .key(&key)
            .send()
            .await
            .unwrap();
        let content_type = out.content_type().map(str::to_owned);
        (
            content_type,
            out.body.collect().await.unwrap().into_bytes().to_vec(),
        )
    });
    assert_eq!(object.0.as_deref(), Some("image/png"));
    assert_eq!(object.1, bytes, "the bucket holds the same bytes");

    // Content-addressed keys: publishing again uploads nothing.
    let second = publish::publish_blocking(&ws, &secrets, std::slice::from_ref(&asset)).unwrap();
    assert!(!second[0].uploaded);
    assert_eq!(second[0].url, first[0].url);

    // A template using the asset links to the public URL in sent mail, and says nothing about
    // local images now that a bucket is set.
    let template = templates::create(
        &ws,
        &TemplateDraft {
            name: "With logo".into(),
            description: String::new(),
            category: String::new(),
            subject: "Logo".into(),
            preheader: String::new(),
            format: TemplateFormat::Html,
            source: format!(
                "<p><img src=\"{}\" alt=\"Acme\"></p><a href=\"{{{{ unsubscribe_url }}}}\">Unsubscribe</a> {{{{ workspace.postal_address }}}}",
                asset.reference
            ),
        },
    )
    .unwrap();
    let report = test_send::send_blocking(
        &ws,
        &secrets,
        template.id,
        &["ana@example.com".into()],
        None,
    )
    .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let store: Value = serde_json::from_str(&http_get(&format!("{}/store", ses.endpoint))).unwrap();
    let html = store["emails"][0]["body"]["html"].as_str().unwrap();
    assert!(
        html.contains(&format!("src=\"{}\"", first[0].url)),
        "{html}"
    );
    assert!(
        !html.contains("\"assets/"),
        "no local reference left: {html}"
    );

    // A wrong bucket is reported as such.
    let dir2 = tempfile::tempdir().unwrap();
    let (ws2, secrets2) = workspace(
        &dir2,
        &[
            ("aws_region", "us-east-1"),
            ("s3_endpoint", &moto.endpoint),
            ("assets_bucket", "no-such-bucket"),
        ],
    );
    let a2 = assets::add_bytes(&ws2, "logo.png", &bytes, "", &[])
        .unwrap()
        .asset;
    let err = publish::publish_blocking(&ws2, &secrets2, &[a2]).unwrap_err();
    assert_eq!(err.code(), "publishing");
    assert!(err.to_string().contains("no-such-bucket"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto's S3 server and the SES emulator: run scripts/test.sh"]
async fn a_campaign_publishes_its_images_when_it_starts_and_every_message_links_to_them() {
    use std::sync::{Arc, Mutex};

    use herald_core::campaigns::service::{SendEvent, SendService};
    use herald_core::campaigns::{self, CampaignStatus, NewCampaign};
    use herald_core::contacts::{self, ContactInput, ContactSource};
    use herald_core::secrets::SecretStore;

    let moto = MotoServer::start();
    let ses = SesEmulator::start();
    let dir = tempfile::tempdir().unwrap();
    let (mut ws, secrets) = workspace(
        &dir,
        &[
            ("aws_region", "us-east-1"),
            ("ses_endpoint", &ses.endpoint),
            ("s3_endpoint", &moto.endpoint),
            ("assets_bucket", "acme-mail-assets"),
            ("assets_prefix", "herald"),
            ("from_address", "news@acme.example"),
            ("postal_address", "1 Main Street"),
            ("relay_url", "https://relay.acme.example"),
        ],
    );
    let s3 = bucket_on_moto(&moto.endpoint, "acme-mail-assets").await;

    // An image that was never published, used by a campaign to three contacts.
    let bytes = png();
    let asset = assets::add_bytes(&ws, "hero.png", &bytes, "brand", &[])
        .unwrap()
        .asset;
    assert!(asset.published_key.is_none());
    let mut ids = Vec::new();
    for name in ["ana", "ben", "cleo"] {
        ids.push(
            contacts::create(
                ws.conn_mut(),
                ContactInput {
                    email: format!("{name}@example.com"),
                    first_name: name.into(),
                    ..ContactInput::default()
                },
                ContactSource::Api,
            )
            .unwrap()
            .id,
        );
    }
    let campaign = campaigns::create(
        ws.conn(),
        &NewCampaign {
            name: "Autumn".into(),
            subject: "Autumn is here".into(),
            from_address: Some("news@acme.example".into()),
            ..NewCampaign::default()
        },
    )
    .unwrap();
    let mut draft = campaign.draft();
    draft.body_format = Some(TemplateFormat::Html);
    draft.body_source = Some(format!(
        "<html><body><p>Hi {{{{ contact.first_name }}}}</p><img src=\"{}\" alt=\"Autumn\"></body></html>",
        asset.reference
    ));
    draft.audience.contacts = ids;
    campaigns::update(ws.conn(), campaign.id, &draft).unwrap();

    let heard = Arc::new(Mutex::new(Vec::new()));
    let sink = heard.clone();
    let secrets: Arc<dyn SecretStore> = Arc::new(secrets);
    let service = SendService::new(
        &ws,
        secrets,
        Arc::new(move |e: &SendEvent| sink.lock().unwrap().push(e.clone())),
    );
    service.start(campaign.id).await.unwrap();
    let report = 'wait: {
        for _ in 0..600 {
            let ended = heard.lock().unwrap().iter().find_map(|e| match e {
                SendEvent::Finished(r) => Some(r.clone()),
                SendEvent::Error { message, .. } => panic!("the run failed: {message}"),
                _ => None,
            });
            if let Some(report) = ended {
                break 'wait report;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the campaign did not finish within 30 s");
    };
    assert_eq!(report.status, CampaignStatus::Sent);
    assert_eq!(report.counts.sent, 3);

    // Starting the campaign published the image...
    let key = format!("herald/{}.png", asset.sha256);
    assert_eq!(
        assets::get(&ws, asset.id).unwrap().published_key.as_deref(),
        Some(key.as_str())
    );
    let object = s3
        .get_object()
        .bucket("acme-mail-assets")
        .key(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        object.body.collect().await.unwrap().into_bytes().to_vec(),
        bytes
    );
    // ...and every message links to its public URL, with no local reference left.
    let url = format!("{}/acme-mail-assets/{key}", moto.endpoint);
    let store: Value = serde_json::from_str(&http_get(&format!("{}/store", ses.endpoint))).unwrap();
    let emails = store["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 3);
    for email in emails {
        let html = email["body"]["html"].as_str().unwrap();
        assert!(html.contains(&format!("src=\"{url}\"")), "{html}");
        assert!(!html.contains("\"assets/"), "{html}");
    }
}
