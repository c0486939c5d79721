//! Numbers as people read them in charts and reports: percentages with a
//! precision that suits their size, counts with thousands separators, true
//! minus signs, ticks without needless decimals.

/// Tick label of a time value: whole numbers without decimals.
pub(crate) fn fmt_tick(v: f64) -> String {
    if (v - v.round()).abs() < 1e-6 {
        format!("{}", v.round() as i64)
    } else {
        fmt_num(v)
    }
}

/// A number with at most two decimals and no trailing zeros.
pub(crate) fn fmt_num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A signed number with a true minus sign, e.g. `+0.35`, `−0.35`.
pub(crate) fn fmt_signed(v: f64) -> String {
    if v < 0.0 {
        format!("−{}", fmt_num(-v))
    } else {
        format!("+{}", fmt_num(v))
    }
}

/// A probability as a percentage with a precision that suits its size.
pub(crate) fn fmt_pct(p: f64) -> String {
    if !p.is_finite() {
        return "n/a".to_string();
    }
    let pct = p * 100.0;
    if p <= 0.0 {
        "0%".to_string()
    } else if pct < 0.01 {
        "<0.01%".to_string()
    } else if pct < 1.0 {
        format!("{pct:.2}%")
    } else {
        format!("{pct:.1}%")
    }
}

/// Tick label of a share axis, in percent.
pub(crate) fn fmt_pct_tick(p: f64) -> String {
    let pct = p * 100.0;
    if (pct - pct.round()).abs() < 1e-6 {
        format!("{}%", pct.round() as i64)
    } else {
        format!("{pct:.1}%")
    }
}

/// A count with thousands separators, e.g. `10,000`.
pub(crate) fn fmt_count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A count and its noun, singular for one: `1 thread`, `20,000 runs`.
pub(crate) fn fmt_counted(n: u64, noun: &str) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{} {noun}{s}", fmt_count(n))
}

/// A rate as people read it: `1,234 runs/s` from 10 a second up, one
/// decimal below (`2.5 points/s`), `0 runs/s` before anything is done.
pub(crate) fn fmt_rate(per_second: f64, unit: &str) -> String {
    if !per_second.is_finite() || per_second <= 0.0 {
        format!("0 {unit}/s")
    } else if per_second < 10.0 {
        format!("{per_second:.1} {unit}/s")
    } else {
        format!("{} {unit}/s", fmt_count(per_second.round() as u64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_rounded_with_thousands_separators() {
        assert_eq!(fmt_rate(542.5851, "runs"), "543 runs/s");
        assert_eq!(fmt_rate(12_345.6, "runs"), "12,346 runs/s");
        assert_eq!(fmt_rate(2.46, "points"), "2.5 points/s");
        assert_eq!(fmt_rate(f64::NAN, "runs"), "0 runs/s");
        assert_eq!(fmt_counted(1, "thread"), "1 thread");
        assert_eq!(fmt_counted(20_000, "run"), "20,000 runs");
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_count(10000), "10,000");
        assert_eq!(fmt_count(999), "999");
        assert_eq!(fmt_count(1234567), "1,234,567");
        assert_eq!(fmt_pct(0.6123), "61.2%");
        assert_eq!(fmt_pct(0.0042), "0.42%");
        assert_eq!(fmt_pct(0.0), "0%");
        assert_eq!(fmt_pct(f64::NAN), "n/a");
        assert_eq!(fmt_num(0.25), "0.25");
        assert_eq!(fmt_num(2020.0), "2020");
        assert_eq!(fmt_tick(2021.0), "2021");
        assert_eq!(fmt_signed(-0.35), "−0.35");
    }
}
