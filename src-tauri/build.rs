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
        "contacts_list",
        "contacts_count",
        "contacts_get",
        "contacts_find_by_email",
        "contacts_create",
        "contacts_update",
        "contacts_delete",
        "contacts_bulk",
        "contacts_export",
        "tags_list",
        "tags_create",
        "tags_update",
        "tags_delete",
        "fields_list",
        "fields_create",
        "fields_update",
        "fields_preview_change",
        "fields_change_type",
        "fields_preview_delete",
        "fields_delete",
        "segments_list",
        "segments_get",
        "segments_create",
        "segments_rename",
        "segments_update_rules",
        "segments_duplicate",
        "segments_delete",
        "segments_count",
        "imports_pick",
        "imports_preview",
        "imports_run",
        "imports_cancel",
        "imports_save_failed",
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
