//! The report's charts, drawn by plotters' SVG backend into strings and
//! made fit to sit inside an HTML5 page: plotters writes a bare `<svg>`, so
//! each chart gets `role="img"`, an accessible name and a `<title>` here.
//!
//! Labels are Thai, which plotters' built-in text measure (bytes × 0.7 em)
//! over-estimates threefold; so label areas are sized here from the letters
//! a label shows, and the legend is laid out here above the plot rather
//! than by plotters' series-label box (which it would size wrongly).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::thai::{display_width, quarter_name, shorten};
use super::{GroupRow, Report};
use crate::fiscal::Quarter;

/// Received requests: blue. Published news: amber. They stay apart when
/// printed in grey.
const RECEIVED: RGBColor = RGBColor(37, 99, 163);
const PUBLISHED: RGBColor = RGBColor(242, 169, 59);
const FONT: &str = "Sarabun";
/// Sizes as plotters takes them: its SVG writes `font-size` = size / 1.24,
/// so these give about 14 px tick labels, 13 px values, 15 px legend.
const TICK_SIZE: f64 = 17.0;
const VALUE_SIZE: f64 = 16.0;
const LEGEND_SIZE: f64 = 19.0;
/// Room above the plot for the legend.
const LEGEND_ROOM: u32 = 40;
const WIDTH: u32 = 720;
/// The longest group name a chart shows whole (tables show all of it).
const GROUP_LABEL_MAX: usize = 30;
/// Each quarter or group owns a band this many axis units wide, with its
/// tick in the middle. Integer axes, because plotters formats their ticks
/// through a custom formatter only for integers when key points are bound.
const BAND: u32 = 100;

/// A chart could not be drawn (plotters' SVG backend writing to a string
/// has no real failure, but its API says it may).
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub(crate) struct ChartError(String);

fn fail<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Axis headroom: a little above the tallest bar, at least 1.
fn axis_max(values: impl Iterator<Item = u32>) -> u32 {
    let max = values.max().unwrap_or(0);
    (max + max / 8 + 1).max(1)
}

/// Grouped bars per quarter: received beside published.
pub(crate) fn quarters(report: &Report, title: &str) -> Result<String, ChartError> {
    let rows = &report.quarters;
    let y_max = axis_max(rows.iter().flat_map(|q| [q.received, q.published]));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let n = rows.len() as u32;
        let x = (0..n * BAND).with_key_points((0..n).map(|i| i * BAND + BAND / 2).collect());
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_top(LEGEND_ROOM)
            .x_label_area_size(32)
            .y_label_area_size(56)
            .build_cartesian_2d(x, 0u32..y_max)
            .map_err(fail)?;
        let label = |v: &u32| {
            let i = u8::try_from(v / BAND + 1).unwrap_or(0);
            Quarter::from_number(i)
                .map(quarter_name)
                .unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_label_formatter(&label)
            .y_desc("จำนวน (เรื่อง)")
            .label_style((FONT, TICK_SIZE))
            .axis_desc_style((FONT, TICK_SIZE))
            .light_line_style(WHITE)
            .draw()
            .map_err(fail)?;
        let bars = |value: fn(&super::QuarterRow) -> u32, offset: u32, color: RGBColor| {
            rows.iter().zip(0..).map(move |(q, i): (_, u32)| {
                let left = i * BAND + offset;
                Rectangle::new([(left, 0), (left + 34, value(q))], color.filled())
            })
        };
        chart
            .draw_series(bars(|q| q.received, 15, RECEIVED))
            .map_err(fail)?;
        chart
            .draw_series(bars(|q| q.published, 51, PUBLISHED))
            .map_err(fail)?;
        let values = rows.iter().zip(0..).flat_map(|(q, i): (_, u32)| {
            [(i * BAND + 32, q.received), (i * BAND + 68, q.published)]
        });
        chart
            .draw_series(values.map(|(x, v)| value_label(v, (x, v))))
            .map_err(fail)?;
        legend(&root)?;
        root.present().map_err(fail)?;
    }
    Ok(accessible(&svg, "chart-quarters", title))
}

/// Horizontal bars per group (long Thai names read across, not up), the
/// first group of site.yaml at the top.
pub(crate) fn groups(rows: &[GroupRow], title: &str) -> Result<String, ChartError> {
    let n = rows.len().max(1) as u32;
    let names: Vec<String> = rows.iter().map(group_label).collect();
    let x_max = axis_max(rows.iter().flat_map(|g| [g.received, g.published]));
    let widest = names.iter().map(|s| display_width(s)).max().unwrap_or(0);
    // About 8 px a letter at 14 px Sarabun, plus the tick and a gap.
    let label_area = (widest * 8 + 24).clamp(60, 320) as u32;
    let height = LEGEND_ROOM + 60 + 44 * n;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let y = (0..n * BAND).with_key_points((0..n).map(|i| i * BAND + BAND / 2).collect());
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .margin_top(LEGEND_ROOM)
            .margin_right(24)
            .x_label_area_size(40)
            .y_label_area_size(label_area)
            .build_cartesian_2d(0u32..x_max, y)
            .map_err(fail)?;
        let label = |v: &u32| {
            let from_top = n.saturating_sub(v / BAND + 1) as usize;
            names.get(from_top).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_label_formatter(&label)
            .x_desc("จำนวน (เรื่อง)")
            .label_style((FONT, TICK_SIZE))
            .axis_desc_style((FONT, TICK_SIZE))
            .light_line_style(WHITE)
            .draw()
            .map_err(fail)?;
        // Row i (from the top) spans y in [(n-i-1)·BAND, (n-i)·BAND).
        let top = move |i: u32| (n - i) * BAND;
        let bars = |value: fn(&GroupRow) -> u32, offset: u32, color: RGBColor| {
            rows.iter().zip(0..).map(move |(g, i): (_, u32)| {
                let upper = top(i) - offset;
                Rectangle::new([(0, upper), (value(g), upper - 34)], color.filled())
            })
        };
        chart
            .draw_series(bars(|g| g.received, 15, RECEIVED))
            .map_err(fail)?;
        chart
            .draw_series(bars(|g| g.published, 51, PUBLISHED))
            .map_err(fail)?;
        let values = rows
            .iter()
            .zip(0..)
            .flat_map(|(g, i): (_, u32)| [(g.received, top(i) - 32), (g.published, top(i) - 68)]);
        chart
            .draw_series(values.map(|(v, y)| {
                // Just past the bar's end: the offset is in pixels.
                EmptyElement::at((v, y))
                    + Text::new(
                        v.to_string(),
                        (5, 0),
                        TextStyle::from((FONT, VALUE_SIZE).into_font())
                            .pos(Pos::new(HPos::Left, VPos::Center)),
                    )
            }))
            .map_err(fail)?;
        legend(&root)?;
        root.present().map_err(fail)?;
    }
    Ok(accessible(&svg, "chart-groups", title))
}

fn group_label(row: &GroupRow) -> String {
    if row.group.is_empty() {
        "ไม่ระบุกลุ่มงาน".to_string()
    } else {
        shorten(&row.group, GROUP_LABEL_MAX)
    }
}

/// A count written just above its bar.
fn value_label(value: u32, at: (u32, u32)) -> Text<'static, (u32, u32), String> {
    Text::new(
        value.to_string(),
        at,
        TextStyle::from((FONT, VALUE_SIZE).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom)),
    )
}

/// Received and published, each a swatch and its name, in a row above
/// the plot.
fn legend(root: &DrawingArea<SVGBackend<'_>, Shift>) -> Result<(), ChartError> {
    let style =
        TextStyle::from((FONT, LEGEND_SIZE).into_font()).pos(Pos::new(HPos::Left, VPos::Center));
    let mut x = 60;
    let y = (LEGEND_ROOM / 2) as i32;
    for (name, color) in [("รับคำขอ", RECEIVED), ("เผยแพร่", PUBLISHED)]
    {
        root.draw(&Rectangle::new(
            [(x, y - 7), (x + 14, y + 7)],
            color.filled(),
        ))
        .map_err(fail)?;
        root.draw(&Text::new(name, (x + 20, y), style.clone()))
            .map_err(fail)?;
        x += 20 + display_width(name) as i32 * 9 + 28;
    }
    Ok(())
}

/// `<svg …>` → `<svg … role="img" aria-labelledby="ID"><title id="ID">…`:
/// without a name a screen reader announces nothing, and the Nu checker
/// wants inline SVG to carry its own accessible name.
fn accessible(svg: &str, id: &str, title: &str) -> String {
    let title = crate::markdown::escape(title);
    match svg
        .strip_prefix("<svg")
        .and_then(|rest| rest.split_once('>'))
    {
        Some((attrs, body)) => format!(
            "<svg{attrs} role=\"img\" aria-labelledby=\"{id}\">\n<title id=\"{id}\">{title}</title>{body}"
        ),
        None => svg.to_string(),
    }
}
