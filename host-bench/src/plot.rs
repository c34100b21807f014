//! The run's SVG plot: req/s against connections for every service and route of the HTTP
//! sections, and p50/p99 latency beside it, so the two services are compared at a glance.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;
use plotters::prelude::*;

use crate::report::Load;

/// Plot size in pixels: two panels side by side.
const SIZE: (u32, u32) = (1400, 560);

/// Writes `path` with one line per (service, route, keep-alive) series.
pub fn write(path: &Path, loads: &[Load], title: &str) -> Result<()> {
    let mut series: BTreeMap<String, Vec<&Load>> = BTreeMap::new();
    for load in loads {
        let keep_alive = if load.keep_alive { "on" } else { "off" };
        let key = format!("{} {} (keep-alive {keep_alive})", load.service, load.route);
        series.entry(key).or_default().push(load);
    }
    let max_conns = loads
        .iter()
        .map(|l| l.connections)
        .max()
        .unwrap_or(64)
        .max(2) as f64;
    let max_rps = loads.iter().map(|l| l.rps).fold(1.0, f64::max) * 1.1;
    let max_ms = loads
        .iter()
        .map(|l| l.p99_ms)
        .filter(|v| v.is_finite())
        .fold(1.0, f64::max)
        * 1.1;

    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(title, ("sans-serif", 20))?;
    let (left, right) = root.split_horizontally(SIZE.0 / 2);
    let panels: [(&DrawingArea<_, _>, &str, f64, bool); 2] = [
        (&left, "req/s (log)", max_rps, false),
        (&right, "p50 solid / p99 dashed, ms (log)", max_ms, true),
    ];
    for (area, label, max_y, latency) in panels {
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(60)
            .build_cartesian_2d(
                (0.8..max_conns * 1.25).log_scale(),
                (0.01..max_y).log_scale(),
            )?;
        chart
            .configure_mesh()
            .x_desc("connections (log)")
            .y_desc(label)
            .draw()?;
        for (i, (name, points)) in series.iter().enumerate() {
            let color = Palette99::pick(i).to_rgba();
            let mut points = points.clone();
            points.sort_by_key(|l| l.connections);
            let xy = |f: fn(&Load) -> f64| {
                points
                    .iter()
                    .map(move |l| (f64::from(l.connections), f(l)))
                    .collect::<Vec<_>>()
            };
            if latency {
                chart.draw_series(LineSeries::new(xy(|l| l.p50_ms), color.stroke_width(2)))?;
                chart.draw_series(DashedLineSeries::new(
                    xy(|l| l.p99_ms),
                    6,
                    4,
                    color.stroke_width(1),
                ))?;
            } else {
                chart
                    .draw_series(
                        LineSeries::new(xy(|l| l.rps), color.stroke_width(2)).point_size(3),
                    )?
                    .label(name.clone())
                    .legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                    });
            }
        }
        if !latency {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font(("sans-serif", 11))
                .position(SeriesLabelPosition::LowerRight)
                .draw()?;
        }
    }
    root.present()?;
    Ok(())
}
