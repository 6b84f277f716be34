//! The analytics charts, drawn with plotters as SVG: a campaign's opens and clicks over time
//! and the open/click-rate trend across campaigns. PNG export rasterises the SVG.

use plotters::prelude::*;

use super::{percent, ActivityPoint, TrendPoint};
use crate::error::{Error, Result};

pub const WIDTH: u32 = 880;
pub const HEIGHT: u32 = 360;
/// Up to this many buckets, the activity chart marks each value with a dot; beyond, the
/// dots would crowd into a band and the lines alone read better.
const MAX_POINTS_WITH_DOTS: usize = 24;
/// The trend chart's legend column, right of the plot.
const LEGEND_WIDTH: u32 = 150;

const OPENS: RGBColor = RGBColor(37, 99, 235);
const CLICKS: RGBColor = RGBColor(22, 163, 74);
const HUMAN_OPENS: RGBColor = RGBColor(147, 180, 250);
const HUMAN_CLICKS: RGBColor = RGBColor(134, 216, 160);
const GRID: RGBColor = RGBColor(226, 232, 240);
const TEXT: RGBColor = RGBColor(51, 65, 85);

/// A line of the activity chart: its label, colour, width and value.
type ActivitySeries = (&'static str, RGBColor, u32, fn(&ActivityPoint) -> u64);
/// A line of the trend chart: its label, colour and rate.
type TrendSeries = (&'static str, RGBColor, fn(&TrendPoint) -> Option<f64>);

/// A data point: a dot for a raw value, a ring around it for the human one, so that equal
/// values (every open by a person) show both.
fn marker<C>(at: C, colour: RGBColor, human: bool) -> Circle<C, u32> {
    if human {
        Circle::new(at, 5, colour.stroke_width(2))
    } else {
        Circle::new(at, 3, colour.filled())
    }
}

fn chart_error(e: impl std::fmt::Display) -> Error {
    Error::io("drawn", "the chart", std::io::Error::other(e.to_string()))
}

/// The x axis counts minutes (so a bucket's middle has a place); labels say hours.
fn hour_label(minutes: i64) -> String {
    let h = minutes / 60;
    if h < super::HOURLY_SPAN_HOURS {
        format!("+{h}h")
    } else {
        format!("day {}", h / 24 + 1)
    }
}

/// Opens and clicks per bucket since sending started: hourly for three days, then daily.
/// The x axis is hours since the start, so a day takes the room of 24 hours, and the y axis
/// is events per hour (a day's bucket shows its hourly average), so the line does not jump
/// 24-fold where the days begin. Each bucket's value sits at the middle of its time span.
/// While there are few buckets, a dot marks each value that is not zero: a campaign whose
/// events all fall in its first hour still shows them.
pub fn activity_svg(points: &[ActivityPoint], title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let end = points
            .last()
            .map(|p| p.hours_since_start + i64::from(p.hours))
            .unwrap_or(24)
            .max(24);
        let step = if end <= 72 { 6 } else { 12 };
        let keys: Vec<i64> = (0..=end.min(super::HOURLY_SPAN_HOURS))
            .step_by(step)
            .chain((super::HOURLY_SPAN_HOURS..=end).step_by(24).skip(1))
            .map(|h| h * 60)
            .collect();
        let per_hour = |p: &ActivityPoint, v: u64| v as f64 / f64::from(p.hours.max(1));
        let max = points
            .iter()
            .map(|p| per_hour(p, p.opens.max(p.clicks)))
            .fold(4.0f64, f64::max);
        let y_max = (max * 1.1).ceil() + 1.0;
        let dots = points.len() <= MAX_POINTS_WITH_DOTS;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18).into_font().color(&TEXT))
            .margin(14)
            .margin_right(28)
            .x_label_area_size(34)
            .y_label_area_size(48)
            .build_cartesian_2d((0i64..end * 60).with_key_points(keys), 0f64..y_max)
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(TEXT)
            .x_label_formatter(&|h| hour_label(*h))
            .y_label_formatter(&|v| {
                if y_max >= 20.0 || v.fract() == 0.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .y_desc(if end > super::HOURLY_SPAN_HOURS {
                "Per hour (after 72 h, the day's average)"
            } else {
                "Per hour"
            })
            .label_style(("sans-serif", 12).into_font().color(&TEXT))
            .draw()
            .map_err(chart_error)?;
        let series: [ActivitySeries; 4] = [
            ("Opens", OPENS, 3, |p| p.opens),
            ("Human opens", HUMAN_OPENS, 2, |p| p.human_opens),
            ("Clicks", CLICKS, 3, |p| p.clicks),
            ("Human clicks", HUMAN_CLICKS, 2, |p| p.human_clicks),
        ];
        let middle = |p: &ActivityPoint| p.hours_since_start * 60 + i64::from(p.hours) * 30;
        for (label, colour, width, value) in series {
            chart
                .draw_series(LineSeries::new(
                    points.iter().map(|p| (middle(p), per_hour(p, value(p)))),
                    colour.stroke_width(width),
                ))
                .map_err(chart_error)?
                .label(label)
                .legend(move |(x, y)| {
                    let line = EmptyElement::at((x, y))
                        + PathElement::new(vec![(0, 0), (18, 0)], colour.stroke_width(3));
                    let dot = if dots {
                        marker((9, 0), colour, label.starts_with("Human"))
                    } else {
                        Circle::new((9, 0), 0, TRANSPARENT.filled())
                    };
                    line + dot
                });
            if dots {
                chart
                    .draw_series(points.iter().filter(|p| value(p) > 0).map(|p| {
                        let at = (middle(p), per_hour(p, value(p)));
                        marker(at, colour, label.starts_with("Human"))
                    }))
                    .map_err(chart_error)?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .label_font(("sans-serif", 12).into_font().color(&TEXT))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// Open and click rates (percent) across campaigns, oldest first.
pub fn trend_svg(points: &[TrendPoint], title: &str) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let root = root
            .titled(title, ("sans-serif", 18).into_font().color(&TEXT))
            .map_err(chart_error)?;
        // The legend has its own column: the newest campaign is on the right, where a legend
        // inside the plot would hide it.
        let (plot, legend) = root.split_horizontally(WIDTH - LEGEND_WIDTH);
        // One slot per campaign with its point in the middle, so a single campaign sits in
        // the centre of the chart rather than on its left edge.
        let n = points.len().max(1);
        let max = points
            .iter()
            .flat_map(|p| [p.open_rate, p.click_rate])
            .flatten()
            .fold(0.0f64, f64::max);
        let y_max = ((max * 100.0 * 1.1).ceil()).clamp(5.0, 100.0);
        let mut chart = ChartBuilder::on(&plot)
            .margin(14)
            .x_label_area_size(34)
            .y_label_area_size(48)
            // In half slots: campaign i sits at 2i, its slot runs from 2i - 1 to 2i + 1.
            .build_cartesian_2d(
                (-1i64..2 * n as i64 - 1).with_key_points((0..n as i64).map(|i| 2 * i).collect()),
                0f64..y_max,
            )
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .axis_style(TEXT)
            .x_labels(points.len().clamp(1, 12))
            .x_label_formatter(&|v| {
                points
                    .get(usize::try_from(*v / 2).unwrap_or(usize::MAX))
                    .map(|p| p.name.chars().take(18).collect())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|v| format!("{v:.0}%"))
            .y_desc("Rate")
            .label_style(("sans-serif", 12).into_font().color(&TEXT))
            .draw()
            .map_err(chart_error)?;
        let series: [TrendSeries; 4] = [
            ("Open rate", OPENS, |p| p.open_rate),
            ("Human open rate", HUMAN_OPENS, |p| p.human_open_rate),
            ("Click rate", CLICKS, |p| p.click_rate),
            ("Human click rate", HUMAN_CLICKS, |p| p.human_click_rate),
        ];
        for (label, colour, value) in series {
            let human = label.starts_with("Human");
            let line: Vec<(i64, f64)> = points
                .iter()
                .enumerate()
                .filter_map(|(i, p)| value(p).map(|v| (2 * i as i64, v * 100.0)))
                .collect();
            chart
                .draw_series(LineSeries::new(line.clone(), colour.stroke_width(2)))
                .map_err(chart_error)?;
            chart
                .draw_series(line.into_iter().map(|(x, y)| marker((x, y), colour, human)))
                .map_err(chart_error)?;
        }
        for (i, (label, colour, _)) in series.iter().enumerate() {
            let y = 24 + 24 * i as i32;
            legend
                .draw(&PathElement::new(
                    vec![(4, y), (22, y)],
                    colour.stroke_width(3),
                ))
                .map_err(chart_error)?;
            legend
                .draw(&marker((13, y), *colour, label.starts_with("Human")))
                .map_err(chart_error)?;
            legend
                .draw(&Text::new(
                    *label,
                    (30, y - 4),
                    ("sans-serif", 12).into_font().color(&TEXT),
                ))
                .map_err(chart_error)?;
        }
        root.present().map_err(chart_error)?;
    }
    // Keep the exact figures in the file for screen readers and for anyone reading the SVG.
    let summary: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{}: open {}, click {}",
                p.name,
                p.open_rate.map(percent).unwrap_or_else(|| "–".into()),
                p.click_rate.map(percent).unwrap_or_else(|| "–".into())
            )
        })
        .collect();
    Ok(with_description(svg, &summary.join("; ")))
}

/// Adds a `<desc>` right after the opening `<svg …>` tag.
fn with_description(svg: String, text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    match svg.find('>') {
        Some(end) => format!("{}<desc>{escaped}</desc>{}", &svg[..=end], &svg[end + 1..]),
        None => svg,
    }
}

/// A chart's SVG as PNG (twice the size, for sharp slides and documents), with the
/// system's fonts.
pub fn to_png(svg: &str) -> Result<Vec<u8>> {
    use resvg::{tiny_skia, usvg};
    let mut options = usvg::Options::default();
    let fonts = options.fontdb_mut();
    fonts.load_system_fonts();
    // The charts ask for "sans-serif"; fontdb maps it to Arial, which Linux often lacks.
    let installed = |name: &str| {
        fonts
            .faces()
            .any(|f| f.families.iter().any(|(n, _)| n == name))
    };
    if let Some(family) = [
        "Arial",
        "Helvetica",
        "Segoe UI",
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
    ]
    .into_iter()
    .find(|name| installed(name))
    {
        fonts.set_sans_serif_family(family);
    }
    let tree = usvg::Tree::from_str(svg, &options).map_err(chart_error)?;
    let scale = 2.0;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or_else(|| chart_error("the chart has no size"))?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| chart_error("the chart is too large"))?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().map_err(chart_error)
}
