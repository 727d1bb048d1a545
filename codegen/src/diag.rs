//! Problems found in a model, each naming where it is.

use std::fmt;

/// One problem: the file, shape and member it concerns, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The model file the problem comes from, when known.
    pub file: Option<String>,
    /// The absolute shape id, when the problem concerns a shape.
    pub shape: Option<String>,
    /// The member name, when the problem concerns a member.
    pub member: Option<String>,
    /// What is wrong, in one sentence.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        match (&self.shape, &self.member) {
            (Some(shape), Some(member)) => write!(f, "{shape}${member}: ")?,
            (Some(shape), None) => write!(f, "{shape}: ")?,
            _ => {}
        }
        f.write_str(&self.message)
    }
}

/// Every problem found in one pass, reported together.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Records a problem.
    pub fn push(
        &mut self,
        file: Option<&str>,
        shape: Option<&str>,
        member: Option<&str>,
        message: impl Into<String>,
    ) {
        self.0.push(Diagnostic {
            file: file.map(str::to_owned),
            shape: shape.map(str::to_owned),
            member: member.map(str::to_owned),
            message: message.into(),
        });
    }

    /// How many problems were found.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` when there is no problem, else every problem, sorted and deduplicated.
    pub fn into_result<T>(mut self, value: T) -> Result<T, Diagnostics> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            self.0.sort();
            self.0.dedup();
            Err(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the model:",
            if n == 1 { "" } else { "s" }
        )?;
        for d in &self.0 {
            writeln!(f, "  {d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
