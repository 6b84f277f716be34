//! What the shell keeps between commands: where workspaces live, the keychain, and the one
//! open workspace.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use herald_core::policy::Policy;
use herald_core::secrets::SecretStore;
use herald_core::workspaces::{Home, Workspace, WorkspaceInfo};

use crate::error::{CommandError, CommandResult};

pub struct AppState {
    pub home: Home,
    pub secrets: Arc<dyn SecretStore>,
    current: Mutex<Option<Workspace>>,
    /// The IT policy read at start. An invalid policy file is kept as its error: Herald
    /// cannot tell what is locked, so settings cannot be saved until IT fixes it.
    policy: Result<Policy, CommandError>,
    /// The files last dropped on the window, until the UI asks to add them.
    dropped: Mutex<Vec<PathBuf>>,
}

impl AppState {
    pub fn new(home: Home, secrets: Arc<dyn SecretStore>, current: Option<Workspace>) -> Self {
        Self {
            home,
            secrets,
            current: Mutex::new(current),
            policy: Ok(Policy::default()),
            dropped: Mutex::new(Vec::new()),
        }
    }

    /// Puts the machine's IT policy (or the reason it could not be read) in force.
    pub fn with_policy(mut self, policy: herald_core::Result<Policy>) -> Self {
        self.policy = policy.map_err(CommandError::from);
        self
    }

    pub fn policy(&self) -> CommandResult<&Policy> {
        self.policy.as_ref().map_err(Clone::clone)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Workspace>> {
        // A panic while holding the lock cannot leave a Workspace half-changed (SQLite
        // transactions guard the data), so a poisoned lock is safe to keep using.
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Remembers the files of a drop on the window (replacing an earlier, unclaimed drop).
    pub fn set_dropped(&self, paths: Vec<PathBuf>) {
        *self.dropped.lock().unwrap_or_else(|p| p.into_inner()) = paths;
    }

    /// The files of the last drop, once: a second call returns nothing.
    pub fn take_dropped(&self) -> Vec<PathBuf> {
        std::mem::take(&mut *self.dropped.lock().unwrap_or_else(|p| p.into_inner()))
    }

    pub fn current_info(&self) -> Option<WorkspaceInfo> {
        self.lock().as_ref().map(Workspace::info)
    }

    /// "Acme Marketing — Herald", so the window list and task switcher say which workspace.
    pub fn window_title(&self) -> String {
        match self.current_info() {
            Some(info) => format!("{} — Herald", info.name),
            None => "Herald".to_owned(),
        }
    }

    pub fn is_current(&self, name: &str) -> bool {
        self.lock()
            .as_ref()
            .is_some_and(|ws| ws.name().eq_ignore_ascii_case(name.trim()))
    }

    /// Replaces the open workspace (closing the previous one) and returns the new one's info.
    pub fn set_current(&self, workspace: Option<Workspace>) -> Option<WorkspaceInfo> {
        let mut guard = self.lock();
        *guard = workspace;
        guard.as_ref().map(Workspace::info)
    }

    pub fn with_workspace<T>(
        &self,
        f: impl FnOnce(&Workspace) -> herald_core::Result<T>,
    ) -> CommandResult<T> {
        let guard = self.lock();
        let ws = guard.as_ref().ok_or(herald_core::Error::NoWorkspace)?;
        Ok(f(ws)?)
    }

    pub fn with_workspace_mut<T>(
        &self,
        f: impl FnOnce(&mut Workspace) -> herald_core::Result<T>,
    ) -> CommandResult<T> {
        let mut guard = self.lock();
        let ws = guard.as_mut().ok_or(herald_core::Error::NoWorkspace)?;
        Ok(f(ws)?)
    }
}
