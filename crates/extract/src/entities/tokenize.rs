//! News tokenisation and sentence splitting with exact character (Unicode scalar) offsets.
//!
//! Tokens follow CoNLL-2003 conventions, so the tagger sees text shaped like its training data: abbreviations and
//! initials keep their periods (`U.S.`, `Gen.`, `J.`), hyphenated words stay whole (`Indo-Pacific`, `Japan-U.S.`),
//! numbers keep their separators (`1,000`, `3.5`), `%` and `$` are tokens of their own, clitics split off
//! (`Austin` `’s`), and every quote, bracket or dash is its own token. Any script works: a token is a run of
//! alphanumeric characters (plus combining marks), so offsets stay exact in Korean, Arabic or Chinese text.

/// A token: `start..end` are char offsets into the text it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// Abbreviations that keep their final period (compared case-sensitively, without the period).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Gen", "Lt", "Col", "Capt", "Sgt", "Adm", "Cmdr", "Maj", "Gov", "Sen", "Rep",
    "Rev", "St", "Sr", "Jr", "Mt", "Ft", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov",
    "Dec", "Mon", "Tue", "Tues", "Wed", "Thu", "Thur", "Thurs", "Fri", "Sat", "Sun", "Inc", "Corp", "Co", "Ltd",
    "Bros", "No", "Nos", "vs", "etc", "Ave", "Blvd", "Dept", "Univ", "Assn", "approx", "est", "Pres",
];

/// Abbreviations after which a sentence practically never ends (titles and initials).
const NON_FINAL: &[&str] = &[
    "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Gen.", "Lt.", "Col.", "Capt.", "Sgt.", "Adm.", "Cmdr.", "Maj.", "Gov.",
    "Sen.", "Rep.", "Rev.", "St.", "Mt.", "Ft.", "No.", "Nos.", "vs.", "Pres.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.",
    "Jul.", "Aug.", "Sep.", "Sept.", "Oct.", "Nov.", "Dec.",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Combining marks (Devanagari vowel signs, Hebrew points...): `char` has no category API, so cover the main blocks.
fn is_mark(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x0483..=0x0489 | 0x0591..=0x05C7 | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670
        | 0x06D6..=0x06ED | 0x0900..=0x0903 | 0x093A..=0x094F | 0x0951..=0x0957 | 0x0962..=0x0963
        | 0x0981..=0x0983 | 0x09BC..=0x09D7 | 0x0E31 | 0x0E34..=0x0E3A | 0x0E47..=0x0E4E | 0x200C..=0x200D
        | 0xFE00..=0xFE0F)
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '’'
}

/// Splits `text` into tokens.
pub fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::with_capacity(chars.len() / 5 + 1);
    let n = chars.len();
    let mut i = 0;
    while i < n {
        let c = chars[i];
        if c.is_whitespace() || c == '\u{AD}' {
            i += 1;
            continue;
        }
        let start = i;
        let end = if is_word_char(c) {
            word_end(&chars, i)
        } else {
            punct_end(&chars, i)
        };
        i = end;
        out.push(Token {
            start,
            end,
            text: chars[start..end].iter().collect(),
        });
    }
    split_clitics(out)
}

/// End of the punctuation token starting at `i`: runs of periods, dashes or repeated quotes stay together.
fn punct_end(chars: &[char], i: usize) -> usize {
    let c = chars[i];
    let n = chars.len();
    // `$4.2` keeps `$` separate; `US$` is handled by the word path.
    // `'s` and `'re` after a word are clitics, `'90s` a year: keep the apostrophe with them.
    if is_apostrophe(c) && i + 1 < n && is_word_char(chars[i + 1]) {
        let w = word_end_simple(chars, i + 1);
        let word: String = chars[i + 1..w].iter().collect::<String>().to_lowercase();
        if matches!(word.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m" | "t")
            || word.chars().all(|c| c.is_ascii_digit())
        {
            return w;
        }
    }
    if matches!(c, '.' | '-' | '`' | '\'' | '*' | '=' | '_' | '!' | '?') {
        let mut j = i + 1;
        while j < n && chars[j] == c {
            j += 1;
        }
        return j;
    }
    i + 1
}

/// End of the word token starting at `i` (a letter or digit).
fn word_end(chars: &[char], i: usize) -> usize {
    let n = chars.len();
    let mut j = i;
    loop {
        while j < n && is_word_char(chars[j]) {
            j += 1;
        }
        if j >= n {
            return j;
        }
        let c = chars[j];
        let next = chars.get(j + 1).copied();
        let prev = chars[j - 1];
        let next_word = next.is_some_and(is_word_char);
        match c {
            // 1,000 and 3.5 and 12:30
            ',' | ':' if prev.is_ascii_digit() && next.is_some_and(|d| d.is_ascii_digit()) => {
                j += 1;
            }
            '.' if prev.is_ascii_digit() && next.is_some_and(|d| d.is_ascii_digit()) => j += 1,
            // U.S. / e.g. / U.S.-based: a single letter followed by a period and another letter.
            '.' if next_word && is_single_letter_segment(chars, i, j) => j += 1,
            '.' => {
                let seg_start = segment_start(chars, i, j);
                let seg: String = chars[seg_start..j].iter().collect();
                let single = seg.chars().count() == 1 && prev.is_alphabetic();
                let dotted = chars[i..j].contains(&'.');
                if single || dotted || ABBREVIATIONS.contains(&seg.as_str()) {
                    j += 1;
                    // U.S.-based: continue through a hyphen after an abbreviation.
                    if j < n && chars[j] == '-' && chars.get(j + 1).copied().is_some_and(is_word_char) {
                        j += 1;
                        continue;
                    }
                }
                return j;
            }
            // Indo-Pacific, Japan-U.S., 20-year-old
            '-' | '‐' | '‑' if next_word => j += 1,
            '&' if prev.is_uppercase() && next.is_some_and(|d| d.is_uppercase()) => j += 1, // AT&T
            // O'Neill, but not Austin's or don't (split later) and not a closing quote.
            _ if is_apostrophe(c) && next_word => {
                let w = word_end_simple(chars, j + 1);
                let rest: String = chars[j + 1..w].iter().collect::<String>().to_lowercase();
                if matches!(rest.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m") {
                    return j;
                }
                if rest == "t" && chars[j - 1].eq_ignore_ascii_case(&'n') {
                    return j; // split off `n't` in split_clitics
                }
                if prev.is_uppercase() || (j - i == 1) {
                    j += 1; // O'Neill, d'Alema
                } else {
                    return j;
                }
            }
            _ => return j,
        }
    }
}

fn word_end_simple(chars: &[char], i: usize) -> usize {
    let mut j = i;
    while j < chars.len() && chars[j].is_alphanumeric() {
        j += 1;
    }
    j
}

/// Start of the current period-free, hyphen-free segment of the word being built.
fn segment_start(chars: &[char], word_start: usize, j: usize) -> usize {
    let mut s = j;
    while s > word_start && !matches!(chars[s - 1], '.' | '-') {
        s -= 1;
    }
    s
}

fn is_single_letter_segment(chars: &[char], word_start: usize, j: usize) -> bool {
    let s = segment_start(chars, word_start, j);
    j - s == 1 && chars[s].is_alphabetic()
}

/// `don't` -> `do` `n't`: the word path stops before `'t`, so here the trailing `n` moves to the clitic.
fn split_clitics(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        let is_nt = (t.text == "'t" || t.text == "’t") && out.last().is_some_and(|p: &Token| p.end == t.start);
        if is_nt {
            let prev = out.last_mut().expect("checked");
            if prev.text.len() > 1 && prev.text.ends_with(['n', 'N']) {
                let mut p = prev.text.clone();
                p.pop();
                prev.text = p;
                prev.end -= 1;
                let apo: String = t.text.chars().collect();
                out.push(Token {
                    start: t.start - 1,
                    end: t.end,
                    text: format!("n{apo}"),
                });
                continue;
            }
        }
        out.push(t);
    }
    out
}

/// Splits tokens into sentences: returns token index ranges. Breaks after `.`, `!`, `?` (and closing quotes or
/// brackets after them) when the next token looks like a sentence start, and at every line break in `text`.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<std::ops::Range<usize>> {
    let mut newline_at = Vec::new(); // char offsets of newlines
    for (ci, c) in text.chars().enumerate() {
        if c == '\n' {
            newline_at.push(ci);
        }
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut nl = 0;
    for i in 0..tokens.len() {
        let is_last = i + 1 == tokens.len();
        if is_last {
            break;
        }
        let next = &tokens[i + 1];
        // A newline between this token and the next.
        while nl < newline_at.len() && newline_at[nl] < tokens[i].end {
            nl += 1;
        }
        if nl < newline_at.len() && newline_at[nl] < next.start {
            out.push(start..i + 1);
            start = i + 1;
            continue;
        }
        if ends_sentence(tokens, i) {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < tokens.len() {
        out.push(start..tokens.len());
    }
    out
}

fn ends_sentence(tokens: &[Token], i: usize) -> bool {
    let t = tokens[i].text.as_str();
    let next = tokens[i + 1].text.as_str();
    let closer = matches!(t, "\"" | "”" | "’" | "'" | ")" | "]" | "''");
    if closer {
        // `... end."` : the closer ends the sentence when a terminator precedes it.
        let prev_term = i > 0 && is_terminator(&tokens[i - 1].text) && tokens[i].start == tokens[i - 1].end;
        return prev_term && starts_sentence(next);
    }
    if is_terminator(t) {
        let spaced = tokens[i + 1].start > tokens[i].end;
        let next_is_closer = match next {
            "\"" | "'" => !spaced,
            _ => matches!(next, "”" | "’" | ")" | "]" | "''"),
        };
        return !next_is_closer && starts_sentence(next);
    }
    // An abbreviation that ends the sentence: `... in the U.S. The ...`.
    if t.ends_with('.') && t.len() > 1 && !NON_FINAL.contains(&t) {
        let single_initial = t.chars().count() == 2;
        return !single_initial && starts_sentence(next) && is_common_starter(next);
    }
    false
}

fn is_terminator(t: &str) -> bool {
    matches!(t, "." | "!" | "?" | "..." | "…" | "?!" | "!!" | "??") || t.chars().all(|c| matches!(c, '.' | '!' | '?'))
}

fn starts_sentence(t: &str) -> bool {
    t.chars().next().is_some_and(|c| {
        c.is_uppercase()
            || c.is_numeric()
            || matches!(c, '"' | '“' | '‘' | '(' | '\'')
            || (c.is_alphabetic() && !c.is_lowercase())
    })
}

fn is_common_starter(t: &str) -> bool {
    matches!(
        t,
        "The"
            | "A"
            | "An"
            | "In"
            | "It"
            | "He"
            | "She"
            | "They"
            | "We"
            | "I"
            | "But"
            | "And"
            | "This"
            | "That"
            | "There"
            | "On"
            | "At"
            | "As"
            | "His"
            | "Her"
            | "Their"
            | "Its"
            | "If"
            | "When"
            | "While"
            | "Some"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn news_tokens() {
        assert_eq!(
            texts("U.S. Defense Secretary Lloyd Austin’s visit."),
            ["U.S.", "Defense", "Secretary", "Lloyd", "Austin", "’s", "visit", "."]
        );
        assert_eq!(
            texts("the Japan-U.S. alliance in the Indo-Pacific"),
            ["the", "Japan-U.S.", "alliance", "in", "the", "Indo-Pacific"]
        );
        assert_eq!(
            texts("$4.2 billion, 3.5% and 1,000 warheads"),
            ["$", "4.2", "billion", ",", "3.5", "%", "and", "1,000", "warheads"]
        );
        assert_eq!(texts("Gen. J. Smith don't"), ["Gen.", "J.", "Smith", "do", "n't"]);
        assert_eq!(
            texts("“A Taiwan emergency,” Abe said."),
            ["“", "A", "Taiwan", "emergency", ",", "”", "Abe", "said", "."]
        );
        assert_eq!(texts("by 2030.—"), ["by", "2030", ".", "—"]);
        assert_eq!(
            texts("O'Neill's U.S.-based firm"),
            ["O'Neill", "'s", "U.S.-based", "firm"]
        );
    }

    #[test]
    fn offsets_are_chars_in_any_script() {
        let s = "서울에서 문재인 대통령이 “평화”라고 말했다. Путин — 北京 مرحبا";
        for t in tokenize(s) {
            let sub: String = s.chars().skip(t.start).take(t.end - t.start).collect();
            assert_eq!(sub, t.text);
        }
        assert!(texts(s).contains(&"Путин".to_string()));
        assert!(texts(s).contains(&"北京".to_string()));
    }

    #[test]
    fn sentence_split() {
        let s = "Mr. Smith met Gen. Lee in the U.S. on Jan. 5. They talked. \"It went well.\" He left.\nNew line";
        let toks = tokenize(s);
        let sents: Vec<String> = sentences(s, &toks)
            .into_iter()
            .map(|r| toks[r].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            sents,
            [
                "Mr. Smith met Gen. Lee in the U.S. on Jan. 5 .",
                "They talked .",
                "\" It went well . \"",
                "He left .",
                "New line"
            ]
        );
    }
}
