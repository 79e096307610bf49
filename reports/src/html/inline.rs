//! Making a standalone SVG file fit inside an HTML page.
//!
//! Several SVGs inlined into one document share one id namespace: two
//! renderers that both define `<marker id="arrow">` would make every
//! `url(#arrow)` point at the first. [`inline_svg`] strips the XML prolog and
//! prefixes every id, and every reference to one, with a per-figure prefix.

/// `svg` (a whole SVG document) ready to paste into HTML: without an XML
/// declaration or doctype, every `id="x"` renamed `id="{prefix}-x"` and every
/// `url(#x)` / `href="#x"` reference renamed to match.
pub fn inline_svg(svg: &str, prefix: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let body = &svg[start..];
    let mut out = String::with_capacity(body.len() + 64);
    let mut rest = body;
    // The patterns that open an id or a reference to one, and what ends them.
    const OPENERS: [(&str, char); 4] = [
        (" id=\"", '"'),
        ("url(#", ')'),
        ("href=\"#", '"'),
        ("href='#", '\''),
    ];
    loop {
        let next = OPENERS
            .iter()
            .filter_map(|(open, close)| rest.find(open).map(|at| (at, *open, *close)))
            .min_by_key(|(at, _, _)| *at);
        let Some((at, open, close)) = next else {
            out.push_str(rest);
            break;
        };
        let name_start = at + open.len();
        let Some(len) = rest[name_start..].find(close) else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..name_start]);
        out.push_str(prefix);
        out.push('-');
        out.push_str(&rest[name_start..name_start + len]);
        rest = &rest[name_start + len..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::inline_svg;

    #[test]
    fn prolog_is_dropped_and_ids_and_references_are_prefixed() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg xmlns=\"http://www.w3.org/2000/svg\">\
                   <defs><marker id=\"arrow\"/></defs>\
                   <line marker-end=\"url(#arrow)\"/><use href=\"#arrow\"/><a href=\"out.csv\">x</a></svg>";
        let out = inline_svg(svg, "f3");
        assert!(out.starts_with("<svg xmlns="));
        assert!(out.contains("<marker id=\"f3-arrow\"/>"));
        assert!(out.contains("marker-end=\"url(#f3-arrow)\""));
        assert!(out.contains("<use href=\"#f3-arrow\"/>"));
        // Links to files are not references to ids.
        assert!(out.contains("<a href=\"out.csv\">"));
    }

    #[test]
    fn an_svg_without_ids_is_unchanged_after_its_prolog() {
        let svg = "<svg viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>";
        assert_eq!(inline_svg(svg, "p"), svg);
    }
}
