//! Workspaces are isolated by construction: each has its own database file, and a workspace
//! connection can neither attach another file nor see another workspace's rows.

use herald_core::settings::{self, Settings};
use herald_core::workspaces::Home;

#[test]
fn no_query_on_one_workspace_reaches_another() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::at(tmp.path());
    let mut acme = home.create("Acme").unwrap();
    let mut beta = home.create("Beta").unwrap();
    assert_ne!(acme.id(), beta.id());

    let acme_settings = Settings {
        from_address: Some("news@acme.example".into()),
        ..Settings::default()
    };
    settings::save(acme.conn_mut(), acme_settings.clone()).unwrap();
    settings::save(
        beta.conn_mut(),
        Settings {
            from_name: Some("Beta".into()),
            ..Settings::default()
        },
    )
    .unwrap();

    assert_eq!(settings::load(acme.conn()).unwrap(), acme_settings);
    assert_eq!(settings::load(beta.conn()).unwrap().from_address, None);

    // Even raw SQL cannot reach the other file: ATTACH is disabled on workspace connections.
    let other_db = acme.dir().join("herald.db");
    let attach = beta.conn().execute(
        &format!("ATTACH DATABASE '{}' AS acme", other_db.display()),
        [],
    );
    let message = attach.unwrap_err().to_string();
    assert!(message.contains("too many attached databases"), "{message}");

    // Nor through a URI filename or the sqlite_master of a path-qualified table.
    let rows: i64 = beta
        .conn()
        .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1, "Beta sees only its own setting");
}
