//! "Since the last assessment": what changed from the tenant's previous assessment, and
//! the score sparkline on the summary page. Both are drawn from [`ReportHistory`], which
//! the caller looks up in the history store, so rendering stays pure.

use super::layout::{Cell, Composer, Face, Rgb8, Style};
use super::sections::{
    BODY, CELL_BOLD, INK, LIGHT, MUTED, NAVY, RULE, SMALL, col, grade_color, heading, plural,
    section_title, status_colors, table_style,
};
use crate::{NameMasking, ReportHistory, mask};
use pimready_core::finding::Status;
use pimready_core::history::{AssessmentDiff, Change, CheckChange, StandingAdmin, TrendPoint};

pub const TITLE: &str = "Since the last assessment";

const BETTER: Rgb8 = Rgb8(27, 110, 56);
const WORSE: Rgb8 = Rgb8(178, 34, 34);

/// Credit a status earns in the score; `None` where a change is neither better nor worse.
fn credit(status: Option<Status>) -> Option<u8> {
    match status? {
        Status::Pass => Some(2),
        Status::Warning => Some(1),
        Status::Fail | Status::NotLicensed => Some(0),
        Status::NotApplicable | Status::NotAssessed => None,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Direction {
    Worse,
    Better,
    Other,
}

fn direction(change: &CheckChange) -> Direction {
    match (credit(change.from), credit(change.to)) {
        (Some(a), Some(b)) if b < a => Direction::Worse,
        (Some(a), Some(b)) if b > a => Direction::Better,
        _ => Direction::Other,
    }
}

fn signed(delta: i64) -> String {
    match delta {
        0 => "no change".to_owned(),
        d if d > 0 => format!("+{d}"),
        // A real minus sign reads better than a hyphen.
        d => format!("−{}", d.unsigned_abs()),
    }
}

const TILE_H: f32 = 58.0;

/// A key-figure tile with a "from → to" value and a coloured note.
fn change_tile(
    c: &mut Composer,
    x: f32,
    top: f32,
    w: f32,
    value: &str,
    label: &str,
    note: (&str, Rgb8),
) {
    c.fill_rect(x, top, w, TILE_H, LIGHT);
    c.fill_rect(x, top, 3.0, TILE_H, note.1);
    // The largest size up to 14 pt at which the value fits ("100% → 100%" is long).
    let mut size = 14.0;
    while size > 9.0 && c.fonts.width(Face::Bold, size, value) > w - 20.0 {
        size -= 0.5;
    }
    let big = Style::new(Face::Bold, size, INK);
    let value = c.fonts.ellipsize(big.face, big.size, value, w - 20.0);
    c.text_at(x + 12.0, top + 22.0, big, &value);
    c.text_at(
        x + 12.0,
        top + 36.0,
        Style::new(Face::Bold, 7.5, note.1),
        &c.fonts.ellipsize(Face::Bold, 7.5, note.0, w - 20.0),
    );
    c.text_at(
        x + 12.0,
        top + 48.0,
        Style::new(Face::Regular, 7.5, MUTED),
        &c.fonts.ellipsize(Face::Regular, 7.5, label, w - 20.0),
    );
}

/// Green when the value moved the good way, red when the bad way, grey when it stayed.
fn tone(delta: f64, higher_is_better: bool) -> Rgb8 {
    if delta.abs() < 0.05 {
        MUTED
    } else if (delta > 0.0) == higher_is_better {
        BETTER
    } else {
        WORSE
    }
}

pub fn section(c: &mut Composer, history: &ReportHistory, masking: NameMasking) {
    let masked;
    let d: &AssessmentDiff = match masking {
        NameMasking::Clear => &history.diff,
        NameMasking::Masked => {
            masked = mask::mask_diff(&history.diff);
            &masked
        }
    };
    section_title(c, TITLE);
    let days = (d.assessed_at.to - d.assessed_at.from).num_days();
    let when = match days {
        0 => "earlier the same day".to_owned(),
        1 => "the day before".to_owned(),
        n if n > 0 => format!("{n} days earlier"),
        n => format!("{} days later", -n),
    };
    c.paragraph(
        &format!(
            "Compared with the previous assessment of this tenant, made on {} ({when}).",
            d.assessed_at.from.format("%-d %B %Y")
        ),
        BODY,
    );
    c.space(10.0);

    let top = c.y;
    let gap = 8.0;
    let tw = (c.content_w() - 3.0 * gap) / 4.0;
    let score_delta = d.score.delta();
    let points = if score_delta.abs() < 0.05 {
        "no change".to_owned()
    } else {
        format!(
            "{}{:.0} points",
            if score_delta > 0.0 { "+" } else { "−" },
            score_delta.abs()
        )
    };
    let x0 = c.left;
    change_tile(
        c,
        x0,
        top,
        tw,
        &format!("{:.0} → {:.0}", d.score.from, d.score.to),
        "readiness score (of 100)",
        (&points, tone(score_delta, true)),
    );
    let grade_note = if d.grade.changed() {
        "grade changed"
    } else {
        "same grade"
    };
    // Grades run A (best) to F: a smaller letter is better.
    let grade_tone = match d.grade.to.cmp(&d.grade.from) {
        std::cmp::Ordering::Less => BETTER,
        std::cmp::Ordering::Greater => WORSE,
        std::cmp::Ordering::Equal => MUTED,
    };
    change_tile(
        c,
        x0 + tw + gap,
        top,
        tw,
        &format!("{} → {}", d.grade.from, d.grade.to),
        "grade",
        (grade_note, grade_tone),
    );
    let cov = d.coverage.delta();
    change_tile(
        c,
        x0 + 2.0 * (tw + gap),
        top,
        tw,
        &format!("{:.0}% → {:.0}%", d.coverage.from, d.coverage.to),
        "coverage",
        (
            &if cov.abs() < 0.5 {
                "no change".to_owned()
            } else {
                format!(
                    "{}{:.0} points",
                    if cov > 0.0 { "+" } else { "−" },
                    cov.abs()
                )
            },
            tone(cov, true),
        ),
    );
    let admins = &d.standing_admins.count;
    change_tile(
        c,
        x0 + 3.0 * (tw + gap),
        top,
        tw,
        &format!("{} → {}", admins.from, admins.to),
        "standing admins",
        (&signed(admins.delta()), tone(admins.delta() as f64, false)),
    );
    c.y = top + TILE_H + 8.0;
    if d.is_empty() {
        c.space(4.0);
        c.paragraph(
            "Nothing changed: the same score, the same check results, the same standing admins and the same licences.",
            BODY,
        );
        return;
    }

    check_changes(c, &d.checks);
    standing_admins(c, d);
    licensing(c, d);
}

fn check_changes(c: &mut Composer, changes: &[CheckChange]) {
    heading(c, "Checks whose status changed");
    if changes.is_empty() {
        c.paragraph("No check changed status.", BODY);
        return;
    }
    let mut sorted: Vec<(&CheckChange, Direction)> =
        changes.iter().map(|ch| (ch, direction(ch))).collect();
    // Regressions first: they are what a board asks about.
    sorted.sort_by_key(|(_, dir)| *dir);
    let worse = sorted
        .iter()
        .filter(|(_, d)| *d == Direction::Worse)
        .count() as u32;
    let better = sorted
        .iter()
        .filter(|(_, d)| *d == Direction::Better)
        .count() as u32;
    c.paragraph(
        &format!(
            "{}: {} better, {} worse.",
            plural(changes.len() as u32, "check changed", "checks changed"),
            better,
            worse
        ),
        BODY,
    );
    c.space(4.0);
    let status_cell = |s: Option<Status>| match s {
        Some(s) => {
            let (ink, fill) = status_colors(s);
            Cell::chip(s.label(), ink, fill)
        }
        None => Cell::styled("not in this version", SMALL),
    };
    let rows: Vec<Vec<Cell>> = sorted
        .iter()
        .map(|(ch, dir)| {
            let change = match dir {
                Direction::Worse => Cell::styled("Worse", Style::new(Face::Bold, 8.0, WORSE)),
                Direction::Better => Cell::styled("Better", Style::new(Face::Bold, 8.0, BETTER)),
                Direction::Other => Cell::styled("Changed", Style::new(Face::Regular, 8.0, MUTED)),
            };
            vec![
                Cell::styled(ch.id.as_str(), CELL_BOLD),
                Cell::text(&ch.title),
                status_cell(ch.from),
                status_cell(ch.to),
                change,
            ]
        })
        .collect();
    c.table(
        &[
            col("ID", 0.9),
            col("Check", 3.6),
            col("Before", 1.6),
            col("Now", 1.6),
            col("Change", 0.9),
        ],
        &rows,
        &table_style(),
    );
}

fn standing_admins(c: &mut Composer, d: &AssessmentDiff) {
    let s = &d.standing_admins;
    heading(c, "Standing administrators");
    c.paragraph(
        &format!(
            "Accounts with a highly privileged role held permanently: {} before, {} now ({}).",
            s.count.from,
            s.count.to,
            signed(s.count.delta())
        ),
        BODY,
    );
    if !s.compared {
        c.paragraph(
            "Who was added or removed is not known: the standing-access check (PIM-01) was not assessed both times.",
            SMALL,
        );
        return;
    }
    if s.added.is_empty() && s.removed.is_empty() {
        c.paragraph("The same accounts as before.", BODY);
        return;
    }
    c.space(4.0);
    let row = |label: &str, ink: Rgb8, fill: Rgb8, a: &StandingAdmin| {
        vec![
            Cell::chip(label, ink, fill),
            Cell::styled(&a.display_name, CELL_BOLD),
            Cell::text(a.principal_name.clone().unwrap_or_default()),
            Cell::text(a.roles.join(", ")),
        ]
    };
    let (bad_ink, bad_fill) = status_colors(Status::Fail);
    let (good_ink, good_fill) = status_colors(Status::Pass);
    let rows: Vec<Vec<Cell>> = s
        .added
        .iter()
        .map(|a| row("Added", bad_ink, bad_fill, a))
        .chain(
            s.removed
                .iter()
                .map(|a| row("Removed", good_ink, good_fill, a)),
        )
        .collect();
    c.table(
        &[
            col("Change", 1.2),
            col("Name", 2.2),
            col("UPN / app id", 2.8),
            col("Roles", 2.6),
        ],
        &rows,
        &table_style(),
    );
}

fn licensing(c: &mut Composer, d: &AssessmentDiff) {
    let l = &d.licensing;
    heading(c, "Licences and seats");
    if l.is_empty() {
        c.paragraph("No licence or seat change.", BODY);
        return;
    }
    if l.pim_capable.changed() {
        c.paragraph(
            if l.pim_capable.to {
                "PIM can now be switched on: the tenant gained an Entra ID P2 or Governance licence."
            } else {
                "PIM is no longer licensed: the tenant lost its Entra ID P2 or Governance licence."
            },
            Style::new(Face::Bold, 9.5, if l.pim_capable.to { BETTER } else { WORSE }),
        );
    }
    let names = |paths: &[pimready_core::licensing::LicencePath]| {
        paths
            .iter()
            .map(|p| p.short_label())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !l.paths_added.is_empty() {
        c.paragraph(
            &format!("New licensing path: {}.", names(&l.paths_added)),
            BODY,
        );
    }
    if !l.paths_removed.is_empty() {
        c.paragraph(
            &format!("No longer present: {}.", names(&l.paths_removed)),
            BODY,
        );
    }
    c.space(4.0);
    let row = |label: &str, v: &Change<u32>, higher_is_better: bool| {
        let delta = v.delta();
        vec![
            Cell::styled(label, CELL_BOLD),
            Cell::text(v.from.to_string()),
            Cell::text(v.to.to_string()),
            Cell::styled(
                signed(delta),
                Style::new(Face::Bold, 8.0, tone(delta as f64, higher_is_better)),
            ),
        ]
    };
    let rows = vec![
        row("Seats available", &l.seats.available, true),
        row("Users in PIM scope (need a seat)", &l.seats.in_scope, false),
        row("Seat shortfall", &l.seats.shortfall, false),
    ];
    c.table(
        &[
            col("", 3.0),
            col("Before", 1.0),
            col("Now", 1.0),
            col("Change", 1.0),
        ],
        &rows,
        &table_style(),
    );
}

/// Height [`sparkline`] takes.
pub const SPARKLINE_H: f32 = 46.0;

/// The score over time as a small line: dates and scores at the ends. Points are
/// placed by date; the vertical scale spans the scores seen (at least 10 points) so
/// a small change is visible, and is named in the caption.
pub fn sparkline(c: &mut Composer, trend: &[TrendPoint], x: f32, top: f32, w: f32) {
    let (Some(first), Some(last)) = (trend.first(), trend.last()) else {
        return;
    };
    if trend.len() < 2 {
        return;
    }
    let label = Style::new(Face::Bold, 7.5, NAVY);
    c.text_at(x, top + 7.5, label, "Score over time");
    let lo = trend
        .iter()
        .map(|p| p.score_percent)
        .fold(f64::MAX, f64::min);
    let hi = trend
        .iter()
        .map(|p| p.score_percent)
        .fold(f64::MIN, f64::max);
    let mid = f64::midpoint(lo, hi);
    let span = (hi - lo).max(10.0);
    let (lo, hi) = (
        (mid - span / 2.0 - 2.0).max(0.0),
        (mid + span / 2.0 + 2.0).min(100.0),
    );
    c.text_right(
        x + w,
        top + 7.5,
        Style::new(Face::Regular, 7.0, MUTED),
        &format!("{} assessments · scale {lo:.0}–{hi:.0}", trend.len()),
    );
    let (px0, px1) = (x + 3.0, x + w - 3.0);
    let (py0, py1) = (top + 14.0, top + 34.0);
    c.fill_rect(x, py0 - 2.0, w, py1 - py0 + 4.0, LIGHT);
    c.hline(x, x + w, py1 + 2.0, RULE, 0.4);
    let t0 = first.assessed_at.timestamp() as f64;
    let t1 = last.assessed_at.timestamp() as f64;
    let count = trend.len() as f64;
    let points: Vec<(f32, f32)> = trend
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // By date; by order when every point has the same time.
            let fx = if t1 > t0 {
                (p.assessed_at.timestamp() as f64 - t0) / (t1 - t0)
            } else {
                i as f64 / (count - 1.0)
            };
            let fy = ((p.score_percent - lo) / (hi - lo).max(1.0)).clamp(0.0, 1.0);
            (px0 + (px1 - px0) * fx as f32, py1 - (py1 - py0) * fy as f32)
        })
        .collect();
    c.polyline(&points, NAVY, 1.2);
    for (i, &(px, py)) in points.iter().enumerate() {
        let radius = if i + 1 == points.len() { 2.6 } else { 1.5 };
        let color = if i + 1 == points.len() {
            grade_color(last.score_percent)
        } else {
            NAVY
        };
        c.fill_polygon(&dot(px, py, radius), color);
    }
    let end = Style::new(Face::Regular, 7.0, INK);
    c.text_at(
        x,
        top + SPARKLINE_H - 2.0,
        end,
        &format!(
            "{} · {:.0}",
            first.assessed_at.format("%-d %b %Y"),
            first.score_percent
        ),
    );
    c.text_right(
        x + w,
        top + SPARKLINE_H - 2.0,
        Style::new(Face::Bold, 7.0, INK),
        &format!(
            "{} · {:.0}",
            last.assessed_at.format("%-d %b %Y"),
            last.score_percent
        ),
    );
}

/// A small filled circle as a polygon.
fn dot(cx: f32, cy: f32, r: f32) -> Vec<(f32, f32)> {
    (0..16)
        .map(|i| {
            let t = (i as f32 * 22.5).to_radians();
            (cx + r * t.cos(), cy + r * t.sin())
        })
        .collect()
}
