//! Words that dates are written with: month names and abbreviations in the languages news is written in, time zone
//! names, and the units of relative dates ("2 hours ago", "vor 2 Stunden").

/// Month names and abbreviations (lower case, without a trailing dot) and their numbers. Genitive and inflected
/// forms are listed as they appear after a day number ("3 grudnia", "3 декабря").
const MONTHS: &[(&str, u32)] = &[
    // English
    ("jan", 1),
    ("january", 1),
    ("feb", 2),
    ("febr", 2),
    ("february", 2),
    ("mar", 3),
    ("march", 3),
    ("apr", 4),
    ("april", 4),
    ("may", 5),
    ("jun", 6),
    ("june", 6),
    ("jul", 7),
    ("july", 7),
    ("aug", 8),
    ("august", 8),
    ("sep", 9),
    ("sept", 9),
    ("september", 9),
    ("oct", 10),
    ("october", 10),
    ("nov", 11),
    ("november", 11),
    ("dec", 12),
    ("december", 12),
    // German (with the Austrian "Jänner")
    ("januar", 1),
    ("jänner", 1),
    ("jän", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mär", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("okt", 10),
    ("oktober", 10),
    ("dez", 12),
    ("dezember", 12),
    // French
    ("janv", 1),
    ("janvier", 1),
    ("févr", 2),
    ("fév", 2),
    ("fev", 2),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avr", 4),
    ("avril", 4),
    ("juin", 6),
    ("juil", 7),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("déc", 12),
    ("décembre", 12),
    ("decembre", 12),
    // Spanish
    ("ene", 1),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abr", 4),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("ago", 8),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("dic", 12),
    ("diciembre", 12),
    // Italian
    ("gen", 1),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("mag", 5),
    ("maggio", 5),
    ("giu", 6),
    ("giugno", 6),
    ("lug", 7),
    ("luglio", 7),
    ("set", 9),
    ("settembre", 9),
    ("ott", 10),
    ("ottobre", 10),
    ("dicembre", 12),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("out", 10),
    ("outubro", 10),
    ("novembro", 11),
    ("dezembro", 12),
    // Dutch
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mrt", 3),
    ("mei", 5),
    ("augustus", 8),
    // Swedish, Danish, Norwegian
    ("januar", 1),
    ("marts", 3),
    ("mars", 3),
    ("maj", 5),
    ("augusti", 8),
    ("oktober", 10),
    // Polish (nominative and genitive)
    ("styczeń", 1),
    ("stycznia", 1),
    ("luty", 2),
    ("lutego", 2),
    ("marzec", 3),
    ("marca", 3),
    ("kwiecień", 4),
    ("kwietnia", 4),
    ("maja", 5),
    ("czerwiec", 6),
    ("czerwca", 6),
    ("lipiec", 7),
    ("lipca", 7),
    ("sierpień", 8),
    ("sierpnia", 8),
    ("wrzesień", 9),
    ("września", 9),
    ("październik", 10),
    ("października", 10),
    ("listopad", 11),
    ("listopada", 11),
    ("grudzień", 12),
    ("grudnia", 12),
    // Russian (nominative and genitive)
    ("январь", 1),
    ("января", 1),
    ("февраль", 2),
    ("февраля", 2),
    ("март", 3),
    ("марта", 3),
    ("апрель", 4),
    ("апреля", 4),
    ("май", 5),
    ("мая", 5),
    ("июнь", 6),
    ("июня", 6),
    ("июль", 7),
    ("июля", 7),
    ("август", 8),
    ("августа", 8),
    ("сентябрь", 9),
    ("сентября", 9),
    ("октябрь", 10),
    ("октября", 10),
    ("ноябрь", 11),
    ("ноября", 11),
    ("декабрь", 12),
    ("декабря", 12),
    // Turkish
    ("ocak", 1),
    ("şubat", 2),
    ("mart", 3),
    ("nisan", 4),
    ("mayıs", 5),
    ("haziran", 6),
    ("temmuz", 7),
    ("ağustos", 8),
    ("eylül", 9),
    ("ekim", 10),
    ("kasım", 11),
    ("aralık", 12),
    // Czech (genitive)
    ("ledna", 1),
    ("února", 2),
    ("března", 3),
    ("dubna", 4),
    ("května", 5),
    ("června", 6),
    ("července", 7),
    ("srpna", 8),
    ("září", 9),
    ("října", 10),
    ("listopadu", 11),
    ("prosince", 12),
    // Finnish (partitive, as in "3. joulukuuta")
    ("tammikuuta", 1),
    ("helmikuuta", 2),
    ("maaliskuuta", 3),
    ("huhtikuuta", 4),
    ("toukokuuta", 5),
    ("kesäkuuta", 6),
    ("heinäkuuta", 7),
    ("elokuuta", 8),
    ("syyskuuta", 9),
    ("lokakuuta", 10),
    ("marraskuuta", 11),
    ("joulukuuta", 12),
];

/// The month a word names, in any listed language (case and a trailing dot ignored).
pub fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w.chars().count() < 3 || w.len() > 24 {
        return None;
    }
    let mut buf = [0u8; 48];
    let lower = lower_into(w, &mut buf)?;
    MONTHS.iter().find(|(n, _)| *n == lower).map(|(_, m)| *m)
}

/// Lower-cases `w` into `buf` without allocating; `None` when it does not fit.
fn lower_into<'b>(w: &str, buf: &'b mut [u8; 48]) -> Option<&'b str> {
    let mut n = 0;
    for c in w.chars().flat_map(char::to_lowercase) {
        let mut tmp = [0u8; 4];
        let s = c.encode_utf8(&mut tmp);
        buf.get_mut(n..n + s.len())?.copy_from_slice(s.as_bytes());
        n += s.len();
    }
    std::str::from_utf8(&buf[..n]).ok()
}

/// Offset in seconds east of UTC for a numeric (`+0100`, `-05:00`, `GMT+2`) or named (`CET`, `EST`) zone.
pub fn zone_offset(z: &str) -> Option<i32> {
    let z = z.trim_matches(|c| c == '(' || c == ')');
    if z.is_empty() || z.len() > 10 {
        return None;
    }
    let upper = z.to_ascii_uppercase();
    let numeric = upper.trim_start_matches("GMT").trim_start_matches("UTC");
    if let Some(sign) = numeric.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = numeric[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse::<i32>().ok()?),
            4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
            _ => return None,
        };
        if h > 14 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let hours: f32 = match upper.as_str() {
        "GMT" | "UT" | "UTC" | "Z" | "WET" | "Z0" => 0.0,
        "EST" => -5.0,
        "EDT" => -4.0,
        "CST" => -6.0,
        "CDT" => -5.0,
        "MST" => -7.0,
        "MDT" => -6.0,
        "PST" => -8.0,
        "PDT" => -7.0,
        "AKST" => -9.0,
        "AKDT" => -8.0,
        "HST" => -10.0,
        "AST" => -4.0,
        "ADT" => -3.0,
        "NST" => -3.5,
        "NDT" => -2.5,
        "BST" | "CET" | "MET" | "WEST" | "MEZ" => 1.0,
        "CEST" | "MEST" | "EET" | "SAST" | "MESZ" => 2.0,
        "EEST" | "MSK" => 3.0,
        "IST" => 5.5,
        "SGT" | "HKT" | "AWST" | "CST8" => 8.0,
        "JST" | "KST" => 9.0,
        "ACST" => 9.5,
        "AEST" => 10.0,
        "ACDT" => 10.5,
        "AEDT" => 11.0,
        "NZST" => 12.0,
        "NZDT" => 13.0,
        _ => return None,
    };
    Some((hours * 3600.0) as i32)
}

/// A unit of a relative date, in seconds ("hours" -> 3600), in the listed languages.
pub fn unit_seconds(word: &str) -> Option<i64> {
    let mut buf = [0u8; 48];
    let w = lower_into(word.trim_end_matches('.'), &mut buf)?;
    Some(match w {
        "sec" | "secs" | "second" | "seconds" | "sekunde" | "sekunden" | "seconde" | "secondes" | "segundo"
        | "segundos" | "secondo" | "secondi" => 1,
        "min" | "mins" | "minute" | "minutes" | "minuten" | "minuto" | "minutos" | "minuti" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" | "stunde" | "stunden" | "std" | "heure" | "heures" | "hora"
        | "horas" | "ora" | "ore" | "uur" => 3600,
        "day" | "days" | "tag" | "tagen" | "tage" | "jour" | "jours" | "día" | "dia" | "días" | "dias" | "giorno"
        | "giorni" | "dag" | "dagen" => 86_400,
        "week" | "weeks" | "woche" | "wochen" | "semaine" | "semaines" | "semana" | "semanas" | "settimana"
        | "settimane" | "weken" => 7 * 86_400,
        _ => return None,
    })
}

/// Words that put a relative date in the past, before the number ("vor", "il y a", "hace") or after the unit ("ago",
/// "fa", "geleden").
pub fn past_before(word: &str) -> bool {
    matches!(word, "vor" | "Vor" | "hace" | "Hace" | "há" | "Há")
}

pub fn past_after(word: &str) -> bool {
    matches!(word, "ago" | "fa" | "geleden" | "sedan" | "siden")
}
