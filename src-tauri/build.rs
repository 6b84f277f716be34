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
    ];
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("tauri-build failed");
}
