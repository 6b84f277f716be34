//! The scheduler: with tokio's paused clock (starts at the time, not before; wakes when
//! told schedules changed), with the real clock (a campaign 5 s ahead starts), and on
//! launch (catch-up within the grace period, beyond it the campaign waits for the user).
//! The starter records what the scheduler asks for (it is the trait the send service
//! implements; its own tests send for real).

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use herald_core::campaigns::service::{BoxFuture, CampaignStarter};
use herald_core::campaigns::{self, CampaignStatus, NewCampaign, PauseKind};
use herald_core::db::{self, OpenMode};
use herald_core::scheduler::{self, SchedulerConfig, TokioClock};
use herald_core::workspaces::Home;
use herald_core::Result;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// Records each start with the scheduler's "now", and marks the campaign sending like the
/// real service does.
struct Recorder {
    db: PathBuf,
    clock: Box<dyn Fn() -> OffsetDateTime + Send + Sync>,
    started: Mutex<Vec<(i64, OffsetDateTime)>>,
    resumed: Mutex<Vec<i64>>,
}

impl CampaignStarter for Recorder {
    fn start(&self, id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.started.lock().unwrap().push((id, (self.clock)()));
            let conn = db::open(&self.db, OpenMode::Existing)?;
            campaigns::set_status(&conn, id, CampaignStatus::Sending, None)?;
            campaigns::set_status(&conn, id, CampaignStatus::Sent, None)?;
            Ok(())
        })
    }

    fn resume(&self, id: i64) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.resumed.lock().unwrap().push(id);
            Ok(())
        })
    }
}

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Home::at(dir.path()).create("Acme").unwrap();
    let db = ws.db_path();
    (dir, db)
}

fn campaign(db: &Path, name: &str) -> i64 {
    let conn = db::open(db, OpenMode::Existing).unwrap();
    campaigns::create(
        &conn,
        &NewCampaign {
            name: name.into(),
            ..NewCampaign::default()
        },
    )
    .unwrap()
    .id
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap()
}

/// Schedules through the core function (which refuses past times) or, for times in the
/// past (Herald was closed), writes the row as an earlier run would have left it.
fn schedule_at(db: &Path, id: i64, at: OffsetDateTime) {
    let conn = db::open(db, OpenMode::Existing).unwrap();
    if at > OffsetDateTime::now_utc() {
        campaigns::schedule(&conn, id, &rfc3339(at), Some("Europe/Paris")).unwrap();
    } else {
        conn.execute(
            "UPDATE campaigns SET status = 'scheduled', scheduled_at = ?2 WHERE id = ?1",
            (id, rfc3339(at)),
        )
        .unwrap();
    }
}

fn recorder(
    db: &Path,
    clock: impl Fn() -> OffsetDateTime + Send + Sync + 'static,
) -> Arc<Recorder> {
    Arc::new(Recorder {
        db: db.to_owned(),
        clock: Box::new(clock),
        started: Mutex::new(Vec::new()),
        resumed: Mutex::new(Vec::new()),
    })
}

#[tokio::test(start_paused = true)]
async fn with_paused_time_a_campaign_starts_at_its_time_and_not_before() {
    let (_dir, db) = workspace();
    let origin = OffsetDateTime::now_utc();
    let clock = TokioClock::starting_at(origin);
    let id = campaign(&db, "In an hour");
    let at = origin + time::Duration::hours(1);
    schedule_at(&db, id, at);
    let starter = recorder(&db, move || herald_core::scheduler::Clock::now(&clock));
    let handle = scheduler::spawn_with_clock(
        db.clone(),
        starter.clone(),
        SchedulerConfig::default(),
        Arc::new(clock),
    );

    tokio::time::sleep(Duration::from_secs(59 * 60)).await;
    assert!(starter.started.lock().unwrap().is_empty(), "not before");
    tokio::time::sleep(Duration::from_secs(2 * 60)).await;
    let started = starter.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1);
    assert_eq!(started[0].0, id);
    assert!(started[0].1 >= at, "started at {} for {at}", started[0].1);
    handle.stop();
}

#[tokio::test(start_paused = true)]
async fn a_new_schedule_wakes_the_sleeping_scheduler() {
    let (_dir, db) = workspace();
    let origin = OffsetDateTime::now_utc();
    let clock = TokioClock::starting_at(origin);
    let starter = recorder(&db, move || herald_core::scheduler::Clock::now(&clock));
    let handle = scheduler::spawn_with_clock(
        db.clone(),
        starter.clone(),
        SchedulerConfig::default(),
        Arc::new(clock),
    );
    // Let it look once (nothing scheduled) and go to sleep for its longest nap.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let id = campaign(&db, "Soon");
    let at = clock.now_plus(Duration::from_secs(5));
    schedule_at(&db, id, at);
    handle.notify();
    // Well before the scheduler's own 30 s wake-up.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let started = starter.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1, "woken by notify, started at its time");
    assert!(started[0].1 >= at);
    handle.stop();
}

trait NowPlus {
    fn now_plus(&self, d: Duration) -> OffsetDateTime;
}

impl NowPlus for TokioClock {
    fn now_plus(&self, d: Duration) -> OffsetDateTime {
        herald_core::scheduler::Clock::now(self) + d
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_real_clock_a_campaign_five_seconds_ahead_starts() {
    let (_dir, db) = workspace();
    let id = campaign(&db, "Five seconds");
    let at = OffsetDateTime::now_utc() + time::Duration::seconds(5);
    schedule_at(&db, id, at);
    let starter = recorder(&db, OffsetDateTime::now_utc);
    let handle = scheduler::spawn(db.clone(), starter.clone(), SchedulerConfig::default());
    for _ in 0..300 {
        if !starter.started.lock().unwrap().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let started = starter.started.lock().unwrap().clone();
    assert_eq!(started.len(), 1, "it started");
    assert!(started[0].1 >= at, "not before its time");
    let conn = db::open(&db, OpenMode::Existing).unwrap();
    assert_eq!(
        campaigns::get(&conn, id).unwrap().status,
        CampaignStatus::Sent
    );
    handle.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_launch_late_campaigns_start_within_the_grace_period_and_wait_beyond_it() {
    let (_dir, db) = workspace();
    let now = OffsetDateTime::now_utc();
    let late = campaign(&db, "Two hours late");
    schedule_at(&db, late, now - time::Duration::hours(2));
    let too_late = campaign(&db, "Two days late");
    schedule_at(&db, too_late, now - time::Duration::hours(48));
    let future = campaign(&db, "Tomorrow");
    schedule_at(&db, future, now + time::Duration::hours(24));
    // A quota pause whose window has passed, and one still waiting.
    let quota = campaign(&db, "Quota");
    let waiting = campaign(&db, "Quota later");
    {
        let conn = db::open(&db, OpenMode::Existing).unwrap();
        for (id, at) in [
            (quota, now - time::Duration::minutes(1)),
            (waiting, now + time::Duration::hours(3)),
        ] {
            campaigns::set_status(&conn, id, CampaignStatus::Sending, None).unwrap();
            campaigns::set_status(
                &conn,
                id,
                CampaignStatus::Paused,
                Some((PauseKind::DailyQuota, "quota", Some(&rfc3339(at)))),
            )
            .unwrap();
        }
    }

    // "Herald starts": the scheduler catches up on its first look.
    let starter = recorder(&db, OffsetDateTime::now_utc);
    let handle = scheduler::spawn(db.clone(), starter.clone(), SchedulerConfig::default());
    for _ in 0..100 {
        if !starter.started.lock().unwrap().is_empty()
            && !starter.resumed.lock().unwrap().is_empty()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    handle.stop();
    let started: Vec<i64> = starter
        .started
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0)
        .collect();
    assert_eq!(started, vec![late]);
    assert_eq!(*starter.resumed.lock().unwrap(), vec![quota]);

    let conn = db::open(&db, OpenMode::Existing).unwrap();
    let missed = campaigns::get(&conn, too_late).unwrap();
    assert_eq!(missed.status, CampaignStatus::Scheduled, "it waits");
    assert_eq!(missed.pause_kind, Some(PauseKind::MissedSchedule));
    assert!(missed
        .pause_reason
        .unwrap()
        .contains("more than 24 hours ago"));
    assert_eq!(
        campaigns::get(&conn, future).unwrap().pause_kind,
        None,
        "the future one is untouched"
    );
    assert!(campaigns::has_pending_work(&conn).unwrap());

    // The missed one waits for the user ("send now" is the service's start): the
    // scheduler no longer touches it. (The quota pause is still due: the recorder only
    // noted the resume.)
    let (due, _) = scheduler::plan(&conn, OffsetDateTime::now_utc(), None).unwrap();
    assert_eq!(due, vec![scheduler::Due::Resume(quota)]);
}
