//! The templates and assets scenario, in the real app: upload two images into a folder (and
//! one file the library refuses), tag one and filter by the tag; open the gallery, start from
//! a prebuilt template, edit its text and see the preview change, insert the uploaded image
//! from the library, preview as an edited sample contact and then as a real contact created
//! on the Contacts page (its first name and a custom field in the preview), save with
//! Ctrl+S, send a test through the
//! SES emulator, then leave with unsaved changes and save from the guard; deleting the image
//! the template uses is refused with the template's name. Finally the workspace database and
//! the emulator's store are read back.
//!
//! The native file dialog cannot be driven by WebDriver: `HERALD_E2E_PICK_FILES` makes
//! "Upload files" add the files it names instead (see src-tauri/src/commands/assets.rs).

use std::path::{Path, PathBuf};

use herald_core::templates::{self, TemplateFilter, TemplateKind};
use herald_core::workspaces::Home;
use herald_e2e::{app_binary, app_env, Driver, Session};
use herald_test_support::{fake_access_key_id, SesEmulator};
use serde_json::{json, Value};

const WORKSPACE: &str = "Acme Coffee";
const NEW_HEADLINE: &str = "our autumn roasts are here";

#[test]
#[ignore = "needs a display and the built app: run scripts/test.sh"]
fn gallery_editor_preview_and_asset_library() {
    let home = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let hero = write(files.path(), "autumn-hero.png", &png(480, 270, hero_pixel));
    let logo = write(files.path(), "acme-logo.png", &png(240, 240, logo_pixel));
    let notes = write(files.path(), "notes.txt", b"not an image");
    let picked = std::env::join_paths([&hero, &logo, &notes]).unwrap();
    let ses = SesEmulator::start();
    let access_key_id = fake_access_key_id("HERALDE2ETPL0001");
    // Credentials from the environment, so the test send needs no keychain.
    let mut env = app_env(
        home.path(),
        Some((&access_key_id, "e2e-emulator-does-not-check-this")),
    );
    env.push(("HERALD_E2E_PICK_FILES", picked.to_str().unwrap()));
    let driver = Driver::start(&env);
    let s = driver.launch(&app_binary());

    s.find("welcome");
    s.fill("workspace-name-input", WORKSPACE);
    s.click("workspace-create-submit");
    s.wait_text("workspace-switcher", WORKSPACE);

    // The footer of every template prints the postal address from the settings.
    s.click("nav-settings");
    s.fill(
        "settings-postal_address",
        "Acme Coffee Ltd, 12 Roastery Lane, Bristol BS1 4DJ, UK",
    );
    s.fill("settings-from_name", "Acme Coffee");
    s.fill("settings-from_address", "news@acme-coffee.example");
    s.fill("settings-aws_region", "eu-west-1");
    s.click("settings-advanced-toggle");
    s.fill("settings-ses_endpoint", &ses.endpoint);
    s.click("settings-save");
    s.find("settings-saved");

    contacts_for_the_preview(&s);
    assets_scenario(&s);
    templates_scenario(&s);
    delete_used_asset_is_refused(&s);
    s.quit();

    // The test send reached SES: one message per address, personalised for the chosen contact
    // (the real one picked from the workspace, custom field included).
    let store: Value = reqwest::blocking::get(format!("{}/store", ses.endpoint))
        .unwrap()
        .json()
        .unwrap();
    let emails = store["emails"].as_array().unwrap();
    assert_eq!(emails.len(), 2, "{store}");
    for (email, to) in emails.iter().zip(["maria@example.com", "team@example.com"]) {
        assert_eq!(email["destination"]["to"][0], to);
        assert!(email["subject"]
            .as_str()
            .unwrap()
            .starts_with("[Test] Acme Coffee monthly"));
        let html = email["body"]["html"].as_str().unwrap();
        assert!(
            html.contains("Hello Priya") && html.contains(NEW_HEADLINE),
            "{html}"
        );
        assert!(html.contains("with Ethiopian Yirgacheffe"), "{html}");
    }

    // What the user saved is in the workspace, image reference included.
    let ws = Home::at(home.path()).open(WORKSPACE).unwrap();
    let mine = templates::list(
        &ws,
        &TemplateFilter {
            kind: Some(TemplateKind::UserCreated),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(mine.len(), 1, "one template of the team's own: {mine:?}");
    let saved = templates::get(&ws, mine[0].id).unwrap();
    assert!(saved.source.contains(NEW_HEADLINE), "{}", saved.source);
    assert!(saved.source.contains("<mj-image src=\"assets/"));
    assert_eq!(saved.subject, "Autumn news for {{ contact.first_name }}");
}

/// A custom field and two contacts, made on the Contacts page, for "Preview as".
fn contacts_for_the_preview(s: &Session) {
    s.click("nav-contacts");
    s.click("contacts-tab-fields");
    s.click("field-new");
    s.fill("field-label", "Favourite roast");
    s.click("field-save");
    s.wait_text("fields-table", "Favourite roast");
    for (email, first, last, roast) in [
        (
            "priya.shah@example.com",
            "Priya",
            "Shah",
            "Ethiopian Yirgacheffe",
        ),
        ("marco.rossi@example.it", "Marco", "Rossi", ""),
    ] {
        s.click("contacts-tab-list");
        s.click("contact-new");
        s.fill("contact-email", email);
        s.fill("contact-first_name", first);
        s.fill("contact-last_name", last);
        if !roast.is_empty() {
            s.fill("contact-custom-favourite_roast", roast);
        }
        s.click("contact-save");
        // A new contact opens on its own page.
        s.wait_text("contact-title", &format!("{first} {last}"));
        if !roast.is_empty() {
            shot(s, "templates-00-contact-for-preview");
        }
    }
}

fn assets_scenario(s: &Session) {
    s.click("nav-assets");
    s.find("assets-empty");
    shot(s, "templates-01-assets-empty");

    s.click("asset-folder-new");
    s.fill("asset-folder-name", "Brand");
    s.click("asset-folder-create");
    s.wait_text("asset-folder", "Brand");

    // Two images go into the selected folder; the text file is refused with a reason.
    s.click("asset-upload");
    let report = s.wait_text("asset-upload-report", "2 files added");
    assert!(report.contains("1 file could not be added"), "{report}");
    assert!(report.contains("notes.txt"), "{report}");
    s.wait_for("two asset cards", || {
        (s.find_all("asset-card").len() == 2).then_some(())
    });
    wait_thumbnails(s);
    shot(s, "templates-02-assets-uploaded");

    // Tag the first one and filter by the tag.
    let first = s.text("asset-card");
    let name = if first.contains("acme-logo.png") {
        "acme-logo.png"
    } else {
        "autumn-hero.png"
    };
    s.click("asset-card");
    s.find("asset-details");
    s.wait_for("the full image", || {
        s.exists("asset-preview-image").then_some(())
    });
    s.fill("asset-tags", "hero, autumn");
    shot(s, "templates-03-asset-details");
    s.click("asset-save");
    s.wait_text("asset-tag-filter", "#");
    let tags: Vec<String> = s
        .execute(
            "return [...document.querySelectorAll('[data-testid=asset-tag-filter]')].map(e => e.dataset.tag)",
            json!([]),
        )
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(tags, ["autumn", "hero"]);
    s.click("asset-tag-filter");
    s.wait_for("one asset with the tag", || {
        (s.find_all("asset-card").len() == 1).then_some(())
    });
    assert!(s.text("asset-card").contains(name));
    shot(s, "templates-04-assets-filtered-by-tag");

    s.click("asset-view-list");
    s.find("asset-list");
    s.click("asset-tag-filter");
    s.wait_for("both assets in the list", || {
        (s.find_all("asset-row").len() == 2).then_some(())
    });
    wait_thumbnails(s);
    shot(s, "templates-05-assets-list");
}

fn templates_scenario(s: &Session) {
    s.click("nav-templates");
    s.find("templates-empty");
    s.wait_for("eight gallery templates", || {
        (s.find_all("gallery-card").len() >= 8).then_some(())
    });
    wait_frames(s);
    shot(s, "templates-06-gallery");

    // "Use this template" on the newsletter makes the team's own copy and opens it.
    s.click("gallery-use-newsletter");
    s.find("template-editor");
    assert_eq!(s.value("template-name"), "Newsletter (copy)");
    wait_preview(s, "here's what's new");
    shot(s, "templates-07-editor-opened");

    // Edit the headline in the code editor: select the words and type over them.
    select_in_source(s, "here's what's new", None);
    s.type_text("template-source", NEW_HEADLINE);
    s.find("save-status");
    s.wait_text("save-status", "Unsaved changes");
    wait_preview(s, NEW_HEADLINE);

    // A mistake is shown at its line, and the last good preview stays.
    select_in_source(s, NEW_HEADLINE, None);
    s.type_text("template-source", "{{ contact.nickname | upper }}");
    let error = s.wait_text("template-error", "Line ");
    assert!(error.contains("nickname"), "{error}");
    shot(s, "templates-08-editor-error");
    select_in_source(s, "{{ contact.nickname | upper }}", None);
    s.type_text("template-source", NEW_HEADLINE);
    s.wait_for("the error to go", || {
        (!s.exists("template-error")).then_some(())
    });

    // Insert the uploaded image after the intro paragraph.
    select_in_source(s, "A short read with the stories", Some(1));
    s.click("insert-image-open");
    s.find("insert-image-dialog");
    s.wait_for("two images to pick from", || {
        (s.find_all("insert-image-option").len() == 2).then_some(())
    });
    s.fill("insert-image-search", "autumn");
    s.wait_for("only the hero image", || {
        (s.find_all("insert-image-option").len() == 1).then_some(())
    });
    shot(s, "templates-09-insert-image");
    s.click("insert-image-option");
    wait_preview(s, "data:image/png;base64,");
    s.wait_text("template-warning", "publishing bucket");

    // Preview as the sample contact, edited.
    s.click("preview-contact");
    s.fill("preview-contact-first", "Jamie");
    s.fill("preview-contact-last", "Rivera");
    s.click("preview-contact-apply");
    s.wait_text("preview-contact-name", "Jamie Rivera");
    wait_preview(s, "Hello Jamie");

    // The headline uses the custom field; the sample contact has no value, so it falls back.
    select_in_source(s, NEW_HEADLINE, None);
    s.type_text(
        "template-source",
        &format!(
            "{NEW_HEADLINE}, with {{{{ contact.favourite_roast | default(value=\"a fresh roast\") }}}}"
        ),
    );
    wait_preview(s, "with a fresh roast");

    // Preview as a real contact: search the workspace's contacts and pick with the keyboard.
    s.click("preview-contact");
    s.click("preview-contact-mode-contacts");
    s.wait_for("both contacts listed", || {
        (s.find_all("preview-contact-option").len() == 2).then_some(())
    });
    s.type_text("preview-contact-search", "pri");
    s.wait_for("only Priya", || {
        let options = s.find_all("preview-contact-option");
        (options.len() == 1
            && s.text("preview-contact-option")
                .contains("priya.shah@example.com"))
        .then_some(())
    });
    shot(s, "templates-10-preview-contact-search");
    s.type_text("preview-contact-search", "\u{E007}");
    s.wait_text("preview-contact-name", "Priya Shah");
    s.wait_text("preview-contact-address", "priya.shah@example.com");
    wait_preview(s, "Hello Priya");
    wait_preview(s, "with Ethiopian Yirgacheffe");
    shot(s, "templates-11-preview-as-contact");

    // Ctrl+S saves.
    s.type_text("template-source", "\u{E009}s\u{E000}");
    s.wait_text("save-status", "Saved");
    s.click("preview-mobile");
    wait_frames(s);
    shot(s, "templates-12-editor-mobile");
    s.click("preview-desktop");
    select_in_source(s, "<mj-image src=\"assets/", Some(0));
    wait_frames(s);
    shot(s, "templates-13-editor-saved");

    // A test send of what is in the editor, to two addresses, through the SES emulator.
    s.click("test-send-open");
    s.fill("test-send-to", "maria@example.com, not-an-address");
    s.click("test-send-submit");
    s.wait_text("test-send-to-error", "not-an-address");
    s.fill("test-send-to", "maria@example.com, team@example.com");
    s.click("test-send-submit");
    let results = s.wait_text("test-send-results", "team@example.com");
    assert_eq!(results.matches("— sent").count(), 2, "{results}");
    shot(s, "templates-14-test-send");
    s.click("test-send-done");

    // Leaving with unsaved changes asks first; "Save and leave" keeps them.
    s.fill(
        "template-subject",
        "Autumn news for {{ contact.first_name }}",
    );
    s.wait_text("preview-subject", "Autumn news for Priya");
    s.click("editor-back");
    s.find("unsaved-dialog");
    shot(s, "templates-15-unsaved-guard");
    s.click("unsaved-save");
    s.wait_text("template-card", "Newsletter (copy)");
    s.wait_text("template-card", "Autumn news for");
    wait_frames(s);
    shot(s, "templates-16-gallery-with-mine");
}

/// Deleting an image a template uses names the template and asks again; cancel keeps it.
fn delete_used_asset_is_refused(s: &Session) {
    s.click("nav-assets");
    s.fill("asset-search", "autumn");
    s.wait_for("only the hero image", || {
        (s.find_all("asset-card").len() == 1).then_some(())
    });
    s.click("asset-card");
    s.find("asset-details");
    s.click("asset-delete");
    s.click("asset-delete-confirm");
    s.wait_text("asset-in-use", "Newsletter (copy)");
    s.wait_text("asset-delete-confirm", "Delete anyway");
    shot(s, "templates-17-delete-used-asset");
    s.click("asset-delete-cancel");
    s.wait_for("the dialog to close", || {
        (!s.exists("asset-in-use")).then_some(())
    });
}

/// Selects `needle` in the code editor, or with `Some(n)` puts the caret at the end of the
/// n-th line after the one holding it. Scrolls the editor until the line is rendered.
fn select_in_source(s: &Session, needle: &str, lines_after: Option<u32>) {
    const SCRIPT: &str = r#"
        const [needle, after] = arguments;
        const content = document.querySelector('[data-testid="template-source"]');
        const scroller = content.closest('.cm-scroller');
        for (const line of content.querySelectorAll('.cm-line')) {
          const at = line.textContent.indexOf(needle);
          if (at < 0) continue;
          content.focus();
          const range = document.createRange();
          if (after === null) {
            const place = (offset, set) => {
              const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
              let node, seen = 0;
              while ((node = walker.nextNode())) {
                if (seen + node.length >= offset) { set(node, offset - seen); return; }
                seen += node.length;
              }
            };
            place(at, (n, o) => range.setStart(n, o));
            place(at + needle.length, (n, o) => range.setEnd(n, o));
          } else {
            let target = line;
            for (let i = 0; i < after; i++) target = target.nextElementSibling;
            range.selectNodeContents(target);
            range.collapse(false);
          }
          line.scrollIntoView({ block: 'center' });
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          return true;
        }
        scroller.scrollTop += 300;
        return false;
    "#;
    s.wait_for(&format!("“{needle}” in the source"), || {
        s.execute(SCRIPT, json!([needle, lines_after]))
            .as_bool()
            .unwrap_or(false)
            .then_some(())
    });
    // Let the editor take the selection from the page before keys arrive.
    std::thread::sleep(std::time::Duration::from_millis(200));
}

/// A screenshot once the window has painted what the last step changed.
fn shot(s: &Session, name: &str) {
    std::thread::sleep(std::time::Duration::from_millis(600));
    s.screenshot(name);
}

/// Waits until the live preview frame shows `needle`.
fn wait_preview(s: &Session, needle: &str) {
    s.wait_for(&format!("“{needle}” in the preview"), || {
        s.execute(
            "const f = document.querySelector('[data-testid=preview-frame]'); return !!f && f.srcdoc.includes(arguments[0]);",
            json!([needle]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    wait_frames(s);
}

/// Waits until every email frame on the page has finished loading its document.
fn wait_frames(s: &Session) {
    s.wait_for("the email frames to load", || {
        s.execute(
            "return [...document.querySelectorAll('iframe')].every(f => f.contentDocument === null || f.contentDocument.readyState === 'complete');",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
    std::thread::sleep(std::time::Duration::from_millis(400));
}

/// Waits until every thumbnail image has loaded.
fn wait_thumbnails(s: &Session) {
    s.wait_for("thumbnails", || {
        s.execute(
            "const imgs = [...document.querySelectorAll('.thumb img')]; return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);",
            json!([]),
        )
        .as_bool()
        .unwrap_or(false)
        .then_some(())
    });
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// An autumn-coloured banner: a warm gradient with a low sun.
fn hero_pixel(x: u32, y: u32) -> [u8; 3] {
    let (fx, fy) = (x as f32 / 480.0, y as f32 / 270.0);
    let (dx, dy) = (x as f32 - 340.0, y as f32 - 150.0);
    if dx * dx + dy * dy < 55.0 * 55.0 {
        return [255, 214, 120];
    }
    let hill = 200.0 + 30.0 * (fx * 6.0).sin();
    if (y as f32) > hill {
        return [92, 58, 33];
    }
    [
        (200.0 + 50.0 * fy) as u8,
        (110.0 + 60.0 * fx) as u8,
        (60.0 + 40.0 * (1.0 - fy)) as u8,
    ]
}

/// A round brand mark: an indigo ring on white.
fn logo_pixel(x: u32, y: u32) -> [u8; 3] {
    let (dx, dy) = (x as f32 - 120.0, y as f32 - 120.0);
    let r = (dx * dx + dy * dy).sqrt();
    if (70.0..95.0).contains(&r) || r < 30.0 {
        [79, 70, 229]
    } else {
        [255, 255, 255]
    }
}

/// A valid RGB PNG (stored, uncompressed deflate), so the test needs no image crate.
fn png(width: u32, height: u32, pixel: fn(u32, u32) -> [u8; 3]) -> Vec<u8> {
    let mut raw = Vec::with_capacity(((width * 3 + 1) * height) as usize);
    for y in 0..height {
        raw.push(0);
        for x in 0..width {
            raw.extend_from_slice(&pixel(x, y));
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let mut blocks = raw.chunks(65_535).peekable();
    while let Some(block) = blocks.next() {
        zlib.push(u8::from(blocks.peek().is_none()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend_from_slice(&((b << 16) | a).to_be_bytes());

    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut chunk = kind.to_vec();
        chunk.extend_from_slice(&data);
        out.extend_from_slice(&chunk);
        out.extend_from_slice(&crc32(&chunk).to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}
