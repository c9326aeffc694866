//! Characters that look like ASCII but are not: Cyrillic and Greek
//! letters, typographic quotes and dashes, full-width forms, non-breaking
//! and invisible spaces. Names are ASCII (SPEC §2), so in a name such a
//! character is always a mistake, usually text pasted from a document or a
//! chat; the help of a finding then names the character, because on screen
//! `аlice` and `alice` are the same word.

/// A look-alike: the character, the ASCII text it imitates (empty for an
/// invisible character) and its Unicode name.
const TABLE: &[(char, &str, &str)] = &[
    // Cyrillic lower case
    ('\u{0430}', "a", "CYRILLIC SMALL LETTER A"),
    ('\u{0435}', "e", "CYRILLIC SMALL LETTER IE"),
    ('\u{043E}', "o", "CYRILLIC SMALL LETTER O"),
    ('\u{0440}', "p", "CYRILLIC SMALL LETTER ER"),
    ('\u{0441}', "c", "CYRILLIC SMALL LETTER ES"),
    ('\u{0443}', "y", "CYRILLIC SMALL LETTER U"),
    ('\u{0445}', "x", "CYRILLIC SMALL LETTER HA"),
    ('\u{0455}', "s", "CYRILLIC SMALL LETTER DZE"),
    ('\u{0456}', "i", "CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I"),
    ('\u{0458}', "j", "CYRILLIC SMALL LETTER JE"),
    ('\u{04BB}', "h", "CYRILLIC SMALL LETTER SHHA"),
    ('\u{0501}', "d", "CYRILLIC SMALL LETTER KOMI DE"),
    ('\u{04CF}', "l", "CYRILLIC SMALL LETTER PALOCHKA"),
    // Cyrillic upper case
    ('\u{0410}', "A", "CYRILLIC CAPITAL LETTER A"),
    ('\u{0412}', "B", "CYRILLIC CAPITAL LETTER VE"),
    ('\u{0415}', "E", "CYRILLIC CAPITAL LETTER IE"),
    ('\u{041A}', "K", "CYRILLIC CAPITAL LETTER KA"),
    ('\u{041C}', "M", "CYRILLIC CAPITAL LETTER EM"),
    ('\u{041D}', "H", "CYRILLIC CAPITAL LETTER EN"),
    ('\u{041E}', "O", "CYRILLIC CAPITAL LETTER O"),
    ('\u{0420}', "P", "CYRILLIC CAPITAL LETTER ER"),
    ('\u{0421}', "C", "CYRILLIC CAPITAL LETTER ES"),
    ('\u{0422}', "T", "CYRILLIC CAPITAL LETTER TE"),
    ('\u{0425}', "X", "CYRILLIC CAPITAL LETTER HA"),
    ('\u{0405}', "S", "CYRILLIC CAPITAL LETTER DZE"),
    ('\u{0406}', "I", "CYRILLIC CAPITAL LETTER BYELORUSSIAN-UKRAINIAN I"),
    ('\u{0408}', "J", "CYRILLIC CAPITAL LETTER JE"),
    // Greek
    ('\u{03BF}', "o", "GREEK SMALL LETTER OMICRON"),
    ('\u{03B1}', "a", "GREEK SMALL LETTER ALPHA"),
    ('\u{03B9}', "i", "GREEK SMALL LETTER IOTA"),
    ('\u{03BD}', "v", "GREEK SMALL LETTER NU"),
    ('\u{03C1}', "p", "GREEK SMALL LETTER RHO"),
    ('\u{03BA}', "k", "GREEK SMALL LETTER KAPPA"),
    ('\u{0391}', "A", "GREEK CAPITAL LETTER ALPHA"),
    ('\u{0392}', "B", "GREEK CAPITAL LETTER BETA"),
    ('\u{0395}', "E", "GREEK CAPITAL LETTER EPSILON"),
    ('\u{0397}', "H", "GREEK CAPITAL LETTER ETA"),
    ('\u{0399}', "I", "GREEK CAPITAL LETTER IOTA"),
    ('\u{039A}', "K", "GREEK CAPITAL LETTER KAPPA"),
    ('\u{039C}', "M", "GREEK CAPITAL LETTER MU"),
    ('\u{039D}', "N", "GREEK CAPITAL LETTER NU"),
    ('\u{039F}', "O", "GREEK CAPITAL LETTER OMICRON"),
    ('\u{03A1}', "P", "GREEK CAPITAL LETTER RHO"),
    ('\u{03A4}', "T", "GREEK CAPITAL LETTER TAU"),
    ('\u{03A7}', "X", "GREEK CAPITAL LETTER CHI"),
    ('\u{0396}', "Z", "GREEK CAPITAL LETTER ZETA"),
    // Latin look-alikes outside ASCII
    ('\u{0131}', "i", "LATIN SMALL LETTER DOTLESS I"),
    ('\u{0261}', "g", "LATIN SMALL LETTER SCRIPT G"),
    // punctuation
    ('\u{2010}', "-", "HYPHEN"),
    ('\u{2011}', "-", "NON-BREAKING HYPHEN"),
    ('\u{2012}', "-", "FIGURE DASH"),
    ('\u{2013}', "-", "EN DASH"),
    ('\u{2014}', "-", "EM DASH"),
    ('\u{2212}', "-", "MINUS SIGN"),
    ('\u{201C}', "\"", "LEFT DOUBLE QUOTATION MARK"),
    ('\u{201D}', "\"", "RIGHT DOUBLE QUOTATION MARK"),
    ('\u{201E}', "\"", "DOUBLE LOW-9 QUOTATION MARK"),
    ('\u{00AB}', "\"", "LEFT-POINTING DOUBLE ANGLE QUOTATION MARK"),
    ('\u{00BB}', "\"", "RIGHT-POINTING DOUBLE ANGLE QUOTATION MARK"),
    ('\u{2018}', "'", "LEFT SINGLE QUOTATION MARK"),
    ('\u{2019}', "'", "RIGHT SINGLE QUOTATION MARK"),
    ('\u{2024}', ".", "ONE DOT LEADER"),
    ('\u{2236}', ":", "RATIO"),
    ('\u{FF1A}', ":", "FULLWIDTH COLON"),
    // spaces
    ('\u{00A0}', " ", "NO-BREAK SPACE"),
    ('\u{2007}', " ", "FIGURE SPACE"),
    ('\u{2009}', " ", "THIN SPACE"),
    ('\u{202F}', " ", "NARROW NO-BREAK SPACE"),
    ('\u{3000}', " ", "IDEOGRAPHIC SPACE"),
    // invisible
    ('\u{200B}', "", "ZERO WIDTH SPACE"),
    ('\u{200C}', "", "ZERO WIDTH NON-JOINER"),
    ('\u{200D}', "", "ZERO WIDTH JOINER"),
    ('\u{2060}', "", "WORD JOINER"),
    ('\u{FEFF}', "", "ZERO WIDTH NO-BREAK SPACE (a byte order mark)"),
    ('\u{00AD}', "", "SOFT HYPHEN"),
];

/// The ASCII text `c` imitates and the name of `c`, when `c` is a
/// look-alike. Full-width forms (`｛`, `ａ`) imitate their ASCII letter.
pub fn lookalike(c: char) -> Option<(String, String)> {
    if let Some((_, ascii, name)) = TABLE.iter().find(|(x, _, _)| *x == c) {
        return Some((ascii.to_string(), name.to_string()));
    }
    let u = c as u32;
    if (0xFF01..=0xFF5E).contains(&u) {
        let ascii = char::from_u32(u - 0xFEE0)?;
        return Some((ascii.to_string(), format!("the full-width form of `{ascii}`")));
    }
    None
}

/// `s` with every look-alike replaced by the ASCII it imitates (invisible
/// characters removed): two names with the same skeleton look the same.
pub fn skeleton(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match lookalike(c) {
            Some((ascii, _)) => out.push_str(&ascii),
            None => out.push(c),
        }
    }
    out
}

/// `` `а` (U+0430 CYRILLIC SMALL LETTER A) ``; an invisible or space-like
/// character is not quoted, since quoting shows nothing.
pub fn describe(c: char) -> String {
    let code = format!("U+{:04X}", c as u32);
    match lookalike(c) {
        Some((ascii, name)) if ascii.is_empty() => format!("the invisible character {code} {name}"),
        Some((ascii, name)) if ascii == " " => format!("the character {code} {name}"),
        Some((_, name)) if name.starts_with("the ") => format!("`{c}` ({code}, {name})"),
        Some((_, name)) => format!("`{c}` ({code} {name})"),
        None if c.is_control() => format!("the control character {code}"),
        None if c.is_whitespace() => format!("the character {code}"),
        None => format!("`{c}` ({code})"),
    }
}

/// The first look-alike in `s`, with its position (byte offset).
pub fn first_lookalike(s: &str) -> Option<(usize, char)> {
    s.char_indices().find(|(_, c)| lookalike(*c).is_some())
}

/// Help for a token of source text holding a look-alike: what it is, and
/// what to type instead. `None` when the token has none.
pub fn token_help(token: &str) -> Option<String> {
    let (_, c) = first_lookalike(token)?;
    let (ascii, _) = lookalike(c)?;
    let what = describe(c);
    Some(match ascii.as_str() {
        "" if skeleton(token).is_empty() => format!("{what} is here: delete it"),
        "" => format!("{what} is hidden in `{}`: delete it", skeleton(token)),
        " " => format!("{what} looks like a space but is not one: type a plain space"),
        "\"" | "'" => format!("{what} is a typographic quote: strings are written in straight quotes `\"…\"`"),
        _ => format!("{what} looks like `{ascii}` but is not ASCII: retype it as `{ascii}` (`{}`)", skeleton(token)),
    })
}

/// When `written` and `meant` differ only in look-alike characters, a
/// sentence that says so and names the first one; `None` otherwise.
pub fn only_lookalikes(written: &str, meant: &str) -> Option<String> {
    if written == meant || skeleton(written) != skeleton(meant) {
        return None;
    }
    let (_, c) = first_lookalike(written).or_else(|| first_lookalike(meant))?;
    let (ascii, _) = lookalike(c)?;
    let what = describe(c);
    Some(if ascii.is_empty() {
        format!("they differ only in {what}")
    } else {
        format!("they differ only in look-alike characters: {what} is not `{ascii}`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cyrillic_and_fullwidth_fold_to_ascii() {
        assert_eq!(skeleton("\u{0430}lice"), "alice");
        assert_eq!(skeleton("p\u{0430}yments-\u{0430}pi"), "payments-api");
        assert_eq!(skeleton("\u{FF5B}"), "{");
        assert_eq!(skeleton("ali\u{200B}ce"), "alice");
        assert_eq!(skeleton("plain"), "plain");
    }

    #[test]
    fn notes_name_the_character() {
        let n = only_lookalikes("\u{0430}lice", "alice").expect("a note");
        assert!(n.contains("U+0430 CYRILLIC SMALL LETTER A"), "{n}");
        assert!(n.contains("is not `a`"), "{n}");
        assert_eq!(only_lookalikes("alice", "alice"), None);
        assert_eq!(only_lookalikes("alicia", "alice"), None);
        let h = token_help("\u{201C}x").expect("help");
        assert!(h.contains("straight quotes"), "{h}");
        let h = token_help("ali\u{200B}ce").expect("help");
        assert!(h.contains("invisible") && h.contains("`alice`"), "{h}");
        assert_eq!(token_help("alice"), None);
    }
}
