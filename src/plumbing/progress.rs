//! How a long step (photos, uploads) tells its caller how far it is. Steps
//! never print: the command layer decides whether to draw bars (only on a
//! terminal, never with `--format json`).

/// What is being counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// Photos decoded and resized.
    Photos,
    /// Files uploaded.
    UploadFiles,
    /// Bytes uploaded.
    UploadBytes,
}

/// Receives progress; every method does nothing by default.
pub trait Progress: Sync {
    /// `task` starts, with `total` units to do.
    fn start(&self, _task: Task, _total: u64) {}
    /// `n` more units of `task` are done; `what` names the last one.
    fn advance(&self, _task: Task, _n: u64, _what: &str) {}
    /// Every task is over.
    fn finish(&self) {}
}

/// No progress shown.
pub struct Silent;

impl Progress for Silent {}
