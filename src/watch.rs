//! `khao watch`: (re)writes each request's report once it has settled.
use crate::commands::Context;

/// `khao watch [--settle SECONDS]`.
pub fn run(ctx: &Context, settle: Option<f64>) -> u8 {
    let _ = (ctx, settle);
    crate::exit::USAGE
}
