//! Progress bars on a terminal (stderr), for the steps' [`Progress`]
//! reports: photos being processed, files and bytes being uploaded.

use std::io::IsTerminal;
use std::sync::{Arc, OnceLock};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::i18n::{Lang, Message};
use crate::plumbing::progress::{Progress, Task};

/// Bars for the tasks a step starts, each made when its task starts.
pub struct Bars {
    multi: MultiProgress,
    photos: OnceLock<ProgressBar>,
    files: OnceLock<ProgressBar>,
    bytes: OnceLock<ProgressBar>,
    lang: Lang,
}

/// What the steps are given: bars when stderr is a terminal and the output
/// is for people, else nothing.
pub type Shared = Option<Arc<dyn Progress + Send + Sync>>;

pub fn bars(json: bool, lang: Lang) -> Shared {
    if json || !std::io::stderr().is_terminal() {
        return None;
    }
    Some(Arc::new(Bars {
        multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
        photos: OnceLock::new(),
        files: OnceLock::new(),
        bytes: OnceLock::new(),
        lang,
    }))
}

impl Bars {
    fn cell(&self, task: Task) -> &OnceLock<ProgressBar> {
        match task {
            Task::Photos => &self.photos,
            Task::UploadFiles => &self.files,
            Task::UploadBytes => &self.bytes,
        }
    }

    fn make(&self, task: Task) -> ProgressBar {
        let template = match task {
            Task::Photos => "{msg} {bar:30} {pos}/{len} [{elapsed}]",
            Task::UploadFiles => "{bar:30} {pos}/{len} files  {wide_msg}",
            Task::UploadBytes => "{bar:30} {bytes}/{total_bytes} ({bytes_per_sec}, {eta})",
        };
        let bar = self.multi.add(ProgressBar::new(0));
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        if task == Task::Photos {
            bar.set_message(Message::new("images.progress").render(self.lang));
        }
        bar
    }
}

impl Progress for Bars {
    fn start(&self, task: Task, total: u64) {
        self.cell(task)
            .get_or_init(|| self.make(task))
            .set_length(total);
    }

    fn advance(&self, task: Task, n: u64, what: &str) {
        if let Some(bar) = self.cell(task).get() {
            bar.inc(n);
            if task == Task::UploadFiles {
                bar.set_message(what.to_string());
            }
        }
    }

    fn finish(&self) {
        for cell in [&self.photos, &self.files, &self.bytes] {
            if let Some(bar) = cell.get() {
                bar.finish_and_clear();
            }
        }
        let _ = self.multi.clear();
    }
}
