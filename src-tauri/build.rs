fn main() {
    // Every command the UI may call is listed here, so the capability file can grant exactly
    // these and nothing else (least privilege).
    let commands = &[
        "workspaces_list",
        "workspaces_current",
        "workspaces_create",
        "workspaces_open",
        "workspaces_rename",
        "workspaces_delete",
        "settings_get",
        "settings_save",
        "credentials_set",
        "credentials_clear",
        "ses_test_connection",
        "updates_get",
        "updates_save",
        "updates_check",
        "updates_install",
        "templates_list",
        "templates_get",
        "templates_create",
        "templates_update",
        "templates_delete",
        "templates_duplicate",
        "templates_preview",
        "templates_sample_contact",
        "templates_test_send",
        "assets_list",
        "assets_folders",
        "assets_tags",
        "assets_limits",
        "assets_upload_dialog",
        "assets_upload_dropped",
        "assets_folder_create",
        "assets_folder_move",
        "assets_move",
        "assets_rename",
        "assets_tag",
        "assets_delete",
        "assets_thumbnail",
        "assets_original",
        "assets_publish",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
