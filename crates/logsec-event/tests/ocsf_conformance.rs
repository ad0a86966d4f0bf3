//! OCSF schema conformance: the events and alerts logsec emits, and the constants in
//! `src/ocsf.rs`, are checked against the OCSF 1.8.0 schema sources in
//! `../shared/corpus/ocsf-schema-1.8.0` (events/, objects/, profiles/, dictionary.json).
//!
//! The schema is resolved the way the OCSF compiler does it, as far as these checks need:
//! `extends` chains (class → category base → `base_event`; object → `_entity` → `object`),
//! `$include`d profiles (their attributes belong to the profile, so they are allowed and
//! required only when the profile is listed in `metadata.profiles`), and the dictionary's
//! attribute types and enums overlaid by the class's or object's own definitions.
//!
//! Checked for one realistic event of each class logsec emits, recursively through every
//! object: required attributes present; every emitted attribute defined (except inside
//! `unmapped` and `json_t` values); no deprecated attribute; enum values valid; JSON types
//! right for string_t, integer_t, long_t, timestamp_t, port_t, ip_t, boolean_t, float_t,
//! json_t, object types and arrays; `at_least_one` / `just_one` constraints.
//!
//! Skips (passing) with `skipping: ../shared not found` when the corpus is absent, unless
//! `LOGSEC_REQUIRE_SHARED=1`.

// Test helpers outside #[test] functions: a failed setup or a violated property must panic.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use logsec_event::{
    Account, Actor, AlertBuilder, Api, ApiRequest, ApiResponse, Cloud, ConnectionInfo, Dialect,
    Endpoint, Event, Group, HttpRequest, HttpResponse, Idp, JsonValue, RawRecord, Resource,
    RuleRef, Service, Session, Severity, SourceFormat, Traffic, Url, User, ocsf,
};
use serde_json::{Map, Value};

fn schema_dir() -> Option<PathBuf> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/ocsf-schema-1.8.0");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("LOGSEC_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!("{} not found and LOGSEC_REQUIRE_SHARED=1", dir.display());
    }
    println!("skipping: ../shared not found");
    None
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("reading {}: {err}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("parsing {}: {err}", path.display()))
}

/// An attribute of a resolved class or object: the dictionary entry overlaid with every
/// definition along the `extends` chain, and the profile it belongs to (if any).
type Spec = Map<String, Value>;

#[derive(Debug, Default)]
struct Resolved {
    attributes: BTreeMap<String, Spec>,
    /// `at_least_one` / `just_one` constraints, from the most derived definition that has them.
    constraints: Map<String, Value>,
    /// The most derived `category` along the chain (classes only).
    category: Option<String>,
}

struct Schema {
    root: PathBuf,
    dictionary: Map<String, Value>,
    types: Map<String, Value>,
    categories: Map<String, Value>,
    /// Event class files by their `name`.
    event_files: HashMap<String, PathBuf>,
    objects: std::cell::RefCell<HashMap<String, std::rc::Rc<Resolved>>>,
}

impl Schema {
    fn load(root: &Path) -> Schema {
        let dictionary = read_json(&root.join("dictionary.json"));
        let attributes = dictionary["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let types = dictionary["types"]["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let categories = read_json(&root.join("categories.json"))["attributes"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let mut event_files = HashMap::new();
        let mut pending = vec![root.join("events")];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(&dir).expect("events dir") {
                let path = entry.expect("dir entry").path();
                if path.is_dir() {
                    pending.push(path);
                } else if path.extension().is_some_and(|ext| ext == "json") {
                    let name = read_json(&path)["name"].as_str().map(str::to_owned);
                    if let Some(name) = name {
                        event_files.insert(name, path);
                    }
                }
            }
        }
        Schema {
            root: root.to_path_buf(),
            dictionary: attributes,
            types,
            categories,
            event_files,
            objects: Default::default(),
        }
    }

    /// Resolves a definition file (class or object) through its `extends` chain.
    fn resolve_chain(&self, first: Value, is_event: bool) -> Resolved {
        let mut chain = vec![first];
        while let Some(parent) = chain
            .last()
            .and_then(|def| def["extends"].as_str())
            .map(str::to_owned)
        {
            let path = if is_event {
                self.event_files
                    .get(&parent)
                    .cloned()
                    .unwrap_or_else(|| panic!("event parent {parent} not found"))
            } else {
                self.root.join("objects").join(format!("{parent}.json"))
            };
            chain.push(read_json(&path));
        }
        let mut resolved = Resolved::default();
        let mut merged: BTreeMap<String, Spec> = BTreeMap::new();
        for def in chain.iter().rev() {
            if let Some(category) = def["category"].as_str() {
                resolved.category = Some(category.to_owned());
            }
            if let Some(constraints) = def["constraints"].as_object() {
                resolved.constraints = constraints.clone();
            }
            let Some(attributes) = def["attributes"].as_object() else {
                continue;
            };
            for include in attributes
                .get("$include")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let profile = read_json(&self.root.join(include));
                let profile_name = profile["name"].as_str().expect("profile name").to_owned();
                for (name, spec) in profile["attributes"].as_object().into_iter().flatten() {
                    let mut spec = spec.as_object().cloned().unwrap_or_default();
                    spec.entry("profile")
                        .or_insert_with(|| Value::String(profile_name.clone()));
                    merge_spec(merged.entry(name.clone()).or_default(), &spec);
                }
            }
            for (name, spec) in attributes.iter().filter(|(name, _)| *name != "$include") {
                let spec = spec.as_object().cloned().unwrap_or_default();
                merge_spec(merged.entry(name.clone()).or_default(), &spec);
            }
        }
        for (name, spec) in merged {
            let mut full = self
                .dictionary
                .get(&name)
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            merge_spec(&mut full, &spec);
            resolved.attributes.insert(name, full);
        }
        resolved
    }

    fn class(&self, schema_file: &str) -> Resolved {
        self.resolve_chain(read_json(&self.root.join(schema_file)), true)
    }

    fn object(&self, name: &str) -> std::rc::Rc<Resolved> {
        if let Some(done) = self.objects.borrow().get(name) {
            return done.clone();
        }
        let path = self.root.join("objects").join(format!("{name}.json"));
        let resolved = std::rc::Rc::new(self.resolve_chain(read_json(&path), false));
        self.objects
            .borrow_mut()
            .insert(name.to_owned(), resolved.clone());
        resolved
    }

    fn is_object_type(&self, type_name: &str) -> bool {
        type_name != "object"
            && self
                .root
                .join("objects")
                .join(format!("{type_name}.json"))
                .is_file()
    }

    /// The JSON-level base of a dictionary type (`port_t` → `integer_t`, `ip_t` → `string_t`).
    fn base_type<'t>(&'t self, type_name: &'t str) -> &'t str {
        self.types
            .get(type_name)
            .and_then(|def| def["type"].as_str())
            .unwrap_or(type_name)
    }
}

/// Overlays `over` on `base`; enums are merged (a class adds activity ids to the base's 0/99).
fn merge_spec(base: &mut Spec, over: &Spec) {
    for (key, value) in over {
        match (key.as_str(), base.get_mut(key), value) {
            ("enum", Some(Value::Object(existing)), Value::Object(more)) => {
                for (id, caption) in more {
                    existing.insert(id.clone(), caption.clone());
                }
            }
            _ => {
                base.insert(key.clone(), value.clone());
            }
        }
    }
}

/// Walks emitted JSON against the schema and collects every violation.
struct Checker<'s> {
    schema: &'s Schema,
    profiles: BTreeSet<String>,
    errors: Vec<String>,
}

impl Checker<'_> {
    fn check_members(&mut self, path: &str, owner: &str, resolved: &Resolved, value: &Value) {
        let Some(members) = value.as_object() else {
            self.errors
                .push(format!("{path}: expected an object ({owner})"));
            return;
        };
        for (name, member) in members {
            let at = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}.{name}")
            };
            let Some(spec) = resolved.attributes.get(name) else {
                self.errors
                    .push(format!("{at}: not an attribute of {owner}"));
                continue;
            };
            if spec.contains_key("@deprecated") {
                self.errors.push(format!(
                    "{at}: deprecated in {owner}: {}",
                    spec["@deprecated"]
                ));
            }
            if let Some(profile) = spec.get("profile").and_then(Value::as_str)
                && !self.profiles.contains(profile)
            {
                self.errors.push(format!(
                    "{at}: belongs to the `{profile}` profile, which metadata.profiles does not list"
                ));
            }
            if name == "unmapped" {
                continue;
            }
            self.check_value(&at, spec, member);
        }
        for (name, spec) in &resolved.attributes {
            let required = spec.get("requirement").and_then(Value::as_str) == Some("required");
            let applies = match spec.get("profile").and_then(Value::as_str) {
                Some(profile) => self.profiles.contains(profile),
                None => true,
            };
            if required && applies && !members.contains_key(name) {
                self.errors.push(format!(
                    "{path}: required attribute `{name}` of {owner} is missing"
                ));
            }
        }
        let present = |names: &Value| {
            names
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .filter(|name| members.contains_key(*name))
                .count()
        };
        if let Some(names) = resolved.constraints.get("at_least_one")
            && present(names) == 0
        {
            self.errors
                .push(format!("{path}: {owner} needs at least one of {names}"));
        }
        if let Some(names) = resolved.constraints.get("just_one")
            && present(names) != 1
        {
            self.errors
                .push(format!("{path}: {owner} needs exactly one of {names}"));
        }
    }

    fn check_value(&mut self, path: &str, spec: &Spec, value: &Value) {
        if spec.get("is_array").and_then(Value::as_bool) == Some(true) {
            let Some(items) = value.as_array() else {
                self.errors.push(format!("{path}: expected an array"));
                return;
            };
            for (index, item) in items.iter().enumerate() {
                self.check_scalar(&format!("{path}[{index}]"), spec, item);
            }
        } else {
            self.check_scalar(path, spec, value);
        }
    }

    fn check_scalar(&mut self, path: &str, spec: &Spec, value: &Value) {
        let type_name = spec
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or("<untyped>");
        let schema = self.schema;
        let ok = match (type_name, schema.base_type(type_name)) {
            ("json_t", _) => true,
            ("object", _) => value.is_object(),
            ("ip_t", _) => value
                .as_str()
                .is_some_and(|ip| ip.parse::<IpAddr>().is_ok()),
            ("port_t", _) => value.as_u64().is_some_and(|port| port <= 65535),
            ("timestamp_t" | "long_t", _) => value.is_i64() || value.is_u64(),
            ("integer_t", _) => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            ("float_t", _) => value.is_number(),
            ("boolean_t", _) => value.is_boolean(),
            (_, "string_t") => value.is_string(),
            (object, _) if schema.is_object_type(object) => {
                let resolved = schema.object(object);
                self.check_members(path, object, &resolved, value);
                true
            }
            _ => {
                self.errors
                    .push(format!("{path}: unknown schema type {type_name}"));
                true
            }
        };
        if !ok {
            self.errors
                .push(format!("{path}: {value} is not a valid {type_name}"));
        }
        if let Some(values) = spec.get("enum").and_then(Value::as_object) {
            let key = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            if !values.contains_key(&key) {
                let known: Vec<&String> = values.keys().collect();
                self.errors
                    .push(format!("{path}: {key} is not in the enum {known:?}"));
            }
        }
    }
}

/// Checks one emitted event (or alert) against `class` and returns the violations.
fn violations(schema: &Schema, class: &ocsf::OcsfClass, json: &Value) -> Vec<String> {
    let resolved = schema.class(class.schema_file);
    let profiles = json["metadata"]["profiles"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_owned)
        .collect();
    let mut checker = Checker {
        schema,
        profiles,
        errors: Vec::new(),
    };
    // The schema gives class_uid and category_uid base_event's enum ({0}); the compiler
    // replaces it with the class's own ids, which are compared directly instead.
    let mut resolved = resolved;
    for name in ["class_uid", "category_uid"] {
        if let Some(spec) = resolved.attributes.get_mut(name) {
            spec.remove("enum");
        }
    }
    checker.check_members("", class.name, &resolved, json);
    if json["class_uid"] != class.uid || json["category_uid"] != class.category_uid {
        checker.errors.push(format!(
            "class_uid/category_uid {}/{} ≠ {}/{}",
            json["class_uid"], json["category_uid"], class.uid, class.category_uid
        ));
    }
    // The derived ids and captions must agree with each other and the class.
    let activity = json["activity_id"].as_u64().unwrap_or(u64::MAX);
    if json["type_uid"].as_u64() != Some(u64::from(class.uid) * 100 + activity) {
        checker.errors.push(format!(
            "type_uid {} ≠ class_uid·100 + activity_id",
            json["type_uid"]
        ));
    }
    let caption =
        resolved.attributes["activity_id"]["enum"][activity.to_string()]["caption"].clone();
    if json.get("activity_name").is_some() && json["activity_name"] != caption {
        checker.errors.push(format!(
            "activity_name {} ≠ schema caption {caption}",
            json["activity_name"]
        ));
    }
    checker.errors
}

fn text(value: &str) -> Option<Cow<'static, str>> {
    Some(Cow::Owned(value.to_owned()))
}

fn ip(value: &str) -> Option<IpAddr> {
    value.parse().ok()
}

const TIME: i64 = 1_700_000_000_123;

fn aws_account() -> Account<'static> {
    Account {
        uid: text("123456789012"),
        name: text("prod"),
        type_id: Some(10),
    }
}

fn aws_cloud() -> Cloud<'static> {
    Cloud {
        provider: "AWS".into(),
        region: text("us-east-1"),
        zone: text("us-east-1a"),
        account: Some(aws_account()),
    }
}

fn iam_user(name: &str) -> User<'static> {
    User {
        name: text(name),
        uid: Some(format!("arn:aws:iam::123456789012:user/{name}").into()),
        uid_alt: text("AIDAEXAMPLEUSERID"),
        type_name: text("IAMUser"),
        type_id: Some(1),
        account: Some(aws_account()),
        groups: vec![Group {
            name: text("admins"),
            uid: text("AGPAEXAMPLEGROUP"),
        }],
        domain: None,
        email_addr: text("alice@example.com"),
    }
}

fn cloudtrail_metadata(event: &mut Event<'static>, event_name: &str) {
    event.metadata.uid = text("3f0b2c1e-1111-4222-8333-944455556666");
    event.metadata.original_event_uid = text("3f0b2c1e-1111-4222-8333-944455556666");
    event.metadata.event_code = text(event_name);
    event.metadata.log_name = text("Management");
    event.metadata.log_provider = text("CloudTrail");
    event.metadata.product.version = text("1.08");
}

fn api_activity() -> Event<'static> {
    let raw = r#"{"eventVersion":"1.08","eventName":"PutBucketPolicy","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","errorCode":"AccessDenied"}"#;
    let mut event = Event::new(&ocsf::API_ACTIVITY, 3, SourceFormat::Cloudtrail);
    cloudtrail_metadata(&mut event, "PutBucketPolicy");
    event.time = TIME;
    event.severity_id = Severity::Informational;
    event.set_status(ocsf::status::FAILURE);
    event.status_code = text("AccessDenied");
    event.status_detail = text("Access Denied");
    event.message = text("PutBucketPolicy on example-bucket denied");
    event.actor = Some(Box::new(Actor {
        user: Some(iam_user("alice")),
        session: Some(Session {
            uid: text("ASIAEXAMPLESESSION"),
            issuer: text("arn:aws:iam::123456789012:role/Admin"),
            is_mfa: Some(true),
            created_time: Some(TIME - 60_000),
            credential_uid: text("ASIAEXAMPLEKEY"),
        }),
        app_name: text("cloudformation.amazonaws.com"),
        idp: Some(Idp {
            name: text("okta"),
            uid: text("arn:aws:iam::123456789012:saml-provider/okta"),
        }),
    }));
    event.api = Some(Box::new(Api {
        operation: "PutBucketPolicy".into(),
        service: Some(Service {
            name: text("s3.amazonaws.com"),
        }),
        request: Some(ApiRequest {
            uid: "EXAMPLE123REQUEST".into(),
        }),
        response: Some(ApiResponse {
            code: Some(403),
            error: text("AccessDenied"),
            error_message: text("Access Denied"),
            message: None,
        }),
        group: None,
        version: text("2006-03-01"),
    }));
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("203.0.113.7"),
        domain: None,
        intermediate_ips: vec![ip("198.51.100.1").expect("ip")],
        uid: text("vpce-0a1b2c3d"),
        ..Endpoint::default()
    }));
    event.http_request = Some(Box::new(HttpRequest {
        user_agent: text("aws-cli/2.15.0 Python/3.11.6"),
        ..HttpRequest::default()
    }));
    event.set_cloud(aws_cloud());
    event.resources = vec![Resource {
        type_name: text("AWS::S3::Bucket"),
        name: text("example-bucket"),
        uid: text("arn:aws:s3:::example-bucket"),
        namespace: None,
        region: text("us-east-1"),
        owner: Some(User {
            account: Some(aws_account()),
            ..User::default()
        }),
    }];
    event.unmapped = Some(JsonValue::Object(vec![(
        "additionalEventData".into(),
        JsonValue::Object(vec![(
            "SignatureVersion".into(),
            JsonValue::String("SigV4".into()),
        )]),
    )]));
    event.raw = RawRecord::json(raw);
    event
}

fn kubernetes_api_activity() -> Event<'static> {
    let mut event = Event::new(&ocsf::API_ACTIVITY, 1, SourceFormat::K8sAudit);
    event.time = TIME;
    event.set_status(ocsf::status::SUCCESS);
    event.metadata.original_event_uid = text("6f1d7c0a-9a39-4a43-9d4e-0d5f7b2f0c11");
    event.metadata.event_code = text("create");
    event.actor = Some(Box::new(Actor {
        user: Some(User {
            name: text("system:serviceaccount:kube-system:deployer"),
            uid: text("9b2c1d3e-0000-4000-8000-000000000001"),
            groups: vec![Group {
                name: text("system:serviceaccounts"),
                uid: None,
            }],
            ..User::default()
        }),
        ..Actor::default()
    }));
    event.api = Some(Box::new(Api {
        operation: "create".into(),
        group: Some(Group {
            name: text("rbac.authorization.k8s.io"),
            uid: None,
        }),
        version: text("v1"),
        response: Some(ApiResponse {
            code: Some(201),
            ..ApiResponse::default()
        }),
        ..Api::default()
    }));
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("10.0.0.12"),
        ..Endpoint::default()
    }));
    event.http_request = Some(Box::new(HttpRequest {
        http_method: text("POST"),
        url: Some(Url {
            path: text("/apis/rbac.authorization.k8s.io/v1/clusterrolebindings"),
            ..Url::default()
        }),
        user_agent: text("kubectl/v1.29.0"),
        ..HttpRequest::default()
    }));
    event.resources = vec![Resource {
        type_name: text("clusterrolebindings"),
        name: text("cluster-admin-binding"),
        namespace: text("default"),
        ..Resource::default()
    }];
    event.raw = RawRecord::json(r#"{"kind":"Event","verb":"create"}"#);
    event
}

fn authentication() -> Event<'static> {
    let line = "Nov 14 22:13:20 bastion sshd[4242]: Failed password for invalid user admin from 198.51.100.23 port 52311 ssh2";
    let mut event = Event::new(&ocsf::AUTHENTICATION, 1, SourceFormat::AuthLog);
    event.time = TIME;
    event.severity_id = Severity::Low;
    event.set_status(ocsf::status::FAILURE);
    event.status_detail = text("Failed password for invalid user");
    event.message =
        text("Failed password for invalid user admin from 198.51.100.23 port 52311 ssh2");
    event.metadata.log_name = text("auth.log");
    event.user = Some(Box::new(User {
        name: text("admin"),
        ..User::default()
    }));
    event.is_mfa = Some(false);
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("198.51.100.23"),
        port: Some(52311),
        ..Endpoint::default()
    }));
    event.dst_endpoint = Some(Box::new(Endpoint {
        hostname: text("bastion"),
        svc_name: text("sshd"),
        ..Endpoint::default()
    }));
    event.session = Some(Box::new(Session {
        uid: text("4242"),
        ..Session::default()
    }));
    event.unmapped = Some(JsonValue::Object(vec![
        ("program".into(), JsonValue::String("sshd".into())),
        ("pid".into(), JsonValue::String("4242".into())),
    ]));
    event.raw = RawRecord::text(line);
    event
}

fn console_login() -> Event<'static> {
    let mut event = Event::new(&ocsf::AUTHENTICATION, 1, SourceFormat::Cloudtrail);
    cloudtrail_metadata(&mut event, "ConsoleLogin");
    event.time = TIME;
    event.set_status(ocsf::status::SUCCESS);
    event.user = Some(Box::new(iam_user("alice")));
    event.actor = Some(Box::new(Actor {
        user: Some(iam_user("alice")),
        ..Actor::default()
    }));
    event.is_mfa = Some(true);
    event.service = Some(Service {
        name: text("signin.amazonaws.com"),
    });
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("2001:db8::7"),
        ..Endpoint::default()
    }));
    event.api = Some(Box::new(Api {
        operation: "ConsoleLogin".into(),
        service: Some(Service {
            name: text("signin.amazonaws.com"),
        }),
        ..Api::default()
    }));
    event.set_cloud(aws_cloud());
    event.raw = RawRecord::json(r#"{"eventName":"ConsoleLogin"}"#);
    event
}

fn account_change() -> Event<'static> {
    let mut event = Event::new(&ocsf::ACCOUNT_CHANGE, 7, SourceFormat::Cloudtrail);
    cloudtrail_metadata(&mut event, "AttachUserPolicy");
    event.time = TIME;
    event.severity_id = Severity::Medium;
    event.set_status(ocsf::status::SUCCESS);
    event.user = Some(Box::new(iam_user("mallory")));
    event.actor = Some(Box::new(Actor {
        user: Some(iam_user("alice")),
        ..Actor::default()
    }));
    event.api = Some(Box::new(Api {
        operation: "AttachUserPolicy".into(),
        service: Some(Service {
            name: text("iam.amazonaws.com"),
        }),
        request: Some(ApiRequest {
            uid: "0c1d2e3f-aaaa-4bbb-8ccc-000000000002".into(),
        }),
        ..Api::default()
    }));
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("203.0.113.7"),
        ..Endpoint::default()
    }));
    // Account Change has no `resources`; the policy ARN stays in the raw record (OCSF's
    // `policy` object is not modelled yet).
    event.set_cloud(aws_cloud());
    event.raw = RawRecord::json(
        r#"{"eventName":"AttachUserPolicy","requestParameters":{"policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}"#,
    );
    event
}

fn http_activity() -> Event<'static> {
    let line = r#"[2023-11-14T22:13:20.123Z] "GET /admin/../etc/passwd?x=1 HTTP/1.1" 404 NR 0 153 3 - "198.51.100.23" "curl/8.4.0" "a1b2c3d4-0000-4000-8000-000000000003" "shop.example.com" "10.0.3.4:8080""#;
    let mut event = Event::new(
        &ocsf::HTTP_ACTIVITY,
        ocsf::http_activity_for_method("GET"),
        SourceFormat::Envoy,
    );
    event.time = TIME;
    event.start_time = Some(TIME);
    event.duration = Some(3);
    event.set_status(ocsf::status::FAILURE);
    event.status_code = text("404");
    event.metadata.original_event_uid = text("a1b2c3d4-0000-4000-8000-000000000003");
    event.http_request = Some(Box::new(HttpRequest {
        http_method: text("GET"),
        url: Some(Url {
            path: text("/admin/../etc/passwd"),
            query_string: text("x=1"),
            hostname: text("shop.example.com"),
            scheme: text("https"),
            port: Some(443),
            url_string: text("https://shop.example.com/admin/../etc/passwd?x=1"),
        }),
        user_agent: text("curl/8.4.0"),
        referrer: text("https://example.org/"),
        x_forwarded_for: vec![
            ip("198.51.100.23").expect("ip"),
            ip("10.0.0.1").expect("ip"),
        ],
        uid: text("a1b2c3d4-0000-4000-8000-000000000003"),
        version: text("HTTP/1.1"),
        length: Some(0),
    }));
    event.http_response = Some(Box::new(HttpResponse {
        code: Some(404),
        length: Some(153),
        latency: Some(3),
        message: text("NR"),
        status: text("Not Found"),
    }));
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("198.51.100.23"),
        port: Some(41000),
        ..Endpoint::default()
    }));
    event.dst_endpoint = Some(Box::new(Endpoint {
        ip: ip("10.0.3.4"),
        port: Some(8080),
        svc_name: text("outbound|8080||shop.default.svc.cluster.local"),
        ..Endpoint::default()
    }));
    event.traffic = Some(Traffic {
        bytes_in: Some(0),
        bytes_out: Some(153),
        ..Traffic::default()
    });
    event.unmapped = Some(JsonValue::Object(vec![(
        "response_flags".into(),
        JsonValue::String("NR".into()),
    )]));
    event.raw = RawRecord::text(line);
    event
}

fn network_activity() -> Event<'static> {
    let line = "2 123456789012 eni-0a1b2c3d 10.0.1.5 203.0.113.9 49152 22 6 10 840 1700000000 1700000060 REJECT OK";
    let mut event = Event::new(&ocsf::NETWORK_ACTIVITY, 5, SourceFormat::VpcFlow);
    event.time = TIME;
    event.start_time = Some(1_700_000_000_000);
    event.end_time = Some(1_700_000_060_000);
    event.set_action(2);
    event.src_endpoint = Some(Box::new(Endpoint {
        ip: ip("10.0.1.5"),
        port: Some(49152),
        interface_uid: text("eni-0a1b2c3d"),
        vpc_uid: text("vpc-0f1e2d3c"),
        subnet_uid: text("subnet-0a0b0c0d"),
        instance_uid: text("i-0123456789abcdef0"),
        ..Endpoint::default()
    }));
    event.dst_endpoint = Some(Box::new(Endpoint {
        ip: ip("203.0.113.9"),
        port: Some(22),
        ..Endpoint::default()
    }));
    event.connection_info = Some(ConnectionInfo {
        protocol_num: Some(6),
        protocol_name: text("tcp"),
        direction_id: Some(2),
        direction: text("Outbound"),
        tcp_flags: Some(2),
    });
    event.traffic = Some(Traffic {
        bytes: Some(840),
        packets: Some(10),
        ..Traffic::default()
    });
    event.set_cloud(Cloud {
        provider: "AWS".into(),
        account: Some(aws_account()),
        ..Cloud::default()
    });
    event.unmapped = Some(JsonValue::Object(vec![
        ("version".into(), JsonValue::String("2".into())),
        ("log-status".into(), JsonValue::String("OK".into())),
    ]));
    event.raw = RawRecord::text(line);
    event
}

fn events() -> Vec<(&'static str, &'static ocsf::OcsfClass, Event<'static>)> {
    vec![
        (
            "cloudtrail PutBucketPolicy",
            &ocsf::API_ACTIVITY,
            api_activity(),
        ),
        (
            "k8s audit create",
            &ocsf::API_ACTIVITY,
            kubernetes_api_activity(),
        ),
        (
            "auth.log failed password",
            &ocsf::AUTHENTICATION,
            authentication(),
        ),
        (
            "cloudtrail ConsoleLogin",
            &ocsf::AUTHENTICATION,
            console_login(),
        ),
        (
            "cloudtrail AttachUserPolicy",
            &ocsf::ACCOUNT_CHANGE,
            account_change(),
        ),
        ("envoy access log", &ocsf::HTTP_ACTIVITY, http_activity()),
        (
            "vpc flow reject",
            &ocsf::NETWORK_ACTIVITY,
            network_activity(),
        ),
    ]
}

#[test]
fn conformance_ocsf_schema() {
    let Some(dir) = schema_dir() else { return };
    let schema = Schema::load(&dir);
    let mut report = Vec::new();
    for (name, class, event) in events() {
        let json: Value = serde_json::from_str(&event.to_ocsf_json()).expect("event JSON");
        assert_eq!(json["class_uid"], class.uid, "{name}");
        for error in violations(&schema, class, &json) {
            report.push(format!("{name} ({}): {error}", class.name));
        }
    }
    assert!(
        report.is_empty(),
        "schema violations:\n{}",
        report.join("\n")
    );
}

#[test]
fn conformance_ocsf_schema_alert() {
    let Some(dir) = schema_dir() else { return };
    let schema = Schema::load(&dir);
    let rule = RuleRef {
        id: "5f6a7b8c-0000-4000-8000-000000000004".into(),
        title: "S3 bucket policy changed by an unusual principal".into(),
        description: "Detects PutBucketPolicy calls.".into(),
        dialect: Some(Dialect::Sigma),
        source_file: Some("rules/cloudtrail/s3_bucket_policy_changed.yml".into()),
        author: Some("logsec developers".into()),
        tags: vec!["attack.persistence".into(), "attack.t1098.001".into()],
    };
    let alert = AlertBuilder::new(rule, Severity::High)
        .message("alice changed the policy of example-bucket")
        .event(&api_activity())
        .event(&account_change())
        .build();
    let json: Value = serde_json::from_str(&alert.to_ocsf_json()).expect("alert JSON");
    let errors = violations(&schema, &ocsf::DETECTION_FINDING, &json);
    assert!(
        errors.is_empty(),
        "schema violations:\n{}",
        errors.join("\n")
    );
}

/// The class table in `src/ocsf.rs` agrees with the schema: uids, captions, activities.
#[test]
fn conformance_ocsf_schema_constants() {
    let Some(dir) = schema_dir() else { return };
    let schema = Schema::load(&dir);
    for class in ocsf::CLASSES {
        let resolved = schema.class(class.schema_file);
        let file = read_json(&dir.join(class.schema_file));
        assert_eq!(
            file["caption"], class.name,
            "caption of {}",
            class.schema_file
        );
        let category = resolved.category.as_deref().unwrap_or("other");
        if let Some(entry) = schema.categories.get(category) {
            let category_uid = entry["uid"].as_u64().expect("category uid");
            assert_eq!(
                u64::from(class.category_uid),
                category_uid,
                "{}",
                class.name
            );
            assert_eq!(entry["caption"], class.category_name, "{}", class.name);
            let class_uid = category_uid * 1000 + file["uid"].as_u64().expect("class uid");
            assert_eq!(u64::from(class.uid), class_uid, "{}", class.name);
        } else {
            // base_event: its ids and captions are the 0 entries of its own enums.
            assert_eq!(category, "other");
            let class_enum = &resolved.attributes["class_uid"]["enum"];
            let category_enum = &resolved.attributes["category_uid"]["enum"];
            assert_eq!(class_enum[class.uid.to_string()]["caption"], class.name);
            assert_eq!(
                category_enum[class.category_uid.to_string()]["caption"],
                class.category_name
            );
        }
        let schema_activities: BTreeMap<u32, String> = resolved.attributes["activity_id"]["enum"]
            .as_object()
            .expect("activity enum")
            .iter()
            .map(|(id, entry)| {
                let id = id.parse().expect("numeric activity id");
                (id, entry["caption"].as_str().expect("caption").to_owned())
            })
            .collect();
        let ours: BTreeMap<u32, String> = class
            .activities
            .iter()
            .map(|(id, caption)| (*id, (*caption).to_owned()))
            .collect();
        assert_eq!(ours, schema_activities, "activities of {}", class.name);
    }

    let status = &schema.dictionary["status_id"]["enum"];
    for id in [
        ocsf::status::UNKNOWN,
        ocsf::status::SUCCESS,
        ocsf::status::FAILURE,
        ocsf::status::OTHER,
    ] {
        assert_eq!(status[id.to_string()]["caption"], ocsf::status::name(id));
    }
    let finding = schema.class(ocsf::DETECTION_FINDING.schema_file);
    assert_eq!(
        finding.attributes["status_id"]["enum"][ocsf::finding_status::NEW.to_string()]["caption"],
        "New"
    );
    // Event::set_action writes the security_control profile's captions.
    let network = schema.class(ocsf::NETWORK_ACTIVITY.schema_file);
    let actions = network.attributes["action_id"]["enum"]
        .as_object()
        .expect("action enum");
    for (id, entry) in actions {
        let mut event = Event::new(&ocsf::NETWORK_ACTIVITY, 6, SourceFormat::VpcFlow);
        event.set_action(id.parse().expect("numeric action id"));
        assert_eq!(
            event.action.as_deref(),
            entry["caption"].as_str(),
            "action_id {id}"
        );
        assert_eq!(
            event.metadata.profiles,
            vec![ocsf::profile::SECURITY_CONTROL]
        );
    }

    let severity = &schema.dictionary["severity_id"]["enum"];
    assert_eq!(
        severity.as_object().map(Map::len),
        Some(Severity::ALL.len())
    );
    for level in Severity::ALL {
        assert_eq!(
            severity[level.id().to_string()]["caption"],
            level.name(),
            "{level:?}"
        );
    }
}

/// The checker itself: a broken event yields exactly the expected violations.
#[test]
fn conformance_ocsf_schema_checker_reports_violations() {
    let Some(dir) = schema_dir() else { return };
    let schema = Schema::load(&dir);
    let mut json: Value = serde_json::from_str(&api_activity().to_ocsf_json()).expect("JSON");
    json["src_endpoint"]["port"] = Value::from("443");
    json["src_endpoint"]["ip"] = Value::from("not-an-ip");
    json["actor"]["user"]["nickname"] = Value::from("al");
    json["actor"]["user"]["type_id"] = Value::from(42);
    json["severity_id"] = Value::from(7);
    json["time"] = Value::from("2023-11-14T22:13:20Z");
    json["unmapped"]["anything"] = Value::from("goes");
    json["metadata"]
        .as_object_mut()
        .expect("metadata")
        .remove("product");
    json.as_object_mut().expect("event").remove("cloud");
    let mut errors = violations(&schema, &ocsf::API_ACTIVITY, &json);
    errors.sort();
    let mut expected = vec![
        ": required attribute `cloud` of API Activity is missing",
        "actor.user.nickname: not an attribute of user",
        "actor.user.type_id: 42 is not in the enum [\"0\", \"1\", \"2\", \"3\", \"4\", \"99\"]",
        "metadata: required attribute `product` of metadata is missing",
        "severity_id: 7 is not in the enum [\"0\", \"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"99\"]",
        "src_endpoint.ip: \"not-an-ip\" is not a valid ip_t",
        "src_endpoint.port: \"443\" is not a valid port_t",
        "time: \"2023-11-14T22:13:20Z\" is not a valid timestamp_t",
    ];
    expected.sort();
    assert_eq!(errors, expected);
}
