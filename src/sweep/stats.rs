//! Mean and 95 % confidence interval of a metric over a grid point's runs.
//!
//! The interval is Student's t: `mean ± t(0.975, n−1) · s / √n`, with `s` the
//! sample standard deviation (divisor n−1). The t quantile comes from
//! `statrs`. With one run there is no interval.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// The mean and 95 % confidence interval of some values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// How many values.
    pub n: usize,
    /// Their mean.
    pub mean: f64,
    /// Half the width of the 95 % confidence interval; `None` for one value.
    pub ci95: Option<f64>,
}

/// The estimate of `values`, summed in their order; `None` when empty.
pub fn estimate(values: &[f64]) -> Option<Estimate> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let ci95 = (n >= 2).then(|| {
        let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64;
        t975(n - 1) * var.sqrt() / (n as f64).sqrt()
    });
    Some(Estimate { n, mean, ci95 })
}

/// The 0.975 quantile of Student's t with `dof` degrees of freedom.
pub fn t975(dof: usize) -> f64 {
    StudentsT::new(0.0, 1.0, dof as f64)
        .expect("dof >= 1 makes a valid t distribution")
        .inverse_cdf(0.975)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_values_give_the_textbook_interval() {
        // Mean 2, s = 1, t(0.975, 2) = 4.303: half-width 4.303 / √3 = 2.484.
        let e = estimate(&[1.0, 2.0, 3.0]).unwrap();
        assert_eq!(e.n, 3);
        assert_eq!(e.mean, 2.0);
        let hw = e.ci95.unwrap();
        assert!((hw - 2.484).abs() < 0.0005, "{hw}");
    }

    #[test]
    fn t_quantiles_match_the_tables() {
        for (dof, t) in [(1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (30, 2.042)] {
            assert!((t975(dof) - t).abs() < 0.0005, "dof {dof}: {}", t975(dof));
        }
    }

    #[test]
    fn one_value_has_no_interval_and_none_has_no_estimate() {
        assert_eq!(
            estimate(&[5.0]),
            Some(Estimate {
                n: 1,
                mean: 5.0,
                ci95: None
            })
        );
        assert_eq!(estimate(&[]), None);
        // Equal values: a zero-width interval.
        assert_eq!(estimate(&[4.0, 4.0]).unwrap().ci95, Some(0.0));
    }
}
