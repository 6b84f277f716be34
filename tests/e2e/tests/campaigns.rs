//! The campaigns scenario, in the real app: 121 contacts (one unsubscribed) are tagged
//! "Customers"; the wizard is run half-way (name, audience by the tag with its live count,
//! a gallery template) and Herald is quit at the content step. After a relaunch the draft
//! reopens at that step; the subject is written, "Send now" is chosen, the review passes and
//! the campaign is sent to the SES emulator (aws-ses-v2-local, 14 emails a second). On the
//! campaign page the send is paused mid-way and resumed, then watched until it says "sent";
//! the emulator's store must hold exactly one personalised message per subscribed recipient
//! (none for the unsubscribed contact), with the unsubscribe headers.

use herald_core::contacts::{self, ContactInput, ContactSource, ContactStatus};
use herald_core::tags::{self, TagInput};
use herald_core::workspaces::Home;
use herald_e2e::{app_binary, app_env, Driver, Session};
use herald_test_support::{fake_access_key_id, SesEmulator};
use serde_json::{json, Value};

const WORKSPACE: &str = "Acme Coffee";
const CAMPAIGN: &str = "Autumn roasts";
const SUBJECT: &str = "Autumn roasts for {{ contact.first_name }}";

/// Subscribed readers; enough that sending at the emulator's 14 a second takes a while.
const READERS: usize = 120;

/// Everyone tagged "Customers": the readers, and one contact who unsubscribed.
fn people() -> Vec<(String, String, ContactStatus)> {
    let mut all: Vec<_> = (1..=READERS)
        .map(|i| {
            (
                format!("reader{i:03}@example.com"),
                format!("Reader{i}"),
                ContactStatus::Subscribed,
            )
        })
        .collect();
    all.push((
        "gone@example.com".into(),
        "Gone".into(),
        ContactStatus::Unsubscribed,
    ));
    all
}

#[test]
#[ignore = "needs a display, a Secret Service, the SES emulator and the built app: run scripts/test.sh"]
fn wizard_draft_survives_a_relaunch_then_sends_to_the_emulator() {
    let home = tempfile::tempdir().unwrap();
    let ses = SesEmulator::start();
    let access_key_id = fake_access_key_id("HERALDE2ECAMP001");
    // Credentials from the environment; the unsubscribe signing key goes to the keychain.
    let driver = Driver::start(&app_env(
        home.path(),
        Some((&access_key_id, "e2e-emulator-does-not-check-this")),
    ));

    // First launch: workspace, settings, contacts, and the wizard up to the content step.
    let s = driver.launch(&app_binary());
    s.find("welcome");
    s.fill("workspace-name-input", WORKSPACE);
    s.click("workspace-create-submit");
    s.wait_text("workspace-switcher", WORKSPACE);
    settings(&s, &ses.endpoint);
    contacts_in_the_workspace(home.path());

    s.click("nav-campaigns");
    s.find("campaigns-empty");
    shot(&s, "campaigns-01-empty");
    s.click("campaign-new");
    s.find("campaign-wizard");
    // Leaving the name empty is refused at the step, not later.
    s.click("wizard-next");
    s.wait_text("wizard-step-problem", "Give the campaign a name");
    s.fill("campaign-name", CAMPAIGN);
    shot(&s, "campaigns-02-wizard-name");
    s.click("wizard-next");
    wait_step(&s, "audience");

    click_named(&s, "audience-include-tag", "Customers");
    // All carry the tag; the unsubscribed one is left out.
    s.wait_text("audience-count", "120 recipients");
    s.wait_text("audience-left-out", "1 recipient left out");
    shot(&s, "campaigns-03-wizard-audience");
    s.click("wizard-next");
    wait_step(&s, "template");

    click_named(&s, "template-choice", "Newsletter");
    s.wait_for("the chosen template", || {
        s.execute(
            "return !!document.querySelector('[data-testid=template-choice][aria-pressed=true]');",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    s.wait_for("the template thumbnails", || {
        s.execute(
            "return document.querySelectorAll('[data-testid=template-choice] iframe').length >= 8;",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    shot(&s, "campaigns-04-wizard-template");
    s.click("wizard-next");
    wait_step(&s, "content");
    s.wait_text("wizard-save-status", "Draft saved");
    wait_preview(&s);
    shot(&s, "campaigns-05-wizard-content");
    // Quit half-way: the draft was saved at the content step.
    s.quit();

    // Second launch: the draft is on the list, left at "Content", and reopens there.
    let s = driver.launch(&app_binary());
    s.wait_text("workspace-switcher", WORKSPACE);
    s.click("nav-campaigns");
    let row = s.wait_text("campaign-row", CAMPAIGN);
    assert!(row.contains("Left at step “Content”"), "{row}");
    assert!(row.contains("Draft"), "{row}");
    shot(&s, "campaigns-06-list-with-draft");
    s.click("campaign-open");
    wait_step(&s, "content");

    s.fill("content-subject", SUBJECT);
    s.wait_text("content-preview-subject", "Autumn roasts for Alex");
    s.click("wizard-next");
    wait_step(&s, "schedule");
    // Scheduling for later shows the instant in the chosen zone; this test sends now.
    s.click("schedule-later");
    s.find("schedule-zone");
    s.select("schedule-zone", "Europe/Lisbon");
    s.wait_text("schedule-resolved", "Europe/Lisbon");
    shot(&s, "campaigns-07-wizard-schedule");
    s.click("schedule-now");
    s.click("wizard-next");
    wait_step(&s, "review");

    s.wait_text("review-recipients", "120 recipients");
    s.wait_for("the review to pass", || {
        let blocked = s.find_all("review-blocking").len();
        if blocked > 0 {
            panic!(
                "the review blocks sending: {}",
                s.text("review-checks")
            );
        }
        s.execute(
            "const b = document.querySelector('[data-testid=review-send-now]'); return !!b && !b.disabled;",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    shot(&s, "campaigns-08-wizard-review");
    s.click("review-send-now");
    s.find("send-confirm");
    s.click("send-confirm-yes");

    // The campaign page follows the send live; pause it mid-way and resume.
    s.find("campaign-detail");
    s.wait_for("the first emails out", || {
        let sent: u64 = s.text("stat-sent").replace(',', "").parse().unwrap_or(0);
        (sent >= 20 && status(&s) == "sending").then_some(())
    });
    s.wait_for("a current rate", || {
        (!s.text("stat-rate").contains('—')).then_some(())
    });
    shot(&s, "campaigns-09-progress");
    s.click("campaign-pause");
    s.wait_for("the pause", || (status(&s) == "paused").then_some(()));
    s.wait_text("pause-reason", "Paused by you");
    let paused_at: u64 = s.text("stat-sent").replace(',', "").parse().unwrap();
    assert!(paused_at < READERS as u64, "paused after {paused_at}");
    shot(&s, "campaigns-10-paused");
    s.click("campaign-resume");
    s.wait_for("the campaign to be sent", || {
        (status(&s) == "sent").then_some(())
    });
    s.wait_text("stat-sent", "120");
    assert_eq!(s.text("stat-failed"), "0");
    assert_eq!(s.text("stat-remaining"), "0");
    s.wait_text("progress-percent", "100%");
    s.wait_for("a page of sent rows", || {
        (s.find_all("recipient-row").len() == 100).then_some(())
    });
    shot(&s, "campaigns-11-detail-sent");

    s.click("detail-back");
    s.wait_text("campaign-row", "120 of 120 sent");
    shot(&s, "campaigns-12-list-sent");

    // A copy, scheduled for tomorrow 09:00 in Lisbon: every step of the copy is complete,
    // so the stepper jumps straight to the schedule.
    s.click("campaign-duplicate");
    wait_step(&s, "name");
    assert_eq!(s.value("campaign-name"), format!("{CAMPAIGN} (copy)"));
    s.click("wizard-step-schedule");
    wait_step(&s, "schedule");
    s.click("schedule-later");
    s.select("schedule-zone", "Europe/Lisbon");
    s.fill("schedule-time", "09:00");
    s.wait_text("schedule-resolved", "09:00 (Europe/Lisbon)");
    // A test of the copy exactly as it goes out: footer with the postal address included.
    s.click("schedule-test-send");
    s.fill("test-send-to", "maria@example.com");
    s.click("test-send-submit");
    s.wait_text("test-send-results", "maria@example.com — sent");
    shot(&s, "campaigns-13-test-send");
    s.click("test-send-done");
    s.click("wizard-next");
    wait_step(&s, "review");
    s.wait_text("review-when", "09:00 (Europe/Lisbon)");
    s.wait_for("the schedule button", || {
        s.execute(
            "const b = document.querySelector('[data-testid=review-schedule]'); return !!b && !b.disabled;",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    s.click("review-schedule");
    s.wait_text("scheduled-card", "09:00 (Europe/Lisbon)");
    s.wait_text("scheduled-audience", "120 recipients");
    assert_eq!(status(&s), "scheduled");
    shot(&s, "campaigns-14-scheduled");
    s.click("detail-back");
    s.wait_for("the scheduled copy on the list", || {
        s.execute(
            "return [...document.querySelectorAll('[data-testid=campaign-row]')].map(r => r.dataset.status).sort().join(',');",
            json!([]),
        )
        .as_str()
        .filter(|statuses| *statuses == "scheduled,sent")
        .map(str::to_owned)
    });
    s.quit();

    // Exactly one message per subscribed recipient, personalised, with both unsubscribe headers.
    let store: Value = reqwest::blocking::get(format!("{}/store", ses.endpoint))
        .unwrap()
        .json()
        .unwrap();
    let (tests, emails): (Vec<&Value>, Vec<&Value>) =
        store["emails"].as_array().unwrap().iter().partition(|e| {
            e["subject"]
                .as_str()
                .unwrap_or_default()
                .starts_with("[Test]")
        });
    assert_eq!(tests.len(), 1, "one test send: {tests:?}");
    assert_eq!(tests[0]["destination"]["to"][0], "maria@example.com");
    let test_html = tests[0]["body"]["html"].as_str().unwrap_or_default();
    assert!(test_html.contains("12 Roastery Lane"), "{test_html}");
    let mut to: Vec<String> = emails
        .iter()
        .map(|e| {
            e["destination"]["to"][0]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    to.sort();
    let mut expected: Vec<String> = people()
        .into_iter()
        .filter(|p| p.2 == ContactStatus::Subscribed)
        .map(|p| p.0)
        .collect();
    expected.sort();
    assert_eq!(to, expected, "each reader exactly once, nobody else");
    let everyone = people();
    for email in emails {
        let address = email["destination"]["to"][0].as_str().unwrap();
        let first = &everyone.iter().find(|p| p.0 == address).unwrap().1;
        assert_eq!(
            email["subject"].as_str().unwrap(),
            format!("Autumn roasts for {first}")
        );
        let text = email.to_string();
        assert!(text.contains("List-Unsubscribe"), "{text}");
        assert!(text.contains("One-Click"), "{text}");
    }
}

fn status(s: &Session) -> String {
    s.execute(
        "const d = document.querySelector('[data-testid=campaign-detail]'); return d ? d.dataset.status : '';",
        json!([]),
    )
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

fn settings(s: &Session, endpoint: &str) {
    s.click("nav-settings");
    s.fill("settings-from_name", "Acme Coffee");
    s.fill("settings-from_address", "news@acme-coffee.example");
    s.fill(
        "settings-postal_address",
        "Acme Coffee Ltd, 12 Roastery Lane, Bristol BS1 4DJ, UK",
    );
    s.fill("settings-aws_region", "eu-west-1");
    s.fill("settings-relay_url", "https://relay.acme-coffee.example");
    s.click("settings-advanced-toggle");
    s.fill("settings-ses_endpoint", endpoint);
    s.click("settings-save");
    s.find("settings-saved");
    // The Sending card saves on its own, next to the sender identity.
    s.fill("settings-configuration_set", "herald-events");
    s.click("sending-save");
    s.find("sending-saved");
    shot(s, "campaigns-00-settings-sending");
}

/// Contacts made through the core while the app runs, as an import or the CLI would.
fn contacts_in_the_workspace(home: &std::path::Path) {
    let mut ws = Home::at(home).open(WORKSPACE).unwrap();
    let tag = tags::create(
        ws.conn(),
        TagInput {
            name: "Customers".into(),
            colour: None,
        },
    )
    .unwrap();
    for (email, first, status) in people() {
        contacts::create(
            ws.conn_mut(),
            ContactInput {
                email,
                first_name: first,
                last_name: String::new(),
                status: Some(status),
                tag_ids: Some(vec![tag.id]),
                values: Default::default(),
            },
            ContactSource::Api,
        )
        .unwrap();
    }
}

fn wait_step(s: &Session, step: &str) {
    s.wait_for(&format!("the wizard at step {step}"), || {
        s.execute(
            "const w = document.querySelector('[data-testid=campaign-wizard]'); return w && w.dataset.step;",
            json!([]),
        )
        .as_str()
        .filter(|at| *at == step)
        .map(str::to_owned)
    });
}

/// Waits until the content step's preview shows a rendered email.
fn wait_preview(s: &Session) {
    s.wait_for("the content preview", || {
        s.execute(
            "const f = document.querySelector('[data-testid=content-preview]'); return !!f && f.srcdoc.length > 200;",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
}

/// Clicks the element with this test id whose `data-name` is `name`.
fn click_named(s: &Session, testid: &str, name: &str) {
    s.wait_for(&format!("{testid} “{name}”"), || {
        s.execute(
            "const e = document.querySelector(`[data-testid=\"${arguments[0]}\"][data-name=\"${arguments[1]}\"]`); if (!e) return false; e.click(); return true;",
            json!([testid, name]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
}

/// A screenshot once the window has painted what the last step changed.
fn shot(s: &Session, name: &str) {
    std::thread::sleep(std::time::Duration::from_millis(600));
    s.screenshot(name);
}
