//! `kiosk stats chart`: the statistics as one page staff can print at A4 or read on a phone —
//! the daily trend, a weekday × hour heat map of use, refusals by reason, the offline share and
//! satisfaction — with bilingual titles in the embedded Chinese font (no system fonts needed).

use super::chart_data::ChartData;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontStyle, register_font};

/// The font the touchscreen embeds (WenQuanYi Micro Hei), for the charts' Chinese.
static FONT: &[u8] = include_bytes!("../../ui/fonts/wqy-microhei.ttc");
/// A CSS font list: the PNG draws with the embedded font registered under this name; an SVG
/// viewer picks the first Chinese font it has (Linux, Windows, macOS, Android).
const FAMILY: &str =
    "WenQuanYi Micro Hei, Microsoft YaHei, PingFang SC, Noto Sans CJK SC, sans-serif";

/// A4 at 150 dpi, portrait.
pub const SIZE: (u32, u32) = (1240, 1754);

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

fn font() -> Result<(), ChartError> {
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, FONT).is_ok());
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

const BORROWED: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const RETURNED: RGBColor = RGBColor(0xd9, 0x6c, 0x1a);
const REFUSED: RGBColor = RGBColor(0xb0, 0x30, 0x30);
const OFFLINE: RGBColor = RGBColor(0x6a, 0x4c, 0x93);
const GRID: RGBColor = RGBColor(0xdd, 0xdd, 0xdd);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);

const WEEKDAYS: [&str; 7] = [
    "一 Mon", "二 Tue", "三 Wed", "四 Thu", "五 Fri", "六 Sat", "日 Sun",
];

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Draws the whole page on `root`.
pub fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    font()?;
    root.fill(&WHITE).map_err(draw_error)?;
    let (w, _) = root.dim_in_pixel();
    let pen = Pen {
        scale: f64::from(w) / f64::from(SIZE.0),
    };

    let (head, body) = root.split_vertically(pen.px(170.0));
    let title = format!(
        "业务统计 Business statistics   {} – {}",
        data.since.format("%Y-%m-%d"),
        data.until.format("%Y-%m-%d")
    );
    head.draw_text(
        &title,
        &pen.text(40.0),
        (pen.px(40.0) as i32, pen.px(36.0) as i32),
    )
    .map_err(draw_error)?;
    let offline = data
        .offline_percent()
        .map_or("–".to_owned(), |p| format!("{p:.1}%"));
    let summary = format!(
        "借出 Borrowed {}   归还 Returned {}   续借 Renewed {}   被拒 Refused {}   离线 Offline {}",
        data.borrowed(),
        data.returned(),
        data.renewed,
        data.refused(),
        offline
    );
    head.draw_text(
        &summary,
        &pen.text(24.0),
        (pen.px(40.0) as i32, pen.px(104.0) as i32),
    )
    .map_err(draw_error)?;

    let rows = body.split_by_breakpoints(
        [] as [u32; 0],
        [pen.px(470.0), pen.px(930.0), pen.px(1290.0)],
    );
    trend(&rows[0], data, &pen)?;
    heat_map(&rows[1], data, &pen)?;
    let (left, right) = rows[2].split_horizontally(pen.px(760.0));
    refusals(&left, data, &pen)?;
    satisfaction(&right, data, &pen)?;
    offline_share(&rows[3], data, &pen)?;
    root.present().map_err(draw_error)
}

/// Sizes given for the A4 page, scaled to the size drawn.
struct Pen {
    scale: f64,
}

impl Pen {
    fn px(&self, n: f64) -> u32 {
        (n * self.scale).round() as u32
    }
    fn text(&self, size: f64) -> TextStyle<'static> {
        (FAMILY, size * self.scale).into_font().color(&INK)
    }
}

/// An x axis of `n` days, day `i` at `i`, with half a day of room at each end.
fn days_axis(n: i32) -> std::ops::Range<f64> {
    -0.5..f64::from(n.max(1)) - 0.5
}

/// The date under a day axis's tick, e.g. `12-06`; nothing between days.
fn day_label(days: &[super::chart_data::Day], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    days.get(i as usize)
        .map_or(String::new(), |d| d.date.format("%m-%d").to_string())
}

fn trend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let n = data.days.len() as i32;
    let top = data
        .days
        .iter()
        .map(|d| d.borrowed.max(d.returned))
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = ChartBuilder::on(area)
        .caption("每日借还 Borrowed and returned per day", pen.text(30.0))
        .margin(pen.px(24.0))
        .x_label_area_size(pen.px(50.0))
        .y_label_area_size(pen.px(80.0))
        .build_cartesian_2d(days_axis(n), 0..top + top / 10 + 1)
        .map_err(draw_error)?;
    let days = &data.days;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(8)
        .x_label_formatter(&|x| day_label(days, *x))
        .label_style(pen.text(20.0))
        .draw()
        .map_err(draw_error)?;
    let stroke = pen.px(3.0);
    for (name, color, value) in [
        (
            "借出 Borrowed",
            BORROWED,
            (|d: &super::chart_data::Day| d.borrowed) as fn(&_) -> i64,
        ),
        ("归还 Returned", RETURNED, |d: &super::chart_data::Day| {
            d.returned
        }),
    ] {
        let points = days.iter().enumerate().map(|(i, d)| (i as f64, value(d)));
        // A dot per day where the days are few enough to tell apart (one day has no line).
        if n <= 31 {
            chart
                .draw_series(
                    points
                        .clone()
                        .map(|p| Circle::new(p, stroke * 2, color.filled())),
                )
                .map_err(draw_error)?;
        }
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(stroke)))
            .map_err(draw_error)?
            .label(name)
            .legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 24, y + 4)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(pen.text(22.0))
        .draw()
        .map_err(draw_error)
}

fn heat_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let top = data
        .heat
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(
            "每周各时段使用量 Use by weekday and hour (borrowed + returned + renewed)",
            pen.text(26.0),
        )
        .margin(pen.px(24.0))
        .x_label_area_size(pen.px(44.0))
        .y_label_area_size(pen.px(110.0))
        .build_cartesian_2d((0i32..23).into_segmented(), (0i32..6).into_segmented())
        .map_err(draw_error)?;
    // Row 6 is Monday, at the top.
    let weekday = |row: i32| usize::try_from(6 - row).ok().and_then(|d| WEEKDAYS.get(d));
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(24)
        .y_labels(7)
        .x_label_formatter(&|h| match h {
            SegmentValue::CenterOf(h) => format!("{h}"),
            _ => String::new(),
        })
        .y_label_formatter(&|row| match row {
            SegmentValue::CenterOf(row) => weekday(*row).map_or(String::new(), |s| (*s).to_owned()),
            _ => String::new(),
        })
        .label_style(pen.text(20.0))
        .draw()
        .map_err(draw_error)?;
    let cells: Vec<(i32, i32, i64)> = (0..7)
        .flat_map(|d| (0..24).map(move |h| (6 - d as i32, h as i32, data.heat[d][h])))
        .collect();
    chart
        .draw_series(cells.iter().map(|&(row, h, n)| {
            let level = n as f64 / top as f64;
            // White for none, deepening to the borrowed blue for the busiest hour.
            let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * level).round() as u8;
            let color = RGBColor(mix(BORROWED.0), mix(BORROWED.1), mix(BORROWED.2));
            Rectangle::new(
                [
                    (SegmentValue::Exact(h), SegmentValue::Exact(row)),
                    (SegmentValue::Exact(h + 1), SegmentValue::Exact(row + 1)),
                ],
                color.filled(),
            )
        }))
        .map_err(draw_error)?;
    // Each hour with use carries its number.
    let centred = Pos::new(HPos::Center, VPos::Center);
    chart
        .draw_series(cells.iter().filter(|c| c.2 > 0).map(|&(row, h, n)| {
            let color = if n * 2 > top { &WHITE } else { &INK };
            Text::new(
                format!("{n}"),
                (SegmentValue::CenterOf(h), SegmentValue::CenterOf(row)),
                (FAMILY, 15.0 * pen.scale)
                    .into_font()
                    .color(color)
                    .pos(centred),
            )
        }))
        .map_err(draw_error)?;
    Ok(())
}

/// Horizontal bars, the first item on top, each with its count.
fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    items: &[(String, i64)],
    color: RGBColor,
    label_width: f64,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    // At least five rows, so that one reason is a bar and not a wall.
    let n = items.len().max(5) as i32;
    let top = items.iter().map(|i| i.1).max().unwrap_or(0).max(1);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, pen.text(26.0))
        .margin(pen.px(24.0))
        .x_label_area_size(pen.px(44.0))
        .y_label_area_size(pen.px(label_width))
        .build_cartesian_2d(0..top + top / 5 + 1, (0..n - 1).into_segmented())
        .map_err(draw_error)?;
    let item = |row: i32| usize::try_from(n - 1 - row).ok().and_then(|i| items.get(i));
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .y_labels(n as usize)
        .y_label_formatter(&|row| match row {
            SegmentValue::CenterOf(row) => item(*row).map_or(String::new(), |it| it.0.clone()),
            _ => String::new(),
        })
        .x_labels(5)
        .label_style(pen.text(19.0))
        .draw()
        .map_err(draw_error)?;
    let gap = pen.px(6.0);
    chart
        .draw_series(items.iter().enumerate().map(|(i, (_, count))| {
            let row = n - 1 - i as i32;
            let mut bar = Rectangle::new(
                [
                    (0, SegmentValue::Exact(row)),
                    (*count, SegmentValue::Exact(row + 1)),
                ],
                color.filled(),
            );
            bar.set_margin(gap, gap, 0, 0);
            bar
        }))
        .map_err(draw_error)?;
    let beside = Pos::new(HPos::Left, VPos::Center);
    chart
        .draw_series(items.iter().enumerate().map(|(i, (_, count))| {
            let row = n - 1 - i as i32;
            Text::new(
                format!(" {count}"),
                (*count, SegmentValue::CenterOf(row)),
                pen.text(18.0).pos(beside),
            )
        }))
        .map_err(draw_error)?;
    Ok(())
}

fn refusals<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let items: Vec<(String, i64)> = data
        .refusals
        .iter()
        .take(8)
        .map(|(code, n)| (super::reason_label(code).to_owned(), *n))
        .collect();
    bars(
        area,
        "被拒原因 Refused, by reason",
        &items,
        REFUSED,
        280.0,
        pen,
    )
}

fn satisfaction<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let caption = match data.mean_score() {
        Some(mean) => format!("满意度 Satisfaction (平均 mean {mean:.1})"),
        None => "满意度 Satisfaction (无 none)".to_owned(),
    };
    let items: Vec<(String, i64)> = (1..=5)
        .rev()
        .map(|s| (format!("{s} ★"), data.scores[s - 1]))
        .collect();
    bars(area, &caption, &items, BORROWED, 70.0, pen)
}

fn offline_share<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    data: &ChartData,
    pen: &Pen,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let n = data.days.len() as i32;
    let percent: Vec<f64> = data
        .days
        .iter()
        .map(|d| {
            if d.done > 0 {
                100.0 * d.offline as f64 / d.done as f64
            } else {
                0.0
            }
        })
        .collect();
    let top = percent.iter().copied().fold(0.0, f64::max).max(10.0);
    let mut chart = ChartBuilder::on(area)
        .caption("离线办理占比 Share done offline (%)", pen.text(26.0))
        .margin(pen.px(24.0))
        .x_label_area_size(pen.px(44.0))
        .y_label_area_size(pen.px(80.0))
        .build_cartesian_2d(days_axis(n), 0.0..top * 1.1)
        .map_err(draw_error)?;
    let days = &data.days;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_labels(8)
        .y_labels(4)
        .x_label_formatter(&|x| day_label(days, *x))
        .y_label_formatter(&|p| format!("{p:.0}%"))
        .label_style(pen.text(19.0))
        .draw()
        .map_err(draw_error)?;
    chart
        .draw_series(
            percent
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.0)
                .map(|(i, p)| {
                    Rectangle::new(
                        [(i as f64 - 0.4, 0.0), (i as f64 + 0.4, *p)],
                        OFFLINE.filled(),
                    )
                }),
        )
        .map_err(draw_error)?;
    Ok(())
}

/// The page as a PNG of `size` pixels.
pub fn png(data: &ChartData, size: (u32, u32)) -> Result<Vec<u8>, ChartError> {
    let mut rgb = vec![0u8; size.0 as usize * size.1 as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area();
        draw(&root, data)?;
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| ChartError::Png(e.to_string()))?;
    writer
        .write_image_data(&rgb)
        .map_err(|e| ChartError::Png(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| ChartError::Png(e.to_string()))?;
    Ok(out)
}

/// The page as SVG (text as text, in the viewer's sans-serif font).
pub fn svg(data: &ChartData, size: (u32, u32)) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        draw(&root, data)?;
    }
    Ok(out)
}
