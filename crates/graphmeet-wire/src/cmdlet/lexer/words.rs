//! What a token is made of: variable names and `$` expansion, single- and double-quoted
//! strings, backtick escapes and barewords with quoted pieces.

use super::*;

impl Lexer {
    /// A variable name after `$`: `null`, `env:Path`…
    pub(super) fn variable_name(&mut self, start: Pos) -> Result<String, CmdletError> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if is_ident(c)
                || (c == ':' && !name.is_empty() && self.peek_at(1).is_some_and(is_ident))
            {
                name.push(c);
                self.bump();
                check_token(&name, start)?;
            } else {
                break;
            }
        }
        Ok(name)
    }

    /// `$` inside a bareword or a double-quoted string, the `$` consumed: `$null`, `$true` and
    /// `$false` expand; other variables are refused; a `$` followed by anything else is itself.
    pub(super) fn expand_dollar(&mut self, pos: Pos, out: &mut String) -> Result<(), CmdletError> {
        match self.peek() {
            Some(c) if is_ident(c) => {
                let name = self.variable_name(pos)?;
                match name.to_ascii_lowercase().as_str() {
                    "null" => {}
                    "true" => out.push_str("True"),
                    "false" => out.push_str("False"),
                    _ => {
                        return Err(CmdletError::at(
                            pos,
                            CmdletErrorKind::UnsupportedSyntax,
                            format!("Variable expansion is not supported: '${name}'. Write the value itself, or escape the dollar sign with a backtick (`$) or use single quotes."),
                        ))
                    }
                }
            }
            Some('{') | Some('(') => {
                return Err(CmdletError::at(
                    pos,
                    CmdletErrorKind::UnsupportedSyntax,
                    "Subexpressions and ${…} variables are not supported; escape the dollar sign with a backtick (`$) or use single quotes.",
                ))
            }
            _ => out.push('$'),
        }
        Ok(())
    }

    /// The rest of a single-quoted string, the opening quote consumed.
    pub(super) fn single_quoted(&mut self, start: Pos) -> Result<String, CmdletError> {
        let mut s = String::new();
        loop {
            match self.bump() {
                None => {
                    return Err(CmdletError::at(
                        start,
                        CmdletErrorKind::UnterminatedString,
                        "The string is missing the terminator: '.",
                    ))
                }
                Some(c) if is_single_quote(c) => match self.peek() {
                    Some(n) if is_single_quote(n) => {
                        self.bump();
                        s.push(n);
                    }
                    _ => return Ok(s),
                },
                Some(c) => s.push(c),
            }
            check_token(&s, start)?;
        }
    }

    /// The rest of a double-quoted string, the opening quote consumed.
    pub(super) fn double_quoted(&mut self, start: Pos) -> Result<String, CmdletError> {
        let unterminated = || {
            CmdletError::at(
                start,
                CmdletErrorKind::UnterminatedString,
                "The string is missing the terminator: \".",
            )
        };
        let mut s = String::new();
        loop {
            let pos = self.pos();
            match self.bump() {
                None => return Err(unterminated()),
                Some('`') => match self.bump() {
                    None => return Err(unterminated()),
                    Some(e) => s.push(self.escape(e, pos)?),
                },
                Some('$') => self.expand_dollar(pos, &mut s)?,
                Some(c) if is_double_quote(c) => match self.peek() {
                    Some(n) if is_double_quote(n) => {
                        self.bump();
                        s.push(n);
                    }
                    _ => return Ok(s),
                },
                Some(c) => s.push(c),
            }
            check_token(&s, start)?;
        }
    }

    /// The character a backtick escape stands for, the escape letter consumed.
    pub(super) fn escape(&mut self, e: char, pos: Pos) -> Result<char, CmdletError> {
        Ok(match e {
            '0' => '\0',
            'a' => '\u{07}',
            'b' => '\u{08}',
            'e' => '\u{1b}',
            'f' => '\u{0c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'v' => '\u{0b}',
            'u' if self.peek() == Some('{') => {
                self.bump();
                let mut hex = String::new();
                while let Some(h) = self.peek().filter(char::is_ascii_hexdigit) {
                    hex.push(h);
                    self.bump();
                }
                let closed = self.peek() == Some('}');
                if closed {
                    self.bump();
                }
                let c = u32::from_str_radix(&hex, 16)
                    .ok()
                    .filter(|_| closed && hex.len() <= 6)
                    .and_then(char::from_u32);
                match c {
                    Some(c) => c,
                    None => {
                        return Err(CmdletError::at(
                            pos,
                            CmdletErrorKind::Syntax,
                            "The Unicode escape sequence is not valid. A valid sequence is `u{ followed by 1 to 6 hex digits and a closing '}'.",
                        ))
                    }
                }
            }
            other => other,
        })
    }

    /// A bareword, possibly with quoted pieces (`Tag:"Meetings App"`).
    pub(super) fn bareword(&mut self) -> Result<String, CmdletError> {
        let start = self.pos();
        let mut s = String::new();
        loop {
            check_token(&s, start)?;
            let pos = self.pos();
            match self.peek() {
                None => break,
                Some(c) if is_delimiter(c) => break,
                Some('=') if self.in_hash() => break,
                Some('`') => {
                    if self.continuation_len().is_some() {
                        break;
                    }
                    self.bump();
                    if let Some(e) = self.bump() {
                        s.push(self.escape(e, pos)?);
                    }
                }
                Some(q) if is_single_quote(q) => {
                    self.bump();
                    let piece = self.single_quoted(pos).map_err(|e| at_token(e, start))?;
                    s.push_str(&piece);
                }
                Some(q) if is_double_quote(q) => {
                    self.bump();
                    let piece = self.double_quoted(pos).map_err(|e| at_token(e, start))?;
                    s.push_str(&piece);
                }
                Some('$') => {
                    self.bump();
                    self.expand_dollar(pos, &mut s)
                        .map_err(|e| at_token(e, start))?;
                }
                Some(c) => {
                    self.bump();
                    s.push(c);
                }
            }
        }
        check_token(&s, start)?;
        Ok(s)
    }
}
