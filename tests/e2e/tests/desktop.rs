//! Living on the desktop, in the real app: one Herald per home. A launch that hands over to
//! a Herald which quits before answering (the user quit and opened it again at once) must
//! still end with Herald running, not with an error.
//!
//! The quitting Herald is a stand-in (`helpers/quitting_instance.py`): a real one exits
//! mid-handover only by chance of timing.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use herald_e2e::app_binary;
use herald_test_support::{repo_root, KillOnDrop};

/// The D-Bus name the app's single-instance lock takes for a home: what
/// `desktop::instance_id` gives, plus the plugin's suffix. Should the two ever differ, the
/// stand-in is never asked and the test fails on that.
fn single_instance_name(home: &Path) -> String {
    let hash = home
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
        });
    format!("app.herald.desktop.home_{hash:016x}.SingleInstance")
}

fn name_has_owner(name: &str) -> bool {
    let out = Command::new("dbus-send")
        .args([
            "--session",
            "--print-reply",
            "--dest=org.freedesktop.DBus",
            "/org/freedesktop/DBus",
            "org.freedesktop.DBus.NameHasOwner",
            &format!("string:{name}"),
        ])
        .output()
        .expect("dbus-send runs (package dbus)");
    String::from_utf8_lossy(&out.stdout).contains("boolean true")
}

fn wait_until(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < limit, "timed out after {limit:?}: {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
#[ignore = "needs a display, a D-Bus session, tests/.venv and the built app: run scripts/test.sh"]
fn a_launch_while_herald_is_quitting_still_starts_herald() {
    let home = tempfile::tempdir().unwrap();
    let name = single_instance_name(home.path());

    let python = repo_root().join("tests/.venv/bin/python");
    let script = repo_root().join("tests/e2e/helpers/quitting_instance.py");
    let mut stand_in = KillOnDrop(
        Command::new(&python)
            .arg(&script)
            .arg(&name)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e} (scripts/setup.sh)", python.display())),
    );
    let mut line = String::new();
    BufReader::new(stand_in.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready", "the stand-in owns {name}");

    let mut app = KillOnDrop(
        Command::new(app_binary())
            .env("HERALD_HOME", home.path())
            .spawn()
            .expect("the app starts"),
    );

    // The launch hands over to the stand-in, which leaves without answering…
    let start = Instant::now();
    let asked = loop {
        if let Some(status) = stand_in.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the launch never handed over to the running instance"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(asked.code(), Some(0), "the stand-in was asked to take over");

    // …and Herald starts after all: it becomes the running instance and stays up.
    wait_until(
        "Herald takes the single-instance name",
        Duration::from_secs(30),
        || name_has_owner(&name),
    );
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        app.0.try_wait().unwrap().is_none(),
        "Herald is still running"
    );
    assert!(name_has_owner(&name));
}
