//! The streaming analysis: one [`CloudTrailCall`] at a time into per-principal aggregates
//! (never events), then a [`Report`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::action::{
    DATA_EVENT_ACTIONS, call_actions, call_resource, is_access_denied, is_read_action,
};
use crate::call::{CloudTrailCall, EventCategory, PrincipalType, format_time_ms};
use crate::creep::{self, FirstUse};
use crate::policy::{Authorization, Decision, Effect, Patterns, PrincipalGrants, PrincipalKind};
use crate::report::{
    CreepReport, DeniedAction, GrantStatus, InputStats, PrincipalReport, Report, ServiceCall,
    ServiceUse, Span, UnusedPattern, UnusedStatement, UsedAction, Verdict, Visibility,
    WindowReport,
};
use crate::wildcard::wildcard_match_ignore_case;
use crate::window::{Windows, describe_ms};

/// At most this many distinct resources are kept per principal and action.
pub const MAX_RESOURCES_PER_ACTION: usize = 32;

/// At most this many principals are tracked; calls of further principals are counted in
/// `InputStats::dropped_over_limits` (a hostile log cannot grow memory without bound).
pub const MAX_PRINCIPALS: usize = 100_000;

/// At most this many distinct actions are tracked per principal (the real catalogue has about
/// 17,000 in all services); further new actions are counted as dropped.
pub const MAX_ACTIONS_PER_PRINCIPAL: usize = 20_000;

/// At most this many buckets per principal are remembered for "first read from a bucket".
const MAX_BUCKETS_PER_PRINCIPAL: usize = 10_000;

/// At most this many grant changes are kept (a hostile log cannot grow memory without bound).
const MAX_GRANT_CHANGES: usize = 10_000;

/// Counts and times of one action (or attempt) by one principal.
#[derive(Debug, Clone, Default)]
struct Usage {
    count: u64,
    first: i64,
    last: i64,
    resources: BTreeSet<String>,
    /// Resources for the suggested policy: S3 object ARNs widened to `bucket/*`.
    policy_resources: BTreeSet<String>,
    truncated: bool,
    /// Whether `policy_resources` overflowed (the suggested policy then needs `*`).
    policy_truncated: bool,
    /// A use that named no resource (the suggested policy then needs `*`).
    unscoped: bool,
    error_codes: BTreeSet<String>,
}

impl Usage {
    fn record(&mut self, time: i64, resource: Option<String>, error_code: Option<&str>) {
        if self.count == 0 {
            self.first = time;
            self.last = time;
        } else {
            self.first = self.first.min(time);
            self.last = self.last.max(time);
        }
        self.count += 1;
        match resource {
            Some(resource) => {
                let widened = widen_for_policy(&resource);
                if !self.policy_resources.contains(&widened) {
                    if self.policy_resources.len() < MAX_RESOURCES_PER_ACTION {
                        self.policy_resources.insert(widened);
                    } else {
                        self.policy_truncated = true;
                    }
                }
                if !self.resources.contains(&resource) {
                    if self.resources.len() < MAX_RESOURCES_PER_ACTION {
                        self.resources.insert(resource);
                    } else {
                        self.truncated = true;
                    }
                }
            }
            None => self.unscoped = true,
        }
        if let Some(code) = error_code
            && self.error_codes.len() < 8
        {
            self.error_codes.insert(code.to_owned());
        }
    }
}

/// S3 object ARNs become `arn:aws:s3:::bucket/*` in suggested policies: one statement per
/// object read last quarter would be brittle, not least privilege.
fn widen_for_policy(resource: &str) -> String {
    if let Some(rest) = resource
        .strip_prefix("arn:aws:s3:::")
        .or_else(|| resource.strip_prefix("arn:aws-us-gov:s3:::"))
        && let Some((bucket, _key)) = rest.split_once('/')
    {
        let prefix = resource.len() - rest.len();
        return format!(
            "{}{bucket}/*",
            resource.get(..prefix).unwrap_or("arn:aws:s3:::")
        );
    }
    resource.to_owned()
}

#[derive(Debug, Default)]
struct PrincipalAgg {
    name: String,
    kind: Option<PrincipalKind>,
    first: Option<i64>,
    last: Option<i64>,
    used: BTreeMap<String, Usage>,
    via: BTreeMap<(String, String), Usage>,
    denied: BTreeMap<String, Usage>,
    baseline_active: bool,
    recent_active: bool,
    baseline_sensitive: BTreeSet<String>,
    baseline_buckets_read: BTreeSet<String>,
    recent_sensitive: BTreeMap<String, FirstUse>,
    recent_bucket_reads: BTreeMap<String, FirstUse>,
}

/// A grant logged in the window.
#[derive(Debug, Clone)]
pub(crate) struct GrantChange {
    pub(crate) time: i64,
    pub(crate) event_id: Option<String>,
    pub(crate) actor: String,
    pub(crate) action: String,
    pub(crate) account: String,
    pub(crate) user: Option<String>,
    pub(crate) role: Option<String>,
    pub(crate) group: Option<String>,
    pub(crate) policy_arn: Option<String>,
    pub(crate) policy_name: Option<String>,
}

#[derive(Debug, Default)]
struct VisibilityAgg {
    categories: BTreeMap<EventCategory, u64>,
    data_services: BTreeSet<String>,
    management_read: bool,
    management_write: bool,
}

/// Streams CloudTrail calls into per-principal aggregates.
///
/// Memory grows with the number of principals × distinct actions (and at most
/// [`MAX_RESOURCES_PER_ACTION`] resources each), not with the number of events.
///
/// ```
/// use logsec_event::JsonValue;
/// use logsec_iam::{Analyzer, Authorization, CloudTrailCall, ReportOptions, Windows};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let authz = Authorization::from_json_text(r#"{"UserDetailList":[{"UserName":"alice",
///   "Arn":"arn:aws:iam::111122223333:user/alice","UserPolicyList":[{"PolicyName":"p",
///   "PolicyDocument":{"Statement":[{"Effect":"Allow","Action":"s3:List*","Resource":"*"}]}}]}]}"#)?;
/// let record = r#"{"eventTime":"2026-01-02T03:04:05Z","eventSource":"s3.amazonaws.com",
///   "eventName":"ListBuckets","readOnly":true,"userIdentity":{"type":"IAMUser",
///   "arn":"arn:aws:iam::111122223333:user/alice","userName":"alice"}}"#;
/// let tree = JsonValue::parse(record)?;
/// let call = CloudTrailCall::from_json(&tree)?;
/// let windows = Windows::new(call.time_ms, &ReportOptions::default())?;
/// let mut analyzer = Analyzer::new(authz, windows);
/// analyzer.add(&call);
/// let report = analyzer.finish(vec![]);
/// assert_eq!(report.principals[0].used[0].action, "s3:ListAllMyBuckets");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct Analyzer {
    authz: Authorization,
    windows: Windows,
    principals: BTreeMap<String, PrincipalAgg>,
    resolved_keys: HashMap<String, Option<String>>,
    service_calls: BTreeMap<(String, String), Usage>,
    visibility: VisibilityAgg,
    stats: InputStats,
    grant_changes: Vec<GrantChange>,
}

impl Analyzer {
    /// An analyzer over `windows` (build them from the newest event time with
    /// [`Windows::new`]).
    pub fn new(authz: Authorization, windows: Windows) -> Analyzer {
        Analyzer {
            authz,
            windows,
            principals: BTreeMap::new(),
            resolved_keys: HashMap::new(),
            service_calls: BTreeMap::new(),
            visibility: VisibilityAgg::default(),
            stats: InputStats::default(),
            grant_changes: Vec::new(),
        }
    }

    /// Counts a record that could not be read (invalid JSON, missing fields).
    pub fn reject(&mut self, reason: String) {
        self.stats.records += 1;
        self.stats.rejected += 1;
        if self.stats.rejected_examples.len() < 5 {
            self.stats.rejected_examples.push(reason);
        }
    }

    /// Adds one parsed CloudTrail record; a record lacking the needed fields is counted as
    /// rejected.
    pub fn add_json(&mut self, record: &logsec_event::JsonValue<'_>) {
        match CloudTrailCall::from_json(record) {
            Ok(call) => self.add(&call),
            Err(err) => self.reject(err.to_string()),
        }
    }

    /// Adds one parsed [`logsec_event::Event`] whose raw record is CloudTrail JSON (as the
    /// logsec-parse CloudTrail parser produces); anything else is counted as rejected.
    pub fn add_event(&mut self, event: &logsec_event::Event<'_>) {
        match CloudTrailCall::from_event(event) {
            Ok(call) => self.add(&call),
            Err(err) => self.reject(err.to_string()),
        }
    }

    /// Adds one call.
    pub fn add(&mut self, call: &CloudTrailCall<'_>) {
        self.stats.records += 1;
        self.observe_visibility(call);
        if !self.windows.contains(call.time_ms) {
            if call.time_ms < self.windows.start_ms {
                self.stats.before_window += 1;
            } else {
                self.stats.after_window += 1;
            }
            return;
        }
        self.stats.in_window += 1;
        // Insight and network-activity records, and events AWS services emit about resources
        // (`AwsServiceEvent`), are not a principal's API calls.
        let is_call = matches!(
            call.event_category,
            EventCategory::Management | EventCategory::Data
        ) && call.event_type != Some("AwsServiceEvent");
        if !is_call {
            self.stats.not_api_calls += 1;
            return;
        }
        let actions = call_actions(call);
        if actions.is_empty() && call.principal.kind == PrincipalType::AwsService {
            self.stats.without_iam_action += 1;
            return;
        }
        if call.principal.kind == PrincipalType::AwsService {
            let service = call
                .invoked_by
                .or(call.principal.arn)
                .unwrap_or("unknown service");
            for action in actions {
                self.service_calls
                    .entry((service.to_owned(), action))
                    .or_default()
                    .record(call.time_ms, None, None);
            }
            return;
        }
        let denied = call.error_code.is_some_and(is_access_denied);
        let (key, name, kind) = self.principal_key(call);
        let windows = self.windows;
        if self.principals.len() >= MAX_PRINCIPALS && !self.principals.contains_key(&key) {
            self.stats.dropped_over_limits += 1;
            return;
        }
        let agg = self.principals.entry(key.clone()).or_default();
        let distinct = agg.used.len() + agg.via.len() + agg.denied.len();
        if distinct >= MAX_ACTIONS_PER_PRINCIPAL
            && actions
                .iter()
                .any(|a| !agg.used.contains_key(a) && !agg.denied.contains_key(a))
        {
            self.stats.dropped_over_limits += 1;
            return;
        }
        if agg.kind.is_none() {
            agg.kind = Some(kind);
            agg.name = name;
        }
        agg.first = Some(agg.first.map_or(call.time_ms, |t| t.min(call.time_ms)));
        agg.last = Some(agg.last.map_or(call.time_ms, |t| t.max(call.time_ms)));
        // Sign-ins and other calls no IAM action authorizes still count as activity.
        if actions.is_empty() {
            self.stats.without_iam_action += 1;
            return;
        }
        let in_baseline = windows.in_baseline(call.time_ms);
        let in_recent = windows.in_recent(call.time_ms);
        for action in actions {
            let resource = call_resource(call, &action);
            if denied {
                agg.denied.entry(action).or_default().record(
                    call.time_ms,
                    resource,
                    call.error_code,
                );
                continue;
            }
            if let Some(by) = call.invoked_by {
                agg.via.entry((action, by.to_owned())).or_default().record(
                    call.time_ms,
                    resource,
                    None,
                );
                continue;
            }
            // Privilege creep compares the principal's own use only.
            let sensitive = creep::sensitive_reason(&action);
            let bucket_read = creep::is_object_read(&action)
                .then(|| call.request_str("bucketName"))
                .flatten();
            if in_baseline {
                agg.baseline_active = true;
                if sensitive.is_some() {
                    agg.baseline_sensitive.insert(action.clone());
                }
                if let Some(bucket) = bucket_read
                    && agg.baseline_buckets_read.len() < MAX_BUCKETS_PER_PRINCIPAL
                {
                    agg.baseline_buckets_read.insert(bucket.to_owned());
                }
            } else if in_recent {
                agg.recent_active = true;
                let first = FirstUse {
                    time: call.time_ms,
                    event_id: call.event_id.map(str::to_owned),
                };
                if sensitive.is_some() {
                    keep_earliest(&mut agg.recent_sensitive, &action, &first);
                }
                if let Some(bucket) = bucket_read
                    && (agg.recent_bucket_reads.len() < MAX_BUCKETS_PER_PRINCIPAL
                        || agg.recent_bucket_reads.contains_key(bucket))
                {
                    keep_earliest(&mut agg.recent_bucket_reads, bucket, &first);
                }
            }
            if creep::is_grant_change(&action) && self.grant_changes.len() >= MAX_GRANT_CHANGES {
                self.stats.dropped_over_limits += 1;
            } else if creep::is_grant_change(&action) {
                let param = |name: &str| call.request_str(name).map(str::to_owned);
                self.grant_changes.push(GrantChange {
                    time: call.time_ms,
                    event_id: call.event_id.map(str::to_owned),
                    actor: key.clone(),
                    action: action.clone(),
                    account: call.account().unwrap_or_default().to_owned(),
                    user: param("userName"),
                    role: param("roleName"),
                    group: param("groupName"),
                    policy_arn: param("policyArn"),
                    policy_name: param("policyName"),
                });
            }
            agg.used
                .entry(action)
                .or_default()
                .record(call.time_ms, resource, None);
        }
    }

    fn observe_visibility(&mut self, call: &CloudTrailCall<'_>) {
        *self
            .visibility
            .categories
            .entry(call.event_category)
            .or_default() += 1;
        match call.event_category {
            EventCategory::Data => {
                let prefix = crate::action::service_prefix(call.event_source);
                if !self.visibility.data_services.contains(prefix) {
                    self.visibility.data_services.insert(prefix.to_owned());
                }
            }
            EventCategory::Management => match call.read_only {
                Some(true) => self.visibility.management_read = true,
                Some(false) => self.visibility.management_write = true,
                None => {}
            },
            _ => {}
        }
    }

    /// The ARN the authorization details use for a logged principal ARN (itself if unknown).
    fn resolve(&mut self, logged: String) -> String {
        if self.authz.principals.contains_key(&logged) {
            return logged;
        }
        match self.resolved_keys.get(&logged) {
            Some(known) => known.clone().unwrap_or(logged),
            None => {
                let found = self.authz.principal(&logged).map(|g| g.arn.clone());
                self.resolved_keys.insert(logged.clone(), found.clone());
                found.unwrap_or(logged)
            }
        }
    }

    /// The aggregate key of a call's principal: the user's ARN, or the role's ARN for an
    /// assumed-role session (as the authorization details spell it, path included).
    fn principal_key(&mut self, call: &CloudTrailCall<'_>) -> (String, String, PrincipalKind) {
        let p = &call.principal;
        match p.kind {
            PrincipalType::AssumedRole => {
                let role_arn = p
                    .session_issuer_arn
                    .map(str::to_owned)
                    .or_else(|| p.arn.and_then(role_arn_from_session));
                let Some(role_arn) = role_arn else {
                    return (
                        "unknown:AssumedRole".into(),
                        "AssumedRole".into(),
                        PrincipalKind::Other,
                    );
                };
                let key = self.resolve(role_arn);
                let name = key.rsplit('/').next().unwrap_or(&key).to_owned();
                (key, name, PrincipalKind::Role)
            }
            PrincipalType::IamUser => {
                let logged = p.arn.map(str::to_owned).unwrap_or_else(|| {
                    format!(
                        "arn:aws:iam::{}:user/{}",
                        p.account_id.unwrap_or(""),
                        p.user_name.unwrap_or("unknown")
                    )
                });
                // As the authorization details spell it (they may add a path).
                let arn = self.resolve(logged);
                let name = p
                    .user_name
                    .map(str::to_owned)
                    .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or(&arn).to_owned());
                (arn, name, PrincipalKind::User)
            }
            PrincipalType::Root => {
                let arn = p
                    .arn
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("arn:aws:iam::{}:root", p.account_id.unwrap_or("")));
                (arn, "root".into(), PrincipalKind::Root)
            }
            other => {
                let arn = p
                    .arn
                    .map(str::to_owned)
                    .unwrap_or_else(|| format!("unknown:{other:?}"));
                let name = p.user_name.unwrap_or(&arn).to_owned();
                (arn, name, PrincipalKind::Other)
            }
        }
    }

    /// Ends the analysis: evaluates grants and builds the report. `files` are listed in it.
    pub fn finish(self, files: Vec<String>) -> Report {
        let Analyzer {
            authz,
            windows,
            principals,
            service_calls,
            visibility,
            mut stats,
            grant_changes,
            ..
        } = self;
        stats.files = files;
        let visibility = visibility_report(&visibility);
        let mut keys: BTreeSet<&String> = principals.keys().collect();
        keys.extend(authz.principals.keys());
        let empty = PrincipalAgg::default();
        let mut reports = Vec::new();
        let mut creep = CreepReport::default();
        for key in keys {
            let agg = principals.get(key).unwrap_or(&empty);
            let grants = authz.grants_for(key, &agg.name, agg.kind.unwrap_or(PrincipalKind::Other));
            reports.push(principal_report(key, agg, grants.as_deref(), &visibility));
            if windows.recent_start_ms.is_some() {
                if agg.baseline_active {
                    creep
                        .alerts
                        .extend(creep::alerts_for(key, agg_view(agg), &windows));
                } else if agg.recent_active {
                    creep.principals_without_baseline.push(key.clone());
                }
            }
        }
        creep
            .alerts
            .sort_by(|a, b| (a.time, &a.message).cmp(&(b.time, &b.message)));
        creep.grants_grown_without_use =
            creep::grants_grown_without_use(&grant_changes, &authz, &|principal: &str| {
                principals.get(principal).map(used_times)
            });
        let aws_service_calls = service_calls
            .into_iter()
            .map(|((service, action), usage)| ServiceCall {
                service,
                action,
                count: usage.count,
                first_seen: format_time_ms(usage.first),
                last_seen: format_time_ms(usage.last),
            })
            .collect();
        let since_ms = windows.end_ms - windows.start_ms;
        Report {
            window: WindowReport {
                start: format_time_ms(windows.start_ms),
                end: format_time_ms(windows.end_ms),
                since: describe_ms(since_ms),
                baseline: windows.recent_start_ms.map(|recent| Span {
                    start: format_time_ms(windows.start_ms),
                    end: format_time_ms(recent),
                }),
                recent: windows.recent_start_ms.map(|recent| Span {
                    start: format_time_ms(recent),
                    end: format_time_ms(windows.end_ms),
                }),
            },
            input: stats,
            visibility,
            not_evaluated: not_evaluated(&authz),
            principals: reports,
            aws_service_calls,
            creep,
        }
    }
}

fn keep_earliest(map: &mut BTreeMap<String, FirstUse>, key: &str, candidate: &FirstUse) {
    match map.get_mut(key) {
        Some(existing) => {
            if (candidate.time, &candidate.event_id) < (existing.time, &existing.event_id) {
                *existing = candidate.clone();
            }
        }
        None => {
            map.insert(key.to_owned(), candidate.clone());
        }
    }
}

/// `arn:aws:sts::1:assumed-role/Name/session` → `arn:aws:iam::1:role/Name` (path unknown).
fn role_arn_from_session(arn: &str) -> Option<String> {
    let rest = arn.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let partition = parts.next()?;
    let _service = parts.next()?;
    let _region = parts.next()?;
    let account = parts.next()?;
    let resource = parts.next()?;
    let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    Some(format!("arn:{partition}:iam::{account}:role/{role}"))
}

pub(crate) struct AggView<'a> {
    pub(crate) baseline_sensitive: &'a BTreeSet<String>,
    pub(crate) baseline_buckets_read: &'a BTreeSet<String>,
    pub(crate) recent_sensitive: &'a BTreeMap<String, FirstUse>,
    pub(crate) recent_bucket_reads: &'a BTreeMap<String, FirstUse>,
}

fn agg_view(agg: &PrincipalAgg) -> AggView<'_> {
    AggView {
        baseline_sensitive: &agg.baseline_sensitive,
        baseline_buckets_read: &agg.baseline_buckets_read,
        recent_sensitive: &agg.recent_sensitive,
        recent_bucket_reads: &agg.recent_bucket_reads,
    }
}

/// Each used action (own and via services) with its last use.
fn used_times(agg: &PrincipalAgg) -> Vec<(String, i64)> {
    agg.used
        .iter()
        .map(|(action, usage)| (action.clone(), usage.last))
        .chain(
            agg.via
                .iter()
                .map(|((action, _), usage)| (action.clone(), usage.last)),
        )
        .collect()
}

fn kind_name(kind: PrincipalKind) -> &'static str {
    match kind {
        PrincipalKind::User => "user",
        PrincipalKind::Role => "role",
        PrincipalKind::Root => "root",
        PrincipalKind::Other => "other",
    }
}

/// Evaluates one usage over its resources; returns the verdict and the allowing statements.
fn evaluate(
    grants: Option<&PrincipalGrants>,
    action: &str,
    usage: &Usage,
) -> (Verdict, Vec<String>) {
    let Some(grants) = grants else {
        return (Verdict::PrincipalNotInAuthorizationDetails, Vec::new());
    };
    let mut decisions: Vec<Decision> = usage
        .resources
        .iter()
        .map(|resource| grants.decide(action, Some(resource)))
        .collect();
    if usage.unscoped || decisions.is_empty() {
        decisions.push(grants.decide(action, None));
    }
    let mut verdict = Verdict::Allowed;
    let mut by = BTreeSet::new();
    for decision in decisions {
        let this = match decision {
            Decision::Allowed(ids) => {
                by.extend(ids);
                Verdict::Allowed
            }
            Decision::AllowedIfConditionsHold(ids) => {
                by.extend(ids);
                Verdict::AllowedIfConditionsHold
            }
            Decision::Denied(_) => Verdict::ExplicitlyDenied,
            Decision::NotGranted => Verdict::NotGrantedByIdentityPolicies,
        };
        verdict = verdict.max(this);
    }
    (verdict, by.into_iter().collect())
}

fn principal_report(
    key: &str,
    agg: &PrincipalAgg,
    grants: Option<&PrincipalGrants>,
    visibility: &Visibility,
) -> PrincipalReport {
    let mut allowing: BTreeSet<String> = BTreeSet::new();
    let mut used = Vec::new();
    // Every used action name, with the statements that allowed it.
    let mut used_names: Vec<(&str, Vec<String>)> = Vec::new();
    for (action, usage) in &agg.used {
        let (verdict, by) = evaluate(grants, action, usage);
        allowing.extend(by.iter().cloned());
        used_names.push((action, by.clone()));
        used.push(UsedAction {
            action: action.clone(),
            count: usage.count,
            first_seen: format_time_ms(usage.first),
            last_seen: format_time_ms(usage.last),
            resources: usage.resources.iter().cloned().collect(),
            resources_truncated: usage.truncated,
            verdict,
            granted_by: by,
        });
    }
    let mut used_via_services = Vec::new();
    for ((action, by_service), usage) in &agg.via {
        let (_, by) = evaluate(grants, action, usage);
        allowing.extend(by.iter().cloned());
        used_names.push((action, by));
        used_via_services.push(ServiceUse {
            action: action.clone(),
            invoked_by: by_service.clone(),
            count: usage.count,
            first_seen: format_time_ms(usage.first),
            last_seen: format_time_ms(usage.last),
        });
    }
    let denied = agg
        .denied
        .iter()
        .map(|(action, usage)| DeniedAction {
            action: action.clone(),
            count: usage.count,
            first_seen: format_time_ms(usage.first),
            last_seen: format_time_ms(usage.last),
            error_codes: usage.error_codes.iter().cloned().collect(),
            resources: usage.resources.iter().cloned().collect(),
            identity_policy_verdict: evaluate(grants, action, usage).0,
        })
        .collect();
    let mut unused_statements = Vec::new();
    let mut unused_patterns: BTreeMap<String, UnusedPattern> = BTreeMap::new();
    if let Some(grants) = grants {
        for policy in &grants.policies {
            let label = policy.label();
            for (index, statement) in policy.statements.iter().enumerate() {
                if statement.effect != Effect::Allow {
                    continue;
                }
                let id = format!("{label}#{index}");
                let status_of_statement = statement_status(&statement.action, visibility);
                if !allowing.contains(&id) {
                    let (status, reason) = status_of_statement.clone();
                    unused_statements.push(UnusedStatement {
                        policy: label.clone(),
                        policy_arn: policy.arn.clone(),
                        index,
                        sid: statement.sid.clone(),
                        action_kind: match statement.action {
                            Patterns::Not(_) => "NotAction".into(),
                            _ => "Action".into(),
                        },
                        actions: statement.action.patterns().to_vec(),
                        resources: match &statement.resource {
                            Patterns::Listed(p) => p.clone(),
                            Patterns::Not(p) => p.iter().map(|r| format!("not:{r}")).collect(),
                            Patterns::Absent => Vec::new(),
                        },
                        has_condition: statement.has_condition,
                        status,
                        reason,
                    });
                }
                let Patterns::Listed(patterns) = &statement.action else {
                    continue;
                };
                for pattern in patterns {
                    let used_by_this = used_names.iter().any(|(name, by)| {
                        by.contains(&id) && wildcard_match_ignore_case(pattern, name)
                    });
                    if used_by_this {
                        continue;
                    }
                    let (status, reason) = pattern_status(pattern, visibility);
                    let entry =
                        unused_patterns
                            .entry(pattern.clone())
                            .or_insert_with(|| UnusedPattern {
                                pattern: pattern.clone(),
                                statements: Vec::new(),
                                status,
                                reason,
                            });
                    if !entry.statements.contains(&id) {
                        entry.statements.push(id.clone());
                    }
                }
            }
        }
    }
    PrincipalReport {
        arn: key.to_owned(),
        name: grants
            .map(|g| g.name.clone())
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| agg.name.clone()),
        kind: kind_name(
            grants
                .map(|g| g.kind)
                .or(agg.kind)
                .unwrap_or(PrincipalKind::Other),
        )
        .into(),
        in_authorization_details: grants.is_some(),
        permissions_boundary: grants.and_then(|g| g.permissions_boundary.clone()),
        first_seen: agg.first.map(format_time_ms),
        last_seen: agg.last.map(format_time_ms),
        used,
        used_via_services,
        denied,
        unused_statements,
        unused_action_patterns: unused_patterns.into_values().collect(),
        suggested_policy: suggested_policy(agg),
    }
}

/// Whether the input could show uses of an action pattern.
fn pattern_status(pattern: &str, visibility: &Visibility) -> (GrantStatus, Option<String>) {
    let unobserved_data: BTreeSet<&str> = DATA_EVENT_ACTIONS
        .iter()
        .filter(|action| wildcard_match_ignore_case(pattern, action))
        .filter_map(|action| action.split_once(':').map(|(service, _)| service))
        .filter(|service| !visibility.data_event_services.iter().any(|s| s == service))
        .collect();
    if !unobserved_data.is_empty() {
        let services: Vec<&str> = unobserved_data.into_iter().collect();
        return (
            GrantStatus::Unobserved,
            Some(format!(
                "no {} data events in the input",
                services.join("/")
            )),
        );
    }
    let verb = pattern.split_once(':').map_or(pattern, |(_, verb)| verb);
    let open = verb.starts_with('*') || verb.starts_with('?');
    let could_read = open || is_read_action(verb);
    let could_write = open || !is_read_action(verb);
    if could_read && !visibility.management_read_events {
        return (
            GrantStatus::Unobserved,
            Some("no read-only management events in the input".into()),
        );
    }
    if could_write && !visibility.management_write_events {
        return (
            GrantStatus::Unobserved,
            Some("no write management events in the input".into()),
        );
    }
    (GrantStatus::Unused, None)
}

fn statement_status(action: &Patterns, visibility: &Visibility) -> (GrantStatus, Option<String>) {
    match action {
        Patterns::Listed(patterns) => patterns
            .iter()
            .map(|p| pattern_status(p, visibility))
            .find(|(status, _)| *status == GrantStatus::Unobserved)
            .unwrap_or((GrantStatus::Unused, None)),
        // NotAction grants everything else, data actions and reads included.
        Patterns::Not(excluded) => {
            let hidden: Vec<&&str> = DATA_EVENT_ACTIONS
                .iter()
                .filter(|a| !excluded.iter().any(|p| wildcard_match_ignore_case(p, a)))
                .collect();
            if hidden.is_empty() {
                pattern_status("*:Describe*", visibility)
            } else {
                pattern_status(hidden.first().map_or("*", |a| **a), visibility)
            }
        }
        Patterns::Absent => (GrantStatus::Unused, None),
    }
}

fn visibility_report(agg: &VisibilityAgg) -> Visibility {
    let data_event_services: Vec<String> = agg.data_services.iter().cloned().collect();
    let mut notes = Vec::new();
    if data_event_services.is_empty() {
        notes.push(
            "The input holds no data events: grants of data-plane actions (S3 object access, \
             Lambda invocation, DynamoDB items, …) are reported as unobserved, not unused."
                .to_owned(),
        );
    } else {
        notes.push(format!(
            "Data events appear for: {}. Data-plane grants of other services are reported as \
             unobserved. A trail may select data events for some buckets or functions only; \
             this report cannot tell.",
            data_event_services.join(", ")
        ));
    }
    if !agg.management_read {
        notes.push(
            "No read-only management events: read grants are reported as unobserved.".to_owned(),
        );
    }
    if !agg.management_write {
        notes.push(
            "No write management events: write grants are reported as unobserved.".to_owned(),
        );
    }
    Visibility {
        event_categories: agg
            .categories
            .iter()
            .map(|(category, count)| (format!("{category:?}"), *count))
            .collect(),
        data_event_services,
        management_read_events: agg.management_read,
        management_write_events: agg.management_write,
        notes,
    }
}

fn not_evaluated(authz: &Authorization) -> Vec<String> {
    let mut notes = vec![
        "Condition blocks: statements with conditions are assumed to apply (verdict \
         allowed_if_conditions_hold); conditional Deny statements are ignored."
            .to_owned(),
        "Service control policies and resource control policies (AWS Organizations).".to_owned(),
        "Session policies passed to AssumeRole or GetFederationToken.".to_owned(),
        "Resource-based policies (bucket, key, queue, topic, function and role trust policies)."
            .to_owned(),
        "Policy variables other than ${aws:username} in Resource (such patterns are assumed to \
         match)."
            .to_owned(),
    ];
    let bounded: Vec<&str> = authz
        .principals
        .values()
        .filter(|p| p.permissions_boundary.is_some())
        .map(|p| p.name.as_str())
        .collect();
    notes.insert(
        2,
        if bounded.is_empty() {
            "Permissions boundaries (none are attached in the authorization details).".to_owned()
        } else {
            format!(
                "Permissions boundaries, attached to: {}.",
                bounded.join(", ")
            )
        },
    );
    notes
}

/// The used actions (own and via services), grouped by service and by resource set.
fn suggested_policy(agg: &PrincipalAgg) -> serde_json::Value {
    // service → resource set → actions
    let mut groups: BTreeMap<String, BTreeMap<Vec<String>, BTreeSet<String>>> = BTreeMap::new();
    let uses = agg
        .used
        .iter()
        .chain(agg.via.iter().map(|((action, _), usage)| (action, usage)));
    for (action, usage) in uses {
        let service = action.split_once(':').map_or(action.as_str(), |(s, _)| s);
        let resources: Vec<String> =
            if usage.unscoped || usage.policy_truncated || usage.policy_resources.is_empty() {
                vec!["*".to_owned()]
            } else {
                usage.policy_resources.iter().cloned().collect()
            };
        groups
            .entry(service.to_owned())
            .or_default()
            .entry(resources)
            .or_default()
            .insert(action.clone());
    }
    if groups.is_empty() {
        return serde_json::Value::Null;
    }
    let mut statements = Vec::new();
    for (service, by_resources) in groups {
        let base: String = service
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_ascii_uppercase().to_string() + chars.as_str()
                })
            })
            .collect();
        for (n, (resources, actions)) in by_resources.into_iter().enumerate() {
            let sid = if n == 0 {
                base.clone()
            } else {
                format!("{base}Part{}", n + 1)
            };
            let resource = if resources.len() == 1 && resources.first().is_some_and(|r| r == "*") {
                serde_json::Value::String("*".into())
            } else {
                serde_json::Value::from(resources)
            };
            statements.push(serde_json::json!({
                "Sid": sid,
                "Effect": "Allow",
                "Action": actions.into_iter().collect::<Vec<_>>(),
                "Resource": resource,
            }));
        }
    }
    serde_json::json!({ "Version": "2012-10-17", "Statement": statements })
}
