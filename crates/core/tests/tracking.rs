//! "Connect event tracking" against moto (SES v2 configuration sets, SNS) and a real relay
//! in process. moto's SES v2 has configuration sets but no event destinations
//! (CreateConfigurationSetEventDestination and GetConfigurationSetEventDestinations are not
//! implemented), so that one piece is expected to fail here and is covered by the unit
//! tests of its request instead; everything else is checked for real, twice (idempotent).

use herald_core::credentials::{AwsKeyPair, ResolvedCredentials};
use herald_core::events::poll::RelayClient;
use herald_core::ses::SesConnection;
use herald_core::settings;
use herald_core::tracking::{self, Piece, PieceState};
use herald_core::workspaces::Home;
use herald_relay::{config::Config, store, Relay};
use herald_test_support::{fake_access_key_id, MotoServer};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
const WS: &str = "3f1c2d4e-0000-4000-8000-000000000001";

fn state(status: &tracking::TrackingStatus, piece: Piece) -> PieceState {
    status
        .pieces
        .iter()
        .find(|p| p.piece == piece)
        .unwrap()
        .state
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs moto (scripts/setup.sh installs it)"]
async fn connecting_creates_each_piece_and_running_it_again_changes_nothing() {
    let moto = MotoServer::start();
    let connection = SesConnection {
        region: Some("us-east-1".into()),
        endpoint: Some(moto.endpoint.clone()),
        credentials: ResolvedCredentials::Keys(AwsKeyPair {
            access_key_id: fake_access_key_id("TRACKING"),
            secret_access_key: "test-secret-not-real".into(),
        }),
    };

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config {
        database: dir.path().join("relay.db"),
        public_url: "https://relay.example.com".into(),
        ..Config::default()
    };
    config.validate().unwrap();
    let database = config.database.clone();
    let relay = Relay::open(config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(herald_relay::serve(relay, listener, async {
        let _ = stopped.await;
    }));
    let token = store::add_workspace(&store::open(&database).unwrap(), "acme").unwrap();
    let client = RelayClient::new(&url, &token).unwrap();

    let set = tracking::configuration_set_name(WS);
    let first = tracking::connect(&connection, &client, WS, &set, KEY)
        .await
        .unwrap();
    eprintln!("{first:#?}");
    assert_eq!(first.configuration_set, "herald-3f1c2d4e0000");
    assert_eq!(state(&first, Piece::ConfigurationSet), PieceState::Created);
    assert_eq!(state(&first, Piece::Topic), PieceState::Ok);
    assert_eq!(
        state(&first, Piece::TopicPolicy),
        PieceState::Repaired,
        "moto gives a new topic a default policy"
    );
    assert_eq!(
        state(&first, Piece::EventDestination),
        PieceState::Failed,
        "not in moto"
    );
    assert_eq!(state(&first, Piece::Relay), PieceState::Ok);
    assert_eq!(state(&first, Piece::Subscription), PieceState::Pending);
    let topic = first.topic_arn.clone().unwrap();
    assert!(topic.ends_with(":herald-3f1c2d4e0000"), "{topic}");

    let relay_view = client.workspace().await.unwrap();
    assert_eq!(relay_view.topics.len(), 1);
    assert_eq!(relay_view.topics[0].topic_arn, topic);
    assert_eq!(relay_view.unsubscribe_keys.len(), 1);

    // Connecting remembers the set Herald made, so campaigns are sent with it; a set the
    // user named in Settings is kept.
    let mut workspace = Home::at(dir.path().join("home")).create("Acme").unwrap();
    tracking::remember_configuration_set(workspace.conn_mut(), &first).unwrap();
    let stored = settings::load(workspace.conn()).unwrap();
    assert_eq!(stored.configuration_set.as_deref(), Some(set.as_str()));
    assert_eq!(tracking::configuration_set_for(&stored, WS), set);
    let mut chosen = stored.clone();
    chosen.configuration_set = Some("team-events".into());
    settings::save(workspace.conn_mut(), chosen).unwrap();
    tracking::remember_configuration_set(workspace.conn_mut(), &first).unwrap();
    let stored = settings::load(workspace.conn()).unwrap();
    assert_eq!(stored.configuration_set.as_deref(), Some("team-events"));
    assert_eq!(tracking::configuration_set_for(&stored, WS), "team-events");

    let again = tracking::connect(&connection, &client, WS, &set, KEY)
        .await
        .unwrap();
    eprintln!("{again:#?}");
    assert_eq!(state(&again, Piece::ConfigurationSet), PieceState::Ok);
    // moto does not keep the SignatureVersion attribute, so it is set again each time; the
    // policy itself is found right (on AWS the piece reads Ok).
    assert_eq!(state(&again, Piece::TopicPolicy), PieceState::Repaired);
    assert_eq!(
        state(&again, Piece::Subscription),
        PieceState::Pending,
        "not subscribed twice"
    );
    assert_eq!(again.topic_arn, first.topic_arn);
    assert_eq!(client.workspace().await.unwrap().unsubscribe_keys.len(), 1);

    let _ = stop.send(());
    let _ = server.await;
}
