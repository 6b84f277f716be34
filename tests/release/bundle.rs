//! Builds the Linux .deb the way the release workflow does (`tauri build --bundles deb`, in
//! the debug profile so it reuses the test suite's build) and checks what IT will install:
//! the control metadata, the declared dependencies, the files, and the updater signature
//! made with a throwaway key.
//!
//! Run with: `cargo test -p herald-desktop --test bundle -- --include-ignored`

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|p| if p.is_absolute() { p } else { root().join(p) })
        .unwrap_or_else(|| root().join("target"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{cmd:?} did not start: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

fn tauri_cli() -> PathBuf {
    let cli = root().join("ui/node_modules/.bin/tauri");
    assert!(
        cli.exists(),
        "the Tauri CLI is missing: run scripts/setup.sh (npm ci in ui/)"
    );
    cli
}

/// A throwaway updater key pair made by the Tauri CLI itself: (private key, public key).
fn throwaway_updater_key(dir: &Path) -> (String, String) {
    let key = dir.join("throwaway.key");
    run(Command::new(tauri_cli())
        .args(["signer", "generate", "--ci", "-p", "", "-w"])
        .arg(&key));
    let private = std::fs::read_to_string(&key).unwrap();
    let public = std::fs::read_to_string(key.with_extension("key.pub")).unwrap();
    (private, public)
}

fn field<'a>(control: &'a str, name: &str) -> &'a str {
    control
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in:\n{control}"))
}

#[test]
#[ignore = "builds the app and a .deb with the Tauri CLI (about two minutes on a warm target dir)"]
fn the_deb_declares_its_dependencies_and_installs_the_app() {
    let version = env!("CARGO_PKG_VERSION");
    let keys = tempfile::tempdir().unwrap();
    // The app keeps the real public key (so this build matches the test suite's and is not
    // rebuilt); the CLI signs with whatever private key it is given.
    let (private_key, public_key) = throwaway_updater_key(keys.path());

    let bundle_dir = target_dir().join("debug/bundle/deb");
    let deb = bundle_dir.join(format!("Herald_{version}_amd64.deb"));
    let _ = std::fs::remove_file(&deb);
    let mut build = Command::new(tauri_cli());
    // `cargo test` gives this process OUT_DIR, CARGO_MANIFEST_DIR, CARGO_PKG_* and friends;
    // passed on to the CLI's own `cargo build` they make build scripts (ring's) rerun and
    // rebuild half the tree, twice (there, and again in the next plain `cargo build`).
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        let from_cargo = key == "OUT_DIR"
            || key == "CARGO"
            || (key.starts_with("CARGO_") && key != "CARGO_HOME" && key != "CARGO_TARGET_DIR");
        if from_cargo {
            build.env_remove(key.as_ref());
        }
    }
    run(build
        .current_dir(root())
        .args(["build", "--debug", "--ci", "--bundles", "deb"])
        .env("TAURI_SIGNING_PRIVATE_KEY", &private_key)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", ""));
    assert!(deb.exists(), "no {}", deb.display());

    // Control metadata.
    let control = run(Command::new("dpkg-deb").args(["-f"]).arg(&deb));
    assert_eq!(field(&control, "Package"), "herald");
    assert_eq!(
        field(&control, "Version"),
        version,
        "the version comes from Cargo.toml"
    );
    assert_eq!(field(&control, "Architecture"), "amd64");
    assert_eq!(field(&control, "Section"), "mail");
    assert!(
        field(&control, "Maintainer").contains("Herald"),
        "{control}"
    );
    assert!(field(&control, "Description").starts_with("Email campaigns"));
    // Tauri adds WebKitGTK and GTK itself; tauri.conf.json adds what else the binary links.
    let depends: Vec<&str> = field(&control, "Depends").split(", ").collect();
    for needed in [
        "libwebkit2gtk-4.1-0",
        "libgtk-3-0",
        "libsoup-3.0-0",
        "libdbus-1-3",
        // TLS to AWS and the update server trusts the system's root certificates; a minimal
        // Debian has none without it ("builder error" on the first HTTPS request).
        "ca-certificates",
    ] {
        assert!(
            depends.contains(&needed),
            "Depends lacks {needed}: {depends:?}"
        );
    }
    assert!(
        field(&control, "Recommends").contains("gnome-keyring"),
        "{control}"
    );

    // Contents: the binary, the desktop entry, the icons.
    let contents = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let files: Vec<&str> = contents
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(|p| p.trim_start_matches("./"))
        .collect();
    for path in [
        "usr/bin/herald-desktop",
        "usr/share/applications/Herald.desktop",
        "usr/share/icons/hicolor/32x32/apps/herald-desktop.png",
        "usr/share/icons/hicolor/128x128/apps/herald-desktop.png",
    ] {
        assert!(files.contains(&path), "{path} missing from:\n{contents}");
    }
    let unpacked = tempfile::tempdir().unwrap();
    run(Command::new("dpkg-deb")
        .arg("-x")
        .arg(&deb)
        .arg(unpacked.path()));
    let desktop = std::fs::read_to_string(
        unpacked
            .path()
            .join("usr/share/applications/Herald.desktop"),
    )
    .unwrap();
    assert!(desktop.contains("Exec=herald-desktop"), "{desktop}");
    assert!(
        desktop.contains("Categories=Office;Network;Email;"),
        "{desktop}"
    );

    // The updater signature the CLI made verifies as the app's updater would check it.
    let sig = std::fs::read_to_string(deb.with_extension("deb.sig")).expect("a .deb.sig");
    let bytes = std::fs::read(&deb).unwrap();
    assert_eq!(
        herald_desktop::update_signature::verify(&bytes, &sig, &public_key, version),
        Ok(())
    );
}
