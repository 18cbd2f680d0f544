//! The recipe language's parser: text -> one expression per line, each located by line
//! and column for error messages.
//!
//! ```text
//! recipe  := line*                       one output per line; blank lines are skipped
//! line    := expr? comment?
//! comment := '#' anything to the end of the line
//! expr    := call | column | group | number
//! call    := name '(' (arg (',' arg)*)? ')'
//! arg     := (name '=')? expr
//! column  := name | '"' characters '"'  (a quote inside is written \" or "")
//! group   := '@' name                    @numeric @categorical @text @boolean
//! ```
//!
//! A name is a run of letters, digits, `_` and `.` (any script); a run that reads as a
//! number is a number (`10`, `-5`, `0.25`, `1e3`).

use crate::error::{Error, ErrorCode, Result};

/// A position in the recipe text: 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl Pos {
    /// An error at this position.
    pub(crate) fn error(self, message: impl Into<String>) -> Error {
        Error::Recipe {
            line: self.line,
            column: self.column,
            message: message.into(),
            code: ErrorCode::InvalidInput,
        }
    }
}

/// One parsed expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A column of the data, by name.
    Column {
        /// The name as written (quotes removed).
        name: String,
        /// Where it starts.
        pos: Pos,
    },
    /// `@numeric` and friends: every column of a kind.
    Group {
        /// The group's name without `@`.
        name: String,
        /// Where it starts.
        pos: Pos,
    },
    /// A number argument.
    Number {
        /// Its value.
        value: f64,
        /// Where it starts.
        pos: Pos,
    },
    /// A function call.
    Call {
        /// The function's name.
        name: String,
        /// Its arguments in order.
        args: Vec<Arg>,
        /// Where the name starts.
        pos: Pos,
    },
}

impl Expr {
    /// Where the expression starts.
    pub fn pos(&self) -> Pos {
        match self {
            Expr::Column { pos, .. }
            | Expr::Group { pos, .. }
            | Expr::Number { pos, .. }
            | Expr::Call { pos, .. } => *pos,
        }
    }
}

/// One argument of a call, positional or named (`min_count=20`).
#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// The name of a named argument, and where it starts.
    pub name: Option<(String, Pos)>,
    /// The value.
    pub value: Expr,
}

/// One line of a recipe that holds an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The expression.
    pub expr: Expr,
}

/// Parses a recipe: one expression per non-blank line.
///
/// # Errors
///
/// [`Error::Recipe`] naming the line and column and what was expected there.
pub fn parse(text: &str) -> Result<Vec<Line>> {
    let mut lines = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let tokens = lex(raw, line_no)?;
        if tokens.is_empty() {
            continue;
        }
        let mut p = Parser {
            tokens: &tokens,
            at: 0,
            end: Pos {
                line: line_no,
                column: u32::try_from(raw.chars().count() + 1).unwrap_or(u32::MAX),
            },
        };
        let expr = p.expr(0)?;
        if let Some(t) = p.peek() {
            return Err(t.pos.error(format!(
                "expected the end of the line after the expression, found {}",
                t.kind.describe()
            )));
        }
        lines.push(Line { expr });
    }
    Ok(lines)
}

/// Deepest nesting of calls accepted (a recipe is read from users' files: no stack
/// overflow on a crafted one).
const MAX_DEPTH: usize = 32;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Quoted(String),
    Group(String),
    Number(f64),
    Open,
    Close,
    Comma,
    Equals,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Name(n) => format!("\"{n}\""),
            Tok::Quoted(n) => format!("the quoted name \"{n}\""),
            Tok::Group(n) => format!("@{n}"),
            Tok::Number(x) => format!("the number {x}"),
            Tok::Open => "'('".into(),
            Tok::Close => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::Equals => "'='".into(),
        }
    }
}

#[derive(Debug, Clone)]
struct Token {
    kind: Tok,
    pos: Pos,
}

fn name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '.'
}

fn lex(line: &str, line_no: u32) -> Result<Vec<Token>> {
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let pos = |i: usize| Pos {
        line: line_no,
        column: u32::try_from(i + 1).unwrap_or(u32::MAX),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let kind = match c {
            '#' => break,
            c if c.is_whitespace() => {
                i += 1;
                continue;
            }
            '(' => Tok::Open,
            ')' => Tok::Close,
            ',' => Tok::Comma,
            '=' => Tok::Equals,
            '"' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(pos(start)
                                .error("this quoted name has no closing '\"' on its line"))
                        }
                        Some('\\') if matches!(chars.get(i + 1), Some('"' | '\\')) => {
                            s.push(chars[i + 1]);
                            i += 2;
                        }
                        Some('"') if chars.get(i + 1) == Some(&'"') => {
                            s.push('"');
                            i += 2;
                        }
                        Some('"') => break,
                        Some(&c) => {
                            s.push(c);
                            i += 1;
                        }
                    }
                }
                if s.is_empty() {
                    return Err(pos(start).error("a quoted column name cannot be empty"));
                }
                Tok::Quoted(s)
            }
            '@' => {
                i += 1;
                let from = i;
                while i < chars.len() && name_char(chars[i]) {
                    i += 1;
                }
                if i == from {
                    return Err(pos(start).error(
                        "expected a group name after '@' (@numeric, @categorical, @text or @boolean)",
                    ));
                }
                out.push(Token {
                    kind: Tok::Group(chars[from..i].iter().collect()),
                    pos: pos(start),
                });
                continue;
            }
            c if name_char(c)
                || ((c == '-' || c == '+')
                    && chars
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_digit() || *n == '.')) =>
            {
                i += 1;
                while i < chars.len() {
                    let c = chars[i];
                    // An exponent's sign belongs to the number (`1e-3`).
                    let exp_sign = (c == '-' || c == '+')
                        && matches!(chars[i - 1], 'e' | 'E')
                        && chars[start].is_ascii_digit() | matches!(chars[start], '-' | '+' | '.');
                    if name_char(c) || exp_sign {
                        i += 1;
                    } else {
                        break;
                    }
                }
                let word: String = chars[start..i].iter().collect();
                let numeric_start =
                    word.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.'));
                let kind = match word.parse::<f64>() {
                    Ok(x) if numeric_start && x.is_finite() => Tok::Number(x),
                    Ok(_) if numeric_start => {
                        return Err(pos(start).error(format!("the number {word} is out of range")))
                    }
                    _ if word.starts_with(['-', '+']) => {
                        return Err(pos(start).error(format!("\"{word}\" is not a number")))
                    }
                    _ => Tok::Name(word),
                };
                out.push(Token {
                    kind,
                    pos: pos(start),
                });
                continue;
            }
            other => {
                return Err(pos(start).error(format!(
                    "unexpected character '{}'; quote column names that hold it (\"like this\")",
                    other.escape_debug()
                )))
            }
        };
        out.push(Token {
            kind,
            pos: pos(start),
        });
        i += 1;
    }
    Ok(out)
}

struct Parser<'t> {
    tokens: &'t [Token],
    at: usize,
    /// The position just past the line's end (for "found end of line" errors).
    end: Pos,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<&Token> {
        let t = self.tokens.get(self.at);
        self.at += 1;
        t
    }

    fn here(&self) -> Pos {
        self.peek().map_or(self.end, |t| t.pos)
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the line".to_owned(), |t| t.kind.describe())
    }

    fn expr(&mut self, depth: usize) -> Result<Expr> {
        if depth > MAX_DEPTH {
            return Err(self
                .here()
                .error(format!("calls nest deeper than {MAX_DEPTH} levels")));
        }
        let Some(t) = self.next().cloned() else {
            return Err(self
                .end
                .error("expected an expression, found the end of the line"));
        };
        match t.kind {
            Tok::Number(value) => Ok(Expr::Number { value, pos: t.pos }),
            Tok::Group(name) => Ok(Expr::Group { name, pos: t.pos }),
            Tok::Quoted(name) => Ok(Expr::Column { name, pos: t.pos }),
            Tok::Name(name) => {
                if self.peek().map(|t| &t.kind) != Some(&Tok::Open) {
                    return Ok(Expr::Column { name, pos: t.pos });
                }
                self.next();
                let mut args = Vec::new();
                if self.peek().map(|t| &t.kind) == Some(&Tok::Close) {
                    self.next();
                    return Ok(Expr::Call {
                        name,
                        args,
                        pos: t.pos,
                    });
                }
                loop {
                    let named = match (self.peek(), self.tokens.get(self.at + 1)) {
                        (
                            Some(Token {
                                kind: Tok::Name(n),
                                pos,
                            }),
                            Some(Token {
                                kind: Tok::Equals, ..
                            }),
                        ) => Some((n.clone(), *pos)),
                        _ => None,
                    };
                    if named.is_some() {
                        self.at += 2;
                    }
                    let value = self.expr(depth + 1)?;
                    args.push(Arg { name: named, value });
                    match self.peek().map(|t| &t.kind) {
                        Some(Tok::Comma) => {
                            self.next();
                        }
                        Some(Tok::Close) => {
                            self.next();
                            return Ok(Expr::Call {
                                name,
                                args,
                                pos: t.pos,
                            });
                        }
                        _ => {
                            return Err(self.here().error(format!(
                                "expected ',' or ')' in the arguments of {name}, found {}",
                                self.found()
                            )))
                        }
                    }
                }
            }
            other => Err(t.pos.error(format!(
                "expected a column, a function call or a number, found {}",
                other.describe()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &str, line: u32, column: u32) -> Expr {
        Expr::Column {
            name: name.into(),
            pos: Pos { line, column },
        }
    }

    #[test]
    fn lines_calls_and_comments() {
        let text = "# features\n\nquantile_bin(@numeric, 10)   # bins\n  one_hot(city, min_count=20)\n\"deal amount\"\nclip(x, -5, 1e3)\n";
        let lines = parse(text).unwrap();
        assert_eq!(lines.len(), 4);
        match &lines[0].expr {
            Expr::Call { name, args, pos } => {
                assert_eq!(name, "quantile_bin");
                assert_eq!(*pos, Pos { line: 3, column: 1 });
                assert!(matches!(&args[0].value, Expr::Group { name, .. } if name == "numeric"));
                assert!(matches!(args[1].value, Expr::Number { value, .. } if value == 10.0));
            }
            other => panic!("{other:?}"),
        }
        match &lines[1].expr {
            Expr::Call { args, .. } => {
                assert_eq!(args[0].value, col("city", 4, 11));
                assert_eq!(
                    args[1].name.as_ref().map(|n| n.0.as_str()),
                    Some("min_count")
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(lines[2].expr, col("deal amount", 5, 1));
        match &lines[3].expr {
            Expr::Call { args, .. } => {
                assert!(matches!(args[1].value, Expr::Number { value, .. } if value == -5.0));
                assert!(matches!(args[2].value, Expr::Number { value, .. } if value == 1000.0));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn names_in_any_script_and_quotes() {
        let lines =
            parse("ngram(lowercase(комментарий), 2)\n\"say \\\"hi\\\"\"\n\"a \"\"b\"\"\"").unwrap();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].expr, col("say \"hi\"", 2, 1));
        assert_eq!(lines[2].expr, col("a \"b\"", 3, 1));
        // A name that starts with a digit but is not a number.
        assert_eq!(parse("2nd_call").unwrap()[0].expr, col("2nd_call", 1, 1));
    }

    #[test]
    fn errors_name_line_and_column() {
        let cases = [
            ("one_hot(city", "line 1, column 13: expected ',' or ')' in the arguments of one_hot, found the end of the line"),
            ("x\nlog1p(a b)", "line 2, column 9: expected ',' or ')' in the arguments of log1p, found \"b\""),
            ("rate(a,)", "line 1, column 8: expected a column, a function call or a number, found ')'"),
            ("a b", "line 1, column 3: expected the end of the line after the expression, found \"b\""),
            ("\"open", "line 1, column 1: this quoted name has no closing"),
            ("x; y", "line 1, column 2: unexpected character ';'"),
            ("@", "line 1, column 1: expected a group name"),
            ("clip(x, -y)", "line 1, column 9: unexpected character '-'"),
            ("clip(x, 1e999)", "line 1, column 9: the number 1e999 is out of range"),
        ];
        for (text, want) in cases {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
            assert!(e.starts_with("recipe line"), "{e}");
        }
        let deep = "f(".repeat(40) + "x" + &")".repeat(40);
        assert!(parse(&deep)
            .unwrap_err()
            .to_string()
            .contains("nest deeper"));
    }
}
