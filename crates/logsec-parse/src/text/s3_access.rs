//! Amazon S3 server access logs.
//!
//! One space-separated record a line, fields in the order AWS documents them
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html>): the time is
//! bracketed, Request-URI, Referer and User-Agent are quoted, `-` marks an absent value. AWS
//! appends new fields at the end (Access Point ARN, aclRequired, …); lines with fewer than the
//! classic 18 fields are rejected, extra trailing fields are kept as `extra_N`.
//!
//! Mapping: OCSF API Activity (6003), as for CloudTrail S3 data events, so one set of rules
//! covers both; the table is in `docs/mappings/s3_access.md`.

use std::borrow::Cow;

use logsec_event::{
    Actor, Api, ApiRequest, ApiResponse, Cloud, Endpoint, Event, HttpRequest, HttpResponse,
    RawRecord, Resource, Service, SourceFormat, Url, User, ocsf,
};

use crate::line::{LineOutcome, LineParser};
use crate::text::common::{http_status_id, split_request_line};
use crate::text::scan::{
    CLF_TIME_LEN, ClfDayCache, Token, TokenArray, Tokens, Unmapped, parse_clf_time,
    parse_clf_time_fixed_cached, parse_i64, parse_ip, split_query,
};

/// The documented field names, in record order, as snake_case of AWS's captions.
pub(crate) const FIELDS: [&str; 26] = [
    "bucket_owner",
    "bucket",
    "time",
    "remote_ip",
    "requester",
    "request_id",
    "operation",
    "key",
    "request_uri",
    "http_status",
    "error_code",
    "bytes_sent",
    "object_size",
    "total_time",
    "turn_around_time",
    "referer",
    "user_agent",
    "version_id",
    "host_id",
    "signature_version",
    "cipher_suite",
    "authentication_type",
    "host_header",
    "tls_version",
    "access_point_arn",
    "acl_required",
];

/// Fewest fields a record may have: the classic format ended with Version Id.
const MIN_FIELDS: usize = 18;

/// Names for trailing fields AWS may add after the documented ones.
const EXTRA: [&str; 8] = [
    "extra_1", "extra_2", "extra_3", "extra_4", "extra_5", "extra_6", "extra_7", "extra_8",
];

/// Whether a line looks like an S3 access record: a 64-hex-digit (or `-`) bucket owner, a
/// bucket name, and a bracketed CLF time.
pub(crate) fn looks_like(line: &str) -> bool {
    let mut tokens = Tokens::new(line);
    let (Some(owner), Some(bucket), Some(time)) = (tokens.next(), tokens.next(), tokens.next())
    else {
        return false;
    };
    let owner_ok = owner.text.len() == 64 && owner.text.bytes().all(|b| b.is_ascii_hexdigit());
    owner_ok && !bucket.text.is_empty() && parse_clf_time(time.text).is_some()
}

/// The S3 server access log parser.
#[derive(Debug, Default)]
pub(crate) struct S3AccessParser {
    /// The day and minute of the last record's time.
    day_cache: ClfDayCache,
}

impl LineParser for S3AccessParser {
    fn format(&self) -> SourceFormat {
        SourceFormat::S3Access
    }

    fn parse_line<'a>(&mut self, line: &'a str) -> LineOutcome<'a> {
        if line.trim().is_empty() {
            return LineOutcome::Skip;
        }
        parse(line, &mut self.day_cache)
    }
}

/// The index of `acl_required` in [`FIELDS`], the one field that is not a string.
const ACL_REQUIRED: usize = 25;

/// A CLF time, through `cache` in its usual fixed-width shape (the same answer as
/// [`parse_clf_time`]).
fn clf_time(text: &str, cache: &mut ClfDayCache) -> Option<i64> {
    match <&[u8; CLF_TIME_LEN]>::try_from(text.as_bytes()) {
        Ok(bytes) => parse_clf_time_fixed_cached(bytes, cache).or_else(|| parse_clf_time(text)),
        Err(_) => parse_clf_time(text),
    }
}

fn parse<'a>(line: &'a str, day_cache: &mut ClfDayCache) -> LineOutcome<'a> {
    let mut array = TokenArray::<34>::new();
    array.read(Tokens::new(line));
    let tokens = array.as_slice();
    if array.overflowed() {
        return LineOutcome::Reject(format!(
            "S3 access log line has more than {} fields",
            FIELDS.len() + EXTRA.len()
        ));
    }
    if tokens.len() < MIN_FIELDS {
        return LineOutcome::Reject(format!(
            "S3 access log line has {} fields; at least {MIN_FIELDS} expected",
            tokens.len()
        ));
    }
    let field = |i: usize| tokens.get(i).and_then(Token::value);
    let Some(time) = field(2).and_then(|text| clf_time(text, day_cache)) else {
        return LineOutcome::Reject(
            "S3 access log line has no valid [dd/Mon/yyyy:hh:mm:ss +zzzz] time".to_owned(),
        );
    };

    // The string fields by position (no name comparison per field), then `acl_required`,
    // then the trailing fields AWS may add.
    let mut unmapped = Unmapped::with_capacity(tokens.len());
    let (documented, rest) = tokens.split_at(tokens.len().min(ACL_REQUIRED));
    for (name, token) in FIELDS.iter().zip(documented) {
        unmapped.str(name, token.text);
    }
    if let Some((acl, extra)) = rest.split_first() {
        let name = FIELDS.get(ACL_REQUIRED).copied().unwrap_or("acl_required");
        match acl.text {
            "Yes" => unmapped.bool(name, true),
            "-" => {}
            other => unmapped.str(name, other),
        }
        for (i, token) in extra.iter().enumerate() {
            unmapped.str(EXTRA.get(i).copied().unwrap_or("extra"), token.text);
        }
    }

    let operation = field(6).unwrap_or("");
    let mut event = Event::new_boxed(
        &ocsf::API_ACTIVITY,
        activity_for_operation(operation),
        SourceFormat::S3Access,
    );
    event.time = time;
    event.start_time = Some(time);

    let request_id = field(5);
    event.metadata.original_event_uid = request_id.map(Cow::Borrowed);
    event.metadata.uid = request_id.map(Cow::Borrowed);
    event.metadata.event_code = Some(Cow::Borrowed(operation));
    event.metadata.log_provider = Some(Cow::Borrowed("Amazon S3"));

    let status = field(9).and_then(parse_i64);
    let error_code = field(10);
    // The boxed objects are filled in place on the heap: a struct literal in `Box::new` is
    // built on the stack and copied.
    let mut api = Box::<Api<'a>>::default();
    api.operation = Cow::Borrowed(operation);
    api.service = Some(Service {
        name: Some(Cow::Borrowed("s3.amazonaws.com")),
    });
    api.request = request_id.map(|id| ApiRequest {
        uid: Cow::Borrowed(id),
    });
    let response = api.response.insert(ApiResponse::default());
    response.code = status;
    response.error = error_code.map(Cow::Borrowed);
    event.api = Some(api);
    if let Some(status) = status {
        event.set_status(http_status_id(status));
        event.status_code = Some(Cow::Borrowed(field(9).unwrap_or("")));
    }
    event.status_detail = error_code.map(Cow::Borrowed);

    if let Some(requester) = field(4) {
        let mut actor = Box::<Actor<'a>>::default();
        actor.user.insert(User::default()).uid = Some(Cow::Borrowed(requester));
        event.actor = Some(actor);
    }
    if let Some(ip) = field(3).and_then(parse_ip) {
        let mut src = Box::<Endpoint<'a>>::default();
        src.ip = Some(ip);
        event.src_endpoint = Some(src);
    }

    let (method, target, version) = field(8).map_or((None, None, None), split_request_line);
    let host = field(22);
    let mut request = Box::<HttpRequest<'a>>::default();
    request.http_method = method.map(Cow::Borrowed);
    if let Some(target) = target {
        let (path, query) = split_query(target);
        let url = request.url.insert(Url::default());
        url.path = Some(Cow::Borrowed(path));
        url.query_string = query.map(Cow::Borrowed);
        url.hostname = host.map(Cow::Borrowed);
        url.url_string = Some(Cow::Borrowed(target));
    }
    request.user_agent = field(16).map(Cow::Borrowed);
    request.referrer = field(15).map(Cow::Borrowed);
    request.version = version.map(Cow::Borrowed);
    request.uid = request_id.map(Cow::Borrowed);
    event.http_request = Some(request);
    let total_time = field(13).and_then(parse_i64);
    let mut response = Box::<HttpResponse<'a>>::default();
    response.code = status;
    response.length = field(11).and_then(parse_i64);
    response.latency = total_time;
    event.http_response = Some(response);
    event.duration = total_time;

    let mut cloud = Box::<Cloud<'a>>::default();
    cloud.provider = Cow::Borrowed("AWS");
    event.cloud = Some(cloud);
    // The bucket and the object, made in place in a vector of the right size.
    let named = [(field(1), "AWS::S3::Bucket"), (field(7), "AWS::S3::Object")];
    let present = named.iter().filter(|(name, _)| name.is_some()).count();
    event.resources.resize_with(present, Resource::default);
    let mut slots = event.resources.iter_mut();
    for (name, type_name) in named {
        if let Some(name) = name
            && let Some(slot) = slots.next()
        {
            slot.type_name = Some(Cow::Borrowed(type_name));
            slot.name = Some(Cow::Borrowed(name));
        }
    }
    unmapped.store_in(&mut event.unmapped);
    event.raw = RawRecord::text(line);
    LineOutcome::Event(event)
}

/// API Activity's activity from an S3 operation `REST.<VERB>.<RESOURCE>` (or
/// `WEBSITE.GET.OBJECT`, `BATCH.DELETE.OBJECT`, `S3.EXPIRE.OBJECT`, …): reads are Read,
/// deletes Delete, object uploads and copies Create, other writes Update.
pub(crate) fn activity_for_operation(operation: &str) -> u32 {
    // `operation.splitn(3, '.')` as two byte searches (a `char` pattern search per record).
    let dot = |text: &str| text.bytes().position(|b| b == b'.');
    let after_source = dot(operation).and_then(|i| operation.get(i + 1..));
    let (verb, resource) = match after_source {
        Some(rest) => match dot(rest) {
            Some(i) => (rest.get(..i).unwrap_or(""), rest.get(i + 1..).unwrap_or("")),
            None => (rest, ""),
        },
        None => ("", ""),
    };
    match verb {
        "GET" | "HEAD" | "OPTIONS" => 2,
        "DELETE" | "EXPIRE" => 4,
        "COPY" => 1,
        "PUT" | "POST"
            if resource == "OBJECT"
                || resource == "PART"
                || resource == "BUCKET"
                || resource.starts_with("UPLOAD") =>
        {
            1
        }
        "PUT" | "POST" | "RESTORE" | "TRANSITION" => 3,
        _ if operation.is_empty() => 0,
        _ => 99,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::test_support::{event_of, mutations_never_panic, raw};

    const LINE: &str = concat!(
        "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be awsexamplebucket1 ",
        "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:iam::123456789012:user/alice ",
        "3E57427F3EXAMPLE REST.PUT.OBJECT photos/cat.jpg ",
        "\"PUT /awsexamplebucket1/photos/cat.jpg?x-id=PutObject HTTP/1.1\" 200 - - 4096 57 12 ",
        "\"https://console.aws.amazon.com/\" \"aws-cli/2.0 Python/3.8\" 3HL4kqtJvjVBH40Nrjfkd ",
        "s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ",
        "ECDHE-RSA-AES128-GCM-SHA256 AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com ",
        "TLSv1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes"
    );

    #[test]
    fn maps_every_documented_field() {
        let line = LINE;
        let event = event_of(&mut S3AccessParser::default(), line);
        assert_eq!(event.class_uid, 6003);
        assert_eq!(event.activity_id, 1, "PUT OBJECT is Create");
        assert_eq!(event.time, 1_549_411_238_000);
        assert_eq!(event.api.as_ref().unwrap().operation, "REST.PUT.OBJECT");
        assert_eq!(
            event.metadata.original_event_uid.as_deref(),
            Some("3E57427F3EXAMPLE")
        );
        assert_eq!(
            event
                .actor
                .as_ref()
                .unwrap()
                .user
                .as_ref()
                .unwrap()
                .uid
                .as_deref(),
            Some("arn:aws:iam::123456789012:user/alice")
        );
        assert_eq!(
            event.src_endpoint.as_ref().unwrap().ip,
            Some("192.0.2.3".parse().unwrap())
        );
        let request = event.http_request.as_ref().unwrap();
        assert_eq!(request.http_method.as_deref(), Some("PUT"));
        let url = request.url.as_ref().unwrap();
        assert_eq!(
            url.path.as_deref(),
            Some("/awsexamplebucket1/photos/cat.jpg")
        );
        assert_eq!(url.query_string.as_deref(), Some("x-id=PutObject"));
        assert_eq!(
            request.user_agent.as_deref(),
            Some("aws-cli/2.0 Python/3.8")
        );
        assert_eq!(event.http_response.as_ref().unwrap().code, Some(200));
        assert_eq!(event.status_id, 1);
        assert_eq!(event.duration, Some(57));
        assert_eq!(event.resources.len(), 2);
        assert_eq!(event.resources[1].name.as_deref(), Some("photos/cat.jpg"));
        assert_eq!(raw(&event, "operation"), Some("REST.PUT.OBJECT".into()));
        assert_eq!(raw(&event, "tls_version"), Some("TLSv1.2".into()));
        assert_eq!(
            raw(&event, "access_point_arn"),
            Some("arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP".into())
        );
        assert_eq!(raw(&event, "acl_required"), Some("true".into()));
        // `-` is absent, not the string "-".
        assert_eq!(raw(&event, "error_code"), None);
        assert_eq!(raw(&event, "bytes_sent"), None);
        assert!(matches!(event.raw.as_str(), s if s == line));
    }

    #[test]
    fn classic_18_field_lines_and_extra_trailing_fields_parse() {
        let classic = concat!(
            "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b ",
            "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - 3E57 REST.GET.OBJECT k ",
            "\"GET /b/k HTTP/1.1\" 403 AccessDenied 243 - 42 - \"-\" \"curl\" -"
        );
        let event = event_of(&mut S3AccessParser::default(), classic);
        assert_eq!(event.activity_id, 2);
        assert_eq!(event.status_id, 2);
        assert_eq!(
            event
                .api
                .as_ref()
                .unwrap()
                .response
                .as_ref()
                .unwrap()
                .error
                .as_deref(),
            Some("AccessDenied")
        );
        assert!(
            event.actor.is_none(),
            "anonymous requester `-` has no actor"
        );
        let extended = format!("{LINE} future-field another");
        let event = event_of(&mut S3AccessParser::default(), &extended);
        assert_eq!(raw(&event, "extra_1"), Some("future-field".into()));
        assert_eq!(raw(&event, "extra_2"), Some("another".into()));
    }

    #[test]
    fn short_and_timeless_lines_are_rejected() {
        let mut parser = S3AccessParser::default();
        match parser.parse_line("owner bucket [06/Feb/2019:00:00:38 +0000] 1.2.3.4") {
            LineOutcome::Reject(reason) => assert!(reason.contains("4 fields"), "{reason}"),
            other => panic!("{other:?}"),
        }
        let no_time = LINE.replace("[06/Feb/2019:00:00:38 +0000]", "[yesterday]");
        assert!(matches!(
            parser.parse_line(&no_time),
            LineOutcome::Reject(_)
        ));
        assert!(matches!(parser.parse_line(""), LineOutcome::Skip));
    }

    #[test]
    fn operations_map_to_activities() {
        assert_eq!(activity_for_operation("REST.GET.VERSIONING"), 2);
        assert_eq!(activity_for_operation("REST.PUT.BUCKETPOLICY"), 3);
        assert_eq!(activity_for_operation("REST.DELETE.OBJECT"), 4);
        assert_eq!(activity_for_operation("REST.COPY.OBJECT_GET"), 1);
        assert_eq!(activity_for_operation("REST.POST.UPLOADS"), 1);
        assert_eq!(activity_for_operation("S3.EXPIRE.OBJECT"), 4);
        assert_eq!(activity_for_operation("WEIRD"), 99);
    }

    #[test]
    fn detection() {
        assert!(looks_like(LINE));
        assert!(!looks_like(
            "1.2.3.4 - - [06/Feb/2019:00:00:38 +0000] \"GET / HTTP/1.1\" 200 1"
        ));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(line in ".{0,300}", edits in crate::text::test_support::edits()) {
            let mut parser = S3AccessParser::default();
            let _ = parser.parse_line(&line);
            mutations_never_panic(&mut parser, LINE, &edits);
        }
    }
}
