//! `khao new [--word] NAME`: a request folder from the Thai template, in
//! Markdown or as a Word document.

use super::{Context, exit, fail};
use crate::i18n::Message;
use crate::newrequest::{self, FILE_NAME, WORD_FILE_NAME};

pub fn run(ctx: &Context, name: &str, word: bool) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    let now = crate::plumbing::clock::now(config.tz());
    let (made, file_name, key) = if word {
        let made = newrequest::create_word(&ctx.site_dir, &config, name, now.date_naive());
        (made, WORD_FILE_NAME, "new.created_word")
    } else {
        let made = newrequest::create(&ctx.site_dir, &config, name, now.date_naive());
        (made, FILE_NAME, "new.created")
    };
    match made {
        Ok(dir) => {
            let file = dir.join(file_name);
            if ctx.json() {
                outln!("{}", serde_json::json!({ "created": dir, "file": file }));
            } else {
                let m = Message::new(key).arg("path", file.display());
                outln!("{}", m.render(lang));
            }
            exit::OK
        }
        Err(e) => fail(ctx, lang, &e, exit::USAGE),
    }
}
