pub fn parse_points(text: &str) -> Vec<(i64, i64)> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(parse_pair)
        .collect()
}

pub fn bounding_box(points: &[(i64, i64)]) -> Option<((i64, i64), (i64, i64))> {
    let xs = points.iter().map(|p| p.0);
    let ys = points.iter().map(|p| p.1);
    Some(((xs.clone().min()?, ys.clone().min()?), (xs.max()?, ys.max()?)))
}

fn parse_pair(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once(',')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}
