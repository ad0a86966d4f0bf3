//! OCSF 1.8.0 constants: the classes logsec emits, their activities, status ids.
//!
//! These tables are written here and checked against the schema sources in
//! `ocsf-schema-1.8.0` by the conformance test (`tests/ocsf_conformance.rs`), so a typo or a
//! schema change fails CI instead of shipping.

/// The OCSF schema version logsec writes to `metadata.version`.
pub const OCSF_VERSION: &str = "1.8.0";

/// An OCSF event class: its ids, captions and activities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OcsfClass {
    /// `class_uid` (= category_uid × 1000 + the class's own uid).
    pub uid: u32,
    /// `category_uid`.
    pub category_uid: u32,
    /// `class_name`, the class caption.
    pub name: &'static str,
    /// `category_name`, the category caption.
    pub category_name: &'static str,
    /// The schema file under `events/`, for the conformance test.
    pub schema_file: &'static str,
    /// `(activity_id, activity caption)` pairs, including 0 Unknown and 99 Other.
    pub activities: &'static [(u32, &'static str)],
}

impl OcsfClass {
    /// The caption of `activity_id` in this class, if the class defines it.
    pub fn activity_name(&self, activity_id: u32) -> Option<&'static str> {
        self.activities
            .iter()
            .find(|(id, _)| *id == activity_id)
            .map(|(_, name)| *name)
    }

    /// `type_uid` = class_uid × 100 + activity_id.
    pub fn type_uid(&self, activity_id: u32) -> u64 {
        u64::from(self.uid) * 100 + u64::from(activity_id)
    }

    /// The class with this `class_uid`, among those logsec emits.
    pub fn by_uid(uid: u32) -> Option<&'static OcsfClass> {
        CLASSES.iter().copied().find(|class| class.uid == uid)
    }
}

/// API Activity (6003): cloud and Kubernetes API calls.
pub const API_ACTIVITY: OcsfClass = OcsfClass {
    uid: 6003,
    category_uid: 6,
    name: "API Activity",
    category_name: "Application Activity",
    schema_file: "events/application/api_activity.json",
    activities: &[
        (0, "Unknown"),
        (1, "Create"),
        (2, "Read"),
        (3, "Update"),
        (4, "Delete"),
        (99, "Other"),
    ],
};

/// Authentication (3002): logons, role assumptions, SSH and sudo.
pub const AUTHENTICATION: OcsfClass = OcsfClass {
    uid: 3002,
    category_uid: 3,
    name: "Authentication",
    category_name: "Identity & Access Management",
    schema_file: "events/iam/authentication.json",
    activities: &[
        (0, "Unknown"),
        (1, "Logon"),
        (2, "Logoff"),
        (3, "Authentication Ticket"),
        (4, "Service Ticket Request"),
        (5, "Service Ticket Renew"),
        (6, "Preauth"),
        (7, "Account Switch"),
        (99, "Other"),
    ],
};

/// Account Change (3001): IAM users, keys, passwords, policies.
pub const ACCOUNT_CHANGE: OcsfClass = OcsfClass {
    uid: 3001,
    category_uid: 3,
    name: "Account Change",
    category_name: "Identity & Access Management",
    schema_file: "events/iam/account_change.json",
    activities: &[
        (0, "Unknown"),
        (1, "Create"),
        (2, "Enable"),
        (3, "Password Change"),
        (4, "Password Reset"),
        (5, "Disable"),
        (6, "Delete"),
        (7, "Attach Policy"),
        (8, "Detach Policy"),
        (9, "Lock"),
        (10, "MFA Factor Enable"),
        (11, "MFA Factor Disable"),
        (12, "Unlock"),
        (99, "Other"),
    ],
};

/// HTTP Activity (4002): proxy, load balancer, object store and web server access logs.
pub const HTTP_ACTIVITY: OcsfClass = OcsfClass {
    uid: 4002,
    category_uid: 4,
    name: "HTTP Activity",
    category_name: "Network Activity",
    schema_file: "events/network/http_activity.json",
    activities: &[
        (0, "Unknown"),
        (1, "Connect"),
        (2, "Delete"),
        (3, "Get"),
        (4, "Head"),
        (5, "Options"),
        (6, "Post"),
        (7, "Put"),
        (8, "Trace"),
        (9, "Patch"),
        (99, "Other"),
    ],
};

/// Network Activity (4001): flow logs and TCP proxy entries.
pub const NETWORK_ACTIVITY: OcsfClass = OcsfClass {
    uid: 4001,
    category_uid: 4,
    name: "Network Activity",
    category_name: "Network Activity",
    schema_file: "events/network/network_activity.json",
    activities: &[
        (0, "Unknown"),
        (1, "Open"),
        (2, "Close"),
        (3, "Reset"),
        (4, "Fail"),
        (5, "Refuse"),
        (6, "Traffic"),
        (7, "Listen"),
        (99, "Other"),
    ],
};

/// Detection Finding (2004): the alerts logsec raises.
pub const DETECTION_FINDING: OcsfClass = OcsfClass {
    uid: 2004,
    category_uid: 2,
    name: "Detection Finding",
    category_name: "Findings",
    schema_file: "events/findings/detection_finding.json",
    activities: &[
        (0, "Unknown"),
        (1, "Create"),
        (2, "Update"),
        (3, "Close"),
        (99, "Other"),
    ],
};

/// IAM Analysis Finding (2008): least-privilege findings.
pub const IAM_ANALYSIS_FINDING: OcsfClass = OcsfClass {
    uid: 2008,
    category_uid: 2,
    name: "IAM Analysis Finding",
    category_name: "Findings",
    schema_file: "events/findings/iam_analysis_finding.json",
    activities: &[
        (0, "Unknown"),
        (1, "Create"),
        (2, "Update"),
        (3, "Close"),
        (99, "Other"),
    ],
};

/// Base Event (0): records no other class fits (plain syslog lines, application logs).
pub const BASE_EVENT: OcsfClass = OcsfClass {
    uid: 0,
    category_uid: 0,
    name: "Base Event",
    category_name: "Uncategorized",
    schema_file: "events/base_event.json",
    activities: &[(0, "Unknown"), (99, "Other")],
};

/// Every class logsec emits.
pub const CLASSES: &[&OcsfClass] = &[
    &API_ACTIVITY,
    &AUTHENTICATION,
    &ACCOUNT_CHANGE,
    &HTTP_ACTIVITY,
    &NETWORK_ACTIVITY,
    &DETECTION_FINDING,
    &IAM_ANALYSIS_FINDING,
    &BASE_EVENT,
];

/// `status_id` values of the activity classes (not of findings).
pub mod status {
    /// The status is not known.
    pub const UNKNOWN: u32 = 0;
    /// The activity succeeded.
    pub const SUCCESS: u32 = 1;
    /// The activity failed.
    pub const FAILURE: u32 = 2;
    /// Another status.
    pub const OTHER: u32 = 99;

    /// The caption of a status id.
    pub fn name(status_id: u32) -> &'static str {
        match status_id {
            SUCCESS => "Success",
            FAILURE => "Failure",
            OTHER => "Other",
            _ => "Unknown",
        }
    }
}

/// OCSF profile names, as listed in `metadata.profiles`.
///
/// An attribute that belongs to a profile (`cloud`, `api` outside API Activity, `action_id`,
/// `attacks`, a resource's `region`, …) may be emitted only when the profile is listed; listing
/// `cloud` makes the `cloud` attribute required. [`crate::Event::set_cloud`] and
/// [`crate::Event::add_profile`] keep the two consistent.
pub mod profile {
    /// `cloud`: `cloud` (required), `api` and cloud attributes of objects.
    pub const CLOUD: &str = "cloud";
    /// `security_control`: `action_id`, `disposition_id`, `attacks`, `is_alert`, …
    pub const SECURITY_CONTROL: &str = "security_control";
    /// `datetime`: the `*_dt` RFC 3339 siblings of timestamps.
    pub const DATETIME: &str = "datetime";
}

/// `status_id` values of findings (Detection Finding, IAM Analysis Finding).
pub mod finding_status {
    /// A new finding.
    pub const NEW: u32 = 1;
}

/// HTTP Activity's activity id for an HTTP method (case-insensitive); 99 Other for methods
/// outside the class's list, 0 Unknown for none.
pub fn http_activity_for_method(method: &str) -> u32 {
    const METHODS: [(&str, u32); 9] = [
        ("CONNECT", 1),
        ("DELETE", 2),
        ("GET", 3),
        ("HEAD", 4),
        ("OPTIONS", 5),
        ("POST", 6),
        ("PUT", 7),
        ("TRACE", 8),
        ("PATCH", 9),
    ];
    if method.is_empty() || method == "-" {
        return 0;
    }
    METHODS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(method))
        .map_or(99, |(_, id)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_uid_formula_holds() {
        for class in CLASSES.iter().filter(|class| class.uid != 0) {
            assert_eq!(class.uid / 1000, class.category_uid, "{}", class.name);
        }
        assert_eq!(API_ACTIVITY.type_uid(2), 600302);
        assert_eq!(DETECTION_FINDING.type_uid(1), 200401);
    }

    #[test]
    fn methods_map_to_http_activities() {
        assert_eq!(http_activity_for_method("get"), 3);
        assert_eq!(http_activity_for_method("PATCH"), 9);
        assert_eq!(http_activity_for_method("PROPFIND"), 99);
        assert_eq!(http_activity_for_method("-"), 0);
    }
}
