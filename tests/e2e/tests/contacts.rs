//! The audience scenario, in the real app: import a messy CSV through the wizard with a
//! changed mapping and read the report; search and open a contact; edit it with an invalid
//! email and see the error; create a custom field and set a value; build a segment and watch
//! its count change.
//!
//! The native file dialogs cannot be driven by WebDriver: the app reads the "chosen" file
//! from `HERALD_E2E_PICK_FILE` and saves into `HERALD_E2E_SAVE_DIR` instead (see
//! src-tauri/src/dialogs.rs). Everything after the dialog is the path a user takes.

use std::fs;

use herald_e2e::{app_binary, Driver, Session};

const WORKSPACE: &str = "Acme Audience";

/// Excel on a German Windows: a BOM, semicolons, header aliases, quotes, and rows that
/// must fail (bad address, no address, a number that is not one, a ragged row).
const MESSY_CSV: &str = "\u{feff}E-mail Address;First Name;Surname;Town;Shoe size;Notes\r\n\
lena.schmidt@example.de;Lena;Schmidt;Köln;39;met at the fair\r\n\
marco@example.it;Marco;Bianchi;Milano;44;\r\n\
not-an-email;Broken;Row;Paris;41;\r\n\
;No;Email;Lyon;;\r\n\
ines@example.pt;Inês;Costa;Porto;37;\"says \"\"hi\"\"; likes semicolons\"\r\n\
ana@example.es;Ana;García;Sevilla;lots;\r\n\
tom@example.co.uk;Tom;Baker;Bristol;42;\r\n";

/// WebKit paints a moment after the DOM changes; the pause only makes the picture show
/// the state the test has just checked, it never decides a result.
fn shot(s: &Session<'_>, name: &str) {
    std::thread::sleep(std::time::Duration::from_millis(500));
    s.screenshot(name);
}

/// 16 new people and 2 already imported (Lena and Marco, now with another town).
fn full_list_csv() -> String {
    let people = [
        ("Amara", "Okafor", "Lagos"),
        ("Yuki", "Tanaka", "Osaka"),
        ("Mateo", "Rossi", "Torino"),
        ("Chiara", "Ferri", "Bologna"),
        ("Ibrahim", "Haddad", "Lyon"),
        ("Sophie", "Wilson", "Leeds"),
        ("Grace", "Hopper", "Bristol"),
        ("Alan", "Turing", "Manchester"),
        ("Ada", "Lovelace", "London"),
        ("Radia", "Perlman", "Porto"),
        ("Edsger", "Dijkstra", "Rotterdam"),
        ("Barbara", "Liskov", "Boston"),
        ("Hedy", "Lamarr", "Wien"),
        ("Margaret", "Hamilton", "Paoli"),
        ("Linus", "Berg", "Helsinki"),
        ("Frances", "Allen", "Peru"),
    ];
    let statuses = [
        "subscribed",
        "subscribed",
        "unsubscribed",
        "subscribed",
        "bounced",
    ];
    let tags = ["VIP", "", "Wholesale", "", "VIP|Wholesale", ""];
    let mut out = String::from("E-mail Address;First Name;Surname;Town;Shoe size;Status;Tags\r\n");
    for (i, (first, last, town)) in people.into_iter().enumerate() {
        let email = format!(
            "{}.{}@example.org",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let (status, tag) = (statuses[i % statuses.len()], tags[i % tags.len()]);
        out.push_str(&format!(
            "{email};{first};{last};{town};40;{status};{tag}\r\n"
        ));
    }
    out.push_str("LENA.SCHMIDT@example.de;Lena;Schmidt;Köln;39.5;;VIP\r\n");
    out.push_str("marco@example.it;Marco;Bianchi;Milano;44;;\r\n");
    out
}

/// The id behind a tag's name, as the bulk "Add tag…" menu offers it.
fn tag_id(s: &Session<'_>, name: &str) -> String {
    s.wait_for(&format!("tag {name} in the bulk menu"), || {
        s.option_value("bulk-tag", name)
    })
}

/// Enough rows that an import is still running when the test cancels it.
fn big_csv(rows: usize) -> String {
    let mut out = String::from("E-mail Address;First Name;Surname;Town;Shoe size\r\n");
    for i in 0..rows {
        out.push_str(&format!(
            "bulk{i}@example.net;Bulk;Person {i};Town {};{}\r\n",
            i % 100,
            i % 50
        ));
    }
    out
}

fn wait_count(s: &Session<'_>, expected: &str) {
    s.wait_for(&format!("segment count {expected}"), || {
        (s.text("segment-count") == expected).then_some(())
    });
}

#[test]
#[ignore = "needs a display and the built app: run scripts/test.sh"]
fn import_search_edit_fields_and_segments() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let csv = files.path().join("fair-signups.csv");
    fs::write(&csv, MESSY_CSV).unwrap();
    let saved = files.path().join("saved");
    fs::create_dir_all(&saved).unwrap();

    let driver = Driver::start(&[
        ("HERALD_HOME", home.path().to_str().unwrap()),
        ("HERALD_E2E_PICK_FILE", csv.to_str().unwrap()),
        ("HERALD_E2E_SAVE_DIR", saved.to_str().unwrap()),
    ]);
    let s = driver.launch(&app_binary());
    s.fill("workspace-name-input", WORKSPACE);
    s.click("workspace-create-submit");
    s.wait_text("workspace-switcher", WORKSPACE);

    // An empty workspace says how to start.
    s.click("nav-contacts");
    s.find("contacts-empty");
    shot(&s, "contacts-01-empty");

    // Import: the wizard reads the file and suggests a mapping from the headers.
    s.click("contacts-empty-import");
    s.click("import-choose");
    s.wait_text("import-file-name", "fair-signups.csv");
    assert_eq!(
        s.value("import-map-0"),
        "email",
        "“E-mail Address” is recognised"
    );
    assert_eq!(s.value("import-map-1"), "first_name");
    assert_eq!(s.value("import-map-2"), "last_name");
    // Change the mapping: Town and Shoe size become new custom fields, Notes stays out.
    s.select("import-map-3", "new");
    s.select("import-map-4", "new");
    s.select("import-new-type-4", "number");
    s.select("import-map-5", "ignore");
    s.wait_text("import-preview", "Town (new field) ← Town");
    shot(&s, "contacts-02-import-mapping");

    s.click("import-next");
    s.fill("import-tags", "Spring fair");
    // A dry run first: the report, and nothing changed.
    s.click("import-dry-run");
    s.wait_text("import-report-title", "Dry run");
    let dry_created = s.text("report-created");
    shot(&s, "contacts-03-import-dry-run");

    s.click("import-for-real");
    s.wait_text("import-report-title", "Import finished");
    assert_eq!(s.text("report-total"), "7");
    assert_eq!(s.text("report-created"), "4");
    assert_eq!(dry_created, "4", "the dry run predicted the real run");
    assert_eq!(s.text("report-failed"), "3");
    let errors = s.text("report-errors");
    for line in ["4", "5", "7"] {
        assert!(
            s.find_all("report-error").len() == 3 && errors.contains(line),
            "line {line} is reported: {errors}"
        );
    }
    assert!(
        errors.contains("not-an-email"),
        "the reason names the bad value: {errors}"
    );
    shot(&s, "contacts-04-import-report");

    // The failed rows go to a CSV to fix and import again.
    s.click("report-save-failed");
    let failed_csv = saved.join("fair-signups-failed.csv");
    s.wait_for("the failed rows file", || {
        failed_csv.is_file().then_some(())
    });
    let failed = fs::read_to_string(&failed_csv).unwrap();
    assert!(
        failed.contains("not-an-email") && failed.contains("lots"),
        "{failed}"
    );

    // The contacts are there, tagged.
    s.click("import-view-contacts");
    s.wait_text("contacts-range", "of 4 contacts");
    assert!(s.text("contacts-table").contains("Spring fair"));
    shot(&s, "contacts-05-list");

    // Search, then open a contact.
    s.fill("contacts-search", "lena");
    s.wait_text("contacts-range", "of 1 contact");
    s.click("contact-link");
    s.wait_text("contact-title", "Lena Schmidt");
    assert_eq!(s.text("detail-custom-town"), "Köln");
    assert_eq!(s.text("detail-custom-shoe_size"), "39");
    shot(&s, "contacts-06-detail");

    // Edit with an invalid email: the error sits at the field and nothing typed is lost.
    s.click("contact-edit");
    s.fill("contact-first_name", "Lena Maria");
    s.fill("contact-email", "lena.schmidt-at-example.de");
    s.click("contact-save");
    s.wait_text("error-email", "not a valid email address");
    assert_eq!(s.value("contact-first_name"), "Lena Maria");
    shot(&s, "contacts-07-invalid-email");

    // Another contact's address: named, with a link to that contact.
    s.fill("contact-email", "MARCO@example.it");
    s.click("contact-save");
    s.wait_text("error-email", "already");
    s.wait_text("duplicate-link", "Open that contact");
    shot(&s, "contacts-08-duplicate-email");

    s.fill("contact-email", "lena.schmidt@example.de");
    s.click("contact-save");
    s.wait_text("contact-title", "Lena Maria Schmidt");

    // A new custom field, then a value for it.
    s.click("contacts-tab-fields");
    s.click("field-new");
    s.fill("field-label", "Favourite roast");
    assert_eq!(s.value("field-key"), "favourite_roast");
    s.click("field-save");
    s.wait_text("fields-table", "Favourite roast");
    shot(&s, "contacts-09-fields");

    s.click("contacts-tab-list");
    s.wait_text("contacts-range", "of 1 contact");
    s.click("contact-link");
    s.wait_text("contact-title", "Lena Maria Schmidt");
    s.click("contact-edit");
    s.fill("contact-custom-favourite_roast", "Ethiopian Yirgacheffe");
    s.fill("contact-custom-shoe_size", "big");
    s.click("contact-save");
    s.wait_text("error-custom-shoe_size", "number");
    s.fill("contact-custom-shoe_size", "39.5");
    s.click("contact-save");
    s.wait_text("detail-custom-favourite_roast", "Ethiopian Yirgacheffe");
    assert_eq!(s.text("detail-custom-shoe_size"), "39.5");
    shot(&s, "contacts-10-custom-value");

    // A segment, with its count following the rules as they are edited.
    s.click("contacts-tab-segments");
    s.find("segments-empty");
    s.click("segment-new");
    s.fill("segment-name", "Fair visitors in Köln");
    s.select("rule-field", "tag");
    wait_count(&s, "4");
    s.click("rule-add-condition");
    s.select_nth("rule-field", 1, "custom.town");
    s.select_nth("rule-op", 1, "equals");
    s.fill_nth("rule-value", 1, "Köln");
    wait_count(&s, "1");
    s.select("rule-match", "any");
    wait_count(&s, "4");
    s.select("rule-match", "all");
    wait_count(&s, "1");
    shot(&s, "contacts-11-segment");
    s.click("segment-save");
    s.find("segment-saved");
    s.click("segment-show-contacts");
    s.wait_text("contacts-range", "of 1 contact");
    assert!(s.text("contacts-table").contains("lena.schmidt@example.de"));

    // A second file (the team's full list) updates who is already there and adds the rest.
    fs::write(&csv, full_list_csv()).unwrap();
    s.click("contacts-import");
    s.click("import-choose");
    s.wait_text("import-file-name", "fair-signups.csv");
    assert_eq!(
        s.value("import-map-3"),
        "field:town",
        "an existing field is matched by label"
    );
    assert_eq!(s.value("import-map-5"), "status");
    assert_eq!(s.value("import-map-6"), "tags");
    s.click("import-next");
    s.fill("import-tags", "Newsletter");
    s.click("import-start");
    s.wait_text("import-report-title", "Import finished");
    assert_eq!(s.text("report-created"), "16");
    assert_eq!(s.text("report-updated"), "2");
    assert_eq!(s.text("report-failed"), "0");
    s.click("import-view-contacts");

    // Tags carry their counts; a bulk action tags a hand-picked selection.
    s.click("contacts-tab-tags");
    s.wait_text("tags-list", "VIP");
    s.click("tag-new");
    s.fill("tag-name", "Met in person");
    s.click("tag-save");
    s.wait_text("tags-list", "Met in person");
    shot(&s, "contacts-12-tags");
    s.click("contacts-tab-list");
    s.wait_text("contacts-range", "of 20 contacts");
    s.click_nth("select-row", 0);
    s.click_nth("select-row", 2);
    s.wait_text("bulk-count", "2 selected");
    s.select("bulk-tag", &tag_id(&s, "Met in person"));
    s.wait_text("contacts-notice", "Tagged 2 contacts “Met in person”");
    shot(&s, "contacts-13-bulk-tag");
    // The selection exports to CSV (the save dialog answers with HERALD_E2E_SAVE_DIR).
    s.click("bulk-export");
    s.wait_text("contacts-notice", "Exported 2 contacts");
    let export = fs::read_to_string(saved.join("contacts.csv")).unwrap();
    assert_eq!(export.lines().count(), 3, "a header and two rows: {export}");
    assert!(export.contains("frances.allen@example.org") && export.contains("Met in person"));
    s.click("contacts-tab-tags");
    s.wait_text("tags-list", "Met in person 2 contacts");

    s.click("contacts-tab-list");
    // The list as a user keeps it: all contacts, with the Town column shown.
    s.wait_text("contacts-range", "of 20 contacts");
    s.click("contacts-columns");
    s.click("column-toggle-custom.town");
    s.click("contacts-columns-done");
    s.wait_text("contacts-table", "Milano");
    assert!(!s.exists("contacts-columns-menu"));
    shot(&s, "contacts-14-list-with-town");

    // Changing a field's type says first what happens to the values contacts hold.
    s.click("contacts-tab-fields");
    s.click("field-edit-town");
    s.select("field-type", "number");
    s.click("field-save");
    let impact = s.wait_text("field-impact", "be read as a number");
    assert!(
        impact.contains("20 contacts have a value") && impact.contains("all 20 are removed"),
        "{impact}"
    );
    shot(&s, "contacts-15-field-type-change");
    s.click("field-confirm-cancel");
    s.click("field-cancel");
    // Removing one says how many values go with it.
    s.click("field-delete-favourite_roast");
    s.wait_text("field-impact", "1 contact has a value");
    s.click("field-confirm");
    s.wait_for("the field to go", || {
        (!s.text("fields-table").contains("Favourite roast")).then_some(())
    });
    assert!(
        s.text("fields-table").contains("Town"),
        "Town kept its type and values"
    );

    // A long import shows its progress and can be cancelled: nothing changes.
    fs::write(&csv, big_csv(300_000)).unwrap();
    s.click("contacts-import");
    s.click("import-choose");
    s.wait_text("import-file-name", "fair-signups.csv");
    s.click("import-next");
    s.click("import-start");
    s.wait_for("the first progress event", || {
        (!s.text("import-progress-text").starts_with("0 rows")).then_some(())
    });
    shot(&s, "contacts-16-import-progress");
    s.click("import-cancel");
    s.find("import-cancelled");
    shot(&s, "contacts-17-import-cancelled");
    s.click("nav-contacts");
    s.wait_text("contacts-range", "of 20 contacts");
    s.quit();
}
