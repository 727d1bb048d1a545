//! The endpoint module of the generated crate: `Params`, `Config`, the
//! compiled decision diagram of the rules (`resolve`), the partition table,
//! and the parameters each operation fills (`EndpointParams`).
//!
//! Every rules expression compiles to a Rust expression of type
//! `Option<T>` (`None`: the value is not set), so that `isSet` and
//! `coalesce` see unset values as the rules do; the optimizer removes what
//! is always set. Strings keep the lifetime of the parameters where they
//! can (`&'a str`), and are owned (`Cow<'a, str>`) only where a function
//! builds them.

use std::cell::RefCell;
use std::collections::BTreeMap;

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use super::docs;
use crate::ir::*;
use crate::naming::ident;

/// How a compiled value is represented: the `T` of its `Option<T>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repr {
    /// `&'a str`: borrowed from the parameters, or static.
    Ref,
    /// `&str` borrowed from the resolver's scope.
    Scoped,
    /// `Cow<'a, str>`: built by a function.
    Cow,
    Bool,
    Int,
    /// `Vec<&'a str>`.
    Vec,
    /// `&[&'a str]`, borrowed.
    Slice,
    /// `rt::Pieces<'a>`: the parts of a split string, found as they are read.
    Pieces,
    /// `&'static rt::PartitionOutputs`.
    Partition,
    /// `&rt::Url<'a>`, borrowed from the scope.
    Url,
    /// `rt::Url<'a>`.
    UrlOwned,
    /// `&rt::Arn<'a>`, borrowed from the scope.
    Arn,
    /// `rt::Arn<'a>`.
    ArnOwned,
}

/// A compiled expression: its code, how its value is represented, and
/// whether the code is `T` (always set: `plain`) or `Option<T>`.
#[derive(Debug, Clone)]
struct Code {
    code: TokenStream,
    repr: Repr,
    plain: bool,
}

impl Code {
    fn plain(code: TokenStream, repr: Repr) -> Self {
        Code {
            code,
            repr,
            plain: true,
        }
    }
    fn opt(code: TokenStream, repr: Repr) -> Self {
        Code {
            code,
            repr,
            plain: false,
        }
    }
    /// The code as an `Option<T>`.
    fn option(&self) -> TokenStream {
        let c = &self.code;
        if self.plain {
            quote!(Some(#c))
        } else {
            c.clone()
        }
    }
    /// The code as a `T`, in a function returning `Option` (`?` on unset).
    fn value(&self) -> TokenStream {
        let c = &self.code;
        if self.plain { c.clone() } else { quote!(#c?) }
    }
    /// Applies `f` to the value: `f(v)` when plain, else `v.map(f)` (or
    /// `and_then` when `partial`: `f` itself returns an `Option`).
    fn apply(&self, var: TokenStream, body: TokenStream, repr: Repr, partial: bool) -> Code {
        let c = &self.code;
        match (self.plain, partial) {
            (true, false) => Code::plain(quote!({ let #var = #c; #body }), repr),
            (true, true) => Code::opt(quote!({ let #var = #c; #body }), repr),
            (false, false) => Code::opt(quote!((#c).map(|#var| #body)), repr),
            (false, true) => Code::opt(quote!((#c).and_then(|#var| #body)), repr),
        }
    }
}

/// The compiler of one rule set.
struct Compiler<'e> {
    e: &'e Endpoints,
    /// The representation each variable is stored in, once known.
    stored: RefCell<BTreeMap<usize, Repr>>,
    /// Shared statics by their value's text: (name prefix, number, `: type = value`).
    statics: RefCell<BTreeMap<String, (String, usize, TokenStream)>>,
    /// The strings results read, numbered in order of first use: the text
    /// of each one's code, and the code (an `Option<&'a str>`).
    texts: RefCell<Vec<(String, TokenStream)>>,
}

type Compiled = Result<Code, String>;

impl<'e> Compiler<'e> {
    fn new(e: &'e Endpoints) -> Self {
        Compiler {
            e,
            stored: RefCell::new(BTreeMap::new()),
            statics: RefCell::new(BTreeMap::new()),
            texts: RefCell::new(Vec::new()),
        }
    }

    /// How variable `v` is stored: decided by the expression assigning it.
    fn storage(&self, v: usize) -> Result<Repr, String> {
        if let Some(r) = self.stored.borrow().get(&v) {
            return Ok(*r);
        }
        let cond = self
            .e
            .conditions
            .iter()
            .find(|c| c.assign == Some(v))
            .ok_or_else(|| format!("variable `{}` is never assigned", self.e.vars[v].name))?;
        let repr = self.expr(&cond.expr)?.repr;
        let stored = match repr {
            Repr::Scoped => Repr::Cow,
            Repr::Slice => Repr::Vec,
            Repr::Url => Repr::UrlOwned,
            Repr::Arn => Repr::ArnOwned,
            r => r,
        };
        self.stored.borrow_mut().insert(v, stored);
        Ok(stored)
    }

    /// The field type of variable `v` in the scope.
    fn storage_type(&self, v: usize) -> Result<TokenStream, String> {
        Ok(match self.storage(v)? {
            Repr::Ref => quote!(Option<&'a str>),
            Repr::Cow | Repr::Scoped => quote!(Option<Cow<'a, str>>),
            Repr::Bool => quote!(Option<bool>),
            Repr::Int => quote!(Option<i64>),
            Repr::Vec | Repr::Slice => quote!(Option<Vec<&'a str>>),
            Repr::Pieces => quote!(Option<rt::Pieces<'a>>),
            Repr::Partition => quote!(Option<&'static rt::PartitionOutputs>),
            Repr::Url | Repr::UrlOwned => quote!(Option<rt::Url<'a>>),
            Repr::Arn | Repr::ArnOwned => quote!(Option<rt::Arn<'a>>),
        })
    }

    /// `c` as an `Option` converted for storing in variable `v`.
    fn to_storage(&self, v: usize, c: &Code) -> Result<TokenStream, String> {
        let to = self.storage(v)?;
        let code = c.option();
        Ok(match (c.repr, to) {
            (a, b) if a == b => code,
            (Repr::Scoped, Repr::Cow) => quote!((#code).map(|v| Cow::Owned(v.to_owned()))),
            (Repr::Ref, Repr::Cow) => quote!((#code).map(Cow::Borrowed)),
            (Repr::Slice | Repr::Pieces, Repr::Vec) => quote!((#code).map(|v| v.to_vec())),
            (Repr::Url, Repr::UrlOwned) | (Repr::Arn, Repr::ArnOwned) => quote!((#code).cloned()),
            (a, b) => return Err(format!("cannot store a {a:?} value in a {b:?} variable")),
        })
    }

    fn expr(&self, e: &RuleExpr) -> Compiled {
        Ok(match &e.kind {
            RuleExprKind::Str(s) => Code::plain(quote!(#s), Repr::Ref),
            RuleExprKind::Bool(b) => Code::plain(quote!(#b), Repr::Bool),
            RuleExprKind::Int(i) => {
                let i = Literal::i64_unsuffixed(*i);
                Code::plain(quote!(#i), Repr::Int)
            }
            RuleExprKind::Template(parts) => {
                let all_plain = parts.iter().all(|p| match p {
                    TemplatePart::Lit(_) => true,
                    TemplatePart::Value(v) => self.expr(v).is_ok_and(|c| c.plain),
                });
                let direct = self.direct(e)?;
                if all_plain {
                    Code::plain(quote!(Cow::<'a, str>::Owned(#direct)), Repr::Cow)
                } else {
                    Code::opt(
                        quote!((|| Some(#direct))().map(Cow::<'a, str>::Owned)),
                        Repr::Cow,
                    )
                }
            }
            RuleExprKind::Param(i) => {
                let p = &self.e.params[*i];
                let f = ident(&p.field);
                let plain = p.default.is_some();
                let (code, repr) = match p.ty {
                    RuleType::StrArray if plain => (quote!(p.#f.as_slice()), Repr::Slice),
                    RuleType::StrArray => (quote!(p.#f.as_deref()), Repr::Slice),
                    RuleType::Str => (quote!(p.#f), Repr::Ref),
                    RuleType::Bool => (quote!(p.#f), Repr::Bool),
                    ty => return Err(format!("a parameter of type {ty:?}")),
                };
                Code { code, repr, plain }
            }
            RuleExprKind::Var(v) => {
                let f = ident(&self.e.vars[*v].field);
                let (code, repr) = match self.storage(*v)? {
                    Repr::Ref => (quote!(s.#f), Repr::Ref),
                    Repr::Cow => (quote!(s.#f.as_deref()), Repr::Scoped),
                    Repr::Bool => (quote!(s.#f), Repr::Bool),
                    Repr::Int => (quote!(s.#f), Repr::Int),
                    Repr::Vec => (quote!(s.#f.as_deref()), Repr::Slice),
                    Repr::Pieces => (quote!(s.#f), Repr::Pieces),
                    Repr::Partition => (quote!(s.#f), Repr::Partition),
                    Repr::UrlOwned => (quote!(s.#f.as_ref()), Repr::Url),
                    Repr::ArnOwned => (quote!(s.#f.as_ref()), Repr::Arn),
                    r => return Err(format!("a variable stored as {r:?}")),
                };
                Code::opt(code, repr)
            }
            RuleExprKind::Call(f, args) => self.call(*f, args)?,
            RuleExprKind::Attr(of, steps) => {
                let mut c = self.expr(of)?;
                for step in steps {
                    c = attr(&c, step)?;
                }
                c
            }
        })
    }

    /// Two values compared with `==`.
    fn equals(&self, a: &RuleExpr, b: &RuleExpr) -> Compiled {
        // A boolean compared with a literal is the boolean, or its negation;
        // a string compared with "" is asked whether it is empty.
        for (x, lit) in [(a, b), (b, a)] {
            if matches!(&lit.kind, RuleExprKind::Str(s) if s.is_empty()) {
                let x = self.expr(x)?;
                return Ok(x.apply(quote!(v), quote!(v.is_empty()), Repr::Bool, false));
            }
            if let RuleExprKind::Bool(want) = lit.kind {
                let x = self.expr(x)?;
                return Ok(if want {
                    x
                } else {
                    x.apply(quote!(v), quote!(!v), Repr::Bool, false)
                });
            }
        }
        // A substring compared with a non-empty literal (directly, or
        // through coalesce with another literal): the bytes at its place
        // are compared first, and the whole text is checked for ASCII (as
        // substring must) only when they match.
        for (x, lit) in [(a, b), (b, a)] {
            let RuleExprKind::Str(want) = &lit.kind else {
                continue;
            };
            let substring = match &x.kind {
                RuleExprKind::Call(RuleFn::Substring, args) => Some(args),
                RuleExprKind::Call(RuleFn::Coalesce, args) => match args.as_slice() {
                    [first, fallback] if matches!(&fallback.kind, RuleExprKind::Str(f) if f != want) => {
                        match &first.kind {
                            RuleExprKind::Call(RuleFn::Substring, args) => Some(args),
                            _ => None,
                        }
                    }
                    _ => None,
                },
                _ => None,
            };
            let Some(args) = substring.filter(|args| args.len() == 4 && !want.is_empty()) else {
                continue;
            };
            let s = self.expr(&args[0])?;
            if matches!(s.repr, Repr::Ref | Repr::Scoped) {
                let (start, stop, rev) = (int(&args[1])?, int(&args[2])?, boolean(&args[3])?);
                let (start, stop) = (
                    Literal::usize_unsuffixed(start as usize),
                    Literal::usize_unsuffixed(stop as usize),
                );
                let test = quote!(rt::substring_is(v, #start, #stop, #rev, #want));
                return Ok(s.apply(quote!(v), test, Repr::Bool, false));
            }
        }
        let (a, b) = (self.expr(a)?, self.expr(b)?);
        let (sa, sb) = (as_str(quote!(a), a.repr), as_str(quote!(b), b.repr));
        let (ca, cb) = (&a.code, &b.code);
        Ok(match (a.plain, b.plain) {
            (true, true) => {
                let (sa, sb) = (as_str(quote!((#ca)), a.repr), as_str(quote!((#cb)), b.repr));
                Code::plain(quote!(#sa == #sb), Repr::Bool)
            }
            (false, true) => {
                let sb = as_str(quote!((#cb)), b.repr);
                Code::opt(quote!((#ca).map(|a| #sa == #sb)), Repr::Bool)
            }
            (true, false) => {
                let sa = as_str(quote!((#ca)), a.repr);
                Code::opt(quote!((#cb).map(|b| #sa == #sb)), Repr::Bool)
            }
            (false, false) => Code::opt(
                quote!(match (#ca, #cb) { (Some(a), Some(b)) => Some(#sa == #sb), _ => None }),
                Repr::Bool,
            ),
        })
    }

    fn call(&self, f: RuleFn, args: &[RuleExpr]) -> Compiled {
        let arg = |i: usize| self.expr(&args[i]);
        Ok(match f {
            RuleFn::IsSet => {
                let a = arg(0)?;
                if a.plain {
                    Code::plain(quote!(true), Repr::Bool)
                } else {
                    let c = &a.code;
                    Code::plain(quote!((#c).is_some()), Repr::Bool)
                }
            }
            RuleFn::Not => arg(0)?.apply(quote!(v), quote!(!v), Repr::Bool, false),
            RuleFn::BooleanEquals | RuleFn::StringEquals => self.equals(&args[0], &args[1])?,
            RuleFn::Substring => {
                let s = arg(0)?;
                let (start, stop, rev) = (int(&args[1])?, int(&args[2])?, boolean(&args[3])?);
                let (start, stop) = (
                    Literal::usize_unsuffixed(start as usize),
                    Literal::usize_unsuffixed(stop as usize),
                );
                match s.repr {
                    Repr::Ref | Repr::Scoped => s.apply(
                        quote!(v),
                        quote!(rt::substring(v, #start, #stop, #rev)),
                        s.repr,
                        true,
                    ),
                    Repr::Cow => s.apply(
                        quote!(v),
                        quote!(rt::substring(&v, #start, #stop, #rev).map(|r| Cow::Owned(r.to_owned()))),
                        Repr::Cow,
                        true,
                    ),
                    r => return Err(format!("substring of a {r:?} value")),
                }
            }
            RuleFn::UriEncode => {
                let s = arg(0)?;
                match s.repr {
                    Repr::Ref => s.apply(quote!(v), quote!(rt::uri_encode(v)), Repr::Cow, false),
                    Repr::Scoped | Repr::Cow => s.apply(
                        quote!(v),
                        quote!(Cow::Owned(rt::uri_encode(&v).into_owned())),
                        Repr::Cow,
                        false,
                    ),
                    r => return Err(format!("uriEncode of a {r:?} value")),
                }
            }
            RuleFn::ParseUrl | RuleFn::ParseArn => {
                let s = arg(0)?;
                if s.repr != Repr::Ref {
                    return Err(format!("{f:?} of a computed string"));
                }
                let (func, repr) = if f == RuleFn::ParseUrl {
                    (quote!(rt::parse_url), Repr::UrlOwned)
                } else {
                    (quote!(rt::parse_arn), Repr::ArnOwned)
                };
                if s.plain {
                    let c = &s.code;
                    Code::opt(quote!(#func(#c)), repr)
                } else {
                    let c = &s.code;
                    Code::opt(quote!((#c).and_then(#func)), repr)
                }
            }
            RuleFn::IsValidHostLabel | RuleFn::IsVirtualHostableS3Bucket => {
                let s = arg(0)?;
                let b = boolean(&args[1])?;
                let v = as_str(quote!(v), s.repr);
                let func = if f == RuleFn::IsValidHostLabel {
                    quote!(rt::is_valid_host_label)
                } else {
                    quote!(rt::is_virtual_hostable_s3_bucket)
                };
                s.apply(quote!(v), quote!(#func(#v, #b)), Repr::Bool, false)
            }
            RuleFn::Split => {
                let s = arg(0)?;
                if s.repr != Repr::Ref {
                    return Err("split of a computed string".into());
                }
                let RuleExprKind::Str(d) = &args[1].kind else {
                    return Err("split's delimiter must be a literal".into());
                };
                let limit = Literal::usize_unsuffixed(int(&args[2])?.max(0) as usize);
                s.apply(
                    quote!(v),
                    quote!(rt::split_parts(v, #d, #limit)),
                    Repr::Pieces,
                    false,
                )
            }
            RuleFn::Partition => {
                let s = arg(0)?;
                let v = as_str(quote!(v), s.repr);
                s.apply(
                    quote!(v),
                    quote!(rt::partition_in(&PARTITIONS, &REGIONS, #v)),
                    Repr::Partition,
                    true,
                )
            }
            RuleFn::Coalesce => {
                let compiled = args
                    .iter()
                    .map(|a| self.expr(a))
                    .collect::<Result<Vec<_>, _>>()?;
                // Arguments after an always-set one are never reached.
                let used = compiled
                    .iter()
                    .position(|c| c.plain)
                    .map_or(compiled.len(), |i| i + 1);
                let (codes, repr) = unify(compiled[..used].to_vec())?;
                let mut acc = codes[0].clone();
                for next in &codes[1..] {
                    let (a, n) = (&acc.code, &next.code);
                    acc = if next.plain {
                        Code::plain(quote!((#a).unwrap_or(#n)), repr)
                    } else {
                        Code::opt(quote!((#a).or(#n)), repr)
                    };
                }
                acc
            }
            RuleFn::Ite => {
                let c = arg(0)?;
                let cond = if c.plain {
                    c.code.clone()
                } else {
                    let cc = &c.code;
                    quote!((#cc).unwrap_or(false))
                };
                let (codes, repr) = unify(vec![arg(1)?, arg(2)?])?;
                let plain = codes.iter().all(|c| c.plain);
                let (a, b) = if plain {
                    (codes[0].code.clone(), codes[1].code.clone())
                } else {
                    (codes[0].option(), codes[1].option())
                };
                Code {
                    code: quote!(if #cond { #a } else { #b }),
                    repr,
                    plain,
                }
            }
        })
    }

    /// A string expression as a `String`, in a function returning `Option`
    /// (an unset value returns `None`).
    fn direct(&self, e: &RuleExpr) -> Result<TokenStream, String> {
        match &e.kind {
            RuleExprKind::Str(s) => Ok(quote!(String::from(#s))),
            RuleExprKind::Template(parts) => {
                let parts = parts
                    .iter()
                    .map(|p| match p {
                        TemplatePart::Lit(l) => Ok(quote!(#l)),
                        TemplatePart::Value(v) => {
                            let c = self.expr(v)?;
                            Ok(as_str(c.value(), c.repr))
                        }
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                if let [one] = parts.as_slice() {
                    return Ok(quote!(String::from(#one)));
                }
                Ok(quote!(rt::concat(&[#(#parts),*])))
            }
            _ => {
                let c = self.expr(e)?;
                let v = as_str(c.value(), c.repr);
                Ok(quote!(String::from(#v)))
            }
        }
    }

    /// A string a result writes, as the static parts of an `rt::Part`
    /// array: literals, and the numbers of the strings the rules compute.
    fn parts(&self, e: &RuleExpr) -> Result<Vec<TokenStream>, String> {
        match &e.kind {
            RuleExprKind::Str(s) => Ok(vec![quote!(rt::Part::Lit(#s))]),
            RuleExprKind::Template(parts) => parts
                .iter()
                .filter(|p| !matches!(p, TemplatePart::Lit(l) if l.is_empty()))
                .map(|p| match p {
                    TemplatePart::Lit(l) => Ok(quote!(rt::Part::Lit(#l))),
                    TemplatePart::Value(v) => self.text(v),
                })
                .collect(),
            _ => Ok(vec![self.text(e)?]),
        }
    }

    /// The part of a string the rules compute: its number in `text`.
    fn text(&self, e: &RuleExpr) -> Result<TokenStream, String> {
        let c = self.expr(e)?;
        let option = c.option();
        let code = match c.repr {
            Repr::Ref | Repr::Scoped => option,
            // A string a function builds in place has nowhere to live
            // while the result is written; the rules assign such values to
            // a variable first.
            Repr::Cow => {
                return Err(
                    "a result writes a string a function computes in place (not assigned to a variable)".into(),
                );
            }
            r => return Err(format!("a result writes a {r:?} value as a string")),
        };
        let key = code.to_string();
        let mut texts = self.texts.borrow_mut();
        let k = match texts.iter().position(|(text, _)| *text == key) {
            Some(k) => k,
            None => {
                texts.push((key, code));
                texts.len() - 1
            }
        };
        let k = u16::try_from(k).map_err(|_| "more than 65,536 strings in results".to_owned())?;
        let k = Literal::u16_unsuffixed(k);
        Ok(quote!(rt::Part::Text(#k)))
    }

    /// The arms of `text`.
    fn text_arms(&self) -> Vec<TokenStream> {
        self.texts
            .borrow()
            .iter()
            .enumerate()
            .map(|(k, (_, code))| {
                let k = Literal::u16_unsuffixed(k as u16);
                quote!(#k => #code,)
            })
            .collect()
    }

    /// The static template of a property value; each computed string
    /// becomes the next slot, its code pushed on `slots`.
    fn template(&self, v: &RuleValue, slots: &mut Vec<TokenStream>) -> Result<TokenStream, String> {
        Ok(match v {
            RuleValue::Str(RuleExpr {
                kind: RuleExprKind::Str(s),
                ..
            }) => quote!(rt::Template::Str(#s)),
            RuleValue::Str(e) => {
                let i = Literal::usize_unsuffixed(slots.len());
                let parts = self.parts(e)?;
                slots.push(quote!(&[#(#parts),*]));
                quote!(rt::Template::Slot(#i))
            }
            RuleValue::Bool(b) => quote!(rt::Template::Bool(#b)),
            RuleValue::Int(i) => quote!(rt::Template::Int(#i)),
            RuleValue::Array(items) => {
                let items = items
                    .iter()
                    .map(|i| self.template(i, slots))
                    .collect::<Result<Vec<_>, _>>()?;
                quote!(rt::Template::Array(&[#(#items),*]))
            }
            RuleValue::Object(map) => {
                let entries = map
                    .iter()
                    .map(|(k, v)| Ok((k, self.template(v, slots)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                let entries = entries.iter().map(|(k, v)| quote!((#k, #v)));
                quote!(rt::Template::Object(&[#(#entries),*]))
            }
        })
    }

    /// The name of a static array of `elem` holding `items`, one static per
    /// distinct value.
    fn shared(
        &self,
        prefix: &str,
        elem: TokenStream,
        items: Vec<TokenStream>,
    ) -> proc_macro2::Ident {
        let len = items.len();
        let value = quote!([#(#items),*]);
        let key = format!("{prefix} {value}");
        let mut statics = self.statics.borrow_mut();
        let count = statics.values().filter(|(p, _, _)| p == prefix).count();
        let entry = statics
            .entry(key)
            .or_insert_with(|| (prefix.to_owned(), count, quote!(: [#elem; #len] = #value)));
        quote::format_ident!("{}_{}", entry.0, entry.1)
    }

    /// The statics [`Compiler::shared`] named, in order.
    fn statics(&self) -> Vec<TokenStream> {
        let statics = self.statics.borrow();
        let mut all: Vec<&(String, usize, TokenStream)> = statics.values().collect();
        all.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        all.iter()
            .map(|(prefix, i, typed)| {
                let name = quote::format_ident!("{}_{}", prefix, i);
                quote!(static #name #typed;)
            })
            .collect()
    }

    fn condition(&self, i: usize, c: &RuleCondition) -> Result<TokenStream, String> {
        let index = Literal::usize_unsuffixed(i);
        let x = self.expr(&c.expr)?;
        let code = &x.code;
        let body = match c.assign {
            None if x.repr == Repr::Bool && x.plain => quote!(#code),
            None if x.repr == Repr::Bool => quote!((#code).unwrap_or(false)),
            None if x.plain => quote!(true),
            None => quote!((#code).is_some()),
            Some(v) => {
                let f = ident(&self.e.vars[v].field);
                let stored = self.to_storage(v, &x)?;
                let truth = if x.repr == Repr::Bool {
                    quote!(s.#f.unwrap_or(false))
                } else {
                    quote!(s.#f.is_some())
                };
                quote!({
                    s.#f = #stored;
                    #truth
                })
            }
        };
        Ok(quote!(#index => #body,))
    }

    /// Result `i`'s entry in `OUTCOMES`.
    fn outcome(&self, o: &RuleOutcome) -> Result<TokenStream, String> {
        Ok(match o {
            RuleOutcome::Error(message) => {
                let parts = self.parts(message)?;
                quote!(rt::Outcome::Error(&[#(#parts),*]))
            }
            RuleOutcome::Endpoint {
                url,
                properties,
                headers,
            } => {
                let url = self.parts(url)?;
                // The shapes of the properties and headers are static data,
                // shared by the results that have the same; the strings the
                // rules compute fill their slots.
                let mut slots = Vec::new();
                let props = properties
                    .iter()
                    .map(|(k, v)| Ok((k, self.template(v, &mut slots)?)))
                    .collect::<Result<Vec<_>, String>>()?;
                let props = props.iter().map(|(k, v)| quote!((#k, #v)));
                let headers = headers
                    .iter()
                    .map(|(k, vs)| {
                        let vs = vs
                            .iter()
                            .map(|v| self.template(&RuleValue::Str(v.clone()), &mut slots))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(quote!((#k, &[#(#vs),*] as &[rt::Template])))
                    })
                    .collect::<Result<Vec<_>, String>>()?;
                let props =
                    self.shared("PROPERTIES", quote!((&str, rt::Template)), props.collect());
                let headers = self.shared("HEADERS", quote!((&str, &[rt::Template])), headers);
                quote!(rt::Outcome::Endpoint {
                    url: &[#(#url),*],
                    properties: &#props,
                    headers: &#headers,
                    slots: &[#(#slots),*],
                })
            }
        })
    }
}

/// `v` (of representation `r`) as a `&str`.
fn as_str(v: TokenStream, r: Repr) -> TokenStream {
    match r {
        Repr::Cow => quote!(&*#v),
        _ => v,
    }
}

fn int(e: &RuleExpr) -> Result<i64, String> {
    match e.kind {
        RuleExprKind::Int(i) => Ok(i),
        _ => Err("an integer argument that is not a literal".into()),
    }
}

fn boolean(e: &RuleExpr) -> Result<bool, String> {
    match e.kind {
        RuleExprKind::Bool(b) => Ok(b),
        _ => Err("a boolean argument that is not a literal".into()),
    }
}

/// Values of one type in one representation (for `coalesce` and `ite`).
fn unify(values: Vec<Code>) -> Result<(Vec<Code>, Repr), String> {
    let reprs: Vec<Repr> = values.iter().map(|c| c.repr).collect();
    let all = |f: &dyn Fn(Repr) -> bool| reprs.iter().all(|r| f(*r));
    let target = if all(&|r| r == reprs[0]) {
        reprs[0]
    } else if all(&|r| matches!(r, Repr::Ref | Repr::Scoped)) {
        // `Option::or` meets the two lifetimes.
        return Ok((values, Repr::Scoped));
    } else if all(&|r| matches!(r, Repr::Ref | Repr::Scoped | Repr::Cow)) {
        Repr::Cow
    } else if all(&|r| matches!(r, Repr::Vec | Repr::Slice | Repr::Pieces)) {
        Repr::Vec
    } else if all(&|r| matches!(r, Repr::Url | Repr::UrlOwned)) {
        Repr::UrlOwned
    } else if all(&|r| matches!(r, Repr::Arn | Repr::ArnOwned)) {
        Repr::ArnOwned
    } else {
        return Err(format!("values of different types: {reprs:?}"));
    };
    let codes = values
        .into_iter()
        .map(|c| {
            let body = match (c.repr, target) {
                (a, b) if a == b => return c,
                (Repr::Ref, Repr::Cow) => quote!(Cow::Borrowed(v)),
                (Repr::Scoped, Repr::Cow) => quote!(Cow::Owned(v.to_owned())),
                (Repr::Slice | Repr::Pieces, Repr::Vec) => quote!(v.to_vec()),
                _ => quote!(v.clone()),
            };
            c.apply(quote!(v), body, target, false)
        })
        .collect();
    Ok((codes, target))
}

/// One `getAttr` step.
fn attr(c: &Code, step: &AttrStep) -> Compiled {
    let field = |name: &str| ident(name);
    let total = |body: TokenStream, repr: Repr| c.apply(quote!(v), body, repr, false);
    Ok(match (c.repr, step) {
        (Repr::Partition, AttrStep::Field(f)) => {
            let (name, r) = match f.as_str() {
                "name" => ("name", Repr::Ref),
                "dnsSuffix" => ("dns_suffix", Repr::Ref),
                "dualStackDnsSuffix" => ("dual_stack_dns_suffix", Repr::Ref),
                "implicitGlobalRegion" => ("implicit_global_region", Repr::Ref),
                "supportsFIPS" => ("supports_fips", Repr::Bool),
                "supportsDualStack" => ("supports_dual_stack", Repr::Bool),
                other => return Err(format!("partition attribute `{other}`")),
            };
            let n = field(name);
            total(quote!(v.#n), r)
        }
        (Repr::Url | Repr::UrlOwned, AttrStep::Field(f)) => match f.as_str() {
            "scheme" | "authority" | "path" => {
                let n = field(f);
                total(quote!(v.#n), Repr::Ref)
            }
            "isIp" => total(quote!(v.is_ip), Repr::Bool),
            "normalizedPath" if c.repr == Repr::Url => {
                total(quote!(&*v.normalized_path), Repr::Scoped)
            }
            "normalizedPath" => total(quote!(v.normalized_path), Repr::Cow),
            other => return Err(format!("URL attribute `{other}`")),
        },
        (Repr::Arn | Repr::ArnOwned, AttrStep::Field(f)) => match f.as_str() {
            "partition" | "service" | "region" => {
                let n = field(f);
                total(quote!(v.#n), Repr::Ref)
            }
            "accountId" => total(quote!(v.account_id), Repr::Ref),
            "resourceId" => total(quote!(v.resource_id), Repr::Pieces),
            other => return Err(format!("ARN attribute `{other}`")),
        },
        (Repr::Pieces, AttrStep::Index(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            c.apply(quote!(v), quote!(v.get(#i)), Repr::Ref, true)
        }
        (Repr::Vec | Repr::Slice, AttrStep::Index(i)) => {
            let i = Literal::i64_unsuffixed(*i);
            c.apply(quote!(v), quote!(rt::index(&v, #i)), Repr::Ref, true)
        }
        (r, s) => return Err(format!("getAttr {s:?} of a {r:?} value")),
    })
}

/// The Rust type of a parameter in `Params<'a>`.
fn param_type(p: &EndpointParam) -> TokenStream {
    let inner = match p.ty {
        RuleType::Bool => quote!(bool),
        RuleType::StrArray => quote!(Vec<&'a str>),
        _ => quote!(&'a str),
    };
    if p.default.is_some() {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

/// The Rust type of a parameter in `Config` (owned).
fn config_type(p: &EndpointParam) -> TokenStream {
    let inner = match p.ty {
        RuleType::Bool => quote!(bool),
        RuleType::StrArray => quote!(Vec<String>),
        _ => quote!(String),
    };
    if p.default.is_some() {
        inner
    } else {
        quote!(Option<#inner>)
    }
}

fn literal(v: &RuleLiteral) -> TokenStream {
    match v {
        RuleLiteral::Str(s) => quote!(#s),
        RuleLiteral::Bool(b) => quote!(#b),
        RuleLiteral::StrArray(items) => quote!(vec![#(#items),*]),
    }
}

/// The `src/endpoint.rs` file: the module, with the diagram's nodes written
/// eight to a line (the formatter would give each its own line).
pub(crate) fn file(krate: &Crate, e: &Endpoints) -> Result<String, String> {
    let layout = layout(e)?;
    let text = super::rust(module(krate, e, &layout)?)?;
    let mut table = String::from("[");
    for (i, [c, h, l]) in layout.nodes.iter().enumerate() {
        table.push_str(if i % 8 == 0 { "\n    " } else { " " });
        table.push_str(&format!("[{c}, {h}, {l}],"));
    }
    table.push_str("\n]");
    let placeholder = "= NODE_TABLE;";
    if !text.contains(placeholder) {
        return Err("the endpoint module lost its node table".into());
    }
    Ok(text.replacen(placeholder, &format!("= {table};"), 1))
}

/// The diagram as the resolver walks it: one node per (node, complemented)
/// pair reachable from the root, the complement applied by swapping the
/// node's references, numbered so that every reference is greater than
/// the node's own number (parents before children). A reference of
/// `nodes.len() + i` is result `i + 1`; `nodes.len() + outcomes` (past the
/// last result) is "no rule matched", as are the diagram's terminals.
struct Layout {
    nodes: Vec<[u32; 3]>,
    root: u32,
}

fn layout(e: &Endpoints) -> Result<Layout, String> {
    use crate::lower::endpoint::RESULT_OFFSET;
    let key = |r: i32| -> Option<(usize, bool)> {
        (r != 1 && r != -1 && r < RESULT_OFFSET).then(|| (r.unsigned_abs() as usize - 1, r < 0))
    };
    let node = |(n, complemented): (usize, bool)| -> Result<[i32; 3], String> {
        let [c, h, l] = *e
            .nodes
            .get(n)
            .ok_or_else(|| format!("node {n} does not exist"))?;
        Ok(if complemented { [c, l, h] } else { [c, h, l] })
    };
    // Depth first from the root; the reverse of the order in which nodes
    // are left is a topological order (the diagram is acyclic: lowering
    // checked it).
    let mut left: Vec<(usize, bool)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<((usize, bool), bool)> =
        key(e.root).map(|k| (k, false)).into_iter().collect();
    while let Some((k, leaving)) = stack.pop() {
        if leaving {
            left.push(k);
            continue;
        }
        if !seen.insert(k) {
            continue;
        }
        stack.push((k, true));
        let [_, h, l] = node(k)?;
        for r in [l, h] {
            if let Some(next) = key(r).filter(|next| !seen.contains(next)) {
                stack.push((next, false));
            }
        }
    }
    left.reverse();
    let number: std::collections::HashMap<(usize, bool), usize> =
        left.iter().enumerate().map(|(i, k)| (*k, i)).collect();
    let count = left.len();
    let no_match = count + e.outcomes.len();
    let target = |r: i32| -> usize {
        match key(r) {
            Some(k) => number[&k],
            None if r > RESULT_OFFSET && ((r - RESULT_OFFSET) as usize) <= e.outcomes.len() => {
                count + (r - RESULT_OFFSET) as usize - 1
            }
            None => no_match,
        }
    };
    let wide = |v: usize| u32::try_from(v).map_err(|_| "the diagram has too many nodes".to_owned());
    let mut nodes = Vec::with_capacity(count);
    for (i, k) in left.iter().enumerate() {
        let [c, h, l] = node(*k)?;
        let (h, l) = (target(h), target(l));
        if h <= i || l <= i {
            return Err(format!("node {} is on a cycle", k.0));
        }
        let c = u32::try_from(c).map_err(|_| format!("node {} tests condition {c}", k.0))?;
        nodes.push([c, wide(h)?, wide(l)?]);
    }
    wide(no_match)?;
    Ok(Layout {
        nodes,
        root: wide(target(e.root))?,
    })
}

/// The `src/endpoint.rs` module.
fn module(krate: &Crate, e: &Endpoints, layout: &Layout) -> Result<TokenStream, String> {
    let c = Compiler::new(e);
    let service = krate.service.title.as_deref().unwrap_or("the service");

    // Params.
    let param_fields = e.params.iter().map(|p| {
        let f = ident(&p.field);
        let ty = param_type(p);
        let mut lines = p.docs.clone();
        lines.push(String::new());
        let mut facts = format!("Rule set parameter `{}`", p.name);
        if let Some(b) = &p.built_in {
            facts.push_str(&format!(", built-in `{b}`"));
        }
        match &p.default {
            Some(RuleLiteral::Bool(b)) => facts.push_str(&format!(", default `{b}`")),
            Some(RuleLiteral::Str(s)) => facts.push_str(&format!(", default `{s:?}`")),
            _ => {}
        }
        if p.required && p.default.is_none() {
            facts.push_str(", required");
        }
        facts.push('.');
        lines.push(facts);
        let d = docs(&lines);
        quote!(#d pub #f: #ty,)
    });
    let param_defaults = e.params.iter().map(|p| {
        let f = ident(&p.field);
        match &p.default {
            Some(v) => {
                let v = literal(v);
                quote!(#f: #v,)
            }
            None => quote!(#f: None,),
        }
    });
    // `Default` is derived when every default is the type's own.
    let own_default = |p: &&EndpointParam| match &p.default {
        None => true,
        Some(RuleLiteral::Bool(b)) => !b,
        Some(RuleLiteral::Str(s)) => s.is_empty(),
        Some(RuleLiteral::StrArray(v)) => v.is_empty(),
    };
    let (params_derive, params_default) = if e.params.iter().all(|p| own_default(&p)) {
        (quote!(, Default), quote!())
    } else {
        (
            quote!(),
            quote!(impl Default for Params<'_> {
                fn default() -> Self {
                    Params { #(#param_defaults)* }
                }
            }),
        )
    };
    let set_arms = e.params.iter().map(|p| {
        let name = &p.name;
        let f = ident(&p.field);
        let wrap = |v: TokenStream| {
            if p.default.is_some() {
                v
            } else {
                quote!(Some(#v))
            }
        };
        let (pat, value) = match p.ty {
            RuleType::Bool => (quote!(rt::ParamValue::Bool(v)), wrap(quote!(v))),
            RuleType::StrArray => (quote!(rt::ParamValue::StrArray(v)), wrap(quote!(v))),
            _ => (quote!(rt::ParamValue::Str(v)), wrap(quote!(v))),
        };
        quote!((#name, #pat) => self.#f = #value,)
    });
    let required = e.params.iter().filter(|p| p.required && p.default.is_none()).map(|p| {
        let f = ident(&p.field);
        let msg = format!("the parameter `{}` is required", p.name);
        quote!(if params.#f.is_none() { return Err(rt::ResolveError { message: #msg.into() }); })
    });

    // Config.
    let configurable: Vec<&EndpointParam> = e.params.iter().filter(|p| p.configurable).collect();
    let mut seen = std::collections::BTreeSet::new();
    for p in &configurable {
        if !seen.insert(&p.field) {
            return Err(format!(
                "two configurable parameters share the field `{}`",
                p.field
            ));
        }
    }
    let config_fields = configurable.iter().map(|p| {
        let f = ident(&p.field);
        let ty = config_type(p);
        let mut lines = p.docs.clone();
        lines.push(String::new());
        lines.push(match &p.built_in {
            Some(b) => format!("Sets the parameter `{}` (built-in `{b}`).", p.name),
            None => format!(
                "Sets the parameter `{}` (a client context parameter).",
                p.name
            ),
        });
        let d = docs(&lines);
        quote!(#d pub #f: #ty,)
    });
    let config_defaults = configurable.iter().map(|p| {
        let f = ident(&p.field);
        match &p.default {
            Some(RuleLiteral::Str(s)) => quote!(#f: String::from(#s),),
            Some(RuleLiteral::Bool(b)) => quote!(#f: #b,),
            _ => quote!(#f: None,),
        }
    });
    let (config_derive, config_default) = if configurable.iter().all(own_default) {
        (quote!(, Default), quote!())
    } else {
        (
            quote!(),
            quote!(impl Default for Config {
                fn default() -> Self {
                    Config { #(#config_defaults)* }
                }
            }),
        )
    };
    let config_setters = configurable.iter().map(|p| {
        let f = ident(&p.field);
        let setter = ident(&format!("with_{}", crate::naming::unraw(&p.field)));
        let doc = format!(" Sets `{}`.", crate::naming::unraw(&p.field));
        let (arg, value) = match p.ty {
            RuleType::Bool => (quote!(bool), quote!(value)),
            RuleType::StrArray => (quote!(Vec<String>), quote!(value)),
            _ => (quote!(impl Into<String>), quote!(value.into())),
        };
        let value = if p.default.is_some() {
            value
        } else {
            quote!(Some(#value))
        };
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: #arg) -> Self {
                self.#f = #value;
                self
            }
        }
    });
    let config_to_params = configurable.iter().map(|p| {
        let f = ident(&p.field);
        let v = match (p.ty, p.default.is_some()) {
            (RuleType::Bool, _) => quote!(self.#f),
            (RuleType::StrArray, false) => {
                quote!(self.#f.as_ref().map(|v| v.iter().map(String::as_str).collect()))
            }
            (RuleType::StrArray, true) => quote!(self.#f.iter().map(String::as_str).collect()),
            (_, false) => quote!(self.#f.as_deref()),
            (_, true) => quote!(self.#f.as_str()),
        };
        quote!(#f: #v,)
    });
    let config_set_arms = configurable.iter().map(|p| {
        let f = ident(&p.field);
        let keys: Vec<&str> = std::iter::once(p.name.as_str())
            .chain(p.built_in.as_deref())
            .collect();
        let wrap = |v: TokenStream| {
            if p.default.is_some() {
                v
            } else {
                quote!(Some(#v))
            }
        };
        let (pat, value) = match p.ty {
            RuleType::Bool => (quote!(rt::ParamValue::Bool(v)), wrap(quote!(v))),
            RuleType::StrArray => (
                quote!(rt::ParamValue::StrArray(v)),
                wrap(quote!(v.into_iter().map(String::from).collect())),
            ),
            _ => (quote!(rt::ParamValue::Str(v)), wrap(quote!(v.to_owned()))),
        };
        quote!((#(#keys)|*, #pat) => self.#f = #value,)
    });

    // The scope of assigned variables.
    let scope_fields = e
        .vars
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let f = ident(&v.field);
            let ty = c.storage_type(i)?;
            let doc = format!(" `{}`", v.name);
            Ok(quote!(#[doc = #doc] #f: #ty,))
        })
        .collect::<Result<Vec<_>, String>>()?;

    let conditions = e
        .conditions
        .iter()
        .enumerate()
        .map(|(i, cond)| {
            c.condition(i, cond)
                .map_err(|err| format!("endpoint condition {i}: {err}"))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let outcomes = e
        .outcomes
        .iter()
        .enumerate()
        .map(|(i, o)| {
            c.outcome(o)
                .map_err(|err| format!("endpoint result {}: {err}", i + 1))
        })
        .collect::<Result<Vec<_>, String>>()?;
    let outcome_count = outcomes.len();
    let text_arms = c.text_arms();

    let statics = c.statics();
    let node_count = layout.nodes.len();
    let root = Literal::u32_unsuffixed(layout.root);
    // The narrowest type that holds every reference.
    let node_type = if u16::try_from(node_count + outcomes.len()).is_ok() {
        quote!(u16)
    } else {
        quote!(u32)
    };
    let partitions = partition_table(&e.partitions);

    let docs_text = format!(
        " Endpoints of {service}, resolved from the service's own rules (`smithy.rules#endpointBdd`).\n\n \
         [`resolve`](crate::endpoint::resolve) takes the rule set's [`Params`](crate::endpoint::Params) and returns the [`Endpoint`](crate::endpoint::Endpoint) (URL, properties such as `authSchemes`, headers) or the rule's error message. [`Config`](crate::endpoint::Config) holds what a client configures (region, FIPS, dual-stack, custom endpoint...); [`build_request`](crate::endpoint::build_request) resolves the endpoint of an operation input and builds its full request.\n\n \
         The rules are compiled as their decision diagram: {} conditions, {} nodes, {} results; each condition is tested at most once per call.",
        e.conditions.len(),
        e.nodes.len(),
        e.outcomes.len()
    );
    Ok(quote! {
        #![doc = #docs_text]
        #![allow(clippy::match_single_binding, clippy::redundant_closure_call, clippy::needless_borrow, clippy::useless_conversion, unused_parens)]

        use std::borrow::Cow;
        use s3_runtime::endpoint as rt;
        pub use s3_runtime::endpoint::{AuthScheme, Endpoint, HeaderValues, ParamValue, ResolveError, Value, ValueRef};

        /// The parameters of the endpoint rules. [`Config::params`] sets the
        /// ones a client configures; [`EndpointParams`] adds the ones an
        /// operation input carries.
        #[derive(Debug, Clone, PartialEq #params_derive)]
        #[non_exhaustive]
        pub struct Params<'a> {
            #(#param_fields)*
        }

        #params_default

        impl<'a> Params<'a> {
            /// Sets the parameter named `name` in the rule set (e.g. `UseFIPS`).
            pub fn set(&mut self, name: &str, value: rt::ParamValue<'a>) -> Result<(), String> {
                match (name, value) {
                    #(#set_arms)*
                    (name, value) => return Err(format!("`{name}` is not a parameter of the endpoint rules, or {value:?} is not of its type")),
                }
                Ok(())
            }
        }

        /// What a client configures: the rule set's built-ins (region, FIPS,
        /// dual-stack, custom endpoint...) and client context parameters,
        /// with the rule set's defaults.
        #[derive(Debug, Clone, PartialEq #config_derive)]
        #[non_exhaustive]
        pub struct Config {
            #(#config_fields)*
        }

        #config_default

        impl Config {
            /// The defaults of the rule set (no region).
            pub fn new() -> Self {
                Self::default()
            }
            #(#config_setters)*

            /// Sets a value by built-in name (`AWS::Region`) or parameter name
            /// (`ForcePathStyle`), as endpoint tests write them.
            pub fn set(&mut self, name: &str, value: rt::ParamValue<'_>) -> Result<(), String> {
                match (name, value) {
                    #(#config_set_arms)*
                    (name, value) => return Err(format!("`{name}` is not a configurable endpoint parameter, or {value:?} is not of its type")),
                }
                Ok(())
            }

            /// The parameters this configuration sets; the others keep
            /// their defaults.
            pub fn params(&self) -> Params<'_> {
                Params {
                    #(#config_to_params)*
                    ..Params::default()
                }
            }
        }

        /// An operation input that fills endpoint parameters: from its
        /// members (`contextParam`), its operation's fixed values
        /// (`staticContextParams`) and paths over it (`operationContextParams`).
        pub trait EndpointParams {
            /// Sets the parameters this input carries.
            fn endpoint_params<'a>(&'a self, params: &mut Params<'a>);
        }

        #[cfg(feature = "client")]
        impl s3_runtime::client::Configure for Config {
            fn set(&mut self, name: &str, value: rt::ParamValue<'_>) -> Result<(), String> {
                Config::set(self, name, value)
            }
        }

        #[cfg(feature = "client")]
        impl<I: crate::Input + EndpointParams> s3_runtime::client::BuildAt<I> for Config {
            fn endpoint_for(&self, input: &I) -> Result<Endpoint, crate::error::BuildError> {
                Ok(resolve_input(self, input)?)
            }
        }

        /// The endpoint of `input` under `config`.
        pub fn resolve_input<I: EndpointParams>(config: &Config, input: &I) -> Result<Endpoint, ResolveError> {
            let mut params = config.params();
            input.endpoint_params(&mut params);
            resolve(&params)
        }

        /// Builds the full request of operation `O` for `input` under
        /// `config`: the resolved endpoint's URL joined with the operation's
        /// path and query (a path label the endpoint carries, such as a
        /// bucket, leaves the path), a `host` header and the endpoint's
        /// headers. Sign it with the endpoint's auth scheme
        /// ([`Endpoint::auth_schemes`]).
        pub fn build_request<O: crate::Operation>(config: &Config, input: &O::Input) -> Result<(http::Request<Vec<u8>>, Endpoint), crate::error::BuildError>
        where
            O::Input: EndpointParams,
        {
            let endpoint = resolve_input(config, input)?;
            let request = crate::Input::to_http_request_at(input, Some(&endpoint))?;
            Ok((request, endpoint))
        }

        /// Resolves the endpoint for `params`.
        pub fn resolve(params: &Params<'_>) -> Result<Endpoint, ResolveError> {
            #(#required)*
            let mut scope = Scope::default();
            let mut r = ROOT;
            // Every reference of a node is greater than the node's own
            // number, so the walk ends, after at most one test per node.
            while let Some(&[condition, high, low]) = NODES.get(r as usize) {
                r = if test(condition as usize, params, &mut scope) { high } else { low };
            }
            // The results follow the nodes; past the last, no rule matched.
            match OUTCOMES.get((r as usize).wrapping_sub(NODES.len())) {
                Some(o) => o.resolve(&|k| text(k, params, &scope)),
                None => no_match(),
            }
        }

        #(#statics)*

        /// The results, in order: what each writes, the strings the rules
        /// compute read by their number in [`text`].
        static OUTCOMES: [rt::Outcome; #outcome_count] = [#(#outcomes),*];

        fn no_match() -> Result<Endpoint, ResolveError> {
            Err(rt::ResolveError::no_match())
        }

        const ROOT: #node_type = #root;

        /// The diagram's nodes, as `resolve` walks them: (condition, the
        /// reference if it holds, the reference if not); a reference of
        /// `NODES.len() + i` is `OUTCOMES[i]`.
        static NODES: [[#node_type; 3]; #node_count] = NODE_TABLE;

        /// The values conditions assign, as the resolve goes.
        #[derive(Default)]
        struct Scope<'a> {
            #(#scope_fields)*
        }

        /// Tests condition `i`.
        fn test<'a>(i: usize, p: &Params<'a>, s: &mut Scope<'a>) -> bool {
            match i {
                #(#conditions)*
                _ => false,
            }
        }

        /// String `k` of the results; `None` when the rules left it unset.
        fn text<'a>(k: u16, p: &Params<'a>, s: &'a Scope<'a>) -> Option<&'a str> {
            match k {
                #(#text_arms)*
                _ => None,
            }
        }

        #partitions
    })
}

fn partition_table(parts: &[PartitionDef]) -> TokenStream {
    if parts.is_empty() {
        return quote!(
            #[allow(dead_code)]
            static PARTITIONS: [rt::Partition; 0] = [];
            #[allow(dead_code)]
            static REGIONS: rt::RegionIndex = rt::RegionIndex {
                seed: 0,
                slots: &[],
                regions: &[],
            };
        );
    }
    let outputs = |o: &PartitionOutputsDef| {
        let (n, d, ds, g, f, dss) = (
            &o.name,
            &o.dns_suffix,
            &o.dual_stack_dns_suffix,
            &o.implicit_global_region,
            o.supports_fips,
            o.supports_dual_stack,
        );
        quote!(rt::PartitionOutputs {
            name: #n,
            dns_suffix: #d,
            dual_stack_dns_suffix: #ds,
            implicit_global_region: #g,
            supports_fips: #f,
            supports_dual_stack: #dss,
        })
    };
    let count = parts.len();
    // Each partition's outputs are a constant that its regions share,
    // unless a region overrides some of them.
    let consts = parts.iter().enumerate().map(|(i, p)| {
        let name = quote::format_ident!("OUTPUTS_{}", i);
        let o = outputs(&p.outputs);
        let doc = format!(" The outputs of partition `{}`.", p.id);
        quote!(#[doc = #doc] const #name: rt::PartitionOutputs = #o;)
    });
    let entries = parts.iter().enumerate().map(|(i, p)| {
        let (id, regex) = (&p.id, &p.region_regex);
        let shared = quote::format_ident!("OUTPUTS_{}", i);
        // Sorted by name: the runtime looks them up by binary search.
        let mut sorted: Vec<&(String, PartitionOutputsDef)> = p.regions.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let regions = sorted.into_iter().map(|(name, o)| {
            if *o == p.outputs {
                quote!(rt::Region { name: #name, outputs: &#shared })
            } else {
                let o = outputs(o);
                quote!(rt::Region { name: #name, outputs: &#o })
            }
        });
        quote!(rt::Partition {
            id: #id,
            region_regex: #regex,
            regions: &[#(#regions),*],
            outputs: #shared,
        })
    });
    // The listed regions, by a hash with no two in one slot; a region
    // that several partitions list is the first one's, as the table is
    // searched in order.
    let mut listed: Vec<(&str, TokenStream)> = Vec::new();
    for (i, p) in parts.iter().enumerate() {
        let shared = quote::format_ident!("OUTPUTS_{}", i);
        for (name, o) in &p.regions {
            if listed.iter().any(|(n, _)| n == name) {
                continue;
            }
            let outputs = if *o == p.outputs {
                quote!(&#shared)
            } else {
                let o = outputs(o);
                quote!(&#o)
            };
            listed.push((name, quote!(rt::Region { name: #name, outputs: #outputs })));
        }
    }
    let names: Vec<&str> = listed.iter().map(|(n, _)| *n).collect();
    let (seed, slots) = region_slots(&names);
    let seed = Literal::u32_unsuffixed(seed);
    let slots = slots.into_iter().map(Literal::u16_unsuffixed);
    let regions = listed.iter().map(|(_, r)| r);
    quote! {
        #(#consts)*

        /// The partition table (`partitions.json`) that `aws.partition` reads.
        static PARTITIONS: [rt::Partition; #count] = [#(#entries),*];

        /// The regions the partitions list, by hash.
        static REGIONS: rt::RegionIndex = rt::RegionIndex {
            seed: #seed,
            slots: &[#(#slots),*],
            regions: &[#(#regions),*],
        };
    }
}

/// `s3_runtime::endpoint::region_hash`, which the resolver computes on the
/// region it looks up.
fn region_hash(seed: u32, region: &str) -> u32 {
    const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
    let word = |part: &[u8]| {
        let mut w = [0u8; 8];
        for (to, from) in w.iter_mut().zip(part) {
            *to = *from;
        }
        u64::from_le_bytes(w)
    };
    let bytes = region.as_bytes();
    let n = bytes.len();
    let (first, last) = if n >= 8 {
        (word(&bytes[..8]), word(&bytes[n - 8..]))
    } else {
        (word(bytes), 0)
    };
    let mut hash = ((u64::from(seed) << 32) ^ n as u64 ^ first).wrapping_mul(MIX);
    if n > 16 {
        for chunk in bytes[8..n - 8].chunks(8) {
            hash = (hash ^ word(chunk)).wrapping_mul(MIX);
        }
    }
    hash = (hash ^ last).wrapping_mul(MIX);
    // A product's bits depend on the factor's lower bits only: the high
    // half folded down and mixed again, so that the low bits of the
    // result (the slot) depend on every byte.
    ((hash ^ (hash >> 32)).wrapping_mul(MIX) >> 32) as u32
}

/// A seed and slots (a power of two of them, at least four per name) such
/// that each name's hash, masked, falls in a slot of its own: the slot
/// holds `1 +` the name's place, the others `0`. The first seed that works
/// is taken, so the result depends on the names alone.
fn region_slots(names: &[&str]) -> (u32, Vec<u16>) {
    let mut size = (names.len() * 4).next_power_of_two().max(8);
    loop {
        for seed in 0..10_000u32 {
            let mut slots = vec![0u16; size];
            let fits = names.iter().enumerate().all(|(i, name)| {
                let slot = region_hash(seed, name) as usize & (size - 1);
                match slots.get_mut(slot) {
                    Some(taken @ 0) => {
                        *taken = u16::try_from(i + 1).unwrap_or(u16::MAX);
                        true
                    }
                    _ => false,
                }
            });
            if fits {
                return (seed, slots);
            }
        }
        size *= 2;
    }
}

/// `impl EndpointParams` for an operation's input.
pub(crate) fn fills(op: &OperationDef, e: &Endpoints) -> TokenStream {
    let input = ident(&op.input.name);
    let stmts = op.endpoint_params.iter().map(|fill| {
        let p = &e.params[fill.param];
        let pf = ident(&p.field);
        let wrap = |v: TokenStream| {
            if p.default.is_some() {
                v
            } else {
                quote!(Some(#v))
            }
        };
        match &fill.source {
            FillSource::Static(v) => {
                let v = wrap(literal(v));
                quote!(params.#pf = #v;)
            }
            FillSource::Field(i) => {
                let f = &op.input.fields[*i];
                let fname = ident(&f.name);
                // The value of the member at `place` (a reference to it when
                // `by_ref`), as the parameter takes it.
                let text = |place: TokenStream, by_ref: bool| match &f.ty {
                    Ty::Bool if by_ref => quote!(*#place),
                    Ty::Bool => place,
                    Ty::List { .. } => quote!(#place.iter().map(|i| i.as_str()).collect()),
                    _ => quote!(#place.as_str()),
                };
                if f.optional {
                    let value = wrap(text(quote!(v), true));
                    quote!(if let Some(v) = &self.#fname { params.#pf = #value; })
                } else {
                    let value = wrap(text(quote!(self.#fname), false));
                    quote!(params.#pf = #value;)
                }
            }
            FillSource::Path(steps) => path_fill(steps, &pf, p),
        }
    });
    let stmts: Vec<TokenStream> = stmts.collect();
    // An input that fills no parameter leaves `params` unused.
    let params = if stmts.is_empty() {
        quote!(_params)
    } else {
        quote!(params)
    };
    quote! {
        impl crate::endpoint::EndpointParams for #input {
            fn endpoint_params<'a>(&'a self, #params: &mut crate::endpoint::Params<'a>) {
                #(#stmts)*
            }
        }
    }
}

/// The statements that fill a parameter from a path over the input.
fn path_fill(steps: &[PathStep], pf: &proc_macro2::Ident, p: &EndpointParam) -> TokenStream {
    let projected = steps
        .iter()
        .any(|s| matches!(s, PathStep::Each | PathStep::Keys));
    // Walks the steps from `cur`; `emit` receives each string reached.
    fn walk(steps: &[PathStep], cur: TokenStream, leaf: &TokenStream) -> TokenStream {
        let Some((first, rest)) = steps.split_first() else {
            return quote!({ let v = #cur; #leaf });
        };
        match first {
            PathStep::Field(_, name, optional) => {
                let f = ident(name);
                let inner = walk(rest, quote!(v), leaf);
                if *optional {
                    quote!(if let Some(v) = &(#cur).#f { #inner })
                } else {
                    quote!({ let v = &(#cur).#f; #inner })
                }
            }
            PathStep::Each => {
                let inner = walk(rest, quote!(item), leaf);
                quote!(for item in (#cur).iter() { #inner })
            }
            PathStep::Keys => {
                let inner = walk(rest, quote!(key), leaf);
                quote!(for key in (#cur).keys() { #inner })
            }
        }
    }
    if projected {
        let leaf = quote!(items.push(v.as_str()););
        let body = walk(steps, quote!(self), &leaf);
        let value = if p.default.is_some() {
            quote!(items)
        } else {
            quote!(Some(items))
        };
        quote!({
            let mut items: Vec<&'a str> = Vec::new();
            #body
            params.#pf = #value;
        })
    } else {
        let value = if p.default.is_some() {
            quote!(v.as_str())
        } else {
            quote!(Some(v.as_str()))
        };
        let leaf = quote!(params.#pf = #value;);
        walk(steps, quote!(self), &leaf)
    }
}

/// `tests/endpoints.rs`, which `cargo fmt` leaves alone like every
/// generated file: the code is in `endpoints/run.rs`.
pub(crate) const TESTS_SHIM: &str =
    "// Generated by `cargo xtask codegen` from the Smithy model. Do not edit by hand.

//! The endpoint rules' test cases; the code is in `endpoints/run.rs`.

#[rustfmt::skip]
#[path = \"endpoints/run.rs\"]
mod endpoints;
";

/// `tests/endpoints/run.rs`: the rule set's test cases, each resolved from its
/// `params`, and each `operationInputs` entry through its operation's input
/// (`contextParam`, `staticContextParams`...) and full request.
pub(crate) fn tests(krate: &Crate, e: &Endpoints, crate_name: &str) -> Result<String, String> {
    let mut cases = String::from("[\n");
    for (i, t) in e.tests.iter().enumerate() {
        if i > 0 {
            cases.push_str(",\n");
        }
        cases.push_str(&serde_json::to_string(&t.json).map_err(|e| e.to_string())?);
    }
    cases.push_str("\n]");
    let mut hashes = String::from("#");
    while cases.contains(&format!("\"{hashes}")) {
        hashes.push('#');
    }
    let krate_ident = ident(crate_name);
    let arms = krate.operations.iter().map(|op| {
        let (name, feature, marker) = (&op.name, &op.feature, ident(&op.name));
        quote!(#[cfg(feature = #feature)] #name => Some(through::<#krate_ident::operation::#marker>(config, params)),)
    });
    let body = quote! {
        use #krate_ident::endpoint::{self, Config, Endpoint, ParamValue, Params, ResolveError};
        use serde_json::Value;

        type Resolved = Result<Endpoint, ResolveError>;

        fn value(v: &Value) -> Option<ParamValue<'_>> {
            match v {
                Value::String(s) => Some(ParamValue::Str(s)),
                Value::Bool(b) => Some(ParamValue::Bool(*b)),
                Value::Array(items) => items.iter().map(Value::as_str).collect::<Option<Vec<_>>>().map(ParamValue::StrArray),
                _ => None,
            }
        }

        fn entries(v: Option<&Value>) -> impl Iterator<Item = (&String, &Value)> {
            v.and_then(Value::as_object).into_iter().flatten()
        }

        /// Compares a result with the case's `expect`.
        fn check(got: &Resolved, expect: &Value) -> Result<(), String> {
            match (got, expect.get("error"), expect.get("endpoint")) {
                (Err(e), Some(want), _) if want.as_str() == Some(e.message.as_str()) => Ok(()),
                (Ok(endpoint), None, Some(want)) => {
                    let got: Value = serde_json::from_str(&endpoint.to_json()).map_err(|e| e.to_string())?;
                    let mut want = want.clone();
                    for key in ["properties", "headers"] {
                        if want.get(key).is_none() {
                            want[key] = Value::Object(Default::default());
                        }
                    }
                    if got == want { Ok(()) } else { Err(format!("got {got}, expected {want}")) }
                }
                (got, _, _) => Err(format!("got {got:?}, expected {expect}")),
            }
        }

        /// Resolves through operation `O`'s input, and builds its request.
        #[allow(dead_code)]
        fn through<O: #krate_ident::Operation>(config: &Config, params: Value) -> Result<Resolved, String>
        where
            O::Input: endpoint::EndpointParams + serde::de::DeserializeOwned,
        {
            let input: O::Input = serde_json::from_value(params).map_err(|e| format!("{}: the input does not read: {e}", O::NAME))?;
            let resolved = endpoint::resolve_input(config, &input);
            if let Ok(endpoint) = &resolved {
                let (request, _) = endpoint::build_request::<O>(config, &input).map_err(|e| format!("{}: {e}", O::NAME))?;
                // Same scheme, and the endpoint's host (an operation's host
                // prefix may come before it).
                let uri = request.uri();
                let (scheme, rest) = endpoint.url().split_once("://").unwrap_or_default();
                let host = rest.split('/').next().unwrap_or_default();
                let at = uri.scheme_str() == Some(scheme)
                    && uri.authority().is_some_and(|a| a.as_str().ends_with(host));
                if !at {
                    return Err(format!("{}: the request URI {uri} is not at the endpoint {}", O::NAME, endpoint.url()));
                }
            }
            Ok(resolved)
        }

        #[allow(unused_variables)]
        fn operation(name: &str, config: &Config, params: Value) -> Option<Result<Resolved, String>> {
            match name {
                #(#arms)*
                _ => None,
            }
        }

        #[test]
        fn endpoint_tests() {
            let cases: Vec<Value> = serde_json::from_str(CASES).expect("the cases are JSON");
            let mut failures = Vec::new();
            let (mut through_operations, mut elsewhere) = (0, 0);
            for (i, case) in cases.iter().enumerate() {
                let name = case.get("documentation").and_then(Value::as_str).unwrap_or("");
                let expect = &case["expect"];
                let mut fail = |what: String| failures.push(format!("case {i} ({name}): {what}"));
                let mut params = Params::default();
                let mut ok = true;
                for (k, v) in entries(case.get("params")) {
                    if let Err(e) = value(v).ok_or_else(|| format!("{k}: {v}")).and_then(|v| params.set(k, v)) {
                        fail(e);
                        ok = false;
                    }
                }
                if ok {
                    if let Err(e) = check(&endpoint::resolve(&params), expect) {
                        fail(format!("params: {e}"));
                    }
                }
                for input in case.get("operationInputs").and_then(Value::as_array).into_iter().flatten() {
                    let mut config = Config::default();
                    for (k, v) in entries(input.get("builtInParams")).chain(entries(input.get("clientParams"))) {
                        if let Err(e) = value(v).ok_or_else(|| format!("{k}: {v}")).and_then(|v| config.set(k, v)) {
                            fail(e);
                        }
                    }
                    let op = input["operationName"].as_str().unwrap_or_default();
                    let params = input.get("operationParams").cloned().unwrap_or(Value::Object(Default::default()));
                    match operation(op, &config, params) {
                        Some(Ok(resolved)) => {
                            through_operations += 1;
                            if let Err(e) = check(&resolved, expect) {
                                fail(format!("{op}: {e}"));
                            }
                        }
                        Some(Err(e)) => fail(e),
                        None => elsewhere += 1,
                    }
                }
            }
            println!(
                "endpoint tests: {} cases, {} passed, {} failed; {through_operations} operation inputs resolved through their operation, {elsewhere} of operations not in this crate",
                cases.len(),
                cases.len() - failures.len().min(cases.len()),
                failures.len(),
            );
            assert!(failures.is_empty(), "{} failed cases\n{}", failures.len(), failures.join("\n"));
        }
    };
    let text = super::rust(body)?;
    Ok(format!(
        "{text}\n/// The rule set's test cases (`smithy.rules#endpointTests`), one per line.\nconst CASES: &str = r{hashes}\"{cases}\"{hashes};\n"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_hash_is_the_runtimes() {
        // The same values as the runtime's test of `region_hash`.
        assert_eq!(region_hash(0, ""), 0);
        assert_eq!(region_hash(0, "us-east-1"), 0x8047_a193);
        assert_eq!(region_hash(7, "eu-west-3"), 0x2f69_cc82);
        // Longer than 16 bytes: the middle bytes count too.
        assert_eq!(region_hash(3, "aws-us-gov-global-x"), 0x3fa8_6511);
    }

    #[test]
    fn region_slots_give_each_name_its_own_slot() {
        let names = [
            "us-east-1",
            "us-west-2",
            "eu-west-1",
            "aws-global",
            "cn-north-1",
        ];
        let (seed, slots) = region_slots(&names);
        assert!(slots.len().is_power_of_two() && slots.len() >= 20);
        for (i, name) in names.iter().enumerate() {
            let slot = region_hash(seed, name) as usize & (slots.len() - 1);
            assert_eq!(usize::from(slots[slot]), i + 1, "{name}");
        }
        assert_eq!(slots.iter().filter(|s| **s != 0).count(), names.len());
    }
}
