//! RON literals as JSON values, for `--set` overrides.
//!
//! `ron::Value` forgets enum variant names (`Bernoulli(p: 0.1)` becomes a bare
//! map), so this small reader converts a literal the way serde_json represents
//! the same data: `Variant(field: v)` → `{"Variant": {"field": v}}`,
//! `Variant(v)` → `{"Variant": v}`, a bare identifier → a string (a unit
//! variant), `Some(v)` → `v`, `None` → `null`, `(a: 1)` → `{"a": 1}`,
//! `[1, 2]` and `(1, 2)` → arrays. Anything else, such as `10Mbps` or
//! `10.0.0.1/24`, is not a literal, and the caller takes it as a string.

use serde_json::{Map, Number, Value};

/// The JSON value of the RON literal `text`, or `None` if `text` is not one.
pub(crate) fn ron_literal_to_json(text: &str) -> Option<Value> {
    let mut r = Reader {
        chars: text.chars().collect(),
        i: 0,
    };
    let v = r.value()?;
    r.skip_ws();
    (r.i == r.chars.len()).then_some(v)
}

struct Reader {
    chars: Vec<char>,
    i: usize,
}

impl Reader {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_ws();
        match self.peek()? {
            '"' => self.string().map(Value::String),
            '[' => {
                self.i += 1;
                self.list(']').map(Value::Array)
            }
            '{' => {
                self.i += 1;
                self.fields('}').map(Value::Object)
            }
            '(' => {
                self.i += 1;
                self.parens()
            }
            c if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => self.number(),
            c if c.is_alphabetic() || c == '_' => {
                let ident = self.ident();
                let save = self.i;
                if self.eat('(') {
                    let inner = self.parens()?;
                    return Some(if ident == "Some" {
                        inner
                    } else {
                        let mut m = Map::new();
                        m.insert(
                            ident,
                            if inner.is_null() {
                                Value::Object(Map::new())
                            } else {
                                inner
                            },
                        );
                        Value::Object(m)
                    });
                }
                self.i = save;
                Some(match ident.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    "None" => Value::Null,
                    _ => Value::String(ident),
                })
            }
            _ => None,
        }
    }

    fn ident(&mut self) -> String {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
            self.i += 1;
        }
        self.chars[start..self.i].iter().collect()
    }

    /// A number; fails if letters follow (`10ms` is not a number).
    fn number(&mut self) -> Option<Value> {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | '_' | 'e' | 'E'))
        {
            self.i += 1;
        }
        if self.peek().is_some_and(|c| c.is_alphanumeric() || c == '/') {
            return None;
        }
        let text: String = self.chars[start..self.i]
            .iter()
            .filter(|&&c| c != '_')
            .collect();
        if let Ok(u) = text.parse::<u64>() {
            return Some(Value::Number(u.into()));
        }
        if let Ok(i) = text.parse::<i64>() {
            return Some(Value::Number(i.into()));
        }
        // Only plain decimals: "10.0.0.1" must not become a number.
        let t = text.trim_start_matches(['-', '+']);
        if t.matches('.').count() > 1 {
            return None;
        }
        text.parse::<f64>()
            .ok()
            .and_then(Number::from_f64)
            .map(Value::Number)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // opening quote
        let mut out = String::new();
        loop {
            let c = self.peek()?;
            self.i += 1;
            match c {
                '"' => return Some(out),
                '\\' => {
                    let e = self.peek()?;
                    self.i += 1;
                    out.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        '0' => '\0',
                        '\\' | '"' | '\'' => e,
                        _ => return None,
                    });
                }
                _ => out.push(c),
            }
        }
    }

    /// Values separated by commas up to `close` (trailing comma allowed).
    fn list(&mut self, close: char) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        loop {
            if self.eat(close) {
                return Some(out);
            }
            out.push(self.value()?);
            if !self.eat(',') {
                return self.eat(close).then_some(out);
            }
        }
    }

    /// `key: value` pairs up to `close`; keys are identifiers or strings.
    fn fields(&mut self, close: char) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        loop {
            if self.eat(close) {
                return Some(out);
            }
            self.skip_ws();
            let key = match self.peek()? {
                '"' => self.string()?,
                c if c.is_alphabetic() || c == '_' => self.ident(),
                _ => return None,
            };
            if !self.eat(':') {
                return None;
            }
            out.insert(key, self.value()?);
            if !self.eat(',') {
                return self.eat(close).then_some(out);
            }
        }
    }

    /// After `(`: named fields, one value, a tuple, or `()` (null).
    fn parens(&mut self) -> Option<Value> {
        self.skip_ws();
        let save = self.i;
        if self.peek().is_some_and(|c| c.is_alphabetic() || c == '_') {
            self.ident();
            let is_field = self.eat(':');
            self.i = save;
            if is_field {
                return self.fields(')').map(Value::Object);
            }
        }
        let mut items = self.list(')')?;
        Some(match items.len() {
            0 => Value::Null,
            1 => items.pop()?,
            _ => Value::Array(items),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn lit(s: &str) -> Option<Value> {
        ron_literal_to_json(s)
    }

    #[test]
    fn scalars() {
        assert_eq!(lit("42"), Some(json!(42)));
        assert_eq!(lit("-3"), Some(json!(-3)));
        assert_eq!(lit("0.25"), Some(json!(0.25)));
        assert_eq!(lit("true"), Some(json!(true)));
        assert_eq!(lit("\"a \\\"b\\\"\""), Some(json!("a \"b\"")));
        assert_eq!(lit("None"), Some(Value::Null));
        assert_eq!(lit("Some(3)"), Some(json!(3)));
        assert_eq!(lit("AtoB"), Some(json!("AtoB")));
    }

    #[test]
    fn variants_keep_their_names() {
        assert_eq!(
            lit("Bernoulli(p: 0.05)"),
            Some(json!({"Bernoulli": {"p": 0.05}}))
        );
        assert_eq!(
            lit("Bernoulli(p:0.05,)"),
            Some(json!({"Bernoulli": {"p": 0.05}}))
        );
        assert_eq!(lit("Nth(3)"), Some(json!({"Nth": 3})));
        assert_eq!(lit("DropTail()"), Some(json!({"DropTail": {}})));
        assert_eq!(
            lit("Nodes([\"h1\", \"r1\"])"),
            Some(json!({"Nodes": ["h1", "r1"]}))
        );
        assert_eq!(
            lit("[Nth(1), During(from: \"1s\", to: \"2s\")]"),
            Some(json!([{"Nth": 1}, {"During": {"from": "1s", "to": "2s"}}]))
        );
        assert_eq!(lit("(jitter: \"1ms\")"), Some(json!({"jitter": "1ms"})));
    }

    #[test]
    fn unit_strings_are_not_literals() {
        for s in [
            "10Mbps",
            "5ms",
            "10.0.0.1",
            "10.0.1.10/24",
            "foo bar",
            "",
            "h1:eth0",
            "Nth(3",
        ] {
            assert_eq!(lit(s), None, "{s:?}");
        }
    }
}
