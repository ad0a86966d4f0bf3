//! The IR evaluator on hand-built predicates.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;

use logsec_event::{Dialect, Event, FieldPath, FieldValue, RawRecord, SourceFormat, ocsf};
use logsec_rules::ir::{
    Accessor, Anchor, Case, CmpOp, CompiledRule, Expr, FieldExtractor, KeywordSearch, Number,
    NumericCoercion, Predicate, Quantifier, RegexFlags, RegexMode, RuleSet, StrMatcher, Test,
    Transform,
};

fn event(json: &str) -> Event<'static> {
    let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::Cloudtrail);
    event.raw = RawRecord::json(json.to_owned());
    event
}

fn raw(path: &str) -> Accessor {
    Accessor::Path(FieldPath::raw(path).unwrap())
}

fn eq(value: &str, case: Case) -> Test {
    Test::Str(StrMatcher::equals(value, case).unwrap())
}

/// The ids of the rules `rules` finds for `e` through its index, and of those whose whole
/// condition holds when every rule is tried: the index must never change the answer.
fn ids_indexed_and_whole<'r>(rules: &'r RuleSet, e: &Event<'_>) -> (Vec<&'r str>, Vec<&'r str>) {
    let mut out = Vec::new();
    rules.matches(e, &mut out);
    let indexed = out
        .iter()
        .map(|m| rules.rules()[m.rule].id.as_str())
        .collect();
    let whole = rules
        .rules()
        .iter()
        .filter(|r| r.matches(e))
        .map(|r| r.id.as_str())
        .collect();
    (indexed, whole)
}

#[test]
fn missing_null_and_negation_are_explicit() {
    let e = event(r#"{"a":"x","n":null,"l":[]}"#);
    // Falco `!=`: negated, false on missing.
    let mut ne = Predicate::new(raw("zz"), eq("y", Case::Sensitive));
    ne.negate = true;
    assert!(!ne.eval(&e));
    ne.field = raw("a");
    assert!(ne.eval(&e));
    // Sigma `field: null`: true on missing and null, false on a value.
    let mut null = Predicate::new(raw("n"), Test::IsNull);
    null.if_missing = true;
    null.if_null = true;
    assert!(null.eval(&e));
    null.field = raw("zz");
    assert!(null.eval(&e));
    null.field = raw("a");
    assert!(!null.eval(&e));
    let mut empty = Predicate::new(raw("l"), Test::Present);
    assert!(!empty.eval(&e));
    empty.if_empty = true;
    assert!(empty.eval(&e));
}

#[test]
fn list_fields_use_the_quantifier() {
    let e = event(r#"{"r":[{"t":"a"},{"t":"b"}],"v":["a","a"]}"#);
    let set = Test::Str(StrMatcher::in_set(&["a"], Case::Sensitive));
    let mut any = Predicate::new(raw("r.t"), set.clone());
    assert!(any.eval(&e));
    any.quantifier = Quantifier::All;
    assert!(!any.eval(&e));
    any.field = raw("v");
    assert!(any.eval(&e));
}

#[test]
fn strings_numbers_and_case() {
    let e =
        event(r#"{"s":"Hello World","code":"404","n":404,"ip":"10.1.2.3","b":true,"o":{"k":"v"}}"#);
    let contains = |n: &str, c| Test::Str(StrMatcher::contains(n, c).unwrap());
    assert!(Predicate::new(raw("s"), contains("WORLD", Case::Insensitive)).eval(&e));
    assert!(!Predicate::new(raw("s"), contains("WORLD", Case::Sensitive)).eval(&e));
    assert!(Predicate::new(raw("n"), eq("404", Case::Sensitive)).eval(&e));
    assert!(Predicate::new(raw("b"), eq("TRUE", Case::Insensitive)).eval(&e));
    assert!(Predicate::new(raw("o"), contains(r#""k":"v""#, Case::Sensitive)).eval(&e));
    let num = |op, coercion| Test::Num {
        op,
        value: Number::Int(400),
        coercion,
    };
    assert!(Predicate::new(raw("code"), num(CmpOp::Gt, NumericCoercion::ParseStrings)).eval(&e));
    assert!(!Predicate::new(raw("code"), num(CmpOp::Gt, NumericCoercion::NumbersOnly)).eval(&e));
    assert!(Predicate::new(raw("n"), num(CmpOp::Ge, NumericCoercion::NumbersOnly)).eval(&e));
    let cidr = Test::Cidr(vec!["10.0.0.0/8".parse().unwrap()]);
    assert!(Predicate::new(raw("ip"), cidr).eval(&e));
    let glob = Test::Str(StrMatcher::glob("h*o w?rld", Case::Insensitive).unwrap());
    assert!(Predicate::new(raw("s"), glob).eval(&e));
    let re = StrMatcher::regex("llo", RegexMode::FullMatch, RegexFlags::default()).unwrap();
    assert!(!Predicate::new(raw("s"), Test::Str(re)).eval(&e));
    let re = StrMatcher::regex("llo", RegexMode::Search, RegexFlags::default()).unwrap();
    assert!(Predicate::new(raw("s"), Test::Str(re)).eval(&e));
    let ends = Test::Str(StrMatcher::ends_with("WORLD", Case::Insensitive).unwrap());
    assert!(Predicate::new(raw("s"), ends).eval(&e));
    let starts = Test::Str(StrMatcher::starts_with("hello", Case::Sensitive).unwrap());
    assert!(!Predicate::new(raw("s"), starts).eval(&e));
    let unicode = Test::Str(StrMatcher::equals("ÉTÉ", Case::Insensitive).unwrap());
    assert!(Predicate::new(raw("u"), unicode).eval(&event(r#"{"u":"été"}"#)));
}

#[test]
fn fieldref_transforms_and_keywords() {
    let e = event(
        r#"{"a":"Bob","b":"bob","p":"/usr/bin/curl","enc":"aGVsbG8=","t":"2024-05-06T07:08:09Z"}"#,
    );
    let fieldref = |other: &str, case, anchor| Test::FieldRef {
        other: raw(other),
        case,
        anchor,
    };
    assert!(Predicate::new(raw("a"), fieldref("b", Case::Insensitive, Anchor::Whole)).eval(&e));
    assert!(!Predicate::new(raw("a"), fieldref("b", Case::Sensitive, Anchor::Whole)).eval(&e));
    // "/usr/bin/curl" against the other field's value "bob": no position holds.
    for anchor in [Anchor::Whole, Anchor::Start, Anchor::End, Anchor::Anywhere] {
        assert!(!Predicate::new(raw("p"), fieldref("b", Case::Insensitive, anchor)).eval(&e));
    }
    // "Bob" ends with, starts with and contains "bob" only when case is folded.
    for anchor in [Anchor::Start, Anchor::End, Anchor::Anywhere] {
        assert!(Predicate::new(raw("a"), fieldref("b", Case::Insensitive, anchor)).eval(&e));
        assert!(!Predicate::new(raw("a"), fieldref("b", Case::Sensitive, anchor)).eval(&e));
    }
    // A missing other field fails whatever the anchor.
    assert!(
        !Predicate::new(
            raw("a"),
            fieldref("nope", Case::Insensitive, Anchor::Anywhere)
        )
        .eval(&e)
    );
    let mut p = Predicate::new(raw("p"), eq("curl", Case::Sensitive));
    p.transforms = vec![Transform::Basename];
    assert!(p.eval(&e));
    let mut p = Predicate::new(raw("enc"), eq("HELLO", Case::Sensitive));
    p.transforms = vec![Transform::Base64Decode, Transform::Uppercase];
    assert!(p.eval(&e));
    let mut p = Predicate::new(
        raw("t"),
        Test::Num {
            op: CmpOp::Eq,
            value: Number::Int(7),
            coercion: NumericCoercion::NumbersOnly,
        },
    );
    p.transforms = vec![Transform::TimePart(logsec_rules::ir::TimeUnit::Hour)];
    assert!(p.eval(&e));
    let keyword = |n: &str| {
        Expr::Keyword(Box::new(KeywordSearch {
            matcher: StrMatcher::contains(n, Case::Insensitive).unwrap(),
        }))
    };
    assert!(keyword("USR/BIN").eval(&e));
    assert!(!keyword("wget").eval(&e));
}

#[derive(Debug)]
struct Upper;

impl FieldExtractor for Upper {
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        FieldValue::Str(event.raw.as_str().to_uppercase().into())
    }
    fn name(&self) -> &str {
        "test.upper"
    }
}

#[test]
fn custom_extractors_are_accessors() {
    let e = event(r#"{"a":"x"}"#);
    let p = Predicate::new(
        Accessor::Custom(Arc::new(Upper)),
        eq(r#"{"A":"X"}"#, Case::Sensitive),
    );
    assert!(p.eval(&e));
}

#[test]
fn the_index_only_tries_rules_that_can_match_and_keeps_rule_order() {
    let by_name = |id: &str, name: &str| {
        let mut rule = CompiledRule::new(
            id,
            Dialect::Sigma,
            Expr::and(vec![
                Expr::pred(Predicate::new(
                    raw("eventName"),
                    eq(name, Case::Insensitive),
                )),
                Expr::pred(Predicate::new(raw("x"), Test::Present)),
            ]),
        );
        rule.sources = vec![SourceFormat::Cloudtrail];
        rule
    };
    let mut k8s = CompiledRule::new("k8s", Dialect::Falco, Expr::Const(true));
    k8s.sources = vec![SourceFormat::K8sAudit];
    let any = CompiledRule::new("any", Dialect::Falco, Expr::Const(true));
    let rules = RuleSet::new(vec![
        by_name("r0", "DeleteTrail"),
        any,
        by_name("r2", "StopLogging"),
        k8s,
        by_name("r4", "deletetrail"),
    ]);
    assert_eq!(
        rules.index_summary(),
        vec![("cloudtrail".to_owned(), "raw.eventName".to_owned(), 3)]
    );
    let mut out = Vec::new();
    rules.matches(&event(r#"{"eventName":"DeleteTrail","x":1}"#), &mut out);
    let ids: Vec<&str> = out
        .iter()
        .map(|m| rules.rules()[m.rule].id.as_str())
        .collect();
    assert_eq!(ids, ["r0", "any", "r4"]);
    out.clear();
    rules.matches(&event(r#"{"eventName":"Other","x":1}"#), &mut out);
    assert_eq!(out.len(), 1);
    let alert = rules.alert(out[0], &event("{}")).unwrap();
    assert_eq!(alert.finding_info.analytic.uid, "any");
}

#[test]
fn the_index_files_rules_under_their_most_discriminating_field_and_misses_no_match() {
    let set = |values: &[&str]| {
        let owned: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        Test::Str(StrMatcher::in_set(&owned, Case::Sensitive))
    };
    let verb = |v: &str| Expr::pred(Predicate::new(raw("verb"), set(&[v])));
    let resource = |v: &[&str]| Expr::pred(Predicate::new(raw("objectRef.resource"), set(v)));
    let rule = |id: &str, condition: Expr| {
        let mut rule = CompiledRule::new(id, Dialect::Falco, condition);
        rule.sources = vec![SourceFormat::K8sAudit];
        rule
    };
    let mut not_kube_system = Predicate::new(
        raw("objectRef.namespace"),
        eq("kube-system", Case::Sensitive),
    );
    not_kube_system.negate = true;
    not_kube_system.if_missing = true;
    let rules = RuleSet::new(vec![
        rule("r0", Expr::and(vec![verb("create"), resource(&["pods"])])),
        rule(
            "r1",
            Expr::and(vec![verb("create"), resource(&["secrets"])]),
        ),
        rule("r2", Expr::and(vec![verb("delete"), resource(&["pods"])])),
        // Both alternatives require a verb and a resource: filed under the merged resources.
        rule(
            "r3",
            Expr::or(vec![
                Expr::and(vec![resource(&["roles"]), verb("create")]),
                Expr::and(vec![verb("create"), resource(&["clusterroles"])]),
            ]),
        ),
        // Only a verb is required.
        rule(
            "r4",
            Expr::and(vec![verb("create"), Expr::pred(not_kube_system)]),
        ),
        // Nothing is required.
        rule("r5", Expr::not(verb("get"))),
    ]);
    let mut summary = rules.index_summary();
    summary.sort();
    assert_eq!(
        summary,
        vec![
            (
                "k8s_audit".to_owned(),
                "raw.objectRef.resource".to_owned(),
                4
            ),
            ("k8s_audit".to_owned(), "raw.verb".to_owned(), 1),
        ]
    );
    let cases: [(&str, &[&str]); 7] = [
        (
            r#"{"verb":"create","objectRef":{"resource":"pods"}}"#,
            &["r0", "r4", "r5"],
        ),
        // A list-valued resource: every rule of the group is tried.
        (
            r#"{"verb":"create","objectRef":{"resource":["pods","secrets"]}}"#,
            &["r0", "r1", "r4", "r5"],
        ),
        // Missing or null resource: only the rules that do not require one.
        (r#"{"verb":"create"}"#, &["r4", "r5"]),
        (r#"{"verb":"create","objectRef":null}"#, &["r4", "r5"]),
        (
            r#"{"verb":"create","objectRef":{"resource":"clusterroles"}}"#,
            &["r3", "r4", "r5"],
        ),
        (
            r#"{"verb":"create","objectRef":{"resource":"pods","namespace":"kube-system"}}"#,
            &["r0", "r5"],
        ),
        (r#"{"verb":"get","objectRef":{"resource":"pods"}}"#, &[]),
    ];
    for (json, expected) in cases {
        // Borrowed records are read through the lazy member view, owned ones through the tree.
        for record in [RawRecord::json(json), RawRecord::json(json.to_owned())] {
            let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
            e.raw = record;
            let (ids, unindexed) = ids_indexed_and_whole(&rules, &e);
            assert_eq!(ids, expected, "{json}");
            assert_eq!(unindexed, expected, "{json}");
        }
    }
}

/// Rules reached through a bucket are tried without the conjuncts the bucket makes true; the
/// matches stay those of every rule's whole condition, on values the index narrows for and on
/// values it does not (lists, other types, other case, missing).
#[test]
fn narrowed_conditions_match_as_the_whole_conditions_do() {
    let set = |values: &[&str], case: Case| {
        let owned: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        Test::Str(StrMatcher::in_set(&owned, case))
    };
    let on = |path: &str, values: &[&str]| {
        Expr::pred(Predicate::new(raw(path), set(values, Case::Sensitive)))
    };
    let rule = |id: &str, condition: Expr| {
        let mut rule = CompiledRule::new(id, Dialect::Falco, condition);
        rule.sources = vec![SourceFormat::K8sAudit];
        rule
    };
    let mut not_pods = Predicate::new(raw("objectRef.resource"), set(&["pods"], Case::Sensitive));
    not_pods.negate = true;
    let mut pods_or_missing =
        Predicate::new(raw("objectRef.resource"), set(&["pods"], Case::Sensitive));
    pods_or_missing.if_missing = true;
    let rules = RuleSet::new(vec![
        // Two conjuncts on the resource: the wider one holds wherever the narrower one does.
        rule(
            "wider",
            Expr::and(vec![
                on("objectRef.resource", &["pods", "secrets"]),
                on("verb", &["create"]),
                on("objectRef.resource", &["pods"]),
            ]),
        ),
        // A conjunct on the resource the bucket does not make true.
        rule(
            "disjoint",
            Expr::and(vec![
                on("objectRef.resource", &["pods"]),
                on("objectRef.resource", &["secrets", "roles"]),
            ]),
        ),
        // Nested conjunctions, a negated and a missing-tolerant test on the same path.
        rule(
            "nested",
            Expr::and(vec![
                Expr::and(vec![
                    on("verb", &["create", "get"]),
                    on("objectRef.resource", &["pods", "roles"]),
                ]),
                Expr::not(Expr::pred(not_pods.clone())),
                Expr::pred(pods_or_missing),
            ]),
        ),
        rule(
            "negated",
            Expr::and(vec![
                on("objectRef.resource", &["pods", "roles", "secrets"]),
                Expr::pred(not_pods),
            ]),
        ),
        // Case-insensitive sets are not narrowed.
        rule(
            "insensitive",
            Expr::pred(Predicate::new(
                raw("objectRef.resource"),
                set(&["PODS"], Case::Insensitive),
            )),
        ),
        // The only conjunct: the narrowed condition is `true`.
        rule("only", on("objectRef.resource", &["roles"])),
        rule("verb-only", on("verb", &["create"])),
    ]);
    let resources = [
        r#""pods""#,
        r#""secrets""#,
        r#""roles""#,
        r#""Pods""#,
        r#"["pods","roles"]"#,
        "5",
        "null",
        r#""""#,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for resource in resources
        .iter()
        .map(|r| format!(r#","objectRef":{{"resource":{r}}}"#))
        .chain([String::new()])
    {
        for verb in [r#""verb":"create""#, r#""verb":"get""#, r#""v":1"#] {
            let json = format!("{{{verb}{resource}}}");
            for record in [
                RawRecord::json(json.clone()),
                RawRecord::json(json.as_str().to_owned()),
            ] {
                let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                e.raw = record;
                let (ids, whole) = ids_indexed_and_whole(&rules, &e);
                assert_eq!(ids, whole, "{json}");
                seen.extend(whole);
            }
        }
    }
    // Every rule matches some event; "disjoint" only the list-valued resource (any value
    // passes each test), which the index does not narrow for.
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "disjoint",
            "insensitive",
            "negated",
            "nested",
            "only",
            "verb-only",
            "wider"
        ]
    );
}

#[test]
fn falco_k8s_conditions_read_the_audit_id_guard_once_per_conjunction() {
    let rules = logsec_rules::falco::load(
        &[logsec_rules::falco::RuleFile::new(
            "case.yaml",
            r#"
- rule: r
  desc: d
  condition: ka.verb=create and ka.target.resource=pods and ka.user.name=bob and not ka.target.namespace=x
  output: o
  priority: WARNING
  source: k8s_audit
"#,
        )],
        &logsec_rules::falco::LoadOptions::default(),
    );
    assert_eq!(rules.errors().count(), 0);
    let set = rules.rule_set();
    let condition = format!("{:?}", set.rules()[0].condition);
    // One guard for the three tests of the conjunction, one inside the negation (where it
    // must stay: `not` of a guarded test is true when auditID is missing).
    assert_eq!(
        condition.matches(r#"FieldPath("raw.auditID")"#).count(),
        2,
        "{condition}"
    );
    let run = |json: &str| {
        let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        e.raw = RawRecord::json(json);
        let mut out = Vec::new();
        set.matches(&e, &mut out);
        out.len()
    };
    let base = r#""verb":"create","objectRef":{"resource":"pods","namespace":"y"},"user":{"username":"bob"}"#;
    assert_eq!(run(&format!(r#"{{"auditID":"1",{base}}}"#)), 1);
    assert_eq!(run(&format!("{{{base}}}")), 0);
    assert_eq!(
        run(
            r#"{"auditID":"1","verb":"create","objectRef":{"resource":"pods","namespace":"x"},"user":{"username":"bob"}}"#
        ),
        0
    );
}

#[test]
fn a_rule_set_reads_only_the_raw_record_when_every_rule_of_the_format_does() {
    let on = |format: SourceFormat, condition: Expr| {
        let mut rule = CompiledRule::new("r", Dialect::Sigma, condition);
        rule.sources = vec![format];
        rule
    };
    let raw_name = Expr::pred(Predicate::new(
        raw("eventName"),
        eq("StopLogging", Case::Insensitive),
    ));
    let ocsf_user = Expr::pred(Predicate::new(
        Accessor::Path(FieldPath::parse("actor.user.name").unwrap()),
        eq("alice", Case::Sensitive),
    ));
    let raw_ref = Expr::pred(Predicate::new(
        raw("userIdentity.userName"),
        Test::FieldRef {
            other: Accessor::Path(FieldPath::parse("actor.user.name").unwrap()),
            case: Case::Sensitive,
            anchor: Anchor::Whole,
        },
    ));
    let keyword = Expr::Keyword(Box::new(KeywordSearch {
        matcher: StrMatcher::contains("evil", Case::Insensitive).unwrap(),
    }));
    assert!(raw_name.reads_raw_only());
    assert!(keyword.reads_raw_only());
    assert!(!ocsf_user.reads_raw_only());
    assert!(
        !raw_ref.reads_raw_only(),
        "the other field of a fieldref counts"
    );
    assert!(!Expr::Not(Box::new(ocsf_user.clone())).reads_raw_only());
    assert!(!Accessor::Custom(Arc::new(Upper)).reads_raw_only());

    let rules = RuleSet::new(vec![
        on(
            SourceFormat::Cloudtrail,
            Expr::or(vec![raw_name.clone(), keyword]),
        ),
        on(SourceFormat::Istio, ocsf_user.clone()),
    ]);
    assert!(rules.reads_raw_only(SourceFormat::Cloudtrail));
    assert!(!rules.reads_raw_only(SourceFormat::Istio));
    assert!(
        rules.reads_raw_only(SourceFormat::K8sAudit),
        "no rule applies"
    );
    assert!(RuleSet::default().reads_raw_only(SourceFormat::Cloudtrail));

    // A rule for every format reading the normalized event makes no format raw-only.
    let rules = RuleSet::new(vec![
        on(SourceFormat::Cloudtrail, raw_name),
        CompiledRule::new("any", Dialect::Falco, ocsf_user),
    ]);
    assert!(!rules.reads_raw_only(SourceFormat::Cloudtrail));
    assert!(!rules.reads_raw_only(SourceFormat::K8sAudit));
}

/// A computed field that counts its reads.
#[derive(Debug)]
struct Counted(std::sync::atomic::AtomicUsize);

impl FieldExtractor for Counted {
    fn extract<'e>(&self, event: &'e Event<'_>) -> FieldValue<'e> {
        self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        event
            .raw
            .member("verb")
            .and_then(|v| v.as_str())
            .map_or(FieldValue::Missing, |v| FieldValue::Str(v.into()))
    }
    fn name(&self) -> &str {
        "counted"
    }
}

/// Equal predicates of different rules are evaluated once per event (a shared computed field
/// is read once), tests that only look alike (other case, other regex mode, a set in another
/// order, another accessor) are kept apart, and the matches are every rule's own.
#[test]
fn equal_predicates_of_different_rules_are_evaluated_once_per_event() {
    let counted = Arc::new(Counted(std::sync::atomic::AtomicUsize::new(0)));
    let shared = Accessor::Custom(counted.clone());
    let other = Accessor::Custom(Arc::new(Counted(std::sync::atomic::AtomicUsize::new(0))));
    let pred = |field: Accessor, test: Test| Expr::pred(Predicate::new(field, test));
    let set = |values: &[&str], case: Case| Test::Str(StrMatcher::in_set(values, case));
    let regex = |mode: RegexMode, insensitive: bool| {
        let flags = RegexFlags {
            case_insensitive: insensitive,
            ..RegexFlags::default()
        };
        Test::Str(StrMatcher::regex("cre", mode, flags).unwrap())
    };
    let rule = |id: &str, condition: Expr| {
        let mut rule = CompiledRule::new(id, Dialect::Falco, condition);
        rule.sources = vec![SourceFormat::K8sAudit];
        rule
    };
    let rules = RuleSet::new(vec![
        rule("exact", pred(shared.clone(), eq("create", Case::Sensitive))),
        rule(
            "any-case",
            pred(shared.clone(), eq("CREATE", Case::Insensitive)),
        ),
        rule(
            "exact-upper",
            pred(shared.clone(), eq("CREATE", Case::Sensitive)),
        ),
        rule(
            "and",
            Expr::and(vec![
                pred(shared.clone(), eq("create", Case::Sensitive)),
                pred(raw("verb"), set(&["get", "create"], Case::Sensitive)),
            ]),
        ),
        rule(
            "set-reordered",
            pred(raw("verb"), set(&["create", "get"], Case::Sensitive)),
        ),
        rule(
            "not",
            Expr::not(pred(shared.clone(), eq("create", Case::Sensitive))),
        ),
        rule(
            "search",
            pred(shared.clone(), regex(RegexMode::Search, false)),
        ),
        rule(
            "full",
            pred(shared.clone(), regex(RegexMode::FullMatch, false)),
        ),
        rule(
            "search-ci",
            pred(shared.clone(), regex(RegexMode::Search, true)),
        ),
        rule(
            "other-field",
            pred(other.clone(), eq("create", Case::Sensitive)),
        ),
        rule("raw", pred(raw("verb"), eq("create", Case::Sensitive))),
    ]);
    let cases: [(&str, &[&str]); 3] = [
        (
            r#"{"verb":"create"}"#,
            &[
                "exact",
                "any-case",
                "and",
                "set-reordered",
                "search",
                "search-ci",
                "other-field",
                "raw",
            ],
        ),
        (
            r#"{"verb":"CREATE"}"#,
            &["any-case", "exact-upper", "not", "search-ci"],
        ),
        (r#"{"verb":"get"}"#, &["set-reordered", "not"]),
    ];
    for (json, expected) in cases {
        let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        e.raw = RawRecord::json(json);
        let before = counted.0.load(std::sync::atomic::Ordering::Relaxed);
        let mut out = Vec::new();
        rules.matches(&e, &mut out);
        let reads = counted.0.load(std::sync::atomic::Ordering::Relaxed) - before;
        let ids: Vec<&str> = out
            .iter()
            .map(|m| rules.rules()[m.rule].id.as_str())
            .collect();
        assert_eq!(ids, expected, "{json}");
        let whole: Vec<&str> = rules
            .rules()
            .iter()
            .filter(|r| r.matches(&e))
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(whole, expected, "{json}");
        // Six distinct tests read the shared field (`= create` in four rules, `=~ CREATE`,
        // `= CREATE` and the three regexes), and read it once between them.
        assert_eq!(reads, 1, "{json}");
    }
}

/// Predicates sharing a field read (one accessor, the same transforms) give the outcomes of
/// reading it each: over raw paths that are missing, null, empty, lists, numbers and
/// objects, with transforms kept apart, and a computed field read once per event.
#[test]
fn predicates_sharing_a_field_read_give_each_predicates_outcome() {
    let counted = Arc::new(Counted(std::sync::atomic::AtomicUsize::new(0)));
    let computed = Accessor::Custom(counted.clone());
    let set = |values: &[&str], case: Case| Test::Str(StrMatcher::in_set(values, case));
    let prefix = |value: &str| Test::Str(StrMatcher::starts_with(value, Case::Sensitive).unwrap());
    let with = |field: Accessor, test: Test, edit: &dyn Fn(&mut Predicate)| {
        let mut p = Predicate::new(field, test);
        edit(&mut p);
        Expr::pred(p)
    };
    let none = |_: &mut Predicate| {};
    let rule = |id: &str, condition: Expr| {
        let mut rule = CompiledRule::new(id, Dialect::Falco, condition);
        rule.sources = vec![SourceFormat::K8sAudit];
        rule
    };
    let user = || raw("user.username");
    let rules = RuleSet::new(vec![
        rule("eq", with(user(), eq("admin", Case::Sensitive), &none)),
        rule(
            "not-system",
            with(user(), prefix("system:"), &|p| p.negate = true),
        ),
        rule(
            "in-list",
            with(user(), set(&["admin", "root"], Case::Sensitive), &none),
        ),
        rule(
            "missing-or-null",
            with(user(), Test::IsNull, &|p| {
                p.if_missing = true;
                p.if_null = true;
            }),
        ),
        rule(
            "present",
            with(user(), Test::Present, &|p| p.if_empty = true),
        ),
        rule(
            "all-admin",
            with(user(), eq("admin", Case::Sensitive), &|p| {
                p.quantifier = Quantifier::All;
            }),
        ),
        rule(
            "lower-eq",
            with(user(), eq("admin", Case::Sensitive), &|p| {
                p.transforms = vec![Transform::Lowercase];
            }),
        ),
        rule(
            "number",
            with(
                user(),
                Test::Num {
                    op: CmpOp::Ge,
                    value: Number::Int(200),
                    coercion: NumericCoercion::ParseStrings,
                },
                &none,
            ),
        ),
        rule(
            "and-verb",
            Expr::and(vec![
                with(user(), prefix("ad"), &none),
                with(computed.clone(), eq("create", Case::Sensitive), &none),
            ]),
        ),
        rule(
            "verb-or",
            Expr::or(vec![
                with(computed.clone(), eq("get", Case::Sensitive), &none),
                with(computed.clone(), prefix("cr"), &none),
            ]),
        ),
    ]);
    let users = [
        r#""admin""#,
        r#""ADMIN""#,
        r#""system:kube""#,
        "null",
        "[]",
        r#"["admin","root"]"#,
        r#"["admin","admin"]"#,
        "404",
        r#"{"a":1}"#,
        r#""""#,
    ];
    let mut seen = std::collections::BTreeSet::new();
    for user in users
        .iter()
        .map(|u| format!(r#","user":{{"username":{u}}}"#))
        .chain([String::new(), r#","user":5"#.to_owned()])
    {
        for verb in [r#""verb":"create""#, r#""verb":"get""#, r#""v":1"#] {
            let json = format!("{{{verb}{user}}}");
            for record in [
                RawRecord::json(json.clone()),
                RawRecord::json(json.as_str()),
            ] {
                let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
                e.raw = record;
                let before = counted.0.load(std::sync::atomic::Ordering::Relaxed);
                let mut out = Vec::new();
                rules.matches(&e, &mut out);
                let reads = counted.0.load(std::sync::atomic::Ordering::Relaxed) - before;
                assert!(reads <= 1, "{json}: the computed field read {reads} times");
                let (ids, whole) = ids_indexed_and_whole(&rules, &e);
                assert_eq!(ids, whole, "{json}");
                seen.extend(whole);
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        [
            "all-admin",
            "and-verb",
            "eq",
            "in-list",
            "lower-eq",
            "missing-or-null",
            "not-system",
            "number",
            "present",
            "verb-or"
        ]
    );
}

/// Bucket look-ups rule values out by their length first: that must never lose a match, for
/// values of any case, long values, and values whose lowercase form is longer (`İ`).
#[test]
fn the_index_length_filter_misses_no_match() {
    let long = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome";
    let values = ["TruffleHog", "İstanbul", long, "ab"];
    let rules: Vec<CompiledRule> = values
        .iter()
        .enumerate()
        .map(|(i, value)| {
            let mut rule = CompiledRule::new(
                format!("r{i}"),
                Dialect::Sigma,
                Expr::pred(Predicate::new(
                    raw("userAgent"),
                    eq(value, Case::Insensitive),
                )),
            );
            rule.sources = vec![SourceFormat::Cloudtrail];
            rule
        })
        .collect();
    let set = RuleSet::new(rules.clone());
    // The non-ASCII value is not indexed (its case folding is not a per-byte one).
    assert_eq!(
        set.index_summary(),
        vec![("cloudtrail".to_owned(), "raw.userAgent".to_owned(), 3)]
    );
    let agents = [
        "trufflehog".to_owned(),
        "TRUFFLEHOG".to_owned(),
        "trufflehog2".to_owned(),
        "İSTANBUL".to_owned(),
        "i̇stanbul".to_owned(),
        "istanbul".to_owned(),
        long.to_uppercase(),
        format!("{long}!"),
        "AB".to_owned(),
        "a".to_owned(),
        String::new(),
    ];
    let mut matched = Vec::new();
    for agent in &agents {
        let e = event(&serde_json::json!({ "userAgent": agent }).to_string());
        let mut out = Vec::new();
        set.matches(&e, &mut out);
        let got: Vec<usize> = out.iter().map(|m| m.rule).collect();
        let want: Vec<usize> = (0..rules.len())
            .filter(|&i| rules[i].condition.eval(&e))
            .collect();
        assert_eq!(got, want, "{agent}");
        if !want.is_empty() {
            matched.push(agent.as_str());
        }
    }
    let long_upper = long.to_uppercase();
    assert_eq!(
        matched,
        [
            "trufflehog",
            "TRUFFLEHOG",
            "İSTANBUL",
            long_upper.as_str(),
            "AB"
        ]
    );
}

/// A case-sensitive regex with a literal every match contains is guarded by a substring
/// search for it; the guard changes no verdict.
#[test]
fn regexes_guarded_by_their_required_literal_match_as_the_regex_does() {
    let plain = RegexFlags::default();
    let insensitive = RegexFlags {
        case_insensitive: true,
        ..RegexFlags::default()
    };
    let guarded = |pattern: &str, mode: RegexMode, flags: RegexFlags| {
        format!("{:?}", StrMatcher::regex(pattern, mode, flags).unwrap()).contains("GuardedRegex")
    };
    assert!(guarded(".+:assumed-role/aws:.+", RegexMode::Search, plain));
    assert!(guarded("^ab(c|d)efg$", RegexMode::FullMatch, plain));
    // No single literal is required, or its case is folded: the regex runs alone.
    assert!(!guarded("abc|xyz", RegexMode::Search, plain));
    assert!(!guarded("(?:abc)?x", RegexMode::Search, plain));
    assert!(!guarded("abcdef", RegexMode::Search, insensitive));
    assert!(!guarded("(?i)abcdef", RegexMode::Search, plain));
    let cases: &[(&str, RegexMode, RegexFlags)] = &[
        (".+:assumed-role/aws:.+", RegexMode::Search, plain),
        (".+:assumed-role/aws:.+", RegexMode::FullMatch, plain),
        ("x?:assumed-role/(aws|AWS):", RegexMode::Search, plain),
        ("role/a.s:", RegexMode::Search, plain),
        ("(?i)role/AWS:", RegexMode::Search, plain),
        ("ROLE/aws:", RegexMode::Search, insensitive),
    ];
    let haystacks = [
        "",
        ":assumed-role/aws:",
        "arn:aws:sts::1:assumed-role/aws:ec2-instance",
        "arn:aws:sts::1:assumed-role/AWS:ec2-instance",
        "arn:aws:sts::1:assumed-role/role-17/user-157",
        "arn:aws:sts::1:assumed-role/aws",
        "x:assumed-role/aws:",
        "ROLE/AWS:",
        "role/aws:é",
    ];
    for &(pattern, mode, flags) in cases {
        let matcher = StrMatcher::regex(pattern, mode, flags).unwrap();
        let mut builder = regex::RegexBuilder::new(&match mode {
            RegexMode::FullMatch => format!(r"\A(?:{pattern})\z"),
            _ => pattern.to_owned(),
        });
        let reference = builder
            .case_insensitive(flags.case_insensitive)
            .build()
            .unwrap();
        for haystack in haystacks {
            assert_eq!(
                matcher.is_match(haystack),
                reference.is_match(haystack),
                "{pattern:?} on {haystack:?}"
            );
        }
    }
}

/// A rule whose condition is constantly false is filed nowhere; the rules after it keep their
/// indices and match as before.
#[test]
fn constantly_false_rules_are_never_tried_and_shift_no_index() {
    let verb = |v: &str| Expr::pred(Predicate::new(raw("verb"), eq(v, Case::Sensitive)));
    let rule = |id: &str, condition: Expr| {
        let mut rule = CompiledRule::new(id, Dialect::Falco, condition);
        rule.sources = vec![SourceFormat::K8sAudit];
        rule
    };
    let rules = RuleSet::new(vec![
        rule("never", Expr::Const(false)),
        rule("create", verb("create")),
        rule(
            "never-either",
            Expr::and(vec![verb("create"), Expr::Const(false)]),
        ),
        rule("always", Expr::Const(true)),
    ]);
    assert_eq!(
        rules.index_summary(),
        vec![("k8s_audit".to_owned(), "raw.verb".to_owned(), 1)]
    );
    let mut e = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
    e.raw = RawRecord::json(r#"{"verb":"create"}"#);
    let mut out = Vec::new();
    rules.matches(&e, &mut out);
    let ids: Vec<&str> = out
        .iter()
        .map(|m| rules.rules()[m.rule].id.as_str())
        .collect();
    assert_eq!(ids, ["create", "always"]);
    assert_eq!(out.iter().map(|m| m.rule).collect::<Vec<_>>(), [1, 3]);
}
