//! Lines drawn so that plotters' bitmap rasteriser draws them right.

use plotters::coord::CoordTranslate;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::style::DrawResult;

/// A line through `points` (chart coordinates) that reaches the backend
/// without repeated pixels or redundant points on a straight run: plotters'
/// thick-line rasteriser misdraws zero-length segments (spots and gaps in
/// PNGs), and dense series land many points on one pixel.
pub(crate) struct Polyline {
    points: Vec<(f64, f64)>,
    style: ShapeStyle,
}

impl Polyline {
    /// A line through `points` drawn with `style`.
    pub(crate) fn new(points: Vec<(f64, f64)>, style: impl Into<ShapeStyle>) -> Polyline {
        Polyline {
            points,
            style: style.into(),
        }
    }
}

impl<'a> PointCollection<'a, (f64, f64)> for &'a Polyline {
    type Point = &'a (f64, f64);
    type IntoIter = &'a [(f64, f64)];

    fn point_iter(self) -> &'a [(f64, f64)] {
        &self.points
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Polyline {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        pos: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), DrawingErrorKind<DB::ErrorType>> {
        for run in split_reversals(simplify(pos)) {
            if run.len() >= 2 {
                backend.draw_path(run, &self.style)?;
            }
        }
        Ok(())
    }
}

/// Drops repeated pixels, and middle points of straight horizontal or
/// vertical runs that do not turn back.
fn simplify(pos: impl Iterator<Item = BackendCoord>) -> Vec<BackendCoord> {
    let mut out: Vec<BackendCoord> = Vec::new();
    for p in pos {
        if out.last() == Some(&p) {
            continue;
        }
        if let [.., a, b] = out[..] {
            let between = |x: i32, lo: i32, hi: i32| (lo.min(hi)..=lo.max(hi)).contains(&x);
            let vertical = a.0 == b.0 && b.0 == p.0 && between(b.1, a.1, p.1);
            let horizontal = a.1 == b.1 && b.1 == p.1 && between(b.0, a.0, p.0);
            if vertical || horizontal {
                out.pop();
            }
        }
        out.push(p);
    }
    out
}

/// Splits a path where it turns straight back on itself (a spike up and
/// down one pixel column): the thick-line rasteriser cannot offset such a
/// corner and leaves the spike out.
fn split_reversals(pixels: Vec<BackendCoord>) -> Vec<Vec<BackendCoord>> {
    let mut runs: Vec<Vec<BackendCoord>> = vec![Vec::new()];
    for p in pixels {
        let run = runs.last_mut().expect("never empty");
        if let [.., a, b] = run[..] {
            let (u, v) = ((b.0 - a.0, b.1 - a.1), (p.0 - b.0, p.1 - b.1));
            let cross = i64::from(u.0) * i64::from(v.1) - i64::from(u.1) * i64::from(v.0);
            let dot = i64::from(u.0) * i64::from(v.0) + i64::from(u.1) * i64::from(v.1);
            if cross == 0 && dot < 0 {
                runs.push(vec![b]);
            }
        }
        runs.last_mut().expect("never empty").push(p);
    }
    runs
}

/// Draws a [`Polyline`] through `points` on `chart`.
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_line<DB, CT>(
    chart: &mut ChartContext<'_, DB, CT>,
    points: Vec<(f64, f64)>,
    style: impl Into<ShapeStyle>,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    CT: CoordTranslate<From = (f64, f64)>,
{
    chart.draw_series(std::iter::once(Polyline::new(points, style)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_reach_the_backend_without_repeats_or_straight_run_middles() {
        let pts = [
            (0, 0),
            (0, 0),
            (0, 5),
            (0, 9),
            (3, 9),
            (6, 9),
            (6, 9),
            (6, 2),
            (6, 4),
        ];
        assert_eq!(
            simplify(pts.into_iter()),
            [(0, 0), (0, 9), (6, 9), (6, 2), (6, 4)],
            "a spike that turns back keeps its tip"
        );
    }

    #[test]
    fn paths_split_where_they_turn_back() {
        assert_eq!(
            split_reversals(vec![(0, 0), (0, 9), (0, 2), (4, 2)]),
            [vec![(0, 0), (0, 9)], vec![(0, 9), (0, 2), (4, 2)]]
        );
    }
}
