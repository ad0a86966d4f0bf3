//! Linux authentication semantics on top of syslog framing: sshd (and OpenSSH 9.8+'s
//! `sshd-session`), sudo, su, PAM modules, and web GUI logins of firewall appliances.
//!
//! Each recognized message becomes an OCSF Authentication (3002) event with the user, the
//! source address and port, and the outcome; the table is in `docs/mappings/auth_log.md`.

use std::borrow::Cow;
use std::net::IpAddr;

use logsec_event::{Actor, Endpoint, Event, RawRecord, SourceFormat, User, ocsf};

use crate::text::scan::{
    Unmapped, find_spaced, ipv4_exact_at, ipv4_prefix, parse_ip, parse_port, rfind_spaced,
    separator_at, span, split_once_spaced, split3_spaces,
};
use crate::text::syslog::Header;

const LOGON: u32 = 1;
const LOGOFF: u32 = 2;
const ACCOUNT_SWITCH: u32 = 7;

/// What an auth message said.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AuthInfo<'a> {
    /// Authentication activity (1 Logon, 2 Logoff, 7 Account Switch).
    pub(crate) activity_id: u32,
    /// 1 Success, 2 Failure.
    pub(crate) status_id: u32,
    /// The user that authenticated (for sudo/su: the invoking user).
    pub(crate) user: Option<&'a str>,
    /// The account switched to (sudo `USER=`, su target).
    pub(crate) target_user: Option<&'a str>,
    /// Source address, as written and as read (every recognizer checks that it is one).
    pub(crate) src_ip: Option<SourceIp<'a>>,
    /// Source port.
    pub(crate) src_port: Option<&'a str>,
    /// Method (`password`, `publickey`, `keyboard-interactive/pam`, a PAM service).
    pub(crate) method: Option<&'a str>,
    /// Why it failed, or what happened, in the source's words.
    pub(crate) detail: &'static str,
    /// sudo's `COMMAND=`.
    pub(crate) command: Option<&'a str>,
    /// sudo's `TTY=`.
    pub(crate) tty: Option<&'a str>,
    /// sudo's `PWD=`.
    pub(crate) pwd: Option<&'a str>,
}

/// A source address in the text of a message and its value: read once, where it is
/// recognized, not again when the event is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SourceIp<'a> {
    /// The address as written.
    pub(crate) text: &'a str,
    /// The address.
    pub(crate) addr: IpAddr,
}

impl<'a> SourceIp<'a> {
    /// `text` if it is an IP address.
    fn parse(text: &'a str) -> Option<SourceIp<'a>> {
        parse_ip(text).map(|addr| SourceIp { text, addr })
    }
}

/// Programs whose messages carry authentication semantics.
pub(crate) fn is_auth_program(app: &str) -> bool {
    matches!(
        app,
        "sshd" | "sshd-session" | "sshd-auth" | "sudo" | "su" | "login" | "audit" | "doas"
    ) || app.starts_with("sshd")
}

/// Recognizes an authentication message; `None` for everything else.
pub(crate) fn recognize<'a>(app: Option<&'a str>, msg: &'a str) -> Option<AuthInfo<'a>> {
    let app = app.unwrap_or("");
    if let Some(pam) = pam(msg) {
        return Some(pam);
    }
    if !is_auth_program(app) {
        return None;
    }
    match app {
        "sudo" | "doas" => sudo(msg),
        "su" => su(msg),
        "audit" | "login" => gui_or_login(msg),
        _ => sshd(msg),
    }
}

/// `… from <ip> port <port>…` → (ip, port).
fn from_ip_port(text: &str) -> (Option<SourceIp<'_>>, Option<&str>) {
    let (first, second, rest) = split3_spaces(text);
    // `first` ends at a space or at the end: read from `text`, sixteen bytes at once when
    // the message goes on (as `parse_ip` reads `first`).
    let ip = match ipv4_exact_at(text.as_bytes(), first.len()) {
        Some(v4) => Some(SourceIp {
            text: first,
            addr: IpAddr::V4(v4),
        }),
        None => SourceIp::parse(first),
    };
    let port = match (second, rest) {
        (Some("port"), Some(rest)) => {
            let end = memchr::memchr(b' ', rest.as_bytes()).unwrap_or(rest.len());
            Some(rest.get(..end).unwrap_or(rest).trim_end_matches(':'))
        }
        _ => None,
    };
    (ip, port)
}

/// The peer address of an sshd message without a user: the first `<ip> port <port>` (or a
/// bare address after `from`/`with`/`for`/`by`) in the text.
pub(crate) fn peer_address(msg: &str) -> Option<(&str, Option<&str>)> {
    let words: Vec<&str> = msg.split([' ', '(', ')']).take(32).collect();
    for (i, word) in words.iter().enumerate() {
        let word = word.trim_end_matches([':', ',']);
        if parse_ip(word).is_none() {
            continue;
        }
        let port = match (words.get(i + 1), words.get(i + 2)) {
            (Some(&"port"), Some(port)) => Some(port.trim_end_matches([':', ','])),
            _ => None,
        };
        let after_keyword = i > 0
            && words
                .get(i - 1)
                .is_some_and(|w| matches!(*w, "from" | "with" | "for" | "by" | ""));
        if port.is_some() || after_keyword {
            return Some((word, port));
        }
    }
    None
}

/// What [`user_from`] reads: the user, the address and the port.
type UserFrom<'a> = (&'a str, Option<SourceIp<'a>>, Option<&'a str>);

/// `<user> from <ip> port <port>` (user may be empty or contain spaces).
fn user_from(text: &str) -> Option<UserFrom<'_>> {
    match user_from_usual(text) {
        Some(found) => Some(found),
        None => user_from_general(text),
    }
}

/// [`user_from`] for the shape sshd writes nearly always, `<user> from <IPv4> port <digits>`
/// with a one-word user, then nothing or a space and text without another ` from `: read
/// forwards in one pass, where the general reader searches for the last ` from ` from the
/// end and then splits what follows. `None` (the general reader's turn) for anything else.
#[inline]
fn user_from_usual(text: &str) -> Option<UserFrom<'_>> {
    let bytes = text.as_bytes();
    let user_end = separator_at(bytes, 0, false);
    let ip_start = user_end + 6;
    if bytes.get(user_end..ip_start)? != b" from " {
        return None;
    }
    let (v4, ip_len) = ipv4_prefix(bytes.get(ip_start..)?)?;
    let ip_end = ip_start + ip_len;
    let port_start = ip_end + 6;
    if bytes.get(ip_end..port_start)? != b" port " {
        return None;
    }
    let port_end = separator_at(bytes, port_start, false);
    let port = span(text, port_start, port_end)?;
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // The general reader takes the last ` from `: any later one would start in the tail
    // (the address, `port` and the port hold none).
    if find_spaced(text.get(port_end..)?, " from ").is_some() {
        return None;
    }
    let ip = SourceIp {
        text: span(text, ip_start, ip_end)?,
        addr: IpAddr::V4(v4),
    };
    Some((text.get(..user_end)?, Some(ip), Some(port)))
}

/// [`user_from`] for every shape: the last ` from ` ends the user.
fn user_from_general(text: &str) -> Option<UserFrom<'_>> {
    let at = rfind_spaced(text, " from ")?;
    let user = text.get(..at)?;
    let (ip, port) = from_ip_port(text.get(at + 6..)?);
    Some((user, ip, port))
}

/// `<user> <ip> port <port> [preauth]` (the `Disconnected from … user` shape).
fn user_ip_port(text: &str) -> Option<UserFrom<'_>> {
    let port_at = rfind_spaced(text, " port ")?;
    let head = text.get(..port_at)?;
    let ip_at = head.rfind(' ')?;
    let ip = SourceIp::parse(head.get(ip_at + 1..)?)?;
    let user = head.get(..ip_at)?;
    let port = text.get(port_at + 6..)?.split(' ').next();
    Some((user, Some(ip), port))
}

/// `<method> for <rest>` split at the first ` for `, as `split_once_spaced(text, " for ")`
/// does.
#[inline]
fn method_for(text: &str) -> Option<(&str, &str)> {
    let method_end = separator_at(text.as_bytes(), 0, false);
    match text
        .get(method_end..)
        .and_then(|rest| rest.strip_prefix(" for "))
    {
        Some(rest) => Some((text.get(..method_end)?, rest)),
        None => split_once_spaced(text, " for "),
    }
}

/// [`split_once_spaced`] for a `needle` that starts with a space, checked first at the first
/// space of `text`: the usual one-word method, user or sudo field (`password for`, `alice :`,
/// `TTY=pts/0 ;`) is split without a search. A match there is the first one (a match starts
/// at a space); otherwise the search goes on after that space.
#[inline(always)]
fn split_once_spaced_first_word<'t>(text: &'t str, needle: &str) -> Option<(&'t str, &'t str)> {
    let first_space = separator_at(text.as_bytes(), 0, false);
    let after_first = text.get(first_space..)?;
    if let Some(rest) = after_first.strip_prefix(needle) {
        return Some((text.get(..first_space)?, rest));
    }
    // No match at the first space (or no space at all): the first match, if any, starts at
    // a later space.
    let later = after_first.get(1..)?;
    let at = first_space + 1 + find_spaced(later, needle)?;
    Some((text.get(..at)?, text.get(at + needle.len()..)?))
}

fn failure<'a>(
    user: Option<&'a str>,
    ip: Option<SourceIp<'a>>,
    port: Option<&'a str>,
    detail: &'static str,
) -> AuthInfo<'a> {
    AuthInfo {
        activity_id: LOGON,
        status_id: ocsf::status::FAILURE,
        user: user.filter(|u| !u.is_empty()),
        src_ip: ip,
        src_port: port,
        detail,
        ..AuthInfo::default()
    }
}

fn sshd(msg: &str) -> Option<AuthInfo<'_>> {
    let msg = msg.strip_prefix("error: ").unwrap_or(msg);
    if let Some(rest) = msg.strip_prefix("Accepted ") {
        let (method, rest) = method_for(rest)?;
        let (user, ip, port) = user_from(rest)?;
        return Some(AuthInfo {
            activity_id: LOGON,
            status_id: ocsf::status::SUCCESS,
            user: Some(user),
            src_ip: ip,
            src_port: port,
            method: Some(method),
            detail: "accepted",
            ..AuthInfo::default()
        });
    }
    if let Some(rest) = msg.strip_prefix("Failed ") {
        let (method, rest) = method_for(rest)?;
        let (rest, detail) = match rest.strip_prefix("invalid user ") {
            Some(rest) => (rest, "invalid user"),
            None => (rest, "failed"),
        };
        let (user, ip, port) = user_from(rest)?;
        let mut info = failure(Some(user), ip, port, detail);
        info.method = Some(method);
        return Some(info);
    }
    if let Some(rest) = msg.strip_prefix("Invalid user ") {
        let (user, ip, port) = user_from(rest)?;
        return Some(failure(Some(user), ip, port, "invalid user"));
    }
    if let Some(rest) = msg.strip_prefix("User ") {
        // "User root from 192.168.1.1 not allowed because not listed in AllowUsers"
        let (user, rest) = split_once_spaced(rest, " from ")?;
        let ip = rest.split(' ').next().and_then(SourceIp::parse);
        if find_spaced(rest, " not allowed").is_some() {
            return Some(failure(Some(user), ip, None, "user not allowed"));
        }
        return None;
    }
    for (prefix, detail) in [
        ("Disconnected from ", "disconnected before authentication"),
        (
            "Connection closed by ",
            "connection closed before authentication",
        ),
        (
            "Connection reset by ",
            "connection reset before authentication",
        ),
    ] {
        if let Some(rest) = msg.strip_prefix(prefix) {
            let rest = rest
                .strip_prefix("invalid user ")
                .or_else(|| rest.strip_prefix("authenticating user "))?;
            let (user, ip, port) = user_ip_port(rest)?;
            return Some(failure(Some(user), ip, port, detail));
        }
    }
    if let Some(rest) = msg.strip_prefix("maximum authentication attempts exceeded for ") {
        let rest = rest.strip_prefix("invalid user ").unwrap_or(rest);
        let (user, ip, port) = user_from(rest)?;
        return Some(failure(
            Some(user),
            ip,
            port,
            "maximum authentication attempts exceeded",
        ));
    }
    None
}

/// PAM module messages: `pam_unix(sshd:auth): authentication failure; … rhost=… user=…`,
/// `pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)`,
/// `pam_tally2(sudo:auth): user zbadguy (4001) tally 6, deny 5`.
fn pam(msg: &str) -> Option<AuthInfo<'_>> {
    if !msg.starts_with("pam_") {
        return None;
    }
    let (module_service, rest) = msg.split_once("): ")?;
    let (_module, service) = module_service.split_once('(')?;
    let method = Some(service);
    if let Some(fields) = rest.strip_prefix("authentication failure; ") {
        let field = |name: &str| {
            fields
                .split(' ')
                .find_map(|kv| kv.strip_prefix(name))
                .filter(|v| !v.is_empty())
        };
        let user = field("user=").or_else(|| field("ruser="));
        let mut info = failure(
            user,
            field("rhost=").and_then(SourceIp::parse),
            None,
            "authentication failure",
        );
        info.method = method;
        return Some(info);
    }
    if let Some(rest) = rest.strip_prefix("session opened for user ") {
        let user = rest.split(['(', ' ']).next().filter(|u| !u.is_empty());
        let by = rest
            .split_once(" by ")
            .and_then(|(_, by)| by.split(['(', ' ']).next())
            .filter(|u| !u.is_empty());
        return Some(AuthInfo {
            activity_id: LOGON,
            status_id: ocsf::status::SUCCESS,
            user: by.or(user),
            target_user: user,
            method,
            detail: "session opened",
            ..AuthInfo::default()
        });
    }
    if let Some(rest) = rest.strip_prefix("session closed for user ") {
        let user = rest.split(['(', ' ']).next().filter(|u| !u.is_empty());
        return Some(AuthInfo {
            activity_id: LOGOFF,
            status_id: ocsf::status::SUCCESS,
            user,
            target_user: user,
            method,
            detail: "session closed",
            ..AuthInfo::default()
        });
    }
    if let Some(rest) = rest.strip_prefix("user ")
        && rest.contains(" tally ")
    {
        let user = rest.split(' ').next();
        let mut info = failure(user, None, None, "failure tally");
        info.method = method;
        return Some(info);
    }
    None
}

/// sudo: `alice : TTY=pts/6 ; PWD=/home ; USER=root ; COMMAND=/bin/sh`, with an optional
/// reason before the fields (`user NOT in sudoers`, `3 incorrect password attempts`,
/// `command not allowed`).
fn sudo(msg: &str) -> Option<AuthInfo<'_>> {
    let (user, rest) = split_once_spaced_first_word(msg, " : ")?;
    let user = trim(user);
    let mut info = AuthInfo {
        activity_id: ACCOUNT_SWITCH,
        status_id: ocsf::status::SUCCESS,
        user: Some(user).filter(|u| !u.is_empty()),
        detail: "command run",
        ..AuthInfo::default()
    };
    let mut saw_field = false;
    for part in split_semicolons(rest) {
        let part = trim(part);
        if let Some(v) = part.strip_prefix("TTY=") {
            info.tty = Some(v);
            saw_field = true;
        } else if let Some(v) = part.strip_prefix("PWD=") {
            info.pwd = Some(v);
            saw_field = true;
        } else if let Some(v) = part.strip_prefix("USER=") {
            info.target_user = Some(v);
            saw_field = true;
        } else if let Some(v) = part.strip_prefix("COMMAND=") {
            info.command = Some(v);
            saw_field = true;
        } else if part.contains("NOT in sudoers") {
            info.status_id = ocsf::status::FAILURE;
            info.detail = "user NOT in sudoers";
        } else if part.contains("incorrect password attempt") {
            info.status_id = ocsf::status::FAILURE;
            info.detail = "incorrect password attempts";
        } else if part.contains("command not allowed") {
            info.status_id = ocsf::status::FAILURE;
            info.detail = "command not allowed";
        } else if part.contains("a password is required") {
            info.status_id = ocsf::status::FAILURE;
            info.detail = "a password is required";
        }
    }
    saw_field.then_some(info)
}

/// `text.trim()`, without decoding characters when both ends are visible ASCII (the usual
/// sudo user and field): `str::trim` decodes a character at each end to look it up in the
/// Unicode white-space table.
#[inline]
fn trim(text: &str) -> &str {
    match text.as_bytes() {
        [first, .., last] if first.is_ascii_graphic() && last.is_ascii_graphic() => text,
        [only] if only.is_ascii_graphic() => text,
        _ => text.trim(),
    }
}

/// `text.split(" ; ")` through [`split_once_spaced_first_word`] (a byte search for the
/// spaces; the `str` pattern of `split` sets up a two-way searcher per record).
fn split_semicolons(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let text = rest?;
        match split_once_spaced_first_word(text, " ; ") {
            Some((part, after)) => {
                rest = Some(after);
                Some(part)
            }
            None => {
                rest = None;
                Some(text)
            }
        }
    })
}

/// su: `Successful su for root by alice`, `FAILED SU (to root) alice on pts/0`,
/// `(to root) alice on pts/0`.
fn su(msg: &str) -> Option<AuthInfo<'_>> {
    if let Some(rest) = msg.strip_prefix("Successful su for ") {
        let (target, user) = rest.split_once(" by ")?;
        return Some(AuthInfo {
            activity_id: ACCOUNT_SWITCH,
            status_id: ocsf::status::SUCCESS,
            user: Some(user.trim()),
            target_user: Some(target),
            detail: "successful su",
            ..AuthInfo::default()
        });
    }
    let (failed, rest) = match msg.strip_prefix("FAILED SU ") {
        Some(rest) => (true, rest),
        None => (false, msg),
    };
    let rest = rest.strip_prefix("(to ")?;
    let (target, rest) = rest.split_once(") ")?;
    let user = rest.split(' ').next();
    Some(AuthInfo {
        activity_id: ACCOUNT_SWITCH,
        status_id: if failed {
            ocsf::status::FAILURE
        } else {
            ocsf::status::SUCCESS
        },
        user,
        target_user: Some(target),
        detail: if failed { "failed su" } else { "su" },
        ..AuthInfo::default()
    })
}

/// Web GUI logins (OPNsense/pfSense `audit`) and `login`:
/// `/index.php: Web GUI authentication error for 'toto' from 1.2.3.4`,
/// `/index.php: Successful login for user 'root' from: 1.2.3.4`,
/// `FAILED LOGIN 1 FROM tty1 FOR root, Authentication failure`.
fn gui_or_login(msg: &str) -> Option<AuthInfo<'_>> {
    fn quoted_user_from(rest: &str) -> Option<(&str, Option<SourceIp<'_>>)> {
        let rest = rest.strip_prefix('\'')?;
        let (user, rest) = rest.split_once('\'')?;
        let ip = rest
            .trim_start()
            .strip_prefix("from")
            .map(|r| r.trim_start_matches(':').trim())
            .and_then(|r| r.split(' ').next())
            .and_then(SourceIp::parse);
        Some((user, ip))
    }
    if let Some((_, rest)) = msg.split_once("authentication error for ") {
        let (user, ip) = quoted_user_from(rest)?;
        return Some(failure(Some(user), ip, None, "authentication error"));
    }
    if let Some((_, rest)) = msg.split_once("Successful login for user ") {
        let (user, ip) = quoted_user_from(rest)?;
        return Some(AuthInfo {
            activity_id: LOGON,
            status_id: ocsf::status::SUCCESS,
            user: Some(user),
            src_ip: ip,
            detail: "successful login",
            ..AuthInfo::default()
        });
    }
    if let Some(rest) = msg.strip_prefix("FAILED LOGIN ") {
        let user = rest
            .split_once(" FOR ")
            .and_then(|(_, r)| r.split([',', ' ']).next());
        return Some(failure(user, None, None, "failed login"));
    }
    None
}

/// The Authentication event of a recognized auth message.
pub(crate) fn build_event<'a>(
    line: &'a str,
    header: &Header<'a>,
    info: AuthInfo<'a>,
    mut unmapped: Unmapped<'a>,
    format: SourceFormat,
) -> Box<Event<'a>> {
    let mut event = Event::new_boxed(&ocsf::AUTHENTICATION, info.activity_id, format);
    event.time = header.time;
    event.set_status(info.status_id);
    event.status_detail = Some(Cow::Borrowed(info.detail));
    event.message = Some(Cow::Borrowed(header.msg));
    event.metadata.log_name = header.app_name.map(Cow::Borrowed);
    if info.status_id == ocsf::status::FAILURE {
        event.severity_id = logsec_event::Severity::Low;
    }
    let is_switch = info.activity_id == ACCOUNT_SWITCH
        || (info.target_user.is_some() && info.target_user != info.user);
    // Boxes filled in place on the heap (a struct built on the stack and then boxed is
    // copied).
    let boxed_user = |name: &'a str| {
        let mut user = Box::<User<'a>>::default();
        user.name = Some(Cow::Borrowed(name));
        user
    };
    if is_switch {
        event.actor = info.user.map(|name| {
            let mut actor = Box::<Actor<'a>>::default();
            actor.user.insert(User::default()).name = Some(Cow::Borrowed(name));
            actor
        });
        event.user = info.target_user.or(info.user).map(boxed_user);
    } else {
        event.user = info.user.map(boxed_user);
    }
    let src_ip = info.src_ip.map(|ip| ip.addr);
    let src_port = info.src_port.and_then(parse_port);
    if src_ip.is_some() || src_port.is_some() {
        let mut src = Box::<Endpoint<'a>>::default();
        src.ip = src_ip;
        src.port = src_port;
        event.src_endpoint = Some(src);
    }
    if let Some(host) = header.hostname {
        let mut dst = Box::<Endpoint<'a>>::default();
        dst.hostname = Some(Cow::Borrowed(host));
        event.dst_endpoint = Some(dst);
    }
    unmapped.opt("user", info.user);
    unmapped.opt("target_user", info.target_user);
    unmapped.opt("src_ip", info.src_ip.map(|ip| ip.text));
    unmapped.opt("src_port", info.src_port);
    unmapped.opt("auth_method", info.method);
    unmapped.opt("tty", info.tty);
    unmapped.opt("pwd", info.pwd);
    unmapped.opt("command", info.command);
    unmapped.store_in(&mut event.unmapped);
    event.raw = RawRecord::text(line);
    event
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::ParseOptions;
    use crate::text::syslog::SyslogParser;
    use crate::text::test_support::{event_of, raw};

    fn parse(line: &str) -> Event<'_> {
        let options = ParseOptions {
            syslog_year: Some(2024),
            ..ParseOptions::default()
        };
        event_of(
            &mut SyslogParser::new(SourceFormat::AuthLog, &options),
            line,
        )
    }

    fn user(event: &Event<'_>) -> Option<String> {
        event.user.as_ref()?.name.as_deref().map(str::to_owned)
    }

    #[test]
    fn sshd_accepted_and_failed() {
        let e = parse(
            "Sep  6 09:57:21 bullseye sshd[581]: Accepted publickey for vagrant from 192.168.121.1 port 56296 ssh2: RSA SHA256:1M4R",
        );
        assert_eq!((e.class_uid, e.activity_id, e.status_id), (3002, 1, 1));
        assert_eq!(user(&e).as_deref(), Some("vagrant"));
        let src = e.src_endpoint.as_ref().unwrap();
        assert_eq!(src.ip, Some("192.168.121.1".parse().unwrap()));
        assert_eq!(src.port, Some(56296));
        assert_eq!(raw(&e, "auth_method"), Some("publickey".into()));
        assert_eq!(
            e.dst_endpoint.as_ref().unwrap().hostname.as_deref(),
            Some("bullseye")
        );

        let e = parse(
            "Apr  6 18:51:41 eve sshd[2784424]: Failed password for invalid user root from 192.168.1.2 port 51182 ssh2",
        );
        assert_eq!(e.status_id, 2);
        assert_eq!(user(&e).as_deref(), Some("root"));
        assert_eq!(e.status_detail.as_deref(), Some("invalid user"));
        assert_eq!(e.src_endpoint.as_ref().unwrap().port, Some(51182));
    }

    #[test]
    fn sshd_session_invalid_user_and_preauth_disconnects() {
        let e = parse(
            "Jun 12 16:20:12 leto sshd-session[406147]: Invalid user crowdsec-test from 127.0.0.1 port 49916",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 2));
        assert_eq!(user(&e).as_deref(), Some("crowdsec-test"));
        let e = parse(
            "Jan 24 15:32:31 server sshd[2651912]: Disconnected from authenticating user root 179.43.183.98 port 59402 [preauth]",
        );
        assert_eq!(user(&e).as_deref(), Some("root"));
        assert_eq!(e.src_endpoint.as_ref().unwrap().port, Some(59402));
        let e = parse(
            "Aug 03 21:39:20 hostname sshd[69420]: Connection closed by invalid user root 206.81.24.125 port 45362 [preauth]",
        );
        assert_eq!(e.status_id, 2);
        let e = parse(
            "2023-11-14T00:20:42.738197+01:00 myserver sshd[1112652]: User root from 192.168.1.1 not allowed because not listed in AllowUsers",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 2));
        // Pre-authentication noise without a user stays a Base Event, with the peer address.
        let e = parse(
            "Nov 19 11:28:15 myhost sshd[36648]: Connection closed by 118.27.24.104 port 33594 [preauth]",
        );
        assert_eq!(e.class_uid, 0);
        assert_eq!(e.src_endpoint.as_ref().unwrap().port, Some(33594));
        let e = parse(
            "Jun  8 10:44:36 server sshd[3204729]: Unable to negotiate with 123.57.135.134 port 45626: no matching key exchange method found.",
        );
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip,
            Some("123.57.135.134".parse().unwrap())
        );
        let e = parse(
            "Dec 16 14:10:24 myhost sshd[16379]: refused connect from example.com (192.168.1.1)",
        );
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip,
            Some("192.168.1.1".parse().unwrap())
        );
    }

    #[test]
    fn pam_messages() {
        let e = parse(
            "Nov 2 15:40:14 workshop sshd[28179]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=5.33.63.160 user=workshop",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 2));
        assert_eq!(user(&e).as_deref(), Some("workshop"));
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip,
            Some("5.33.63.160".parse().unwrap())
        );
        let e = parse(
            "Dec  7 14:53:04 vskub1master01p sudo: pam_tally2(sudo:auth): user zbadguy (4001) tally 6, deny 5",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 2));
        assert_eq!(user(&e).as_deref(), Some("zbadguy"));
        let e = parse(
            "Dec  7 14:53:04 h sudo: pam_unix(sudo:session): session opened for user root(uid=0) by alice(uid=1000)",
        );
        assert_eq!((e.activity_id, e.status_id), (1, 1));
        assert_eq!(user(&e).as_deref(), Some("root"));
        assert_eq!(
            e.actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("alice")
        );
        let e =
            parse("Dec  7 14:53:09 h sshd[1]: pam_unix(sshd:session): session closed for user bob");
        assert_eq!(e.activity_id, 2);
    }

    #[test]
    fn sudo_and_su() {
        let e = parse(
            "Nov  3 09:47:02 veridian sudo: timstack : TTY=pts/6 ; PWD=/auto/wstimstack ; USER=root ; COMMAND=/usr/bin/tail /var/log/messages",
        );
        assert_eq!((e.class_uid, e.activity_id, e.status_id), (3002, 7, 1));
        assert_eq!(user(&e).as_deref(), Some("root"));
        assert_eq!(
            e.actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .name
                .as_deref(),
            Some("timstack")
        );
        assert_eq!(
            raw(&e, "command"),
            Some("/usr/bin/tail /var/log/messages".into())
        );
        let e = parse(
            "Nov  3 09:47:02 h sudo:    mallory : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/mallory ; USER=root ; COMMAND=/bin/bash",
        );
        assert_eq!(e.status_id, 2);
        assert_eq!(e.status_detail.as_deref(), Some("user NOT in sudoers"));
        let e = parse("Nov  3 09:47:02 h su[12]: FAILED SU (to root) alice on pts/0");
        assert_eq!((e.activity_id, e.status_id), (7, 2));
        let e = parse(
            "<35>1 2022-01-19T15:14:32+00:00 OPNsense.localdomain audit 24409 - [meta sequenceId=\"4\"] /index.php: Web GUI authentication error for 'toto' from 1.2.3.4",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 2));
        assert_eq!(user(&e).as_deref(), Some("toto"));
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip,
            Some("1.2.3.4".parse().unwrap())
        );
        // Other programs never get auth semantics from look-alike text.
        let e = parse("Nov  3 09:47:02 h myapp: Accepted password for x from 1.2.3.4 port 1 ssh2");
        assert_eq!(e.class_uid, 0);
    }

    #[test]
    fn semicolon_split_matches_str_split() {
        for text in [
            "TTY=pts/0 ; PWD=/home ; USER=root ; COMMAND=/bin/sh",
            "",
            " ; ",
            " ;  ; x",
            "a ; ; b ;",
            "no separator",
        ] {
            let ours: Vec<&str> = split_semicolons(text).collect();
            let std: Vec<&str> = text.split(" ; ").collect();
            assert_eq!(ours, std, "{text:?}");
        }
    }

    #[test]
    fn usual_user_from_reader_agrees_with_the_general_one() {
        let ip = |text: &'static str| {
            Some(SourceIp {
                text,
                addr: text.parse().unwrap(),
            })
        };
        // The usual shapes: read in one pass, as the general reader reads them.
        for (text, expected) in [
            (
                "root from 203.0.113.5 port 50022 ssh2",
                ("root", ip("203.0.113.5"), Some("50022")),
            ),
            (
                "deploy from 10.0.0.1 port 22",
                ("deploy", ip("10.0.0.1"), Some("22")),
            ),
            (
                "alice from 1.2.3.4 port 5 ssh2: RSA SHA256:abc",
                ("alice", ip("1.2.3.4"), Some("5")),
            ),
            (" from 1.2.3.4 port 5", ("", ip("1.2.3.4"), Some("5"))),
        ] {
            assert_eq!(user_from_usual(text), Some(expected), "{text:?}");
            assert_eq!(user_from_general(text), Some(expected), "{text:?}");
            assert_eq!(user_from(text), Some(expected), "{text:?}");
        }
        // Everything else goes to the general reader.
        for (text, expected) in [
            (
                "a b from 1.2.3.4 port 22",
                Some(("a b", ip("1.2.3.4"), Some("22"))),
            ),
            (
                "root from 1.2.3.4 port 22 from 5.6.7.8 port 9",
                Some(("root from 1.2.3.4 port 22", ip("5.6.7.8"), Some("9"))),
            ),
            (
                "root from from 1.2.3.4 port 22",
                Some(("root from", ip("1.2.3.4"), Some("22"))),
            ),
            (
                "root from 2001:db8::1 port 22",
                Some(("root", ip("2001:db8::1"), Some("22"))),
            ),
            (
                "root from 1.2.3.4 port 22: x",
                Some(("root", ip("1.2.3.4"), Some("22"))),
            ),
            (
                "root from 1.2.3.4  port 22",
                Some(("root", ip("1.2.3.4"), None)),
            ),
            (
                "root from 1.2.3.456 port 22",
                Some(("root", None, Some("22"))),
            ),
            (
                "root from 1.2.3.4.5 port 22",
                Some(("root", None, Some("22"))),
            ),
            (
                "root from 1.2.3.4 port",
                Some(("root", ip("1.2.3.4"), None)),
            ),
            ("root from 1.2.3.4", Some(("root", ip("1.2.3.4"), None))),
            ("root port 22", None),
        ] {
            assert_eq!(user_from_usual(text), None, "{text:?}");
            assert_eq!(user_from(text), expected, "{text:?}");
        }
    }

    #[test]
    fn method_split_agrees_with_split_once_spaced() {
        for text in [
            "publickey for root from 1.2.3.4 port 1 ssh2",
            "keyboard-interactive/pam for x from 1.2.3.4 port 1",
            "none for  from 1.2.3.4",
            "two words for x",
            "for x",
            " for x",
            "password",
            "",
            "alice : TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=/bin/sh -c a ; b",
            "TTY=pts/0 ; PWD=/home",
            "COMMAND=/usr/bin/systemctl restart nginx",
            "a  ; b",
            " ;  ; x",
            "x ; ",
            "x ;",
        ] {
            for needle in [" for ", " : ", " ; ", " "] {
                assert_eq!(
                    split_once_spaced_first_word(text, needle),
                    split_once_spaced(text, needle),
                    "{text:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn port_reader_matches_u16_parse() {
        for text in [
            "",
            "0",
            "22",
            "65535",
            "65536",
            "99999",
            "123456",
            "+22",
            "-1",
            "2 2",
            "00022",
            "٣",
            "0000000022",
        ] {
            assert_eq!(parse_port(text), text.parse::<u16>().ok(), "{text:?}");
        }
    }

    #[test]
    fn trim_matches_str_trim() {
        for text in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\talice\t",
            "alice",
            "\u{a0}x",
            "x\u{2003}",
            "é",
            "a b",
            "\u{85}",
            "~",
            "!x!",
        ] {
            assert_eq!(trim(text), text.trim(), "{text:?}");
        }
    }

    #[test]
    fn tricky_lines_read_as_before() {
        // Odd spacing after the time and in sudo's padding, single-digit days.
        let e = parse(
            "Nov  3 09:47:02  web1   sshd[7]:  Accepted password for bob from 10.1.2.3 port 2222 ssh2",
        );
        assert_eq!((e.class_uid, e.status_id), (3002, 1));
        assert_eq!(user(&e).as_deref(), Some("bob"));
        assert_eq!(raw(&e, "hostname"), Some("web1".into()));
        assert_eq!(raw(&e, "src_ip"), Some("10.1.2.3".into()));
        assert_eq!(e.src_endpoint.as_ref().unwrap().port, Some(2222));
        let e = parse(
            "Nov 3 09:47:02 web1 sshd[7]: Failed password for invalid user admin from 10.1.2.3 port 2222 ssh2",
        );
        assert_eq!(e.time, 1_730_627_222_000); // 2024-11-03T09:47:02Z
        assert_eq!(e.status_detail.as_deref(), Some("invalid user"));
        assert_eq!(raw(&e, "auth_method"), Some("password".into()));
        // IPv6 from-addresses.
        let e = parse(
            "Nov 14 10:00:01 web1 sshd-session[9]: Accepted publickey for alice from 2001:db8::7 port 50022 ssh2: ED25519 SHA256:x",
        );
        assert_eq!(
            e.src_endpoint.as_ref().unwrap().ip,
            Some("2001:db8::7".parse().unwrap())
        );
        assert_eq!(raw(&e, "src_ip"), Some("2001:db8::7".into()));
        assert_eq!(raw(&e, "src_port"), Some("50022".into()));
        // A user with a space, and a later "from" inside the message.
        let e =
            parse("Nov 14 10:00:01 web1 sshd[9]: Invalid user john smith from 192.0.2.1 port 4");
        assert_eq!(user(&e).as_deref(), Some("john smith"));
        let e = parse(
            "Nov 14 10:00:01 web1 sshd[9]: Invalid user x from 192.0.2.1 port 4 from 192.0.2.2 port 5",
        );
        assert_eq!(user(&e).as_deref(), Some("x from 192.0.2.1 port 4"));
        assert_eq!(raw(&e, "src_ip"), Some("192.0.2.2".into()));
        // A port with a colon after it.
        let e = parse("Nov 14 10:00:01 h sshd[9]: Invalid user x from 192.0.2.1 port 4:");
        assert_eq!(raw(&e, "src_port"), Some("4".into()));
        // sudo's NOT in sudoers, with the padding sudo writes.
        let e = parse(
            "Nov 14 10:00:01 web1 sudo:    eve : user NOT in sudoers ; TTY=pts/0 ; PWD=/home/eve ; USER=root ; COMMAND=/usr/bin/id",
        );
        assert_eq!((e.activity_id, e.status_id), (7, 2));
        assert_eq!(raw(&e, "command"), Some("/usr/bin/id".into()));
        // Lines that are not auth lines.
        let e = parse("Nov 14 10:00:01 web1 systemd[1]: Started Session 5 of User alice.");
        assert_eq!(e.class_uid, 0);
        assert_eq!(raw(&e, "app_name"), Some("systemd".into()));
        assert_eq!(raw(&e, "procid"), Some("1".into()));
        let e = parse("Nov 14 10:00:01 web1 sshd[9]: Server listening on 0.0.0.0 port 22.");
        assert_eq!(e.class_uid, 0);
    }

    proptest::proptest! {
        #[test]
        fn usual_readers_agree_with_the_general_ones_on_mutations(
            edits in crate::text::test_support::edits(),
        ) {
            for base in [
                "root from 203.0.113.5 port 50022 ssh2",
                "publickey for deploy from 10.0.0.1 port 22 ssh2: RSA SHA256:abc",
                "x from 1.2.3.4 port 5",
                "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/a b",
            ] {
                for text in crate::text::test_support::mutations(base, &edits) {
                    if let Some(usual) = user_from_usual(&text) {
                        proptest::prop_assert_eq!(Some(usual), user_from_general(&text), "{:?}", text);
                    }
                    for needle in [" for ", " ; ", " : "] {
                        proptest::prop_assert_eq!(
                            split_once_spaced_first_word(&text, needle),
                            split_once_spaced(&text, needle),
                            "{:?} {:?}",
                            text,
                            needle
                        );
                    }
                }
            }
        }

        #[test]
        fn port_reader_agrees_with_u16_parse(text in "[0-9+ a]{0,7}") {
            proptest::prop_assert_eq!(parse_port(&text), text.parse::<u16>().ok());
        }

        #[test]
        fn trim_agrees_with_str_trim(text in "[a \t\u{a0}\u{2003}é~!]{0,6}") {
            proptest::prop_assert_eq!(trim(&text), text.trim());
        }

        #[test]
        fn semicolon_split_agrees_with_str_split(text in "[a ;=]{0,40}") {
            let ours: Vec<&str> = split_semicolons(&text).collect();
            let std: Vec<&str> = text.split(" ; ").collect();
            proptest::prop_assert_eq!(ours, std);
        }
    }
}
