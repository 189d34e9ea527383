//! Reading and writing the parts of a [`Frame`] with the types the messages use.

use super::date;
use super::frame::{DecodeError, Frame};
use chrono::NaiveDateTime;

/// A Y/N/U field (magnetic media, desensitize).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tri {
    Yes,
    No,
    #[default]
    Unknown,
}

impl Tri {
    fn char(self) -> char {
        match self {
            Tri::Yes => 'Y',
            Tri::No => 'N',
            Tri::Unknown => 'U',
        }
    }
}

/// Typed reads from a received frame. Fixed fields are checked; variable fields are optional.
pub(super) struct Read<'a> {
    pub frame: &'a Frame,
}

impl Read<'_> {
    fn fixed(&self, index: usize) -> &str {
        self.frame.fixed.get(index).map_or("", String::as_str)
    }

    fn bad(&self, field: &'static str, index: usize) -> DecodeError {
        DecodeError::BadFixedField {
            code: self.frame.code.clone(),
            field,
            found: self.fixed(index).to_owned(),
        }
    }

    /// `Y` or `N` (a blank reads as N: some ACSes leave flags empty).
    pub fn yn(&self, index: usize, field: &'static str) -> Result<bool, DecodeError> {
        match self.fixed(index) {
            "Y" | "y" => Ok(true),
            "N" | "n" | " " => Ok(false),
            _ => Err(self.bad(field, index)),
        }
    }

    /// `1` or `0`.
    pub fn ok(&self, index: usize, field: &'static str) -> Result<bool, DecodeError> {
        match self.fixed(index) {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(self.bad(field, index)),
        }
    }

    pub fn tri(&self, index: usize) -> Tri {
        match self.fixed(index) {
            "Y" | "y" => Tri::Yes,
            "N" | "n" => Tri::No,
            _ => Tri::Unknown,
        }
    }

    pub fn date(&self, index: usize) -> Option<NaiveDateTime> {
        date::parse_fixed(self.fixed(index))
    }

    /// A fixed-width number; blanks (or `9`s meaning "unknown", for some fields) read as `None`.
    pub fn number(&self, index: usize, field: &'static str) -> Result<Option<u32>, DecodeError> {
        let text = self.fixed(index).trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse().map(Some).map_err(|_| self.bad(field, index))
    }

    pub fn text(&self, index: usize) -> String {
        self.fixed(index).to_owned()
    }

    /// A variable field, empty when absent.
    pub fn s(&self, id: &str) -> String {
        self.frame.field(id).unwrap_or_default().to_owned()
    }

    pub fn opt(&self, id: &str) -> Option<String> {
        self.frame.field(id).map(str::to_owned)
    }

    pub fn all(&self, id: &str) -> Vec<String> {
        self.frame.all(id)
    }

    /// A Y/N variable field.
    pub fn flag(&self, id: &str) -> Option<bool> {
        self.frame
            .field(id)
            .map(|v| v.trim().eq_ignore_ascii_case("Y"))
    }

    pub fn num(&self, id: &str) -> Option<u32> {
        self.frame.field(id).and_then(|v| v.trim().parse().ok())
    }
}

/// Builds a frame field by field, in the order the standard lists them.
pub(super) struct Write {
    pub frame: Frame,
}

impl Write {
    pub fn new(code: &str) -> Self {
        Write {
            frame: Frame::new(code),
        }
    }

    pub fn fixed(mut self, value: impl Into<String>) -> Self {
        self.frame.fixed.push(value.into());
        self
    }

    pub fn yn(self, value: bool) -> Self {
        self.fixed(if value { "Y" } else { "N" })
    }

    pub fn ok(self, value: bool) -> Self {
        self.fixed(if value { "1" } else { "0" })
    }

    pub fn tri(self, value: Tri) -> Self {
        self.fixed(value.char().to_string())
    }

    pub fn date(self, value: Option<NaiveDateTime>) -> Self {
        self.fixed(value.map_or_else(|| date::BLANK.to_owned(), date::format))
    }

    /// A zero-padded number; `None` as blanks.
    pub fn number(self, value: Option<u32>, width: usize) -> Self {
        let max = 10u64.pow(width as u32) - 1;
        let text = match value {
            Some(n) => format!("{:0width$}", u64::from(n).min(max)),
            None => " ".repeat(width),
        };
        self.fixed(text)
    }

    pub fn field(mut self, id: &str, value: &str) -> Self {
        self.frame.fields.push((id.to_owned(), value.to_owned()));
        self
    }

    pub fn opt(self, id: &str, value: Option<&str>) -> Self {
        match value {
            Some(value) => self.field(id, value),
            None => self,
        }
    }

    pub fn all(mut self, id: &str, values: &[String]) -> Self {
        for value in values {
            self.frame.fields.push((id.to_owned(), value.clone()));
        }
        self
    }

    pub fn flag(self, id: &str, value: Option<bool>) -> Self {
        self.opt(id, value.map(|v| if v { "Y" } else { "N" }))
    }

    pub fn num(self, id: &str, value: Option<u32>) -> Self {
        self.opt(id, value.map(|n| n.to_string()).as_deref())
    }

    pub fn done(self) -> Frame {
        self.frame
    }
}
