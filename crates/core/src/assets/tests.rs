use super::*;
use crate::workspaces::Home;

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Home::at(dir.path()).create("Acme").unwrap();
    (dir, ws)
}

/// A real PNG of the given size, made with the image crate.
pub(crate) fn png(width: u32, height: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([shade, (x % 255) as u8, (y % 255) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

fn tags(list: &[&str]) -> Vec<String> {
    list.iter().map(|t| t.to_string()).collect()
}

#[test]
fn files_are_stored_once_by_content_with_thumbnails_and_metadata() {
    let (_dir, ws) = workspace();
    let bytes = png(800, 400, 10);
    let first = add_bytes(&ws, "hero.png", &bytes, "brand/heroes", &tags(&["Spring"])).unwrap();
    assert!(!first.duplicate);
    let a = &first.asset;
    assert_eq!((a.width, a.height), (Some(800), Some(400)));
    assert_eq!(a.mime_type, "image/png");
    assert_eq!(a.folder, "brand/heroes");
    assert_eq!(a.tags, ["Spring"]);
    assert_eq!(a.reference, format!("assets/{}.png", a.sha256));
    assert!(path_of(&ws, a).is_file());
    let thumb = ws.dir().join(a.thumbnail.as_ref().unwrap());
    let t = image::open(&thumb).unwrap();
    assert_eq!((t.width(), t.height()), (320, 160));

    let again = add_bytes(&ws, "copy of hero.png", &bytes, "", &tags(&["sale"])).unwrap();
    assert!(again.duplicate);
    assert_eq!(again.asset.id, a.id);
    assert_eq!(again.asset.tags, ["sale", "Spring"]);
    let files = fs::read_dir(ws.assets_dir())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().is_file())
        .count();
    assert_eq!(files, 1, "one stored file");
}

#[test]
fn unsupported_damaged_and_oversized_files_are_refused_clearly() {
    let (_dir, ws) = workspace();
    let err = add_bytes(&ws, "notes.txt", b"hello", "", &[]).unwrap_err();
    assert_eq!(err.code(), "asset_rejected");
    assert!(
        err.to_string().contains("not a supported file type"),
        "{err}"
    );
    let mut broken = png(50, 50, 1);
    broken.truncate(60);
    let err = add_bytes(&ws, "broken.png", &broken, "", &[]).unwrap_err();
    assert!(err.to_string().contains("damaged"), "{err}");
    let big = vec![0u8; MAX_ASSET_BYTES as usize + 1];
    let err = add_bytes(&ws, "big.png", &big, "", &[]).unwrap_err();
    assert!(err.to_string().contains("at most 10 MB"), "{err}");
    let svg = add_bytes(
        &ws,
        "logo.svg",
        br#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>"#,
        "",
        &[],
    )
    .unwrap();
    assert_eq!(svg.asset.mime_type, "image/svg+xml");
    assert!(svg.asset.thumbnail.is_none());
    let pdf = add_bytes(&ws, "terms.pdf", b"%PDF-1.4\n%...", "docs", &[]).unwrap();
    assert_eq!(pdf.asset.kind, AssetKind::Document);
}

#[test]
fn filter_move_rename_tag_and_folders() {
    let (_dir, ws) = workspace();
    let a = add_bytes(
        &ws,
        "Logo dark.png",
        &png(10, 10, 1),
        "brand/logos",
        &tags(&["logo"]),
    )
    .unwrap()
    .asset;
    let b = add_bytes(
        &ws,
        "Spring hero.png",
        &png(10, 10, 2),
        "campaigns/spring",
        &[],
    )
    .unwrap()
    .asset;
    add_bytes(&ws, "terms.pdf", b"%PDF-1.4 x", "", &[]).unwrap();
    let names = |f: AssetFilter| {
        list(&ws, &f)
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(AssetFilter {
            tag: Some("LOGO".into()),
            ..Default::default()
        }),
        ["Logo dark.png"]
    );
    assert_eq!(
        names(AssetFilter {
            kind: Some(AssetKind::Document),
            ..Default::default()
        }),
        ["terms.pdf"]
    );
    assert_eq!(
        names(AssetFilter {
            search: Some("hero".into()),
            ..Default::default()
        }),
        ["Spring hero.png"]
    );
    assert_eq!(
        names(AssetFilter {
            folder: Some("".into()),
            ..Default::default()
        }),
        ["terms.pdf"]
    );
    assert_eq!(
        names(AssetFilter {
            folder: Some("campaigns".into()),
            include_subfolders: true,
            ..Default::default()
        }),
        ["Spring hero.png"]
    );

    move_to(&ws, b.id, "/brand//heroes/").unwrap();
    rename(&ws, a.id, "Logo (dark)").unwrap();
    add_tags(&ws, b.id, &tags(&["hero", "spring"])).unwrap();
    remove_tags(&ws, b.id, &tags(&["spring"])).unwrap();
    assert_eq!(get(&ws, b.id).unwrap().tags, ["hero"]);
    create_folder(&ws, "empty/inside").unwrap();
    let paths: Vec<(String, Option<String>, u32)> = folders(&ws)
        .unwrap()
        .into_iter()
        .map(|f| (f.path, f.parent, f.asset_count))
        .collect();
    assert_eq!(
        paths,
        [
            ("brand".into(), None, 0),
            ("brand/heroes".into(), Some("brand".into()), 1),
            ("brand/logos".into(), Some("brand".into()), 1),
            ("campaigns".into(), None, 0),
            ("campaigns/spring".into(), Some("campaigns".into()), 0),
            ("empty".into(), None, 0),
            ("empty/inside".into(), Some("empty".into()), 0),
        ]
    );
    rename_folder(&ws, "brand", "identity").unwrap();
    assert_eq!(get(&ws, a.id).unwrap().folder, "identity/logos");
    assert!(delete_folder(&ws, "identity").is_err());
    delete_folder(&ws, "empty").unwrap();
    assert!(move_to(&ws, a.id, "../etc").is_err());
}

#[test]
fn delete_refuses_while_a_template_uses_the_asset() {
    let (_dir, ws) = workspace();
    let a = add_bytes(&ws, "hero.png", &png(20, 20, 3), "", &[])
        .unwrap()
        .asset;
    crate::templates::create(
        &ws,
        &crate::templates::TemplateDraft {
            name: "Spring".into(),
            description: String::new(),
            category: String::new(),
            subject: "s".into(),
            preheader: String::new(),
            format: crate::render::TemplateFormat::Html,
            source: format!("<img src=\"{}\">", a.reference),
        },
    )
    .unwrap();
    let err = delete(&ws, a.id, false).unwrap_err();
    assert_eq!(err.code(), "asset_in_use");
    assert!(err.to_string().contains("Spring"), "{err}");
    assert_eq!(usage(&ws, a.id).unwrap(), ["Spring"]);
    let urls = preview_urls(&ws, &format!("x {} y", a.reference)).unwrap();
    assert!(urls[&a.sha256].starts_with("data:image/png;base64,"));
    delete(&ws, a.id, true).unwrap();
    assert!(!path_of(&ws, &a).exists());
    assert!(!ws.dir().join(a.thumbnail.unwrap()).exists());
}
