//! The foundation scenario, in the real app: create a workspace, fill settings, store
//! credentials, test the connection against the SES emulator, quit, relaunch, and find
//! everything still there (and a second launch hands over to the running app); then prove
//! the secret lives in the keychain and nowhere in the workspace folder.

use herald_core::secrets::{OsKeychain, SecretKind, SecretStore};
use herald_core::workspaces::Home;
use herald_e2e::{app_binary, app_env, Driver};
use herald_test_support::{assert_no_file_contains, fake_access_key_id, SesEmulator};

const WORKSPACE: &str = "Acme Marketing";
const SECRET: &str = "e2e/Secret+Key/ThatMustStayInTheKeychain0";

#[test]
#[ignore = "needs a display, a Secret Service and the built app: run scripts/test.sh"]
fn workspace_settings_and_credentials_survive_a_relaunch() {
    let access_key_id = fake_access_key_id("HERALDE2ETEST001");
    let ses = SesEmulator::start();
    let home = tempfile::tempdir().unwrap();
    let home_str = home.path().to_str().unwrap();
    // No AWS credentials or region from the machine may leak into what the test observes.
    let driver = Driver::start(&app_env(home.path(), None));
    let app = app_binary();

    // First launch: the welcome screen, then a new workspace.
    let s = driver.launch(&app);
    s.find("welcome");
    s.screenshot("01-welcome");
    s.fill("workspace-name-input", WORKSPACE);
    s.click("workspace-create-submit");
    s.wait_text("workspace-switcher", WORKSPACE);

    // Every section is reachable and says what it is.
    for (nav, title) in [
        ("nav-contacts", "Contacts"),
        ("nav-assets", "Assets"),
        ("nav-templates", "Templates"),
        ("nav-campaigns", "Campaigns"),
        ("nav-analytics", "Analytics"),
    ] {
        s.click(nav);
        s.wait_text("page-title", title);
    }
    s.screenshot("02-contacts-empty");

    s.click("nav-settings");
    s.wait_text("page-title", "Settings");

    // A bad address is refused at its field and nothing typed is lost.
    s.fill("settings-from_name", "Acme News");
    s.fill("settings-from_address", "news-at-acme");
    s.click("settings-save");
    s.wait_text("error-from_address", "not a valid email address");
    assert_eq!(s.value("settings-from_name"), "Acme News");
    s.screenshot("03-settings-field-error");

    s.fill("settings-from_address", "news@acme.example");
    s.fill("settings-reply_to", "team@acme.example");
    s.fill(
        "settings-postal_address",
        "Acme Ltd, 1 Harbour Street, Bristol BS1 4QA, UK",
    );
    s.fill("settings-aws_region", "eu-west-1");
    s.click("settings-advanced-toggle");
    s.fill("settings-ses_endpoint", &ses.endpoint);
    s.click("settings-save");
    s.find("settings-saved");
    assert!(!s.exists("error-from_address"));

    s.fill("credentials-access_key_id", &access_key_id);
    s.fill("credentials-secret_access_key", SECRET);
    s.click("credentials-save");
    s.wait_text("credentials-status", "AKIA…T001");
    assert_eq!(
        s.value("credentials-secret_access_key"),
        "",
        "the secret field is cleared after saving"
    );

    s.click("ses-test");
    s.find("ses-result");
    assert_eq!(s.text("ses-mode"), "Production");
    assert!(s.text("ses-max-send-rate").contains("14"));
    let quota = s.text("ses-quota");
    assert!(
        quota.contains("1,234") && quota.contains("50,000"),
        "quota shows used and max: {quota}"
    );
    s.screenshot("04-settings-connected");
    s.quit();

    // Second launch: the same workspace opens, with its settings and credentials.
    let s = driver.launch(&app);
    s.wait_text("workspace-switcher", WORKSPACE);
    s.click("nav-settings");
    s.wait_for("saved settings to load", || {
        (s.value("settings-from_name") == "Acme News").then_some(())
    });
    assert_eq!(s.value("settings-from_address"), "news@acme.example");
    assert_eq!(s.value("settings-reply_to"), "team@acme.example");
    assert_eq!(s.value("settings-aws_region"), "eu-west-1");
    assert!(s.text("credentials-status").contains("AKIA…T001"));
    assert_eq!(s.text("credentials-source"), "Keychain");
    s.click("ses-test");
    s.find("ses-result");
    assert!(s.text("ses-quota").contains("50,000"));
    s.screenshot("05-relaunched");

    // Launching Herald again for the same home hands over to the running one and ends,
    // instead of opening the same workspace in a second process.
    let mut second = std::process::Command::new(&app)
        .env("HERALD_HOME", home_str)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .expect("a second launch starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let status = loop {
        if let Some(status) = second.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("a second launch for the same home kept running");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert!(status.success(), "the second launch ended with {status}");
    s.wait_text("workspace-switcher", WORKSPACE);
    s.click("nav-contacts");
    s.wait_text("page-title", "Contacts");
    s.quit();

    // The secret is in the OS keychain (read back through the Secret Service)...
    let workspace = Home::at(home.path()).open(WORKSPACE).unwrap();
    let stored = OsKeychain
        .get(workspace.id(), SecretKind::AwsCredentials)
        .unwrap()
        .expect("a keychain entry");
    assert!(stored.contains(SECRET) && stored.contains(&access_key_id));
    drop(workspace);
    // ...and nowhere in the workspace folder: not the database, its WAL, nor any other file.
    assert_no_file_contains(home.path(), SECRET.as_bytes());
    assert_no_file_contains(home.path(), access_key_id.as_bytes());
}
