//! "Connect event tracking" in the real app: Settings → Event tracking against moto (SES v2
//! configuration sets, SNS) and a real Herald Relay running in this test. Each piece shows
//! what happened to it; a second run finds what the first made. moto has no SES event
//! destinations, so that piece fails here, and the card must say so with the reason rather
//! than hide it (crates/core/tests/tracking.rs covers the same pieces without the app).

use herald_core::events::poll::{self, RelayClient};
use herald_core::secrets::{OsKeychain, SecretKind, SecretStore};
use herald_core::settings;
use herald_core::workspaces::Home;
use herald_e2e::{app_binary, app_env, Driver, Session};
use herald_test_support::{fake_access_key_id, MotoServer};

mod common;
use common::TestRelay;

/// The state label of a piece on the card, once it is there.
fn piece(s: &Session, name: &str) -> String {
    s.text(&format!("tracking-{name}"))
}

#[test]
#[ignore = "needs a display, the keychain, moto and the built app: run scripts/test.sh"]
fn connecting_event_tracking_shows_each_piece_and_a_second_run_finds_them() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let moto = MotoServer::start();

    // The relay, with this workspace registered as IT would do it.
    let relay = TestRelay::start(&rt, false);
    let (relay_url, token) = (relay.url.clone(), relay.token.clone());

    // The workspace: SES (moto) in us-east-1, the relay and its token.
    let home = tempfile::tempdir().unwrap();
    let mut workspace = Home::at(home.path()).create("Acme").unwrap();
    let ws_id = workspace.id().to_owned();
    let mut s = settings::load_stored(workspace.conn()).unwrap();
    s.aws_region = Some("us-east-1".into());
    s.ses_endpoint = Some(moto.endpoint.clone());
    s.relay_url = Some(relay_url.clone());
    settings::save(workspace.conn_mut(), s).unwrap();
    drop(workspace);
    poll::set_token(&OsKeychain, &ws_id, &token).unwrap();

    let access_key_id = fake_access_key_id("HERALDE2ETRACK01");
    let driver = Driver::start(&app_env(
        home.path(),
        Some((&access_key_id, "e2e-moto-does-not-check-this")),
    ));
    let app = driver.launch(&app_binary());
    app.wait_text("workspace-switcher", "Acme");
    app.click("nav-settings");
    app.wait_text("events-token", "stored in the keychain");
    app.wait_text("tracking-connect", "Connect event tracking");

    app.click("tracking-connect");
    app.find("tracking-pieces");
    let set = piece(&app, "configuration_set");
    assert!(set.contains("Created"), "{set}");
    assert!(set.contains("herald-"), "the set's name is shown: {set}");
    assert!(piece(&app, "topic").contains("In place") || piece(&app, "topic").contains("Created"));
    assert!(piece(&app, "topic_policy").contains("Repaired"));
    let destination = piece(&app, "event_destination");
    assert!(
        destination.contains("Failed"),
        "moto has no event destinations, and the card says so: {destination}"
    );
    assert!(piece(&app, "relay").contains("In place"));
    let subscription = piece(&app, "subscription");
    assert!(
        subscription.contains("Waiting for the relay")
            && subscription.contains("relay.example.com/sns"),
        "{subscription}"
    );
    app.wait_text("tracking-connect", "Check and repair again");
    app.screenshot("tracking-01-connected");
    // The set Herald made is now the workspace's: the Sending card shows it, and saving
    // another card keeps it.
    app.wait_for("the configuration set in Settings", || {
        app.value("settings-configuration_set")
            .starts_with("herald-")
            .then_some(())
    });
    app.fill("settings-from_name", "Acme Events");
    app.click("settings-save");
    app.wait_for("the settings saved", || {
        (!app.exists("settings-save")
            || app
                .execute(
                    "return document.querySelector('[data-testid=settings-save]').disabled;",
                    serde_json::json!([]),
                )
                .as_bool()
                .unwrap_or(false))
        .then_some(())
    });

    // Again: what the first run made is found, not made twice.
    app.click("tracking-connect");
    app.wait_text("tracking-configuration_set", "In place");
    assert!(piece(&app, "subscription").contains("Waiting for the relay"));
    app.screenshot("tracking-02-checked-again");

    // The relay knows the topic and the workspace's unsubscribe key, once.
    let client = RelayClient::new(&relay_url, &token).unwrap();
    let registered = rt.block_on(client.workspace()).unwrap();
    assert_eq!(registered.topics.len(), 1);
    assert!(registered.topics[0].topic_arn.contains(":herald-"));
    assert_eq!(registered.unsubscribe_keys.len(), 1);
    // Campaigns are sent with the set Herald made, also after another card was saved.
    let workspace = Home::at(home.path()).open("Acme").unwrap();
    let stored = settings::load(workspace.conn()).unwrap();
    assert_eq!(stored.from_name.as_deref(), Some("Acme Events"));
    assert!(
        stored
            .configuration_set
            .as_deref()
            .is_some_and(|c| c.starts_with("herald-")),
        "{:?}",
        stored.configuration_set
    );

    app.quit();
    for kind in [SecretKind::RelayToken, SecretKind::UnsubscribeKey] {
        let _ = OsKeychain.delete(&ws_id, kind);
    }
    relay.stop(&rt);
}
