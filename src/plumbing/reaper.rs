//! Helper processes khao must not leave behind when it is stopped: a
//! timer's timeout (SIGTERM), Ctrl-C (SIGINT), a closed terminal (SIGHUP).
//! Chromium, started for the browser check, outlives a killed parent and
//! keeps its profile folder; under cron every interrupted run would add one
//! more. While a [`Reaped`] guard lives, such a signal kills its process
//! and removes its folder, then stops khao as the signal would have.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};
use std::time::Duration;

/// The processes to kill on a stop: (guard id, process id, folder).
static CHILDREN: Mutex<Vec<(u64, u32, PathBuf)>> = Mutex::new(Vec::new());
static NEXT: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

/// Keeps a process on the list of [`on_stop`] until dropped.
pub struct Reaped {
    id: u64,
}

impl Drop for Reaped {
    fn drop(&mut self) {
        let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        children.retain(|(id, _, _)| *id != self.id);
    }
}

/// Kills process `pid` and removes `folder` if khao is stopped by a signal
/// before the returned guard is dropped.
pub fn on_stop(pid: u32, folder: PathBuf) -> Reaped {
    INSTALL.call_once(install);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
    children.push((id, pid, folder));
    Reaped { id }
}

/// Takes SIGINT, SIGTERM and SIGHUP on a thread of their own (a signal
/// handler may do almost nothing itself): the children go first, then the
/// signal's own action, which ends khao.
fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return;
    };
    let _ = std::thread::Builder::new().spawn(move || {
        let Some(signal) = signals.forever().next() else {
            return;
        };
        let children = CHILDREN.lock().unwrap_or_else(|e| e.into_inner());
        for (_, pid, _) in children.iter() {
            if let Ok(pid) = i32::try_from(*pid) {
                // SAFETY: kill(2) with a process id and a signal number.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        // Its helper processes let go of the folder as they notice.
        std::thread::sleep(Duration::from_millis(200));
        for (_, _, folder) in children.iter() {
            let _ = std::fs::remove_dir_all(folder);
        }
        let _ = signal_hook::low_level::emulate_default_handler(signal);
        std::process::exit(128 + signal);
    });
}
