//! `khao new NAME`: a request folder from a Thai template whose comments
//! explain each field, so a staff member can fill it in without a manual.
//! The template fails `khao check` until its blanks are filled.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

use crate::config::SiteConfig;
use crate::diagnostic::{Code, Failure};
use crate::i18n::Message;
use crate::plumbing::paths::REQUESTS_DIR;

/// The text file of a new request.
pub const FILE_NAME: &str = "ข่าว.md";
/// The Word form of a new request.
pub const WORD_FILE_NAME: &str = "ข่าว.docx";

/// The template, with the site's categories and groups listed in comments
/// and today's date in Thai form.
pub fn template(config: &SiteConfig, today: chrono::NaiveDate) -> String {
    let categories: String = config
        .news
        .categories
        .iter()
        .map(|c| format!("#     {}   (หรือเขียนว่า {})\n", c.name, c.slug))
        .collect();
    let groups: String = config
        .groups
        .iter()
        .map(|g| format!("#     {g}\n"))
        .collect();
    let date = crate::thaidate::numeric(today);
    TEMPLATE
        .replace("{date}", &date)
        .replace("{categories}", &categories)
        .replace("{groups}", &groups)
}

/// The form; `{date}`, `{categories}` and `{groups}` are filled in.
const TEMPLATE: &str = r#"---
# แบบฟอร์มขอประชาสัมพันธ์ข่าว — กรอกข้อมูลหลังเครื่องหมาย : ของแต่ละบรรทัด
# บรรทัดที่ขึ้นต้นด้วย # เป็นคำอธิบาย ไม่ต้องลบ ไม่ต้องแก้
# ถ้าข้อความมีเครื่องหมาย : หรือ # ให้ครอบด้วยเครื่องหมายคำพูด เช่น title: "ประกาศ: รับสมัคร"

# หัวข้อข่าว (สั้น ชัดเจน)
title: ""

# วันที่ของข่าว แบบ วัน/เดือน/ปี พ.ศ. เช่น 20/11/2569
date: {date}

# หมวดข่าว เลือกหนึ่งหมวด:
{categories}category: ""

# ป้ายคำ (ไม่บังคับ) เช่น [กีฬา, นักเรียน]
tags: []

# ผู้ขอประชาสัมพันธ์: ชื่อ และกลุ่มงาน (ต้องตรงกับชื่อกลุ่มด้านล่างทุกตัวอักษร)
# เบอร์โทรมีไว้ให้เจ้าหน้าที่ติดต่อกลับเท่านั้น ไม่ถูกเผยแพร่
# กลุ่มงาน:
{groups}requester:
  name: ""
  group: ""
  phone: ""

# ภาพข่าว: คัดลอกไฟล์ภาพ (.jpg หรือ .png) ใส่โฟลเดอร์นี้ แล้วเขียนชื่อไฟล์และคำบรรยายภาพ
# ถ้าไม่เขียนรายการ ระบบจะใช้ภาพทุกภาพในโฟลเดอร์ (เรียงตามชื่อ) ภาพแรกเป็นภาพหน้าปก
# ห้ามส่งรูปถ่ายเอกสารที่เห็นเลขประจำตัวประชาชน (เช่น ประกาศรายชื่อ) ระบบจะอ่านและไม่ยอมเผยแพร่
# ตัวอย่าง:
#   - { file: photo1.jpg, alt: นักเรียนเดินขบวนพาเหรด }
images: []

# เอกสารแนบ (PDF ฯลฯ): คัดลอกใส่โฟลเดอร์นี้ แล้วเขียนชื่อไฟล์และชื่อเอกสาร
# ตัวอย่าง:
#   - { file: คำสั่ง.pdf, title: คำสั่งแต่งตั้งคณะกรรมการ }
attachments: []

# ข่าวเด่น (ไม่บังคับ): เขียน pinned: true ให้ข่าวอยู่บนสุดของหน้าแรก
# และถ้าจะให้เป็นข่าวเด่นจนหมดวันใดวันหนึ่ง เขียนวันถัดไป เช่น ถึงสิ้นวันที่ 31 ธันวาคม
# เขียน pinned_until: 1/1/2570 (หรือระบุเวลา เช่น pinned_until: 31/12/2569 16:30)
pinned: false

# เวลาเริ่มเผยแพร่ (ไม่บังคับ): ก่อนเวลานี้ข่าวจะยังไม่ปรากฏที่ใดบนเว็บไซต์เลย
# เช่น เอาเครื่องหมาย # หน้าบรรทัดล่างนี้ออก แล้วแก้วันเวลา
# publish_at: 1/12/2569 08:00

# วันสิ้นสุด (ไม่บังคับ): เช่น ประกาศรับสมัครที่ปิดรับแล้ว ตั้งแต่วันนี้ข่าวจะออกจากหน้าแรก
# และขึ้นว่า "สิ้นสุดแล้ว" แต่ยังอยู่ในหมวดข่าวและค้นหาได้
# expires: 15/12/2569
---
<!-- เขียนเนื้อหาข่าวใต้บรรทัดนี้ ห้ามใส่เลขประจำตัวประชาชน -->

"#;

/// Why a new request could not be made.
#[derive(Debug, Clone, thiserror::Error)]
pub enum NewRequestError {
    /// Not a usable folder name.
    BadName(String),
    /// A request of that name is there already.
    Exists(PathBuf),
    /// The folder or file could not be written.
    Io { path: PathBuf, error: String },
}

crate::display_failure!(NewRequestError);

impl Failure for NewRequestError {
    fn code(&self) -> Code {
        Code::New
    }

    fn message(&self) -> Message {
        match self {
            NewRequestError::BadName(name) => Message::new("new.bad_name").arg("name", name),
            NewRequestError::Exists(path) => Message::new("new.exists").arg("path", path.display()),
            NewRequestError::Io { path, error } => Message::new("new.failed")
                .arg("path", path.display())
                .arg_msg("error", crate::i18n::os_error(error)),
        }
    }
}

/// Creates `requests/NAME/ข่าว.md`; refuses an existing request.
pub fn create(
    site_dir: &Path,
    config: &SiteConfig,
    name: &str,
    today: NaiveDate,
) -> Result<PathBuf, NewRequestError> {
    let text = template(config, today);
    make(site_dir, name, FILE_NAME, text.as_bytes())
}

/// Creates `requests/NAME/ข่าว.docx`, the Word form: the fields table with
/// the site's categories and groups listed, the instructions in Thai.
pub fn create_word(
    site_dir: &Path,
    config: &SiteConfig,
    name: &str,
    today: NaiveDate,
) -> Result<PathBuf, NewRequestError> {
    let categories: Vec<(String, String)> = config
        .news
        .categories
        .iter()
        .map(|c| (c.slug.clone(), c.name.clone()))
        .collect();
    let bytes = crate::docx::template(
        &categories,
        &config.groups,
        &crate::thaidate::numeric(today),
    );
    make(site_dir, name, WORD_FILE_NAME, &bytes)
}

/// `requests/NAME/<file>`, refusing a bad name or an existing request.
fn make(site_dir: &Path, name: &str, file: &str, bytes: &[u8]) -> Result<PathBuf, NewRequestError> {
    let bad_name = name.trim().is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\', ':', '*', '?', '"', '<', '>', '|'])
        || name == "..";
    if bad_name {
        return Err(NewRequestError::BadName(name.to_string()));
    }
    let dir = site_dir.join(REQUESTS_DIR).join(name);
    // A folder staff made first, still empty (but for the check's report
    // on it), is the form's to fill.
    let empty = || {
        std::fs::read_dir(&dir).is_ok_and(|entries| {
            entries
                .flatten()
                .all(|e| e.file_name() == crate::request::REPORT_FILE)
        })
    };
    if (dir.exists() && !empty()) || dir.with_extension("md").exists() {
        return Err(NewRequestError::Exists(dir));
    }
    let _ = std::fs::remove_file(dir.join(crate::request::REPORT_FILE));
    std::fs::create_dir_all(&dir)
        .and_then(|_| std::fs::write(dir.join(file), bytes))
        .map_err(|e| NewRequestError::Io {
            path: dir.clone(),
            error: e.to_string(),
        })?;
    Ok(dir)
}
