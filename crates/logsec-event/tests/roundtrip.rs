//! Property tests: Event → OCSF JSON → Event is the identity, over generated events that fill
//! every optional attribute group (actor, user, session, service, api, endpoints, HTTP,
//! network, cloud, resources), lists, unicode strings, IPv4 and IPv6 addresses, `unmapped`
//! JSON, and raw records that are JSON or text.

// Test helpers outside #[test] functions: a failed setup or a violated property must panic.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::borrow::Cow;
use std::net::IpAddr;

use logsec_event::{
    Account, Actor, AlertBuilder, Api, ApiRequest, ApiResponse, Cloud, ConnectionInfo, Endpoint,
    Event, Group, HttpRequest, HttpResponse, Idp, JsonNumber, JsonValue, Metadata, Product,
    RawRecord, Resource, RuleRef, Service, Session, Severity, SourceFormat, Text, Traffic, Url,
    User,
};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Any text, including non-ASCII letters, emoji, quotes, backslashes and control characters.
fn text() -> impl Strategy<Value = Text<'static>> {
    prop_oneof![
        "[a-zA-Z0-9_.:/-]{0,16}",
        "\\PC{0,12}",
        "[\"\\\\\u{0}-\u{1f}é中🦀]{0,6}",
    ]
    .prop_map(Cow::Owned)
}

fn opt_text() -> impl Strategy<Value = Option<Text<'static>>> {
    of(text())
}

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from),
    ]
}

fn millis() -> impl Strategy<Value = i64> {
    // Years 1970 to ~2100, plus the occasional extreme value a hostile log can carry.
    prop_oneof![0i64..4_102_444_800_000, any::<i64>()]
}

fn format() -> impl Strategy<Value = SourceFormat> {
    let all: Vec<SourceFormat> = SourceFormat::all().collect();
    proptest::sample::select(all)
}

fn severity() -> impl Strategy<Value = Severity> {
    proptest::sample::select(Severity::ALL.to_vec())
}

prop_compose! {
    fn account()(uid in opt_text(), name in opt_text(), type_id in of(0u32..100)) -> Account<'static> {
        Account { uid, name, type_id }
    }
}

prop_compose! {
    fn group()(name in opt_text(), uid in opt_text()) -> Group<'static> {
        Group { name, uid }
    }
}

prop_compose! {
    fn user()(
        (name, uid, uid_alt, type_name) in (opt_text(), opt_text(), opt_text(), opt_text()),
        type_id in of(prop_oneof![0u32..5, Just(99)]),
        account in of(account()),
        groups in vec(group(), 0..3),
        (domain, email_addr) in (opt_text(), opt_text()),
    ) -> User<'static> {
        User { name, uid, uid_alt, type_name, type_id, account, groups, domain, email_addr }
    }
}

prop_compose! {
    fn session()(
        uid in opt_text(),
        issuer in opt_text(),
        is_mfa in of(any::<bool>()),
        created_time in of(millis()),
        credential_uid in opt_text(),
    ) -> Session<'static> {
        Session { uid, issuer, is_mfa, created_time, credential_uid }
    }
}

prop_compose! {
    fn actor()(
        user in of(user()),
        session in of(session()),
        app_name in opt_text(),
        idp in of((opt_text(), opt_text()).prop_map(|(name, uid)| Idp { name, uid })),
    ) -> Actor<'static> {
        Actor { user, session, app_name, idp }
    }
}

fn service() -> impl Strategy<Value = Service<'static>> {
    opt_text().prop_map(|name| Service { name })
}

prop_compose! {
    fn api()(
        operation in text(),
        service in of(service()),
        request in of(text().prop_map(|uid| ApiRequest { uid })),
        response in of((of(any::<i64>()), opt_text(), opt_text(), opt_text()).prop_map(
            |(code, error, error_message, message)| ApiResponse { code, error, error_message, message },
        )),
        group in of(group()),
        version in opt_text(),
    ) -> Api<'static> {
        Api { operation, service, request, response, group, version }
    }
}

prop_compose! {
    fn endpoint()(
        ip in of(ip()),
        port in of(any::<u16>()),
        (domain, hostname, name, uid) in (opt_text(), opt_text(), opt_text(), opt_text()),
        (svc_name, instance_uid, interface_uid) in (opt_text(), opt_text(), opt_text()),
        (vpc_uid, subnet_uid) in (opt_text(), opt_text()),
        intermediate_ips in vec(ip(), 0..3),
    ) -> Endpoint<'static> {
        Endpoint {
            ip, port, domain, hostname, name, uid, svc_name, instance_uid, interface_uid,
            vpc_uid, subnet_uid, intermediate_ips,
        }
    }
}

prop_compose! {
    fn url()(
        (path, query_string, hostname, scheme) in (opt_text(), opt_text(), opt_text(), opt_text()),
        port in of(any::<u16>()),
        url_string in opt_text(),
    ) -> Url<'static> {
        Url { path, query_string, hostname, scheme, port, url_string }
    }
}

prop_compose! {
    fn http_request()(
        http_method in opt_text(),
        url in of(url()),
        (user_agent, referrer) in (opt_text(), opt_text()),
        x_forwarded_for in vec(ip(), 0..3),
        (uid, version) in (opt_text(), opt_text()),
        length in of(any::<i64>()),
    ) -> HttpRequest<'static> {
        HttpRequest { http_method, url, user_agent, referrer, x_forwarded_for, uid, version, length }
    }
}

prop_compose! {
    fn http_response()(
        (code, length, latency) in (of(100i64..600), of(any::<i64>()), of(0i64..100_000)),
        (message, status) in (opt_text(), opt_text()),
    ) -> HttpResponse<'static> {
        HttpResponse { code, length, latency, message, status }
    }
}

prop_compose! {
    fn connection_info()(
        protocol_num in of(0i64..256),
        protocol_name in opt_text(),
        direction_id in of(prop_oneof![0u32..5, Just(99)]),
        direction in opt_text(),
        tcp_flags in of(0i64..512),
    ) -> ConnectionInfo<'static> {
        ConnectionInfo { protocol_num, protocol_name, direction_id, direction, tcp_flags }
    }
}

prop_compose! {
    fn traffic()(
        bytes in of(any::<i64>()),
        packets in of(any::<i64>()),
        bytes_in in of(any::<i64>()),
        bytes_out in of(any::<i64>()),
    ) -> Traffic {
        Traffic { bytes, packets, bytes_in, bytes_out }
    }
}

prop_compose! {
    fn cloud()(
        provider in text(),
        region in opt_text(),
        zone in opt_text(),
        account in of(account()),
    ) -> Cloud<'static> {
        Cloud { provider, region, zone, account }
    }
}

prop_compose! {
    fn resource()(
        (type_name, name, uid, namespace, region) in (opt_text(), opt_text(), opt_text(), opt_text(), opt_text()),
        owner in of(user()),
    ) -> Resource<'static> {
        Resource { type_name, name, uid, namespace, region, owner }
    }
}

/// JSON scalars whose JSON text reads back as the same variant: unsigned numbers only above
/// `i64::MAX`, finite floats.
fn json_scalar() -> impl Strategy<Value = JsonValue<'static>> {
    prop_oneof![
        Just(JsonValue::Null),
        any::<bool>().prop_map(JsonValue::Bool),
        any::<i64>().prop_map(|n| JsonValue::Number(JsonNumber::Int(n))),
        ((i64::MAX as u64 + 1)..=u64::MAX).prop_map(|n| JsonValue::Number(JsonNumber::UInt(n))),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| JsonValue::Number(JsonNumber::Float(f))),
        text().prop_map(JsonValue::String),
    ]
}

/// Objects with distinct keys (the order is kept, and a repeated key would be ambiguous).
fn json_object(
    values: impl Strategy<Value = JsonValue<'static>>,
) -> impl Strategy<Value = JsonValue<'static>> {
    vec((text(), values), 0..5).prop_map(|members| {
        let mut seen = std::collections::HashSet::new();
        JsonValue::Object(
            members
                .into_iter()
                .filter(|(key, _)| seen.insert(key.clone()))
                .collect(),
        )
    })
}

fn json_tree() -> impl Strategy<Value = JsonValue<'static>> {
    json_scalar().prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(JsonValue::Array),
            json_object(inner),
        ]
    })
}

/// A raw record: JSON text (an object), a text line that does not look like JSON, or none.
fn raw_record() -> impl Strategy<Value = RawRecord<'static>> {
    prop_oneof![
        json_object(json_tree()).prop_map(|tree| RawRecord::json(tree.to_json_string())),
        "[a-zA-Z0-9<][\\PC]{0,40}".prop_map(RawRecord::text),
        Just(RawRecord::default()),
    ]
}

prop_compose! {
    fn metadata()(
        product in (opt_text(), opt_text(), opt_text())
            .prop_map(|(name, vendor_name, version)| Product { name, vendor_name, version }),
        log_format in of(format()),
        (log_name, log_provider, uid) in (opt_text(), opt_text(), opt_text()),
        (original_event_uid, event_code) in (opt_text(), opt_text()),
        profiles in vec(text(), 0..3),
    ) -> Metadata<'static> {
        Metadata {
            version: Cow::Borrowed("1.8.0"),
            product, log_format, log_name, log_provider, uid, original_event_uid, event_code,
            profiles,
        }
    }
}

prop_compose! {
    fn event()(
        (class_uid, category_uid, activity_id, type_uid) in (any::<u32>(), any::<u32>(), any::<u32>(), any::<u64>()),
        (class_name, category_name, activity_name) in (opt_text(), opt_text(), opt_text()),
        severity_id in severity(),
        status_id in prop_oneof![Just(0u32), Just(1), Just(2), Just(99)],
        (status, status_code, status_detail, message) in (opt_text(), opt_text(), opt_text(), opt_text()),
        time in millis(),
        (start_time, end_time, duration) in (of(millis()), of(millis()), of(any::<i64>())),
        metadata in metadata(),
        (actor, user, session, is_mfa, service) in
            (of(actor()), of(user()), of(session()), of(any::<bool>()), of(service())),
        (api, src_endpoint, dst_endpoint) in (of(api()), of(endpoint()), of(endpoint())),
        (http_request, http_response) in (of(http_request()), of(http_response())),
        (connection_info, traffic) in (of(connection_info()), of(traffic())),
        (action_id, action) in (of(0u32..5), opt_text()),
        cloud in of(cloud()),
        resources in vec(resource(), 0..3),
        unmapped in of(json_object(json_tree())),
        raw in raw_record(),
    ) -> Event<'static> {
        Event {
            class_uid, class_name, category_uid, category_name, activity_id, activity_name,
            type_uid, severity_id, status_id, status, status_code, status_detail, time,
            start_time, end_time, duration, message, metadata,
            actor: actor.map(Box::new),
            user: user.map(Box::new),
            session: session.map(Box::new),
            is_mfa, service,
            api: api.map(Box::new),
            src_endpoint: src_endpoint.map(Box::new),
            dst_endpoint: dst_endpoint.map(Box::new),
            http_request: http_request.map(Box::new),
            http_response: http_response.map(Box::new),
            connection_info, traffic, action_id, action,
            cloud: cloud.map(Box::new),
            resources, unmapped, raw,
        }
    }
}

/// Runs a property over `cases` generated values on a thread with a large stack: the
/// composed event strategy nests deeply, and debug builds overflow the default 2 MiB test
/// thread while generating and shrinking.
/// The strategy is built on that thread too (proptest's recursive strategies are not `Send`).
fn check<S>(cases: u32, strategy: fn() -> S, property: fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy + 'static,
    S::Value: std::fmt::Debug,
{
    let outcome = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || {
            let mut runner =
                proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(cases));
            runner
                .run(&strategy(), property)
                .map_err(|err| err.to_string())
        })
        .expect("spawn property thread")
        .join()
        .expect("property thread panicked");
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
}

#[test]
fn event_round_trips_through_ocsf_json() {
    check(128, event, |event| {
        let json = event.to_ocsf_json();
        let back = Event::from_ocsf_json(&json)
            .map_err(|err| TestCaseError::fail(format!("{err}: {json}")))?;
        prop_assert_eq!(&back, &event);
        prop_assert_eq!(back.to_ocsf_json(), json);
        // The raw record keeps its kind, and JSON raw records still parse lazily.
        prop_assert_eq!(back.raw.is_json(), event.raw.is_json());
        prop_assert_eq!(back.raw.tree(), event.raw.tree());
        Ok(())
    });
}

#[test]
fn into_owned_keeps_every_attribute() {
    check(64, event, |event| {
        prop_assert_eq!(event.clone().into_owned(), event);
        Ok(())
    });
}

#[test]
fn alerts_round_trip_through_ocsf_json() {
    check(
        32,
        || (event(), event(), any::<bool>()),
        |(first, second, high)| {
            let rule = RuleRef {
                id: "r-1".into(),
                title: "generated".into(),
                tags: vec!["attack.t1078.004".into(), "attack.persistence".into()],
                ..RuleRef::default()
            };
            let severity = if high { Severity::High } else { Severity::Low };
            let alert = AlertBuilder::new(rule, severity)
                .event(&first)
                .event(&second)
                .build();
            let back = logsec_event::Alert::from_ocsf_json(&alert.to_ocsf_json())
                .map_err(|err| TestCaseError::fail(err.to_string()))?;
            prop_assert_eq!(&back, &alert);
            prop_assert_eq!(alert.time, first.time.max(second.time));
            Ok(())
        },
    );
}
