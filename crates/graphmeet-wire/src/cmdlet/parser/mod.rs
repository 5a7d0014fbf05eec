//! Statements, values and PowerShell's parameter binding.
//!
//! This file reads a statement into commands with their parameters resolved (`Parser`);
//! `spec` holds every cmdlet's parameter table and `bind` converts the values and builds the
//! [`Cmdlet`].

mod bind;
mod spec;

use bind::bind;
use spec::*;

use super::lexer::{Tok, Token};
use super::{
    strip_tag, AppIdsChange, Cmdlet, CmdletError, CmdletErrorKind as K, CommonParams, GrantTarget,
    Pos, Statement,
};

/// A value as written: what PowerShell would hand the binder.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Val {
    Str(String),
    Null,
    Bool(bool),
    List(Vec<Spanned>),
    Hash(Vec<(String, Pos, Spanned)>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Spanned {
    val: Val,
    pos: Pos,
}

impl Spanned {
    /// The value as PowerShell names it in binding errors.
    fn describe(&self) -> String {
        match &self.val {
            Val::Str(s) => s.clone(),
            Val::Null => "$null".into(),
            Val::Bool(true) => "True".into(),
            Val::Bool(false) => "False".into(),
            Val::List(_) => "System.Object[]".into(),
            Val::Hash(_) => "System.Collections.Hashtable".into(),
        }
    }
}
/// A parameter given by name (or bound from a position).
#[derive(Debug)]
struct Bound {
    def: &'static ParamDef,
    pos: Pos,
    /// `None` for a switch without `:value`.
    value: Option<Spanned>,
}

/// One command of a pipeline, its parameters resolved but not yet converted.
struct RawCommand {
    spec: &'static CmdSpec,
    pos: Pos,
    named: Vec<Bound>,
    positional: Vec<Spanned>,
}

pub(crate) struct Parser {
    toks: Vec<Token>,
    i: usize,
}

fn is_value_start(tok: &Tok) -> bool {
    matches!(
        tok,
        Tok::Word(_) | Tok::Str(_) | Tok::Var(_) | Tok::AtParen | Tok::AtBrace | Tok::LParen
    )
}

fn unexpected(token: &Token) -> CmdletError {
    match token.tok {
        Tok::Eof | Tok::Newline => CmdletError::at(
            token.pos,
            K::Syntax,
            "Unexpected end of statement: a value is missing.",
        ),
        _ => CmdletError::at(
            token.pos,
            K::Syntax,
            format!(
                "Unexpected token '{}' in expression or statement.",
                token.tok.describe()
            ),
        ),
    }
}

impl Parser {
    pub(crate) fn new(mut toks: Vec<Token>) -> Self {
        if toks.last().is_none_or(|t| t.tok != Tok::Eof) {
            let pos = toks.last().map_or(Pos { line: 1, column: 1 }, |t| t.pos);
            toks.push(Token { tok: Tok::Eof, pos });
        }
        Parser { toks, i: 0 }
    }

    fn peek(&self) -> &Token {
        let last = self.toks.len().saturating_sub(1);
        &self.toks[self.i.min(last)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        if self.i < self.toks.len() {
            self.i += 1;
        }
        t
    }

    fn skip_newlines(&mut self) {
        while self.peek().tok == Tok::Newline {
            self.next();
        }
    }

    pub(crate) fn script(mut self) -> Result<Vec<Statement>, CmdletError> {
        let mut out = Vec::new();
        loop {
            while matches!(self.peek().tok, Tok::Newline | Tok::Semi) {
                self.next();
            }
            if self.peek().tok == Tok::Eof {
                return Ok(out);
            }
            let pos = self.peek().pos;
            let cmdlet = self.pipeline()?;
            match self.peek().tok {
                Tok::Newline | Tok::Semi | Tok::Eof => {}
                _ => return Err(unexpected(self.peek())),
            }
            out.push(Statement {
                cmdlet,
                line: pos.line,
                column: pos.column,
            });
        }
    }

    fn pipeline(&mut self) -> Result<Cmdlet, CmdletError> {
        let first = self.command()?;
        if self.peek().tok != Tok::Pipe {
            return bind(first, None);
        }
        let pipe = self.next().pos;
        self.skip_newlines();
        if matches!(
            self.peek().tok,
            Tok::Newline | Tok::Semi | Tok::Eof | Tok::Pipe
        ) {
            return Err(CmdletError::at(
                self.peek().pos,
                K::Syntax,
                "An empty pipe element is not allowed.",
            ));
        }
        let second = self.command()?;
        let unsupported = |pos| {
            CmdletError::at(
                pos,
                K::UnsupportedPipeline,
                "Only the pipeline 'Get-CsOnlineUser | Grant-CsApplicationAccessPolicy -PolicyName <name>' is supported.",
            )
        };
        if self.peek().tok == Tok::Pipe {
            return Err(unsupported(self.peek().pos));
        }
        if first.spec.id != CmdId::GetUser || second.spec.id != CmdId::Grant {
            return Err(unsupported(pipe));
        }
        let Cmdlet::GetOnlineUser { identity } = bind(first, None)? else {
            return Err(unsupported(pipe));
        };
        bind(second, Some(identity))
    }

    fn command(&mut self) -> Result<RawCommand, CmdletError> {
        let head = self.next();
        let spec = match &head.tok {
            Tok::Word(name) => find_spec(name).ok_or_else(|| {
                CmdletError::at(
                    head.pos,
                    K::UnknownCmdlet,
                    format!("The term '{name}' is not recognized as a name of a cmdlet, function, script file, or executable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again."),
                )
            })?,
            Tok::Var(name) => {
                return Err(CmdletError::at(
                    head.pos,
                    K::UnsupportedSyntax,
                    format!("Variables are not supported ('${name}'): write each cmdlet with literal values."),
                ))
            }
            _ => {
                return Err(CmdletError::at(
                    head.pos,
                    K::Syntax,
                    format!(
                        "Unexpected token '{}': a statement must start with a cmdlet name.",
                        head.tok.describe()
                    ),
                ))
            }
        };
        let mut cmd = RawCommand {
            spec,
            pos: head.pos,
            named: Vec::new(),
            positional: Vec::new(),
        };
        loop {
            let token = self.peek().clone();
            match &token.tok {
                Tok::Newline | Tok::Semi | Tok::Pipe | Tok::Eof => return Ok(cmd),
                Tok::Param { name, colon } => {
                    self.next();
                    let def = resolve(spec, name, token.pos)?;
                    if cmd.named.iter().any(|b| std::ptr::eq(b.def, def)) {
                        return Err(duplicate(def, token.pos));
                    }
                    let value = if *colon {
                        if !is_value_start(&self.peek().tok) {
                            return Err(missing_argument(def, token.pos));
                        }
                        Some(self.value_list()?)
                    } else if def.kind == Kind::Switch {
                        None
                    } else if is_value_start(&self.peek().tok) {
                        Some(self.value_list()?)
                    } else {
                        return Err(missing_argument(def, token.pos));
                    };
                    cmd.named.push(Bound {
                        def,
                        pos: token.pos,
                        value,
                    });
                }
                t if is_value_start(t) => {
                    let v = self.value_list()?;
                    cmd.positional.push(v);
                }
                Tok::Comma => {
                    return Err(CmdletError::at(
                        token.pos,
                        K::Syntax,
                        "Missing expression after unary operator ','.",
                    ))
                }
                _ => return Err(unexpected(&token)),
            }
        }
    }

    /// `element (, element)*`; newlines may follow a comma.
    fn value_list(&mut self) -> Result<Spanned, CmdletError> {
        let first = self.element()?;
        if self.peek().tok != Tok::Comma {
            return Ok(first);
        }
        let pos = first.pos;
        let mut items = vec![first];
        while self.peek().tok == Tok::Comma {
            let comma = self.next();
            self.skip_newlines();
            if !is_value_start(&self.peek().tok) {
                return Err(CmdletError::at(
                    comma.pos,
                    K::Syntax,
                    "Missing expression after ','.",
                ));
            }
            items.push(self.element()?);
        }
        Ok(Spanned {
            val: Val::List(items),
            pos,
        })
    }

    fn element(&mut self) -> Result<Spanned, CmdletError> {
        let token = self.next();
        let pos = token.pos;
        let val = match token.tok {
            Tok::Word(s) | Tok::Str(s) => Val::Str(s),
            Tok::Var(name) => match name.to_ascii_lowercase().as_str() {
                "null" => Val::Null,
                "true" => Val::Bool(true),
                "false" => Val::Bool(false),
                _ => {
                    return Err(CmdletError::at(
                        pos,
                        K::UnsupportedSyntax,
                        format!("Variables are not supported ('${name}'): only $null, $true and $false can be used."),
                    ))
                }
            },
            Tok::AtParen | Tok::LParen => {
                let array = token.tok == Tok::AtParen;
                let mut items = Vec::new();
                loop {
                    while matches!(self.peek().tok, Tok::Newline | Tok::Semi) {
                        self.next();
                    }
                    let t = self.peek().clone();
                    match t.tok {
                        Tok::RParen => {
                            self.next();
                            break;
                        }
                        Tok::Eof => {
                            return Err(CmdletError::at(
                                pos,
                                K::Syntax,
                                "Missing closing ')' in expression.",
                            ))
                        }
                        ref tok if is_value_start(tok) => {
                            let v = self.value_list()?;
                            match v.val {
                                Val::List(inner) if array => items.extend(inner),
                                _ => items.push(v),
                            }
                        }
                        _ => return Err(unexpected(&t)),
                    }
                }
                if array {
                    Val::List(items)
                } else {
                    match items.len() {
                        0 => {
                            return Err(CmdletError::at(
                                pos,
                                K::Syntax,
                                "An expression was expected after '('.",
                            ))
                        }
                        1 => return Ok(items.remove(0)),
                        _ => Val::List(items),
                    }
                }
            }
            Tok::AtBrace => self.hash(pos)?,
            _ => return Err(unexpected(&token)),
        };
        Ok(Spanned { val, pos })
    }

    /// The rest of `@{ key = value; … }`.
    fn hash(&mut self, open: Pos) -> Result<Val, CmdletError> {
        let mut entries: Vec<(String, Pos, Spanned)> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        loop {
            while matches!(self.peek().tok, Tok::Newline | Tok::Semi) {
                self.next();
            }
            let token = self.next();
            let key = match token.tok {
                Tok::RBrace => return Ok(Val::Hash(entries)),
                Tok::Eof => {
                    return Err(CmdletError::at(
                        open,
                        K::Syntax,
                        "Missing closing '}' in hash literal.",
                    ))
                }
                Tok::Word(k) | Tok::Str(k) => k,
                _ => {
                    return Err(CmdletError::at(
                        token.pos,
                        K::Syntax,
                        "Missing key before '=' in hash literal.",
                    ))
                }
            };
            if self.peek().tok != Tok::Equals {
                return Err(CmdletError::at(
                    self.peek().pos,
                    K::Syntax,
                    "Missing '=' operator after key in hash literal.",
                ));
            }
            self.next();
            self.skip_newlines();
            if !is_value_start(&self.peek().tok) {
                return Err(CmdletError::at(
                    self.peek().pos,
                    K::Syntax,
                    "Missing statement after '=' in hash literal.",
                ));
            }
            let value = self.value_list()?;
            if !seen.insert(key.to_lowercase()) {
                return Err(CmdletError::at(
                    token.pos,
                    K::Syntax,
                    format!("Duplicate keys '{key}' are not allowed in hash literals."),
                ));
            }
            entries.push((key, token.pos, value));
            match self.peek().tok {
                Tok::Newline | Tok::Semi | Tok::RBrace => {}
                Tok::Eof => {
                    return Err(CmdletError::at(
                        open,
                        K::Syntax,
                        "Missing closing '}' in hash literal.",
                    ))
                }
                _ => return Err(unexpected(self.peek())),
            }
        }
    }
}

fn duplicate(def: &ParamDef, pos: Pos) -> CmdletError {
    CmdletError::at(
        pos,
        K::DuplicateParameter,
        format!("Cannot bind parameter because parameter '{}' is specified more than once. To provide multiple values to parameters that can accept multiple values, use the array syntax. For example, \"-parameter value1,value2,value3\".", def.name),
    )
}

fn missing_argument(def: &ParamDef, pos: Pos) -> CmdletError {
    let type_name = match def.kind {
        Kind::Value(t) => t,
        Kind::Switch => "System.Management.Automation.SwitchParameter",
    };
    CmdletError::at(
        pos,
        K::MissingArgument,
        format!(
            "Missing an argument for parameter '{}'. Specify a parameter of type '{type_name}' and try again.",
            def.name
        ),
    )
}
