//! PowerShell's tokenizer, argument mode: what a command line is made of.
//!
//! This file has the tokens and the lexer's main loop (brackets, trivia, operators);
//! `words` reads what a token is made of (strings, escapes, variables, barewords).

mod words;

use super::{CmdletError, CmdletErrorKind, Pos, MAX_NESTING, MAX_SCRIPT_BYTES, MAX_TOKEN_BYTES};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A bareword (generic token), with any quoted pieces and escapes already resolved.
    Word(String),
    /// A token that is one quoted string.
    Str(String),
    /// `-Name` or `-Name:` (`colon`).
    Param {
        name: String,
        colon: bool,
    },
    /// `$name`.
    Var(String),
    Comma,
    AtParen,
    AtBrace,
    LParen,
    RParen,
    RBrace,
    /// `=` inside a hashtable.
    Equals,
    Semi,
    Pipe,
    Newline,
    Eof,
}

impl Tok {
    /// The token as an error message quotes it.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Word(s) => s.clone(),
            Tok::Str(s) => format!("\"{s}\""),
            Tok::Param { name, colon } => format!("-{name}{}", if *colon { ":" } else { "" }),
            Tok::Var(n) => format!("${n}"),
            Tok::Comma => ",".into(),
            Tok::AtParen => "@(".into(),
            Tok::AtBrace => "@{".into(),
            Tok::LParen => "(".into(),
            Tok::RParen => ")".into(),
            Tok::RBrace => "}".into(),
            Tok::Equals => "=".into(),
            Tok::Semi => ";".into(),
            Tok::Pipe => "|".into(),
            Tok::Newline => "newline".into(),
            Tok::Eof => "end of input".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bracket {
    Paren,
    Hash,
}

/// `-` and the dashes PowerShell accepts in its place (en dash, em dash, horizontal bar).
pub(crate) fn is_dash(c: char) -> bool {
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}')
}

/// `'` and the typographic single quotes PowerShell accepts in its place.
pub(crate) fn is_single_quote(c: char) -> bool {
    matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}')
}

/// `"` and the typographic double quotes PowerShell accepts in its place.
pub(crate) fn is_double_quote(c: char) -> bool {
    matches!(c, '"' | '\u{201C}' | '\u{201D}' | '\u{201E}')
}

/// Whitespace within a line (not a newline): spaces, tabs, NBSP, BOM…
fn is_inline_space(c: char) -> bool {
    c != '\n' && (c.is_whitespace() || c == '\u{FEFF}')
}

/// Ends a bareword or a parameter name.
fn is_delimiter(c: char) -> bool {
    is_inline_space(c)
        || matches!(
            c,
            '\n' | ';' | ',' | '|' | '(' | ')' | '{' | '}' | '&' | '<' | '>'
        )
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Where byte `offset` of `src` falls, counting lines and columns as the lexer does.
fn position_of(src: &str, offset: usize) -> Pos {
    let mut end = offset.min(src.len());
    while !src.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = src[..end].replace("\r\n", "\n").replace('\r', "\n");
    let line = prefix.matches('\n').count() + 1;
    let column = prefix.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Pos { line, column }
}

/// The error for a token longer than [`MAX_TOKEN_BYTES`], reported where the token starts.
fn token_too_long(start: Pos) -> CmdletError {
    CmdletError::at(
        start,
        CmdletErrorKind::LimitExceeded,
        format!("The token is longer than {MAX_TOKEN_BYTES} bytes, the most graphmeet accepts."),
    )
}

/// A too-long quoted piece or variable inside a bareword is reported where the bareword starts.
fn at_token(e: CmdletError, start: Pos) -> CmdletError {
    if e.kind == CmdletErrorKind::LimitExceeded {
        token_too_long(start)
    } else {
        e
    }
}

/// `Err` once `text` exceeds [`MAX_TOKEN_BYTES`].
fn check_token(text: &str, start: Pos) -> Result<(), CmdletError> {
    if text.len() > MAX_TOKEN_BYTES {
        Err(token_too_long(start))
    } else {
        Ok(())
    }
}

/// Tokenizes a whole script.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, CmdletError> {
    if src.len() > MAX_SCRIPT_BYTES {
        return Err(CmdletError::at(
            position_of(src, MAX_SCRIPT_BYTES),
            CmdletErrorKind::LimitExceeded,
            format!(
                "The script is longer than {MAX_SCRIPT_BYTES} bytes (64 KiB), the most graphmeet accepts; split it into several scripts."
            ),
        ));
    }
    let normalized = src.replace("\r\n", "\n").replace('\r', "\n");
    let mut lexer = Lexer {
        chars: normalized.chars().collect(),
        i: 0,
        line: 1,
        column: 1,
        stack: Vec::new(),
        out: Vec::new(),
    };
    lexer.run()?;
    Ok(lexer.out)
}

struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    column: usize,
    stack: Vec<Bracket>,
    out: Vec<Token>,
}

impl Lexer {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.chars.get(self.i + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.i += 1;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.column,
        }
    }

    fn push(&mut self, tok: Tok, pos: Pos) {
        self.out.push(Token { tok, pos });
    }

    fn in_hash(&self) -> bool {
        self.stack.last() == Some(&Bracket::Hash)
    }

    fn open(&mut self, bracket: Bracket, pos: Pos) -> Result<(), CmdletError> {
        if self.stack.len() >= MAX_NESTING {
            return Err(CmdletError::at(
                pos,
                CmdletErrorKind::LimitExceeded,
                format!(
                    "Arrays and hashtables nested more than {MAX_NESTING} deep are not supported."
                ),
            ));
        }
        self.stack.push(bracket);
        Ok(())
    }

    fn close(&mut self, bracket: Bracket, c: char, pos: Pos) -> Result<(), CmdletError> {
        if self.stack.last() == Some(&bracket) {
            self.stack.pop();
            Ok(())
        } else {
            Err(CmdletError::at(
                pos,
                CmdletErrorKind::Syntax,
                format!("Unexpected token '{c}' in expression or statement."),
            ))
        }
    }

    /// A backtick at the cursor followed by optional spaces and then a newline (or the end):
    /// a line continuation. Returns how many characters it spans, newline included.
    fn continuation_len(&self) -> Option<usize> {
        if self.peek() != Some('`') {
            return None;
        }
        let mut n = 1;
        loop {
            match self.peek_at(n) {
                None => return Some(n),
                Some('\n') => return Some(n + 1),
                Some(c) if is_inline_space(c) => n += 1,
                Some(_) => return None,
            }
        }
    }

    /// Skips whitespace, line continuations and comments (not newlines).
    fn skip_trivia(&mut self) -> Result<(), CmdletError> {
        loop {
            match self.peek() {
                Some(c) if is_inline_space(c) => {
                    self.bump();
                }
                Some('`') => match self.continuation_len() {
                    Some(n) => {
                        for _ in 0..n {
                            self.bump();
                        }
                    }
                    None => return Ok(()),
                },
                Some('#') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                Some('<') if self.peek_at(1) == Some('#') => {
                    let pos = self.pos();
                    self.bump();
                    self.bump();
                    loop {
                        match self.bump() {
                            None => {
                                return Err(CmdletError::at(
                                    pos,
                                    CmdletErrorKind::UnterminatedString,
                                    "Missing the terminator '#>' for the block comment.",
                                ))
                            }
                            Some('#') if self.peek() == Some('>') => {
                                self.bump();
                                break;
                            }
                            Some(_) => {}
                        }
                    }
                }
                _ => return Ok(()),
            }
        }
    }

    fn run(&mut self) -> Result<(), CmdletError> {
        loop {
            self.skip_trivia()?;
            let pos = self.pos();
            let Some(c) = self.peek() else {
                self.push(Tok::Eof, pos);
                return Ok(());
            };
            match c {
                '\n' => {
                    self.bump();
                    self.push(Tok::Newline, pos);
                }
                ';' => {
                    self.bump();
                    self.push(Tok::Semi, pos);
                }
                ',' => {
                    self.bump();
                    self.push(Tok::Comma, pos);
                }
                '|' => {
                    self.bump();
                    self.push(Tok::Pipe, pos);
                }
                '(' => {
                    self.bump();
                    self.open(Bracket::Paren, pos)?;
                    self.push(Tok::LParen, pos);
                }
                ')' => {
                    self.bump();
                    self.close(Bracket::Paren, c, pos)?;
                    self.push(Tok::RParen, pos);
                }
                '}' => {
                    self.bump();
                    self.close(Bracket::Hash, c, pos)?;
                    self.push(Tok::RBrace, pos);
                }
                '=' if self.in_hash() => {
                    self.bump();
                    self.push(Tok::Equals, pos);
                }
                '{' => {
                    return Err(CmdletError::at(
                        pos,
                        CmdletErrorKind::UnsupportedSyntax,
                        "Script blocks ({ … }) are not supported; write the values literally.",
                    ))
                }
                '&' => {
                    return Err(CmdletError::at(
                        pos,
                        CmdletErrorKind::UnsupportedSyntax,
                        "The ampersand (&) character is not allowed. The & operator is reserved for future use; wrap an ampersand in double quotation marks (\"&\") to pass it as part of a string.",
                    ))
                }
                '<' | '>' => {
                    return Err(CmdletError::at(
                        pos,
                        CmdletErrorKind::UnsupportedSyntax,
                        format!("Redirection ('{c}') is not supported."),
                    ))
                }
                '@' => {
                    self.bump();
                    match self.peek() {
                        Some('(') => {
                            self.bump();
                            self.open(Bracket::Paren, pos)?;
                            self.push(Tok::AtParen, pos);
                        }
                        Some('{') => {
                            self.bump();
                            self.open(Bracket::Hash, pos)?;
                            self.push(Tok::AtBrace, pos);
                        }
                        Some(q) if is_single_quote(q) || is_double_quote(q) => {
                            return Err(CmdletError::at(
                                pos,
                                CmdletErrorKind::UnsupportedSyntax,
                                "Here-strings (@\" … \"@) are not supported; use a quoted string.",
                            ))
                        }
                        _ => {
                            return Err(CmdletError::at(
                                pos,
                                CmdletErrorKind::UnsupportedSyntax,
                                "The '@' character must be followed by '(' (an array) or '{' (a hashtable); splatting is not supported.",
                            ))
                        }
                    }
                }
                '$' => {
                    self.bump();
                    let name = self.variable_name(pos)?;
                    if name.is_empty() {
                        return Err(CmdletError::at(
                            pos,
                            CmdletErrorKind::UnsupportedSyntax,
                            "Only $null, $true and $false can be used here.",
                        ));
                    }
                    self.push(Tok::Var(name), pos);
                }
                q if is_single_quote(q) => {
                    self.bump();
                    let s = self.single_quoted(pos)?;
                    self.push(Tok::Str(s), pos);
                }
                q if is_double_quote(q) => {
                    self.bump();
                    let s = self.double_quoted(pos)?;
                    self.push(Tok::Str(s), pos);
                }
                d if is_dash(d)
                    && self
                        .peek_at(1)
                        .is_some_and(|n| n.is_alphabetic() || n == '_' || n == '?') =>
                {
                    self.bump();
                    let mut name = String::new();
                    while let Some(n) = self.peek() {
                        if is_delimiter(n)
                            || n == ':'
                            || n == '`'
                            || is_single_quote(n)
                            || is_double_quote(n)
                        {
                            break;
                        }
                        name.push(n);
                        self.bump();
                        check_token(&name, pos)?;
                    }
                    let colon = self.peek() == Some(':');
                    if colon {
                        self.bump();
                    }
                    self.push(Tok::Param { name, colon }, pos);
                }
                _ => {
                    let word = self.bareword()?;
                    self.push(Tok::Word(word), pos);
                }
            }
        }
    }
}
