//! `khao new NAME`: a request folder from the Thai template.

use super::{Context, exit, fail};
use crate::i18n::Message;
use crate::newrequest::{self, FILE_NAME};

pub fn run(ctx: &Context, name: &str) -> u8 {
    let config = match ctx.config_or_exit() {
        Ok(c) => c,
        Err(code) => return code,
    };
    let lang = config.language;
    match newrequest::create(&ctx.site_dir, &config, name) {
        Ok(dir) => {
            let file = dir.join(FILE_NAME);
            if ctx.json() {
                println!("{}", serde_json::json!({ "created": dir, "file": file }));
            } else {
                let m = Message::new("new.created").arg("path", file.display());
                println!("{}", m.render(lang));
            }
            exit::OK
        }
        Err(e) => fail(ctx, lang, &e, exit::USAGE),
    }
}
