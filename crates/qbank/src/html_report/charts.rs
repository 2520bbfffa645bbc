//! Inline SVG charts. Sizes are in SVG user units; the page scales each chart down to its
//! column with `max-width: 100%`. Coordinates are written with one decimal so that the output
//! is the same on every platform.

use std::fmt::Write as _;

use qbank_blueprint::BlueprintReport;

use super::{clip, escape, percent};

/// One bar of a [`bar_chart`]: a label and stacked segments.
pub(super) struct Bar {
    /// Shown left of the bar.
    pub(super) label: String,
    /// Stacked left to right; each segment's class sets its colour.
    pub(super) segments: Vec<Segment>,
}

/// A part of a [`Bar`].
pub(super) struct Segment {
    /// CSS class of the rectangle.
    pub(super) class: &'static str,
    /// Its length.
    pub(super) value: usize,
}

/// A horizontal bar chart with the total at the end of each bar.
pub(super) fn bar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    const WIDTH: f64 = 520.0;
    const LABEL: f64 = 190.0;
    const VALUE: f64 = 50.0;
    const ROW: f64 = 24.0;
    const BAR: f64 = 16.0;
    let plot = WIDTH - LABEL - VALUE;
    let max = bars
        .iter()
        .map(|b| b.segments.iter().map(|s| s.value).sum::<usize>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = ROW * bars.len() as f64 + 8.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"chart bar-chart\" id=\"{id}\" role=\"img\" aria-label=\"{}\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(title)
    );
    for (index, bar) in bars.iter().enumerate() {
        let y = 4.0 + ROW * index as f64;
        let total: usize = bar.segments.iter().map(|s| s.value).sum();
        let _ = writeln!(
            out,
            "<g class=\"bar-row\"><title>{}: {total}</title>",
            escape(&bar.label)
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 8.0,
            y + BAR - 3.0,
            escape(&clip(&bar.label, 26))
        );
        let mut x = LABEL;
        for segment in bar.segments.iter().filter(|s| s.value > 0) {
            let width = plot * segment.value as f64 / max as f64;
            let _ = writeln!(
                out,
                "<rect class=\"bar {}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" \
                 height=\"{BAR}\"></rect>",
                segment.class
            );
            x += width;
        }
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{total}</text></g>",
            x + 6.0,
            y + BAR - 3.0
        );
    }
    out.push_str("</svg>\n");
    out
}

/// The largest value the share axis shows: the next 10% at or above every share and every
/// upper edge of a tolerance band, at least 10% and at most 100%.
fn share_axis_max(report: &BlueprintReport) -> f64 {
    let tolerance = report.tolerance.to_f64();
    let top = report
        .domains
        .iter()
        .map(|d| d.share.max(d.weight.to_f64() + tolerance))
        .fold(0.0_f64, f64::max);
    ((top * 10.0 - 1e-9).ceil() / 10.0).clamp(0.1, 1.0)
}

/// Per domain of a blueprint: the share as a bar (class `ok` within tolerance, `off` outside),
/// the target as a line and the tolerance band behind it.
pub(super) fn blueprint_chart(n: usize, report: &BlueprintReport) -> String {
    const WIDTH: f64 = 1000.0;
    const LABEL: f64 = 330.0;
    const VALUE: f64 = 210.0;
    const TOP: f64 = 26.0;
    const ROW: f64 = 34.0;
    const BAR: f64 = 18.0;
    let plot = WIDTH - LABEL - VALUE;
    let max = share_axis_max(report);
    let x = |share: f64| LABEL + plot * (share.clamp(0.0, max) / max);
    let rows = report.domains.len() as f64;
    let bottom = TOP + ROW * rows;
    let height = bottom + 34.0;
    let tolerance = report.tolerance.to_f64();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"chart blueprint-chart\" id=\"blueprint-chart-{n}\" role=\"img\" \
         aria-label=\"Share of each domain of {} against its target\" \
         viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         xmlns=\"http://www.w3.org/2000/svg\">",
        escape(&report.id)
    );
    // Axis: a grid line and a label every 5 points up to 40%, every 10 above.
    let step = if max <= 0.4 { 0.05 } else { 0.1 };
    out.push_str("<g class=\"axis\">\n");
    for tick in 0..=20_u32 {
        let value = step * f64::from(tick);
        if value > max + 1e-9 {
            break;
        }
        let _ = writeln!(
            out,
            "<line class=\"grid\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{bottom:.1}\"></line>\
             <text x=\"{0:.1}\" y=\"{2:.1}\" text-anchor=\"middle\">{3:.0}%</text>",
            x(value),
            TOP - 6.0,
            TOP - 10.0,
            value * 100.0
        );
    }
    out.push_str("</g>\n");
    for (index, domain) in report.domains.iter().enumerate() {
        let y = TOP + ROW * index as f64 + (ROW - BAR) / 2.0;
        let weight = domain.weight.to_f64();
        let (low, high) = ((weight - tolerance).max(0.0), weight + tolerance);
        let verdict = if domain.ok { "ok" } else { "off" };
        let label = format!("{} {}", domain.id, domain.title);
        let _ = writeln!(
            out,
            "<g class=\"domain\" data-domain=\"{}\"><title>{}: {} items, {:.1}% of {} \
             (target {}% ± {} points)</title>",
            escape(&domain.id),
            escape(&label),
            domain.count,
            domain.share * 100.0,
            report.total,
            percent(domain.weight),
            percent(report.tolerance)
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL - 10.0,
            y + BAR - 4.0,
            escape(&clip(&label, 40))
        );
        let _ = writeln!(
            out,
            "<rect class=\"band\" x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"></rect>",
            x(low),
            y - 5.0,
            x(high) - x(low),
            BAR + 10.0
        );
        let _ = writeln!(
            out,
            "<rect class=\"bar {verdict}\" x=\"{LABEL:.1}\" y=\"{y:.1}\" width=\"{:.1}\" \
             height=\"{BAR:.1}\"></rect>",
            x(domain.share) - LABEL
        );
        let _ = writeln!(
            out,
            "<line class=\"target\" x1=\"{0:.1}\" x2=\"{0:.1}\" y1=\"{1:.1}\" y2=\"{2:.1}\"></line>",
            x(weight),
            y - 7.0,
            y + BAR + 7.0
        );
        let _ = writeln!(
            out,
            "<text class=\"value {verdict}\" x=\"{:.1}\" y=\"{:.1}\"><tspan font-weight=\"700\">\
             {:.1}%</tspan> target {}% · {} items</text></g>",
            LABEL + plot + 12.0,
            y + BAR - 4.0,
            domain.share * 100.0,
            percent(domain.weight),
            domain.count
        );
    }
    legend(&mut out, LABEL, bottom + 16.0, report);
    out.push_str("</svg>\n");
    out
}

/// The key under a blueprint chart, from `left` at height `y`.
fn legend(out: &mut String, left: f64, y: f64, report: &BlueprintReport) {
    let _ = writeln!(
        out,
        "<g class=\"legend\"><rect class=\"bar ok\" x=\"{left:.1}\" y=\"{:.1}\" width=\"14\" \
         height=\"12\"></rect><text x=\"{:.1}\" y=\"{:.1}\">within tolerance</text>\
         <rect class=\"bar off\" x=\"{:.1}\" y=\"{0:.1}\" width=\"14\" height=\"12\"></rect>\
         <text x=\"{:.1}\" y=\"{2:.1}\">out of tolerance</text>\
         <line class=\"target\" x1=\"{:.1}\" x2=\"{5:.1}\" y1=\"{0:.1}\" y2=\"{:.1}\"></line>\
         <text x=\"{:.1}\" y=\"{2:.1}\">target</text>\
         <rect class=\"band\" x=\"{:.1}\" y=\"{0:.1}\" width=\"24\" height=\"12\"></rect>\
         <text x=\"{:.1}\" y=\"{2:.1}\">target ± {} points</text></g>",
        y,
        left + 20.0,
        y + 11.0,
        left + 140.0,
        left + 160.0,
        left + 285.0,
        y + 12.0,
        left + 293.0,
        left + 350.0,
        left + 380.0,
        percent(report.tolerance)
    );
}

/// The colour of a heat-map cell holding `count` of at most `max` items: light red for an
/// empty task, then from pale to deep blue. Returns the fill and the text colour.
fn heat_colour(count: usize, max: usize) -> (String, &'static str) {
    if count == 0 {
        return ("#f6c9c9".to_owned(), "#8a1c1c");
    }
    let max = max.max(count);
    let (c, m) = (
        u64::try_from(count).unwrap_or(u64::MAX),
        u64::try_from(max).unwrap_or(u64::MAX),
    );
    // From #dbe9f6 (few items) to #0b4f8a (the most), in integers so that every platform
    // gives the same colours.
    let mix = |from: u8, to: u8| {
        let (from, to) = (u64::from(from), u64::from(to));
        // Every channel darkens (`to` below `from`).
        let value = from.saturating_sub(from.saturating_sub(to).saturating_mul(c) / m);
        u8::try_from(value).unwrap_or(u8::MAX)
    };
    let fill = format!(
        "#{:02x}{:02x}{:02x}",
        mix(219, 11),
        mix(233, 79),
        mix(246, 138)
    );
    (
        fill,
        if count * 2 > max {
            "#ffffff"
        } else {
            "#1f2933"
        },
    )
}

/// Domains as rows and their tasks as cells, coloured by the number of counted items.
pub(super) fn heatmap(n: usize, report: &BlueprintReport) -> String {
    const LABEL: f64 = 330.0;
    const CELL_W: f64 = 96.0;
    const CELL_H: f64 = 34.0;
    const GAP: f64 = 4.0;
    let rows: Vec<(&str, &str, Vec<&qbank_blueprint::TaskRow>)> = report
        .domains
        .iter()
        .map(|d| {
            (
                d.id.as_str(),
                d.title.as_str(),
                report.tasks.iter().filter(|t| t.domain == d.id).collect(),
            )
        })
        .collect();
    let columns = rows.iter().map(|r| r.2.len()).max().unwrap_or(0).max(1);
    let max = report.tasks.iter().map(|t| t.count).max().unwrap_or(0);
    let width = LABEL + (CELL_W + GAP) * columns as f64;
    let height = (CELL_H + GAP) * rows.len() as f64 + GAP;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg class=\"chart heatmap\" id=\"heatmap-{n}\" role=\"img\" aria-label=\"Items per task \
         of {}\" viewBox=\"0 0 {width:.1} {height:.1}\" width=\"{width:.1}\" \
         height=\"{height:.1}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(&report.id)
    );
    for (row, (id, title, tasks)) in rows.iter().enumerate() {
        let y = GAP + (CELL_H + GAP) * row as f64;
        let label = format!("{id} {title}");
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\"><title>{}</title>{}</text>",
            LABEL - 10.0,
            y + CELL_H / 2.0 + 4.0,
            escape(&label),
            escape(&clip(&label, 40))
        );
        if tasks.is_empty() {
            let _ = writeln!(
                out,
                "<text class=\"heat-label\" x=\"{LABEL:.1}\" y=\"{:.1}\" style=\"fill:#616e7c\">no \
                 tasks in the outline</text>",
                y + CELL_H / 2.0 + 4.0
            );
        }
        for (column, task) in tasks.iter().enumerate() {
            let x = LABEL + (CELL_W + GAP) * column as f64;
            let (fill, ink) = heat_colour(task.count, max);
            let _ = writeln!(
                out,
                "<g><title>{} {}: {} items</title><rect class=\"heat-cell\" data-task=\"{}\" \
                 data-count=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{CELL_W:.1}\" \
                 height=\"{CELL_H:.1}\" rx=\"3\" fill=\"{fill}\"></rect><text class=\"heat-label\" \
                 x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:{ink}\">{} · \
                 <tspan font-weight=\"700\">{}</tspan></text></g>",
                escape(&task.id),
                escape(&task.title),
                task.count,
                escape(&task.id),
                task.count,
                x + CELL_W / 2.0,
                y + CELL_H / 2.0 + 4.0,
                escape(&clip(&task.id, 8)),
                task.count
            );
        }
    }
    out.push_str("</svg>\n");
    out
}
