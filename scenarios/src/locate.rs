//! Finds where things are written in a RON source, for error positions that
//! serde cannot give: the position of the value at a field path (for semantic
//! errors found after parsing), the bracket left open at end of file, and the end
//! of the token before a position (a missing comma belongs there).
//!
//! This is a tolerant structural scan, not a parser: it tokenizes strings,
//! comments, identifiers and punctuation and follows the nesting, treating
//! `Name(…)` and `Some(…)` wrappers as transparent. Paths use the same form as
//! parse errors: `nodes[0].interfaces[1].address`.

use std::collections::BTreeMap;

/// A 1-based `(line, column)`, columns counted in characters like ron does.
pub(crate) type Pos = (usize, usize);

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// A string, raw string or char literal.
    Str,
    /// An identifier or number (any run of other non-space characters).
    Word(String),
    /// One of `( ) [ ] { } , :`.
    Punct(char),
}

#[derive(Debug)]
struct Token {
    tok: Tok,
    start: Pos,
    /// The position just after the token.
    end: Pos,
}

/// Splits `text` into tokens, skipping whitespace and comments. Tolerates broken
/// input: an unterminated string or comment runs to the end. Also returns where
/// an unclosed block comment starts.
fn tokenize(text: &str) -> (Vec<Token>, Option<Pos>) {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut unclosed_comment = None;
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    // Advances over chars[i], tracking line and column.
    let step = |i: &mut usize, line: &mut usize, col: &mut usize| {
        if chars[*i] == '\n' {
            *line += 1;
            *col = 1;
        } else {
            *col += 1;
        }
        *i += 1;
    };
    while i < chars.len() {
        let c = chars[i];
        let start = (line, col);
        if c.is_whitespace() {
            step(&mut i, &mut line, &mut col);
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                step(&mut i, &mut line, &mut col);
            }
        } else if c == '/' && chars.get(i + 1) == Some(&'*') {
            let mut depth = 0usize;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    step(&mut i, &mut line, &mut col);
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    step(&mut i, &mut line, &mut col);
                    if depth == 0 {
                        step(&mut i, &mut line, &mut col);
                        break;
                    }
                }
                step(&mut i, &mut line, &mut col);
            }
            if depth > 0 {
                unclosed_comment = Some(start);
            }
        } else if c == '"' || c == '\'' {
            step(&mut i, &mut line, &mut col);
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    step(&mut i, &mut line, &mut col);
                }
                step(&mut i, &mut line, &mut col);
            }
            if i < chars.len() {
                step(&mut i, &mut line, &mut col);
            }
            out.push(Token {
                tok: Tok::Str,
                start,
                end: (line, col),
            });
        } else if "()[]{},:".contains(c) {
            step(&mut i, &mut line, &mut col);
            out.push(Token {
                tok: Tok::Punct(c),
                start,
                end: (line, col),
            });
        } else if c == 'r' && matches!(chars.get(i + 1), Some('"' | '#')) {
            // Raw string r#"…"#: count the hashes, find the matching close.
            step(&mut i, &mut line, &mut col);
            let mut hashes = 0;
            while i < chars.len() && chars[i] == '#' {
                hashes += 1;
                step(&mut i, &mut line, &mut col);
            }
            if i < chars.len() {
                step(&mut i, &mut line, &mut col);
            }
            while i < chars.len() {
                let closes =
                    chars[i] == '"' && (1..=hashes).all(|k| chars.get(i + k) == Some(&'#'));
                if closes {
                    for _ in 0..=hashes {
                        step(&mut i, &mut line, &mut col);
                    }
                    break;
                }
                step(&mut i, &mut line, &mut col);
            }
            out.push(Token {
                tok: Tok::Str,
                start,
                end: (line, col),
            });
        } else {
            let mut word = String::new();
            while i < chars.len() && !ends_word(&chars, i) {
                word.push(chars[i]);
                step(&mut i, &mut line, &mut col);
            }
            out.push(Token {
                tok: Tok::Word(word),
                start,
                end: (line, col),
            });
        }
    }
    (out, unclosed_comment)
}

/// Where an unclosed `/*` comment starts.
pub(crate) fn unclosed_comment(text: &str) -> Option<Pos> {
    tokenize(text).1
}

/// Whether `chars[i]` cannot be part of a word: space, punctuation, a quote or
/// the start of a comment.
fn ends_word(chars: &[char], i: usize) -> bool {
    let c = chars[i];
    c.is_whitespace()
        || "()[]{},:\"'".contains(c)
        || (c == '/' && matches!(chars.get(i + 1), Some('/' | '*')))
}

#[derive(Debug)]
enum Frame {
    /// Inside `[ … ]`: the list's path and the current element index.
    Seq {
        path: String,
        index: usize,
        open: Pos,
    },
    /// Inside `( … )` or `{ … }`: the enclosing path and the current field.
    Fields {
        path: String,
        field: Option<String>,
        open: Pos,
        closer: char,
    },
}

fn join(path: &str, field: &str) -> String {
    if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    }
}

/// The positions of the values written in a RON source, by field path.
#[derive(Debug, Default)]
pub(crate) struct SourceMap {
    values: BTreeMap<String, Pos>,
    /// The innermost bracket still open at the end, with its position.
    unclosed: Option<(char, Pos)>,
}

impl SourceMap {
    /// Scans `text`.
    pub(crate) fn new(text: &str) -> Self {
        let (tokens, _) = tokenize(text);
        let mut map = SourceMap::default();
        let mut stack: Vec<Frame> = Vec::new();
        let current = |stack: &[Frame]| -> String {
            match stack.last() {
                None => String::new(),
                Some(Frame::Seq { path, index, .. }) => format!("{path}[{index}]"),
                Some(Frame::Fields {
                    path,
                    field: Some(f),
                    ..
                }) => join(path, f),
                Some(Frame::Fields { path, .. }) => path.clone(),
            }
        };
        let mut k = 0;
        while k < tokens.len() {
            let t = &tokens[k];
            let next_is_colon = matches!(
                tokens.get(k + 1),
                Some(Token {
                    tok: Tok::Punct(':'),
                    ..
                })
            );
            match &t.tok {
                Tok::Word(w) if next_is_colon => {
                    if let Some(Frame::Fields { field, .. }) = stack.last_mut() {
                        *field = Some(w.clone());
                    }
                    k += 2;
                    continue;
                }
                Tok::Punct(c @ ('(' | '{')) => {
                    let path = current(&stack);
                    map.values.entry(path.clone()).or_insert(t.start);
                    stack.push(Frame::Fields {
                        path,
                        field: None,
                        open: t.start,
                        closer: if *c == '(' { ')' } else { '}' },
                    });
                }
                Tok::Punct('[') => {
                    let path = current(&stack);
                    map.values.entry(path.clone()).or_insert(t.start);
                    stack.push(Frame::Seq {
                        path,
                        index: 0,
                        open: t.start,
                    });
                }
                Tok::Punct(',') => match stack.last_mut() {
                    Some(Frame::Seq { index, .. }) => *index += 1,
                    Some(Frame::Fields { field, .. }) => *field = None,
                    None => {}
                },
                Tok::Punct(')' | ']' | '}') => {
                    stack.pop();
                }
                Tok::Punct(_) => {}
                Tok::Str | Tok::Word(_) => {
                    map.values.entry(current(&stack)).or_insert(t.start);
                }
            }
            k += 1;
        }
        map.unclosed = stack.last().map(|f| match f {
            Frame::Seq { open, .. } => ('[', *open),
            Frame::Fields { open, closer, .. } => (if *closer == ')' { '(' } else { '{' }, *open),
        });
        map
    }

    /// The position of the value at `path`, or of the nearest enclosing value
    /// that is written in the source.
    pub(crate) fn find(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.values.get(p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = &p[..p.rfind(['.', '[']).unwrap_or(0)];
        }
    }

    /// The innermost bracket left open at the end of the source.
    pub(crate) fn unclosed(&self) -> Option<(char, Pos)> {
        self.unclosed
    }
}

/// The last token that ends at or before a position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PrevToken {
    /// Where it starts.
    pub(crate) start: Pos,
    /// The position just after it.
    pub(crate) end: Pos,
    /// It is a string that spans lines (likely a missing closing quote).
    pub(crate) multiline_string: bool,
}

/// The last token that ends at or before `pos`.
pub(crate) fn token_before(text: &str, pos: Pos) -> Option<PrevToken> {
    tokenize(text)
        .0
        .iter()
        .take_while(|t| t.end <= pos && t.start < pos)
        .last()
        .map(|t| PrevToken {
            start: t.start,
            end: t.end,
            multiline_string: t.tok == Tok::Str && t.start.0 != t.end.0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"Scenario(
    name: "x", // a comment with "quotes" and (parens
    nodes: [
        Host(name: "h1", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")]),
        /* block ( */ Router(
            name: "r1",
            gateway: Some("10.0.0.2"),
        ),
    ],
    links: [Link(a: "h1:eth0", b: "r1:eth0")],
)"#;

    #[test]
    fn finds_values_by_path() {
        let map = SourceMap::new(SRC);
        assert_eq!(map.find("name"), Some((2, 11)));
        assert_eq!(map.find("nodes[0]"), Some((4, 9)));
        assert_eq!(map.find("nodes[0].name"), Some((4, 20)));
        assert_eq!(map.find("nodes[0].interfaces[0].address"), Some((4, 72)));
        assert_eq!(map.find("nodes[1].name"), Some((6, 19)));
        assert_eq!(map.find("nodes[1].gateway"), Some((7, 22)));
        assert_eq!(map.find("links[0].b"), Some((10, 35)));
        // Not written: the nearest written ancestor.
        assert_eq!(map.find("links[0].rate"), Some((10, 13)));
        assert_eq!(map.unclosed(), None);
    }

    #[test]
    fn finds_the_unclosed_bracket() {
        let map = SourceMap::new("Scenario(\n  nodes: [\n    Host(name: \"a\"),\n");
        assert_eq!(map.unclosed(), Some(('[', (2, 10))));
    }

    #[test]
    fn finds_the_end_of_the_previous_token() {
        let text = "Scenario(\n  name: \"a\"\n  seed: 3,\n)";
        let prev = token_before(text, (3, 3)).unwrap();
        assert_eq!(
            (prev.start, prev.end, prev.multiline_string),
            ((2, 9), (2, 12), false)
        );
    }
}
