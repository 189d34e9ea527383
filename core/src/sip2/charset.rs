//! The character sets SIP2 installations use: cp850 (the standard's), ISO-8859-1, UTF-8, or
//! GB18030 (Chinese library systems). Checksums are computed over the encoded bytes, so encoding
//! happens before framing.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum Charset {
    #[serde(rename = "cp850")]
    Cp850,
    #[serde(rename = "iso-8859-1", alias = "latin1")]
    Latin1,
    #[default]
    #[serde(rename = "utf-8", alias = "utf8")]
    Utf8,
    /// China's national standard (a superset of GBK and GB2312), as Chinese ILSs speak SIP2.
    #[serde(rename = "gb18030", alias = "gbk")]
    Gb18030,
}

/// Code page 850, bytes 0x80 to 0xFF (bytes below 0x80 are ASCII).
const CP850_HIGH: &str = "\
    ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒ\
    áíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐\
    └┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀\
    ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u{ad}±‗¾¶§÷¸°¨·¹³²■\u{a0}";

impl std::str::FromStr for Charset {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name.to_ascii_lowercase().as_str() {
            "cp850" => Ok(Charset::Cp850),
            "iso-8859-1" | "latin1" => Ok(Charset::Latin1),
            "utf-8" | "utf8" => Ok(Charset::Utf8),
            "gb18030" | "gbk" => Ok(Charset::Gb18030),
            other => Err(format!(
                "unknown charset {other:?}: use utf-8, cp850, iso-8859-1 or gb18030"
            )),
        }
    }
}

impl Charset {
    /// Encodes text; a character the charset cannot hold becomes `?` (a title with Chinese
    /// characters sent to a cp850 ACS), which is what ILSes do too.
    pub fn encode(self, text: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => text.as_bytes().to_vec(),
            // GB18030 holds every Unicode character: nothing becomes `?`.
            Charset::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
            Charset::Latin1 => text
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Cp850 => text
                .chars()
                .map(|c| {
                    if c.is_ascii() {
                        c as u8
                    } else {
                        CP850_HIGH
                            .chars()
                            .position(|h| h == c)
                            .and_then(|i| u8::try_from(0x80 + i).ok())
                            .unwrap_or(b'?')
                    }
                })
                .collect(),
        }
    }

    /// Decodes bytes. UTF-8 that is not valid keeps what it can (U+FFFD for the rest): a garbled
    /// title must not make a whole reply unreadable.
    pub fn decode(self, bytes: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(bytes).into_owned(),
            Charset::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling(bytes)
                .0
                .into_owned(),
            Charset::Latin1 => bytes.iter().map(|b| char::from(*b)).collect(),
            Charset::Cp850 => bytes
                .iter()
                .map(|&b| {
                    if b < 0x80 {
                        char::from(b)
                    } else {
                        CP850_HIGH.chars().nth(usize::from(b - 0x80)).unwrap_or('?')
                    }
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp850_round_trips_every_byte() {
        let all: Vec<u8> = (0u8..=255).collect();
        assert_eq!(CP850_HIGH.chars().count(), 128);
        let text = Charset::Cp850.decode(&all);
        assert_eq!(Charset::Cp850.encode(&text), all);
        assert_eq!(
            Charset::Cp850.encode("Müller, Ångström"),
            b"M\x81ller, \x8fngstr\x94m"
        );
    }

    #[test]
    fn gb18030_titles_as_chinese_library_systems_send_them() {
        // 三体 in GB18030 (as in GBK): C8FD CCE5.
        assert_eq!(Charset::Gb18030.encode("三体"), [0xC8, 0xFD, 0xCC, 0xE5]);
        assert_eq!(Charset::Gb18030.decode(&[0xC8, 0xFD, 0xCC, 0xE5]), "三体");
        // Beyond GBK: four-byte sequences, and ASCII as itself.
        let text = "𠀀 Müller | 活着 €";
        assert_eq!(
            Charset::Gb18030.decode(&Charset::Gb18030.encode(text)),
            text
        );
        assert_eq!(Charset::Gb18030.encode("AB|"), b"AB|");
        assert_eq!("gbk".parse::<Charset>(), Ok(Charset::Gb18030));
    }

    #[test]
    fn what_a_charset_cannot_hold_becomes_a_question_mark() {
        assert_eq!(Charset::Cp850.encode("三体"), b"??");
        assert_eq!(Charset::Latin1.encode("Café 三"), b"Caf\xe9 ?");
        assert_eq!(Charset::Utf8.decode("三体".as_bytes()), "三体");
        assert_eq!(Charset::Utf8.decode(b"ok\xff"), "ok\u{fffd}");
    }
}
