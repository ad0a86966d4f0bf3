//! The Falco field table: the `cloudtrail` plugin fields (`ct.*`, `s3.*`, `ec2.*`, `ecr.*`,
//! `iam.*`), the `k8saudit` plugin fields (`ka.*`), the `json` plugin fields (`json.*` and their
//! `jevt.*` aliases), the generic `evt.*` fields, and logsec's normalized OCSF fields under the
//! `ocsf.` prefix (`ocsf.actor.user.name`, any path [`FieldPath::parse`] accepts).
//!
//! Plugin fields are extractors over the raw JSON record, reproducing the
//! plugins' value semantics (see `reference/falco-fields.md`): every value is a string except the
//! `s3.bytes*`/`s3.cnt.*` counters; cloudtrail turns a non-string JSON value into `""`; k8saudit
//! re-serializes non-string values as JSON text; list fields yield 0..N values, and an empty
//! list is "no value".
//!
//! Extractors read the record's top-level members through its lazy view
//! ([`RawRecord::member`]): only the members a field walks into are parsed, once per event
//! (the parsed member is kept in the record, so every rule reading `objectRef` shares one
//! parse), and the whole tree is never built for a JSON object record.

use std::borrow::Cow;
use std::fmt;

use logsec_event::{
    Event, FieldPath, FieldValue, JsonNumber, JsonValue, JsonView, RawRecord, edit_distance,
};

/// The event source of Falco's cloudtrail plugin.
pub const SOURCE_CLOUDTRAIL: &str = "aws_cloudtrail";
/// The event source of Falco's k8saudit plugin.
pub const SOURCE_K8S_AUDIT: &str = "k8s_audit";
/// The prefix of logsec's normalized OCSF fields in Falco conditions.
pub const OCSF_FIELD_PREFIX: &str = "ocsf.";

/// The type of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A string (`PT_CHARBUF`).
    String,
    /// An unsigned 64-bit integer (`PT_UINT64`).
    Uint64,
    /// A value whose type depends on the event (OCSF fields): numbers compare numerically
    /// when both sides are numbers, otherwise as strings.
    Dynamic,
}

/// What a field accepts in brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// No argument.
    None,
    /// An optional numeric index.
    Index,
    /// A required string key.
    Key,
}

/// Which sources a field serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sources {
    CloudTrail,
    K8sAudit,
    Any,
}

/// One entry of the field table.
#[derive(Debug, Clone, Copy)]
pub struct FieldInfo {
    /// Field name.
    pub name: &'static str,
    /// Value type.
    pub ty: FieldType,
    /// Whether the field is a list field.
    pub list: bool,
    /// Argument kind.
    pub arg: ArgKind,
    sources: Sources,
    kind: Kind,
}

impl FieldInfo {
    /// Whether the field can be used in rules of `source`.
    pub fn serves(&self, source: &str) -> bool {
        match self.sources {
            Sources::Any => true,
            Sources::CloudTrail => source == SOURCE_CLOUDTRAIL,
            Sources::K8sAudit => source == SOURCE_K8S_AUDIT,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// cloudtrail string at a path; non-strings become "".
    CtStr(&'static [&'static str]),
    /// cloudtrail whole JSON re-serialized.
    CtJson(&'static [&'static str]),
    /// cloudtrail bool as "true"/"false".
    CtBool(&'static [&'static str]),
    CtShortSrc,
    CtUser,
    CtOriginalUser,
    CtAccountId,
    CtInfo,
    CtResources,
    CtNever,
    S3Uri,
    S3Bytes(u8),
    S3Cnt(u8),
    Ec2Name,
    Ec2ImageIds,
    /// k8saudit scalar at a path, `jsonValueAsString`.
    KaStr(&'static [&'static str]),
    KaAnnotation(&'static str),
    KaList(&'static [&'static str]),
    KaUriParam,
    KaTargetPodName,
    KaSubjects,
    KaSubjectNames(&'static str),
    KaSubjectSaNsNames,
    KaHasName,
    KaContainerField(&'static str, ContainerField),
    KaFirstContainerImage,
    KaFirstContainerRepo,
    KaAnyPrivileged,
    KaRoleRules,
    KaRoleRulesField(&'static str),
    KaVolumeHostpaths,
    KaVolumeFlex,
    KaVolumeTypes,
    KaVolumeHostpathKey,
    KaServicePorts,
    KaSourceIps,
    JsonValue,
    JsonObj,
    JsonRawTime,
    EvtNum,
    EvtTime,
    EvtTimeS,
    EvtIso8601,
    EvtDatetime,
    EvtDatetimeS,
    EvtRawTime,
    EvtRawTimeS,
    EvtRawTimeNs,
    EvtPluginName,
    EvtPluginInfo,
    EvtSource,
    EvtIsAsync,
    Ocsf,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ContainerField {
    Name,
    Image,
    Repository,
    Command,
    Args,
    Sec(&'static [&'static str]),
    SecJson(&'static [&'static str]),
    EffRunAs(&'static str),
    HostPort,
}

const fn f(name: &'static str, sources: Sources, kind: Kind) -> FieldInfo {
    FieldInfo {
        name,
        ty: FieldType::String,
        list: false,
        arg: ArgKind::None,
        sources,
        kind,
    }
}

const fn ct(name: &'static str, kind: Kind) -> FieldInfo {
    f(name, Sources::CloudTrail, kind)
}

const fn ka(name: &'static str, kind: Kind) -> FieldInfo {
    f(name, Sources::K8sAudit, kind)
}

const fn list(mut info: FieldInfo, arg: ArgKind) -> FieldInfo {
    info.list = true;
    info.arg = arg;
    info
}

const fn keyed(mut info: FieldInfo) -> FieldInfo {
    info.arg = ArgKind::Key;
    info
}

const fn uint(mut info: FieldInfo) -> FieldInfo {
    info.ty = FieldType::Uint64;
    info
}

macro_rules! container_fields {
    ($group:literal, $prefix:literal, host_port: $hp:literal) => {
        [
            list(
                ka(
                    concat!($prefix, ".name"),
                    Kind::KaContainerField($group, ContainerField::Name),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".image"),
                    Kind::KaContainerField($group, ContainerField::Image),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".image.repository"),
                    Kind::KaContainerField($group, ContainerField::Repository),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".command"),
                    Kind::KaContainerField($group, ContainerField::Command),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".args"),
                    Kind::KaContainerField($group, ContainerField::Args),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".privileged"),
                    Kind::KaContainerField($group, ContainerField::Sec(&["privileged"])),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".allow_privilege_escalation"),
                    Kind::KaContainerField(
                        $group,
                        ContainerField::Sec(&["allowPrivilegeEscalation"]),
                    ),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".read_only_fs"),
                    Kind::KaContainerField(
                        $group,
                        ContainerField::Sec(&["readOnlyRootFilesystem"]),
                    ),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".run_as_user"),
                    Kind::KaContainerField($group, ContainerField::Sec(&["runAsUser"])),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".eff_run_as_user"),
                    Kind::KaContainerField($group, ContainerField::EffRunAs("runAsUser")),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".run_as_group"),
                    Kind::KaContainerField($group, ContainerField::Sec(&["runAsGroup"])),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".eff_run_as_group"),
                    Kind::KaContainerField($group, ContainerField::EffRunAs("runAsGroup")),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".proc_mount"),
                    Kind::KaContainerField($group, ContainerField::Sec(&["procMount"])),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    concat!($prefix, ".add_capabilities"),
                    Kind::KaContainerField(
                        $group,
                        ContainerField::SecJson(&["capabilities", "add"]),
                    ),
                ),
                ArgKind::Index,
            ),
            list(
                ka(
                    if $hp {
                        concat!($prefix, ".host_port")
                    } else {
                        ""
                    },
                    Kind::KaContainerField($group, ContainerField::HostPort),
                ),
                ArgKind::Index,
            ),
        ]
    };
}

const FIXED_FIELDS: &[FieldInfo] = &[
    ct("ct.id", Kind::CtStr(&["eventID"])),
    ct("ct.error", Kind::CtStr(&["errorCode"])),
    ct("ct.errormessage", Kind::CtStr(&["errorMessage"])),
    ct("ct.time", Kind::CtStr(&["eventTime"])),
    ct("ct.src", Kind::CtStr(&["eventSource"])),
    ct("ct.shortsrc", Kind::CtShortSrc),
    ct("ct.name", Kind::CtStr(&["eventName"])),
    ct("ct.user", Kind::CtUser),
    ct("ct.originaluser", Kind::CtOriginalUser),
    ct("ct.user.accountid", Kind::CtAccountId),
    ct(
        "ct.user.identitytype",
        Kind::CtStr(&["userIdentity", "type"]),
    ),
    ct(
        "ct.user.principalid",
        Kind::CtStr(&["userIdentity", "principalId"]),
    ),
    ct("ct.user.arn", Kind::CtStr(&["userIdentity", "arn"])),
    ct("ct.region", Kind::CtStr(&["awsRegion"])),
    ct(
        "ct.response.subnetid",
        Kind::CtStr(&["responseElements", "subnetId"]),
    ),
    ct(
        "ct.response.reservationid",
        Kind::CtStr(&["responseElements", "reservationId"]),
    ),
    ct("ct.response", Kind::CtJson(&["responseElements"])),
    ct(
        "ct.request.availabilityzone",
        Kind::CtStr(&["requestParameters", "availabilityZone"]),
    ),
    ct(
        "ct.request.cluster",
        Kind::CtStr(&["requestParameters", "cluster"]),
    ),
    ct(
        "ct.request.functionname",
        Kind::CtStr(&["requestParameters", "functionName"]),
    ),
    ct(
        "ct.request.groupname",
        Kind::CtStr(&["requestParameters", "groupName"]),
    ),
    ct(
        "ct.request.host",
        Kind::CtStr(&["requestParameters", "Host"]),
    ),
    ct(
        "ct.request.name",
        Kind::CtStr(&["requestParameters", "name"]),
    ),
    ct(
        "ct.request.policy",
        Kind::CtStr(&["requestParameters", "policy"]),
    ),
    ct(
        "ct.request.reason",
        Kind::CtStr(&["requestParameters", "reason"]),
    ),
    ct(
        "ct.request.target",
        Kind::CtStr(&["requestParameters", "target"]),
    ),
    // Bug-compatible: upstream's switch spells the case `documentName`, so it never extracts.
    ct("ct.request.documentname", Kind::CtNever),
    ct(
        "ct.request.serialnumber",
        Kind::CtStr(&["requestParameters", "serialNumber"]),
    ),
    ct(
        "ct.request.servicename",
        Kind::CtStr(&["requestParameters", "serviceName"]),
    ),
    ct(
        "ct.request.subnetid",
        Kind::CtStr(&["requestParameters", "subnetId"]),
    ),
    ct(
        "ct.request.taskdefinition",
        Kind::CtStr(&["requestParameters", "taskDefinition"]),
    ),
    ct(
        "ct.request.username",
        Kind::CtStr(&["requestParameters", "userName"]),
    ),
    ct("ct.request", Kind::CtJson(&["requestParameters"])),
    ct("ct.srcip", Kind::CtStr(&["sourceIPAddress"])),
    ct("ct.useragent", Kind::CtStr(&["userAgent"])),
    ct("ct.info", Kind::CtInfo),
    ct("ct.managementevent", Kind::CtBool(&["managementEvent"])),
    ct("ct.readonly", Kind::CtBool(&["readOnly"])),
    ct("ct.requestid", Kind::CtStr(&["requestID"])),
    ct("ct.eventtype", Kind::CtStr(&["eventType"])),
    ct("ct.apiversion", Kind::CtStr(&["apiVersion"])),
    ct("ct.resources", Kind::CtResources),
    ct(
        "ct.recipientaccountid",
        Kind::CtStr(&["recipientAccountId"]),
    ),
    ct(
        "ct.serviceeventdetails",
        Kind::CtStr(&["serviceEventDetails"]),
    ),
    ct("ct.sharedeventid", Kind::CtStr(&["sharedEventID"])),
    ct("ct.vpcendpointid", Kind::CtStr(&["vpcEndpointId"])),
    ct("ct.eventcategory", Kind::CtStr(&["eventCategory"])),
    ct("ct.addendum.reason", Kind::CtStr(&["addendum", "reason"])),
    ct(
        "ct.addendum.updatedfields",
        Kind::CtStr(&["addendum", "updatedFields"]),
    ),
    ct(
        "ct.addendum.originalrequestid",
        Kind::CtStr(&["addendum", "originalRequestID"]),
    ),
    ct(
        "ct.addendum.originaleventid",
        Kind::CtStr(&["addendum", "originalEventID"]),
    ),
    ct(
        "ct.sessioncredentialfromconsole",
        Kind::CtBool(&["sessionCredentialFromConsole"]),
    ),
    ct("ct.edgedevicedetails", Kind::CtStr(&["edgeDeviceDetails"])),
    ct(
        "ct.tlsdetails.tlsversion",
        Kind::CtStr(&["tlsDetails", "tlsVersion"]),
    ),
    ct(
        "ct.tlsdetails.ciphersuite",
        Kind::CtStr(&["tlsDetails", "cipherSuite"]),
    ),
    ct(
        "ct.tlsdetails.clientprovidedhostheader",
        Kind::CtStr(&["tlsDetails", "clientProvidedHostHeader"]),
    ),
    ct(
        "ct.additionaleventdata",
        Kind::CtJson(&["additionalEventData"]),
    ),
    ct("s3.uri", Kind::S3Uri),
    ct(
        "s3.bucket",
        Kind::CtStr(&["requestParameters", "bucketName"]),
    ),
    ct("s3.key", Kind::CtStr(&["requestParameters", "key"])),
    uint(ct("s3.bytes", Kind::S3Bytes(0))),
    uint(ct("s3.bytes.in", Kind::S3Bytes(1))),
    uint(ct("s3.bytes.out", Kind::S3Bytes(2))),
    uint(ct("s3.cnt.get", Kind::S3Cnt(0))),
    uint(ct("s3.cnt.put", Kind::S3Cnt(1))),
    uint(ct("s3.cnt.other", Kind::S3Cnt(2))),
    ct("ec2.name", Kind::Ec2Name),
    ct("ec2.imageid", Kind::Ec2ImageIds),
    list(ct("ec2.imageids", Kind::Ec2ImageIds), ArgKind::Index),
    ct(
        "ecr.repository",
        Kind::CtStr(&["requestParameters", "repositoryName"]),
    ),
    ct(
        "ecr.imagetag",
        Kind::CtStr(&["requestParameters", "imageTag"]),
    ),
    ct("iam.role", Kind::CtStr(&["requestParameters", "roleName"])),
    ct(
        "iam.policy",
        Kind::CtStr(&["requestParameters", "policyName"]),
    ),
    ka("ka.auditid", Kind::KaStr(&["auditID"])),
    ka("ka.stage", Kind::KaStr(&["stage"])),
    ka(
        "ka.auth.decision",
        Kind::KaAnnotation("authorization.k8s.io/decision"),
    ),
    ka(
        "ka.auth.reason",
        Kind::KaAnnotation("authorization.k8s.io/reason"),
    ),
    ka(
        "ka.auth.openshift.decision",
        Kind::KaAnnotation("authentication.openshift.io/decision"),
    ),
    ka(
        "ka.validations.admission.policy.failure",
        Kind::KaAnnotation("validation.policy.admission.k8s.io/validation_failure"),
    ),
    ka(
        "ka.security.pod.violations",
        Kind::KaAnnotation("pod-security.kubernetes.io/audit-violations"),
    ),
    ka(
        "ka.auth.openshift.username",
        Kind::KaAnnotation("authentication.openshift.io/username"),
    ),
    ka("ka.user.name", Kind::KaStr(&["user", "username"])),
    list(
        ka("ka.user.groups", Kind::KaList(&["user", "groups"])),
        ArgKind::None,
    ),
    ka(
        "ka.impuser.name",
        Kind::KaStr(&["impersonatedUser", "username"]),
    ),
    ka("ka.verb", Kind::KaStr(&["verb"])),
    ka("ka.uri", Kind::KaStr(&["requestURI"])),
    keyed(ka("ka.uri.param", Kind::KaUriParam)),
    ka("ka.target.name", Kind::KaStr(&["objectRef", "name"])),
    ka(
        "ka.target.namespace",
        Kind::KaStr(&["objectRef", "namespace"]),
    ),
    ka(
        "ka.target.resource",
        Kind::KaStr(&["objectRef", "resource"]),
    ),
    ka(
        "ka.target.subresource",
        Kind::KaStr(&["objectRef", "subresource"]),
    ),
    ka("ka.target.pod.name", Kind::KaTargetPodName),
    list(
        ka("ka.req.binding.subjects", Kind::KaSubjects),
        ArgKind::None,
    ),
    list(
        ka(
            "ka.req.binding.subjects.user_names",
            Kind::KaSubjectNames("User"),
        ),
        ArgKind::None,
    ),
    list(
        ka(
            "ka.req.binding.subjects.serviceaccount_names",
            Kind::KaSubjectNames("ServiceAccount"),
        ),
        ArgKind::None,
    ),
    list(
        ka(
            "ka.req.binding.subjects.serviceaccount_ns_names",
            Kind::KaSubjectSaNsNames,
        ),
        ArgKind::None,
    ),
    list(
        ka(
            "ka.req.binding.subjects.group_names",
            Kind::KaSubjectNames("Group"),
        ),
        ArgKind::None,
    ),
    ka(
        "ka.req.binding.role",
        Kind::KaStr(&["requestObject", "roleRef", "name"]),
    ),
    keyed(ka("ka.req.binding.subject.has_name", Kind::KaHasName)),
    ka("ka.req.configmap.name", Kind::KaStr(&["objectRef", "name"])),
    ka(
        "ka.req.configmap.obj",
        Kind::KaStr(&["requestObject", "data"]),
    ),
    ka("ka.req.container.image", Kind::KaFirstContainerImage),
    ka(
        "ka.req.container.image.repository",
        Kind::KaFirstContainerRepo,
    ),
    ka(
        "ka.req.pod.host_ipc",
        Kind::KaStr(&["requestObject", "spec", "hostIPC"]),
    ),
    ka(
        "ka.req.pod.host_network",
        Kind::KaStr(&["requestObject", "spec", "hostNetwork"]),
    ),
    ka(
        "ka.req.container.host_network",
        Kind::KaStr(&["requestObject", "spec", "hostNetwork"]),
    ),
    ka(
        "ka.req.pod.host_pid",
        Kind::KaStr(&["requestObject", "spec", "hostPID"]),
    ),
    ka("ka.req.container.privileged", Kind::KaAnyPrivileged),
    ka(
        "ka.req.pod.run_as_user",
        Kind::KaStr(&["requestObject", "spec", "securityContext", "runAsUser"]),
    ),
    ka(
        "ka.req.pod.run_as_group",
        Kind::KaStr(&["requestObject", "spec", "securityContext", "runAsGroup"]),
    ),
    list(ka("ka.req.role.rules", Kind::KaRoleRules), ArgKind::None),
    list(
        ka(
            "ka.req.role.rules.apiGroups",
            Kind::KaRoleRulesField("apiGroups"),
        ),
        ArgKind::Index,
    ),
    list(
        ka(
            "ka.req.role.rules.nonResourceURLs",
            Kind::KaRoleRulesField("nonResourceURLs"),
        ),
        ArgKind::Index,
    ),
    list(
        ka("ka.req.role.rules.verbs", Kind::KaRoleRulesField("verbs")),
        ArgKind::Index,
    ),
    list(
        ka(
            "ka.req.role.rules.resources",
            Kind::KaRoleRulesField("resources"),
        ),
        ArgKind::Index,
    ),
    ka(
        "ka.req.pod.fs_group",
        Kind::KaStr(&["requestObject", "spec", "securityContext", "fsGroup"]),
    ),
    list(
        ka(
            "ka.req.pod.supplemental_groups",
            Kind::KaList(&[
                "requestObject",
                "spec",
                "securityContext",
                "supplementalGroups",
            ]),
        ),
        ArgKind::None,
    ),
    ka(
        "ka.req.service.type",
        Kind::KaStr(&["requestObject", "spec", "type"]),
    ),
    list(
        ka("ka.req.service.ports", Kind::KaServicePorts),
        ArgKind::Index,
    ),
    list(
        ka("ka.req.pod.volumes.hostpath", Kind::KaVolumeHostpaths),
        ArgKind::Index,
    ),
    keyed(ka("ka.req.volume.hostpath", Kind::KaVolumeHostpathKey)),
    list(
        ka("ka.req.pod.volumes.flexvolume_driver", Kind::KaVolumeFlex),
        ArgKind::Index,
    ),
    list(
        ka("ka.req.pod.volumes.volume_type", Kind::KaVolumeTypes),
        ArgKind::Index,
    ),
    ka(
        "ka.resp.name",
        Kind::KaStr(&["responseObject", "metadata", "name"]),
    ),
    ka("ka.response.code", Kind::KaStr(&["responseStatus", "code"])),
    ka(
        "ka.response.reason",
        Kind::KaStr(&["responseStatus", "reason"]),
    ),
    ka("ka.useragent", Kind::KaStr(&["userAgent"])),
    list(ka("ka.sourceips", Kind::KaSourceIps), ArgKind::Index),
    ka("ka.cluster.name", Kind::KaAnnotation("cluster_name")),
    keyed(f("json.value", Sources::Any, Kind::JsonValue)),
    f("json.obj", Sources::Any, Kind::JsonObj),
    f("json.rawtime", Sources::Any, Kind::JsonRawTime),
    keyed(f("jevt.value", Sources::Any, Kind::JsonValue)),
    f("jevt.obj", Sources::Any, Kind::JsonObj),
    f("jevt.rawtime", Sources::Any, Kind::JsonRawTime),
    uint(f("evt.num", Sources::Any, Kind::EvtNum)),
    f("evt.time", Sources::Any, Kind::EvtTime),
    f("evt.time.s", Sources::Any, Kind::EvtTimeS),
    f("evt.time.iso8601", Sources::Any, Kind::EvtIso8601),
    f("evt.datetime", Sources::Any, Kind::EvtDatetime),
    f("evt.datetime.s", Sources::Any, Kind::EvtDatetimeS),
    uint(f("evt.rawtime", Sources::Any, Kind::EvtRawTime)),
    uint(f("evt.rawtime.s", Sources::Any, Kind::EvtRawTimeS)),
    uint(f("evt.rawtime.ns", Sources::Any, Kind::EvtRawTimeNs)),
    f("evt.pluginname", Sources::Any, Kind::EvtPluginName),
    f("evt.plugininfo", Sources::Any, Kind::EvtPluginInfo),
    f("evt.source", Sources::Any, Kind::EvtSource),
    f("evt.is_async", Sources::Any, Kind::EvtIsAsync),
];

const CONTAINERS: [FieldInfo; 15] =
    container_fields!("containers", "ka.req.pod.containers", host_port: true);
const INIT_CONTAINERS: [FieldInfo; 15] =
    container_fields!("initContainers", "ka.req.pod.initContainers", host_port: true);
const EPHEMERAL_CONTAINERS: [FieldInfo; 15] =
    container_fields!("ephemeralContainers", "ka.req.pod.ephemeralContainers", host_port: false);

/// Every field of the table (plugin, json and evt fields; not the open-ended `ocsf.*` family).
pub fn all_fields() -> impl Iterator<Item = &'static FieldInfo> {
    FIXED_FIELDS
        .iter()
        .chain(CONTAINERS.iter())
        .chain(INIT_CONTAINERS.iter())
        .chain(EPHEMERAL_CONTAINERS.iter())
        .filter(|info| !info.name.is_empty())
}

/// Looks a field up by name.
pub fn field_info(name: &str) -> Option<&'static FieldInfo> {
    all_fields().find(|info| info.name == name)
}

/// Known field names similar to `name`, nearest first (for "did you mean").
pub fn suggest_fields(name: &str, source: &str) -> Vec<&'static str> {
    let mut scored: Vec<(usize, &'static str)> = all_fields()
        .filter(|info| info.serves(source))
        .map(|info| (edit_distance(name, info.name), info.name))
        .filter(|(d, candidate)| *d <= (candidate.len() / 3).max(2))
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Why a field reference could not be resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FieldError {
    Unknown { suggestions: Vec<&'static str> },
    WrongSource,
    MissingArg,
    UnexpectedArg,
    BadIndex,
    BadOcsfPath(String),
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldError::Unknown { suggestions } if suggestions.is_empty() => {
                f.write_str("is not a supported filter field")
            }
            FieldError::Unknown { suggestions } => write!(
                f,
                "is not a supported filter field (did you mean {}?)",
                suggestions
                    .iter()
                    .map(|s| format!("'{s}'"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            FieldError::WrongSource => f.write_str("is not available for this rule's source"),
            FieldError::MissingArg => f.write_str("requires an argument in brackets"),
            FieldError::UnexpectedArg => f.write_str("does not accept an argument"),
            FieldError::BadIndex => f.write_str("requires a numeric index argument"),
            FieldError::BadOcsfPath(reason) => write!(f, "is not a valid OCSF path: {reason}"),
        }
    }
}

/// A field reference resolved at load time.
#[derive(Debug, Clone)]
pub(crate) struct ResolvedField {
    info: FieldInfo,
    arg: Option<String>,
    index: Option<usize>,
    pointer: Vec<String>,
    ocsf: Option<FieldPath>,
}

impl ResolvedField {
    /// The value type.
    pub(crate) fn ty(&self) -> FieldType {
        self.info.ty
    }

    /// Whether the field yields a list. An index argument selects one element.
    pub(crate) fn is_list(&self) -> bool {
        self.info.list && self.index.is_none()
    }

    /// For plain string fields read from one JSON path: the path, and whether the k8saudit
    /// `auditID` prerequisite applies. The compiler turns these into indexable raw-path
    /// accessors.
    pub(crate) fn simple_raw_path(&self) -> Option<(&'static [&'static str], bool)> {
        match self.info.kind {
            Kind::CtStr(path) => Some((path, false)),
            Kind::KaStr(path) => Some((path, true)),
            _ => None,
        }
    }
}

/// Resolves `name[arg]` for rules of `source`.
pub(crate) fn resolve(
    name: &str,
    arg: Option<&str>,
    source: &str,
) -> Result<ResolvedField, FieldError> {
    if let Some(path) = name.strip_prefix(OCSF_FIELD_PREFIX) {
        if arg.is_some() {
            return Err(FieldError::UnexpectedArg);
        }
        let path = FieldPath::parse(path).map_err(|e| FieldError::BadOcsfPath(e.to_string()))?;
        return Ok(ResolvedField {
            info: FieldInfo {
                name: "ocsf",
                ty: FieldType::Dynamic,
                list: false,
                arg: ArgKind::None,
                sources: Sources::Any,
                kind: Kind::Ocsf,
            },
            arg: None,
            index: None,
            pointer: Vec::new(),
            ocsf: Some(path),
        });
    }
    let info = *field_info(name).ok_or_else(|| FieldError::Unknown {
        suggestions: suggest_fields(name, source),
    })?;
    if !info.serves(source) {
        return Err(FieldError::WrongSource);
    }
    let mut index = None;
    let mut pointer = Vec::new();
    match (info.arg, arg) {
        (ArgKind::None, Some(_)) => return Err(FieldError::UnexpectedArg),
        (ArgKind::Key, None) => return Err(FieldError::MissingArg),
        (ArgKind::Index, Some(a)) => {
            index = Some(
                a.trim()
                    .parse::<usize>()
                    .map_err(|_| FieldError::BadIndex)?,
            );
        }
        (ArgKind::Key, Some(a)) if info.kind == Kind::JsonValue => {
            let a = a.strip_prefix('/').unwrap_or(a);
            pointer = a
                .split('/')
                .map(|seg| seg.replace("~1", "/").replace("~0", "~"))
                .collect();
        }
        _ => {}
    }
    Ok(ResolvedField {
        info,
        arg: arg.map(str::to_owned),
        index,
        pointer,
        ocsf: None,
    })
}

/// One extracted value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val<'e> {
    /// A string.
    Str(Cow<'e, str>),
    /// An unsigned integer.
    Num(u64),
}

impl Val<'_> {
    /// The value as text.
    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            Val::Str(s) => Cow::Borrowed(s.as_ref()),
            Val::Num(n) => Cow::Owned(n.to_string()),
        }
    }
}

/// Per-evaluation context the event itself does not carry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EvalContext<'s> {
    /// `evt.num`: the 1-based sequence number of the event in its stream.
    pub(crate) event_number: u64,
    /// `evt.source`: the Falco source name of the event.
    pub(crate) source: &'s str,
}

/// A value's text as the plugin gives it: a string's own text, any other value's JSON. The
/// literals are spelled without serializing (a pod's `privileged: true` is read per rule).
fn json_text<'e>(value: &'e JsonValue<'_>) -> Cow<'e, str> {
    match value {
        JsonValue::String(s) => Cow::Borrowed(s.as_ref()),
        JsonValue::Bool(true) => Cow::Borrowed("true"),
        JsonValue::Bool(false) => Cow::Borrowed("false"),
        JsonValue::Null => Cow::Borrowed("null"),
        other => Cow::Owned(other.to_json_string()),
    }
}

fn ct_str<'e>(value: Option<&'e JsonValue<'_>>) -> Option<Cow<'e, str>> {
    match value? {
        JsonValue::String(s) => Some(Cow::Borrowed(s.as_ref())),
        JsonValue::Null => None,
        _ => Some(Cow::Borrowed("")),
    }
}

fn num_u64(value: &JsonValue<'_>) -> Option<u64> {
    match value {
        JsonValue::Number(JsonNumber::Int(n)) => u64::try_from(*n).ok(),
        JsonValue::Number(JsonNumber::UInt(n)) => Some(*n),
        JsonValue::Number(JsonNumber::Float(f)) if *f >= 0.0 => Some(*f as u64),
        _ => None,
    }
}

fn array<'e, 'a>(value: Option<&'e JsonValue<'a>>) -> &'e [JsonValue<'a>] {
    match value {
        Some(JsonValue::Array(items)) => items,
        _ => &[],
    }
}

/// The elements of `view` if it is an array (none otherwise): [`array`] through a view, so the
/// array is cut into elements instead of parsed whole.
fn elements<'e, 'a>(view: Option<JsonView<'e, 'a>>) -> impl Iterator<Item = JsonView<'e, 'a>> {
    view.and_then(JsonView::elements).into_iter().flatten()
}

/// The member `key` of `view`'s object, parsed (a plain string is not even parsed).
fn member<'e, 'a>(view: JsonView<'e, 'a>, key: &str) -> Option<&'e JsonValue<'a>> {
    view.get(key).and_then(JsonView::value)
}

/// The value at the object keys `keys` from `view`, parsed.
fn at<'e, 'a>(view: JsonView<'e, 'a>, keys: &[&str]) -> Option<&'e JsonValue<'a>> {
    view.pointer(keys).and_then(JsonView::value)
}

/// The top-level members of a JSON record, read through its lazy view.
#[derive(Clone, Copy)]
struct Root<'e, 'a>(&'e RawRecord<'a>);

impl<'e, 'a> Root<'e, 'a> {
    /// The member `key` (parsed on first access, then shared by every reader).
    fn get(self, key: &str) -> Option<&'e JsonValue<'a>> {
        self.0.member(key)
    }

    /// Walks a sequence of object keys from the record: the objects on the way are cut into
    /// members, only the value reached is parsed.
    fn pointer(self, keys: &[&str]) -> Option<&'e JsonValue<'a>> {
        if keys.is_empty() {
            return None;
        }
        self.0.pointer(keys)
    }

    /// The value at the object keys `keys` as a view: nothing on the way or at the end is
    /// parsed, so a reader can walk into its arrays element by element.
    fn view(self, keys: &[&str]) -> Option<JsonView<'e, 'a>> {
        if keys.is_empty() {
            return None;
        }
        self.0.view()?.pointer(keys)
    }
}

fn ct_user<'e>(root: Root<'e, '_>) -> Option<Cow<'e, str>> {
    let identity = root.get("userIdentity")?;
    match identity.get("type")?.as_str()? {
        "Root" | "IAMUser" => ct_str(identity.get("userName")),
        "AWSService" => ct_str(identity.get("invokedBy")),
        "AssumedRole" => Some(
            ct_str(identity.pointer(["sessionContext", "sessionIssuer", "userName"]))
                .unwrap_or(Cow::Borrowed("AssumedRole")),
        ),
        "AWSAccount" => Some(Cow::Borrowed("AWSAccount")),
        "FederatedUser" => Some(Cow::Borrowed("FederatedUser")),
        _ => None,
    }
}

fn ct_original_user<'e>(root: Root<'e, '_>) -> Option<Cow<'e, str>> {
    let identity = root.get("userIdentity")?;
    if identity.get("type").and_then(JsonValue::as_str) == Some("AssumedRole") {
        if let Some(arn) = identity.get("arn").and_then(JsonValue::as_str) {
            let parts: Vec<&str> = arn.split('/').collect();
            if let [_, _, last] = parts.as_slice() {
                return Some(Cow::Owned((*last).to_owned()));
            }
        }
        if let Some(principal) = identity.get("principalId").and_then(JsonValue::as_str) {
            let parts: Vec<&str> = principal.split(':').collect();
            if let [_, second] = parts.as_slice() {
                return Some(Cow::Owned((*second).to_owned()));
            }
        }
    }
    ct_str(identity.get("userName"))
}

fn short_src<'e>(root: Root<'e, '_>) -> Option<Cow<'e, str>> {
    let src = root.get("eventSource")?.as_str()?;
    Some(Cow::Borrowed(
        src.strip_suffix(".amazonaws.com").unwrap_or(src),
    ))
}

fn s3_bytes(root: Root<'_, '_>, which: u8) -> Option<u64> {
    let data = root.get("additionalEventData");
    let input = data
        .and_then(|d| d.get("bytesTransferredIn"))
        .and_then(num_u64);
    let output = data
        .and_then(|d| d.get("bytesTransferredOut"))
        .and_then(num_u64);
    match which {
        1 => input,
        2 => output,
        _ if input.is_none() && output.is_none() => None,
        _ => Some(input.unwrap_or(0).saturating_add(output.unwrap_or(0))),
    }
}

fn ct_info(root: Root<'_, '_>) -> String {
    let mut out = ct_user(root).map(Cow::into_owned).unwrap_or_default();
    if let Some(ip) = root.get("sourceIPAddress").and_then(JsonValue::as_str) {
        out.push_str(" via ");
        out.push_str(ip);
    }
    out.push(' ');
    if root.get("errorCode").is_some() {
        out.push('!');
    }
    let read_only = root.get("readOnly").and_then(JsonValue::as_bool);
    out.push_str(if read_only == Some(false) {
        "→"
    } else {
        "←"
    });
    out.push(' ');
    out.push_str(
        root.get("eventName")
            .and_then(JsonValue::as_str)
            .unwrap_or(""),
    );
    if let Some(bytes) = s3_bytes(root, 0) {
        out.push_str(&format!(" Size={bytes}"));
    }
    let params = root.get("requestParameters");
    let uri = params
        .and_then(|p| Some((p.get("bucketName")?.as_str()?, p.get("key")?.as_str()?)))
        .map(|(b, k)| format!("s3://{b}/{k}"));
    if let Some(uri) = uri {
        out.push_str(&format!(" URI={uri}"));
    } else if let Some(bucket) = params
        .and_then(|p| p.get("bucketName"))
        .and_then(JsonValue::as_str)
    {
        out.push_str(&format!(" Bucket={bucket}"));
    } else if let Some(key) = params
        .and_then(|p| p.get("key"))
        .and_then(JsonValue::as_str)
    {
        out.push_str(&format!(" Key={key}"));
    } else if let Some(host) = params
        .and_then(|p| p.get("Host"))
        .and_then(JsonValue::as_str)
    {
        out.push_str(&format!(" Host={host}"));
    }
    out
}

fn ec2_image_ids<'e>(root: Root<'e, '_>, index: Option<usize>) -> Vec<Val<'e>> {
    let items = root.pointer(&["responseElements", "instancesSet", "items"]);
    if let Some(JsonValue::Array(items)) = items {
        let ids: Vec<Val<'e>> = items
            .iter()
            .filter_map(|item| item.get("imageId").and_then(JsonValue::as_str))
            .filter(|id| !id.is_empty())
            .map(|id| Val::Str(Cow::Borrowed(id)))
            .collect();
        return match index {
            Some(i) => ids.into_iter().nth(i).into_iter().collect(),
            None => ids,
        };
    }
    if index.unwrap_or(0) != 0 {
        return Vec::new();
    }
    let params = root.get("requestParameters");
    [
        params.and_then(|p| p.get("imageId")),
        params.and_then(|p| p.pointer(["DescribeFastLaunchImagesRequest", "ImageId", "content"])),
        params.and_then(|p| p.pointer(["launchSpecification", "imageId"])),
    ]
    .into_iter()
    .flatten()
    .find_map(JsonValue::as_str)
    .map(|id| Val::Str(Cow::Borrowed(id)))
    .into_iter()
    .collect()
}

fn ec2_name<'e>(root: Root<'e, '_>) -> Option<Cow<'e, str>> {
    let items = root.pointer(&["requestParameters", "tagSpecificationSet", "items"]);
    let mut found = None;
    for item in array(items) {
        if item.get("resourceType").and_then(JsonValue::as_str) != Some("instance") {
            continue;
        }
        for tag in array(item.get("tags")) {
            if tag.get("key").and_then(JsonValue::as_str) == Some("Name")
                && let Some(value) = tag.get("value").and_then(JsonValue::as_str)
            {
                found = Some(Cow::Borrowed(value));
            }
        }
    }
    found
}

fn repository(image: &str) -> &str {
    let cut = image.split(':').next().unwrap_or(image);
    cut.split('@').next().unwrap_or(cut)
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = text
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(byte) = hex {
                    out.push(byte);
                    i += 2;
                } else {
                    out.push(b'%');
                }
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn container_values<'e>(
    root: Root<'e, '_>,
    group: &str,
    field: ContainerField,
    index: Option<usize>,
) -> Vec<Val<'e>> {
    let containers = elements(root.view(&["requestObject", "spec", group]));
    let mut out = Vec::new();
    for (i, container) in containers.enumerate() {
        if index.is_some_and(|want| want != i) {
            continue;
        }
        match field {
            ContainerField::Name | ContainerField::Image => {
                let key = if field == ContainerField::Name {
                    "name"
                } else {
                    "image"
                };
                if let Some(v) = member(container, key) {
                    out.push(Val::Str(json_text(v)));
                }
            }
            ContainerField::Repository => {
                if let Some(image) = member(container, "image").and_then(JsonValue::as_str) {
                    out.push(Val::Str(Cow::Borrowed(repository(image))));
                }
            }
            ContainerField::Command | ContainerField::Args => {
                let key = if field == ContainerField::Command {
                    "command"
                } else {
                    "args"
                };
                if let Some(JsonValue::Array(parts)) = member(container, key) {
                    let joined: Vec<Cow<'_, str>> = parts.iter().map(json_text).collect();
                    out.push(Val::Str(Cow::Owned(joined.join(" "))));
                }
            }
            ContainerField::Sec(path) => {
                let value = container.get("securityContext").and_then(|s| at(s, path));
                if let Some(v) = value {
                    out.push(Val::Str(json_text(v)));
                }
            }
            ContainerField::SecJson(path) => {
                let value = container.get("securityContext").and_then(|s| at(s, path));
                if let Some(v) = value {
                    out.push(Val::Str(Cow::Owned(v.to_json_string())));
                }
            }
            ContainerField::EffRunAs(key) => {
                // Bug-compatible: upstream reads these without `securityContext`.
                let value = member(container, key)
                    .or_else(|| root.pointer(&["requestObject", "spec", key]))
                    .map(json_text)
                    .unwrap_or(Cow::Borrowed("0"));
                out.push(Val::Str(value));
            }
            ContainerField::HostPort => {
                for port in elements(container.get("ports")) {
                    if let Some(v) =
                        member(port, "hostPort").or_else(|| member(port, "containerPort"))
                    {
                        out.push(Val::Str(json_text(v)));
                    }
                }
            }
        }
    }
    out
}

fn one<'e>(value: Option<Cow<'e, str>>) -> Vec<Val<'e>> {
    value.map(Val::Str).into_iter().collect()
}

fn ocsf_values<'e>(value: FieldValue<'e>, out: &mut Vec<Val<'e>>) {
    match value {
        FieldValue::Missing | FieldValue::Null => {}
        FieldValue::Str(s) => out.push(Val::Str(s)),
        FieldValue::List(items) => items.into_iter().for_each(|item| ocsf_values(item, out)),
        FieldValue::Object(obj) => out.push(Val::Str(Cow::Owned(obj.to_json_string()))),
        other => {
            if let Some(text) = other.to_text() {
                out.push(Val::Str(Cow::Owned(text.into_owned())));
            }
        }
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[derive(Clone, Copy)]
enum TimeFormat {
    Time,
    TimeS,
    Iso8601,
    Datetime,
    DatetimeS,
}

fn format_time(event: &Event<'_>, format: TimeFormat) -> Option<String> {
    let ns = event_time_ns(event);
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = ns.rem_euclid(1_000_000_000);
    let (y, mo, d) = civil_from_days(secs.div_euclid(86_400));
    let sod = secs.rem_euclid(86_400);
    let (h, mi, s) = (sod / 3600, sod % 3600 / 60, sod % 60);
    Some(match format {
        TimeFormat::Time => format!("{h:02}:{mi:02}:{s:02}.{nanos:09}"),
        TimeFormat::TimeS => format!("{h:02}:{mi:02}:{s:02}"),
        TimeFormat::Iso8601 => format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}Z"),
        TimeFormat::Datetime => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{nanos:09}"),
        TimeFormat::DatetimeS => format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}"),
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses an RFC 3339 timestamp (`2018-10-26T13:38:34.902914Z`, offsets allowed) into
/// nanoseconds since the epoch.
pub(crate) fn parse_rfc3339_ns(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    // ASCII digits only, so the value is their decimal fold (no `str::parse` per part).
    let num = |from: usize, len: usize| -> Option<i64> {
        bytes
            .get(from..from.checked_add(len)?)?
            .iter()
            .try_fold(0i64, |value, &b| {
                b.is_ascii_digit().then(|| value * 10 + i64::from(b - b'0'))
            })
    };
    let (year, month, day) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    if bytes.get(4) != Some(&b'-') || !matches!(bytes.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let (hour, minute, second) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut nanos = 0i64;
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let mut digits = 0;
        while let Some(b) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            if digits < 9 {
                nanos = nanos * 10 + i64::from(b - b'0');
                digits += 1;
            }
            i += 1;
        }
        for _ in digits..9 {
            nanos *= 10;
        }
    }
    let offset = match bytes.get(i) {
        Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let minutes = num(i + 1, 2)? * 60 + num(i + 4, 2)?;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let secs = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset * 60;
    secs.checked_mul(1_000_000_000)?.checked_add(nanos)
}

/// The event time in nanoseconds as the plugin reports it: k8saudit `stageTimestamp`,
/// cloudtrail `eventTime`, else the normalized event time.
fn event_time_ns(event: &Event<'_>) -> i64 {
    let raw = &event.raw;
    let from_raw = raw
        .member("stageTimestamp")
        .or_else(|| raw.member("eventTime"))
        .and_then(JsonValue::as_str)
        .and_then(parse_rfc3339_ns);
    from_raw.unwrap_or_else(|| event.time.saturating_mul(1_000_000))
}

/// The record of a k8saudit field read: valid JSON with an `auditID` (else the plugin gives
/// no value), as [`ResolvedField::extract`] requires it.
fn k8s_root<'e, 'a>(event: &'e Event<'a>) -> Option<Root<'e, 'a>> {
    if !event.raw.is_valid_json() {
        return None;
    }
    let root = Root(&event.raw);
    root.get("auditID")?;
    Some(root)
}

impl ResolvedField {
    /// The node `json.value[/pointer]` designates. On an object record the walk starts at
    /// its first member (read through the lazy view); otherwise at the whole tree.
    fn json_pointer<'e, 'a>(&self, raw: &'e RawRecord<'a>) -> Option<&'e JsonValue<'a>> {
        let mut segments = self.pointer.iter().filter(|s| !s.is_empty()).peekable();
        let mut node = match segments.peek() {
            Some(first) if raw.as_str().trim_start().starts_with('{') => {
                let member = raw.member(first);
                segments.next();
                member?
            }
            _ => raw.tree()?,
        };
        for seg in segments {
            node = match node {
                JsonValue::Array(items) => seg.parse::<usize>().ok().and_then(|i| items.get(i))?,
                _ => node.get(seg)?,
            };
        }
        Some(node)
    }

    /// Whether the field reads nothing but the raw record, the event time and the evaluation
    /// context: every plugin field except the OCSF fields (see
    /// [`crate::ir::FieldExtractor::reads_raw_only`]).
    pub(crate) fn reads_raw_only(&self) -> bool {
        self.info.kind != Kind::Ocsf
    }

    /// The value as the IR reads it, without the intermediate vector for the common
    /// single-valued JSON fields.
    pub(crate) fn extract_value<'e>(
        &self,
        event: &'e Event<'_>,
        ctx: &EvalContext<'_>,
    ) -> FieldValue<'e> {
        match self.info.kind {
            Kind::JsonValue => self
                .json_pointer(&event.raw)
                .map_or(FieldValue::Missing, |node| FieldValue::Str(json_text(node))),
            // Single k8saudit values, without the vector `extract` builds.
            Kind::KaStr(path) => k8s_root(event)
                .and_then(|root| root.pointer(path))
                .map_or(FieldValue::Missing, |v| FieldValue::Str(json_text(v))),
            Kind::KaAnnotation(key) => k8s_root(event)
                .and_then(|root| root.view(&["annotations", key]))
                .and_then(JsonView::value)
                .map_or(FieldValue::Missing, |v| FieldValue::Str(json_text(v))),
            // The event time (read on every event by `jevt.rawtime=0`), without the vector.
            Kind::EvtRawTime | Kind::EvtRawTimeNs | Kind::JsonRawTime => {
                FieldValue::UInt(u64::try_from(event_time_ns(event)).unwrap_or(0))
            }
            _ => {
                let values = self.extract(event, ctx);
                let convert = |v: Val<'e>| match v {
                    Val::Str(s) => FieldValue::Str(s),
                    Val::Num(n) => FieldValue::UInt(n),
                };
                if values.is_empty() {
                    FieldValue::Missing
                } else if self.is_list() {
                    FieldValue::List(values.into_iter().map(convert).collect())
                } else {
                    values
                        .into_iter()
                        .next()
                        .map_or(FieldValue::Missing, convert)
                }
            }
        }
    }

    /// Extracts the field's values from an event; an empty vector means "no value".
    pub(crate) fn extract<'e>(&self, event: &'e Event<'_>, ctx: &EvalContext<'_>) -> Vec<Val<'e>> {
        if self.info.kind == Kind::Ocsf {
            let mut out = Vec::new();
            if let Some(path) = &self.ocsf {
                ocsf_values(event.get(path), &mut out);
            }
            return out;
        }
        match self.info.kind {
            Kind::EvtNum => return vec![Val::Num(ctx.event_number)],
            Kind::EvtSource => return vec![Val::Str(Cow::Owned(ctx.source.to_owned()))],
            Kind::EvtIsAsync => return vec![Val::Str(Cow::Borrowed("false"))],
            Kind::EvtPluginName => {
                let name = match ctx.source {
                    SOURCE_CLOUDTRAIL => "cloudtrail",
                    SOURCE_K8S_AUDIT => "k8saudit",
                    _ => "logsec",
                };
                return vec![Val::Str(Cow::Borrowed(name))];
            }
            Kind::EvtTime => return one(format_time(event, TimeFormat::Time).map(Cow::Owned)),
            Kind::EvtTimeS => return one(format_time(event, TimeFormat::TimeS).map(Cow::Owned)),
            Kind::EvtIso8601 => {
                return one(format_time(event, TimeFormat::Iso8601).map(Cow::Owned));
            }
            Kind::EvtDatetime => {
                return one(format_time(event, TimeFormat::Datetime).map(Cow::Owned));
            }
            Kind::EvtDatetimeS => {
                return one(format_time(event, TimeFormat::DatetimeS).map(Cow::Owned));
            }
            Kind::EvtRawTime | Kind::EvtRawTimeNs => {
                return vec![Val::Num(u64::try_from(event_time_ns(event)).unwrap_or(0))];
            }
            Kind::EvtRawTimeS => {
                let secs = event_time_ns(event) / 1_000_000_000;
                return vec![Val::Num(u64::try_from(secs).unwrap_or(0))];
            }
            Kind::JsonRawTime => {
                // A string field in Falco; kept as a number here (its text is the same decimal)
                // to spare a conversion on every `jevt.rawtime=0` test.
                return vec![Val::Num(u64::try_from(event_time_ns(event)).unwrap_or(0))];
            }
            _ => {}
        }
        if !event.raw.is_valid_json() {
            return Vec::new();
        }
        let root = Root(&event.raw);
        if self.info.sources == Sources::K8sAudit && root.get("auditID").is_none() {
            return Vec::new();
        }
        match self.info.kind {
            Kind::CtStr(path) => one(ct_str(root.pointer(path))),
            Kind::CtJson(path) => one(root.pointer(path).map(|v| Cow::Owned(v.to_json_string()))),
            Kind::CtBool(path) => one(root.pointer(path).map(|v| {
                Cow::Borrowed(if v.as_bool() == Some(true) {
                    "true"
                } else {
                    "false"
                })
            })),
            Kind::CtShortSrc => one(short_src(root)),
            Kind::CtUser => one(ct_user(root)),
            Kind::CtOriginalUser => one(ct_original_user(root)),
            Kind::CtAccountId => one(ct_str(root.pointer(&["userIdentity", "accountId"]))
                .or_else(|| ct_str(root.get("recipientAccountId")))),
            Kind::CtInfo => vec![Val::Str(Cow::Owned(ct_info(root)))],
            Kind::CtResources => {
                let items = array(root.get("resources"));
                if items.is_empty() {
                    return Vec::new();
                }
                let joined: Vec<String> = items.iter().map(JsonValue::to_json_string).collect();
                vec![Val::Str(Cow::Owned(joined.join(",")))]
            }
            Kind::CtNever => Vec::new(),
            Kind::S3Uri => {
                let params = root.get("requestParameters");
                let bucket = params
                    .and_then(|p| p.get("bucketName"))
                    .and_then(JsonValue::as_str);
                let key = params
                    .and_then(|p| p.get("key"))
                    .and_then(JsonValue::as_str);
                match (bucket, key) {
                    (Some(b), Some(k)) => vec![Val::Str(Cow::Owned(format!("s3://{b}/{k}")))],
                    _ => Vec::new(),
                }
            }
            Kind::S3Bytes(which) => s3_bytes(root, which).map(Val::Num).into_iter().collect(),
            Kind::S3Cnt(which) => {
                let name = root.get("eventName").and_then(JsonValue::as_str);
                let hit = match which {
                    0 => name == Some("GetObject"),
                    1 => name == Some("PutObject"),
                    _ => name.is_some_and(|n| n != "GetObject" && n != "PutObject"),
                };
                if hit { vec![Val::Num(1)] } else { Vec::new() }
            }
            Kind::Ec2Name => one(ec2_name(root)),
            Kind::Ec2ImageIds => {
                let index = if self.info.list { self.index } else { Some(0) };
                ec2_image_ids(root, index)
            }
            Kind::KaStr(path) => one(root.pointer(path).map(json_text)),
            Kind::KaAnnotation(key) => one(root
                .view(&["annotations", key])
                .and_then(JsonView::value)
                .map(json_text)),
            Kind::KaList(path) => elements(root.view(path))
                .filter_map(JsonView::value)
                .map(|v| Val::Str(json_text(v)))
                .collect(),
            Kind::KaUriParam => {
                let uri = root
                    .get("requestURI")
                    .and_then(JsonValue::as_str)
                    .unwrap_or("");
                let key = self.arg.as_deref().unwrap_or("");
                let query = uri.split_once('?').map_or("", |(_, q)| q);
                query
                    .split('&')
                    .filter_map(|pair| {
                        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                        (percent_decode(k) == key).then(|| percent_decode(v))
                    })
                    .next()
                    .map(|v| Val::Str(Cow::Owned(v)))
                    .into_iter()
                    .collect()
            }
            Kind::KaTargetPodName => {
                let object = root.get("objectRef");
                let resource = object
                    .and_then(|o| o.get("resource"))
                    .and_then(JsonValue::as_str);
                let sub = object
                    .and_then(|o| o.get("subresource"))
                    .and_then(JsonValue::as_str)
                    .unwrap_or("");
                if resource == Some("pods") && sub.is_empty() {
                    one(root
                        .pointer(&["responseObject", "metadata", "name"])
                        .map(json_text))
                } else {
                    Vec::new()
                }
            }
            Kind::KaSubjects => elements(root.view(&["requestObject", "subjects"]))
                .filter_map(JsonView::value)
                .map(|s| Val::Str(Cow::Owned(s.to_json_string())))
                .collect(),
            Kind::KaSubjectNames(kind) => elements(root.view(&["requestObject", "subjects"]))
                .filter(|s| member(*s, "kind").and_then(JsonValue::as_str) == Some(kind))
                .filter_map(|s| member(s, "name").map(json_text))
                .map(Val::Str)
                .collect(),
            Kind::KaSubjectSaNsNames => elements(root.view(&["requestObject", "subjects"]))
                .filter(|s| {
                    member(*s, "kind").and_then(JsonValue::as_str) == Some("ServiceAccount")
                })
                .map(|s| {
                    let ns = member(s, "namespace").map(json_text).unwrap_or_default();
                    let name = member(s, "name").map(json_text).unwrap_or_default();
                    Val::Str(Cow::Owned(format!("{ns}:{name}")))
                })
                .collect(),
            Kind::KaHasName => vec![Val::Str(Cow::Borrowed("true"))],
            Kind::KaContainerField(group, field) => {
                container_values(root, group, field, self.index)
            }
            Kind::KaFirstContainerImage => {
                container_values(root, "containers", ContainerField::Image, Some(0))
            }
            Kind::KaFirstContainerRepo => {
                container_values(root, "containers", ContainerField::Repository, Some(0))
            }
            Kind::KaAnyPrivileged => {
                match root
                    .view(&["requestObject", "spec", "containers"])
                    .and_then(JsonView::elements)
                {
                    Some(mut containers) => {
                        let any = containers.any(|c| {
                            at(c, &["securityContext", "privileged"]).and_then(JsonValue::as_bool)
                                == Some(true)
                        });
                        vec![Val::Str(Cow::Borrowed(if any { "true" } else { "false" }))]
                    }
                    None => Vec::new(),
                }
            }
            Kind::KaRoleRules => elements(root.view(&["requestObject", "rules"]))
                .filter_map(JsonView::value)
                .map(|r| Val::Str(Cow::Owned(r.to_json_string())))
                .collect(),
            Kind::KaRoleRulesField(key) => elements(root.view(&["requestObject", "rules"]))
                .enumerate()
                .filter(|(i, _)| self.index.is_none_or(|want| want == *i))
                .flat_map(|(_, rule)| elements(rule.get(key)))
                .filter_map(JsonView::value)
                .map(|v| Val::Str(json_text(v)))
                .collect(),
            Kind::KaVolumeHostpaths => elements(root.view(&["requestObject", "spec", "volumes"]))
                .enumerate()
                .filter(|(i, _)| self.index.is_none_or(|want| want == *i))
                .filter_map(|(_, v)| at(v, &["hostPath", "path"]).map(json_text))
                .map(Val::Str)
                .collect(),
            Kind::KaVolumeFlex => elements(root.view(&["requestObject", "spec", "volumes"]))
                .enumerate()
                .filter(|(i, _)| self.index.is_none_or(|want| want == *i))
                .filter_map(|(_, v)| at(v, &["flexVolume", "driver"]).map(json_text))
                .map(Val::Str)
                .collect(),
            Kind::KaVolumeTypes => elements(root.view(&["requestObject", "spec", "volumes"]))
                .enumerate()
                .filter(|(i, _)| self.index.is_none_or(|want| want == *i))
                .filter_map(|(_, v)| v.value())
                .flat_map(|v| match v {
                    JsonValue::Object(members) => members
                        .iter()
                        .filter(|(k, _)| k != "name")
                        .map(|(k, _)| Val::Str(Cow::Borrowed(k.as_ref())))
                        .collect::<Vec<_>>(),
                    _ => Vec::new(),
                })
                .collect(),
            Kind::KaVolumeHostpathKey => {
                let key = self.arg.as_deref().unwrap_or("");
                let hit = elements(root.view(&["requestObject", "spec", "volumes"]))
                    .filter_map(|v| at(v, &["hostPath", "path"]).and_then(JsonValue::as_str))
                    .any(|path| match key.strip_suffix('*') {
                        Some(prefix) => path.starts_with(prefix),
                        None => path == key,
                    });
                vec![Val::Str(Cow::Borrowed(if hit { "true" } else { "false" }))]
            }
            Kind::KaServicePorts => one(root
                .pointer(&["requestObject", "spec", "ports"])
                .map(|v| Cow::Owned(v.to_json_string()))),
            Kind::KaSourceIps => elements(root.view(&["requestObject", "rules"]))
                .flat_map(|rule| elements(rule.get("sourceIPs")))
                .filter_map(JsonView::value)
                .map(|v| Val::Str(json_text(v)))
                .collect(),
            Kind::JsonValue => self
                .json_pointer(&event.raw)
                .map(json_text)
                .map(Val::Str)
                .into_iter()
                .collect(),
            Kind::JsonObj => {
                let pretty = event
                    .raw
                    .tree()
                    .map(|tree| serde_json::to_string_pretty(&tree.to_serde()).unwrap_or_default())
                    .unwrap_or_default();
                vec![Val::Str(Cow::Owned(pretty))]
            }
            Kind::EvtPluginInfo => match ctx.source {
                SOURCE_CLOUDTRAIL => {
                    let region = root
                        .get("awsRegion")
                        .and_then(JsonValue::as_str)
                        .unwrap_or("");
                    let user = ct_user(root).unwrap_or_default();
                    let src = short_src(root).unwrap_or_default();
                    let name = root
                        .get("eventName")
                        .and_then(JsonValue::as_str)
                        .unwrap_or("");
                    vec![Val::Str(Cow::Owned(format!(
                        "{region} {user} {src} {name} {}",
                        ct_info(root)
                    )))]
                }
                _ => vec![Val::Str(Cow::Borrowed(event.raw.as_str()))],
            },
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logsec_event::{RawRecord, SourceFormat, ocsf};

    fn event(json: &str) -> Event<'_> {
        let mut event = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
        event.raw = RawRecord::json(json);
        event
    }

    fn texts(field: &str, arg: Option<&str>, source: &str, json: &str) -> Vec<String> {
        let resolved = resolve(field, arg, source).unwrap();
        let ev = event(json);
        let ctx = EvalContext {
            event_number: 1,
            source,
        };
        resolved
            .extract(&ev, &ctx)
            .iter()
            .map(|v| v.text().into_owned())
            .collect()
    }

    /// Records where the lazy view's walks (objects cut into members, arrays into elements)
    /// could part from the parsed tree's: repeated names, escapes, values of the wrong type,
    /// empty and nested arrays, whitespace, a missing `auditID`.
    const TRICKY_K8S: &[&str] = &[
        r#"{"auditID":"1","verb":"create","user":{"username":"u\"x","groups":["a","b\\c",3,null,{"g":1}]},"objectRef":{"resource":"pods","name":"p","namespace":"ns"},"annotations":{"authorization.k8s.io/decision":"allow","authorization.k8s.io/reason":{"r":[1,2]},"cluster_name":7},"requestURI":"/api?command=ls&command=id","requestObject":{"spec":{"hostNetwork":true,"hostPID":"true","securityContext":{"runAsUser":0,"supplementalGroups":[1,2]},"containers":[{"name":"c1","image":"nginx:1.2","command":["sh","-c",1],"args":[],"securityContext":{"privileged":true,"capabilities":{"add":["NET_ADMIN"]}},"ports":[{"containerPort":80},{"hostPort":8080,"containerPort":81}]},{"image":"reg.io:5000/busy\u0062ox@sha256:ab","image":"dup","securityContext":{"privileged":"true","runAsUser":5}},"not an object",[{"image":"nested"}],null],"initContainers":{"image":"not an array"},"ephemeralContainers":[],"volumes":[{"name":"v","hostPath":{"path":"/etc"}},{"flexVolume":{"driver":"d"},"emptyDir":{}},{"hostPath":{"path":"/var/run/docker.sock"},"hostPath":{"path":"/dup"}}],"ports":[{"port":1}],"type":"NodePort"},"rules":[{"verbs":["*","get"],"resources":["pods/exec"],"apiGroups":[""],"sourceIPs":["1.2.3.4"]},{"verbs":"get"},7],"subjects":[{"kind":"User","name":"alice"},{"kind":"ServiceAccount","name":"sa","namespace":"kube-system"},{"kind":"Group"}],"roleRef":{"name":"cluster-admin"},"data":{"password":"x"}},"responseObject":{"metadata":{"name":"p-1"}},"responseStatus":{"code":201}}"#,
        r#" { "auditID" : "2" , "requestObject" : { "spec" : { "containers" : [ { "image" : "a" , "securityContext" : { "privileged" : false } } , { } ] , "volumes" : [ ] } , "rules" : [ ] , "subjects" : { } } } "#,
        r#"{"auditID":"3","requestObject":{"spec":{"containers":"nope","volumes":{"hostPath":{"path":"/"}}},"rules":"x","subjects":[1,"s",null]}}"#,
        r#"{"auditID":"4","requestObject":{"spec":{"containers":[]}},"user":{"groups":[]}}"#,
        r#"{"requestObject":{"spec":{"containers":[{"image":"no audit id"}]}}}"#,
        r#"{"auditID":null,"requestObject":[1,2]}"#,
    ];

    /// Every k8saudit field (with the arguments the rules use) reads the same values through
    /// the lazy view as through the parsed tree, and `extract_value` (single values without a
    /// vector) agrees with `extract`.
    #[test]
    fn k8s_fields_read_the_same_through_the_lazy_view_and_the_tree() {
        let ctx = EvalContext {
            event_number: 1,
            source: SOURCE_K8S_AUDIT,
        };
        let mut compared = 0;
        for text in TRICKY_K8S {
            let tree = JsonValue::parse(text).unwrap();
            let lazy = event(text);
            assert!(lazy.raw.member_names().is_some(), "the lazy view is used");
            let mut parsed = Event::new(&ocsf::API_ACTIVITY, 0, SourceFormat::K8sAudit);
            parsed.raw = RawRecord::json_with_tree(*text, tree);
            assert!(parsed.raw.member_names().is_none(), "the tree is used");
            for info in all_fields().filter(|f| f.serves(SOURCE_K8S_AUDIT)) {
                let args: &[Option<&str>] = match info.arg {
                    ArgKind::None => &[None],
                    ArgKind::Index => &[None, Some("0"), Some("1"), Some("3")],
                    ArgKind::Key => &[
                        Some("command"),
                        Some("/etc*"),
                        Some("/etc"),
                        Some("/requestObject/spec/volumes"),
                    ],
                };
                for arg in args {
                    let Ok(field) = resolve(info.name, *arg, SOURCE_K8S_AUDIT) else {
                        continue;
                    };
                    let on_lazy = field.extract(&lazy, &ctx);
                    let on_tree = field.extract(&parsed, &ctx);
                    assert_eq!(on_lazy, on_tree, "{} {arg:?} on {text}", info.name);
                    let value = field.extract_value(&lazy, &ctx);
                    let expected = if on_tree.is_empty() {
                        FieldValue::Missing
                    } else if field.is_list() {
                        FieldValue::List(
                            on_tree
                                .iter()
                                .map(|v| match v {
                                    Val::Str(s) => FieldValue::Str(s.clone()),
                                    Val::Num(n) => FieldValue::UInt(*n),
                                })
                                .collect(),
                        )
                    } else {
                        match &on_tree[0] {
                            Val::Str(s) => FieldValue::Str(s.clone()),
                            Val::Num(n) => FieldValue::UInt(*n),
                        }
                    };
                    assert_eq!(value, expected, "{} {arg:?} on {text}", info.name);
                    assert_eq!(
                        field.extract_value(&parsed, &ctx),
                        expected,
                        "{}",
                        info.name
                    );
                    compared += 1;
                }
            }
        }
        assert!(compared > 6 * 100, "{compared}");
    }

    #[test]
    fn k8s_container_fields_on_a_tricky_record() {
        let text = TRICKY_K8S[0];
        let get = |field: &str| texts(field, None, SOURCE_K8S_AUDIT, text);
        assert_eq!(
            get("ka.req.pod.containers.image"),
            ["nginx:1.2", "reg.io:5000/busybox@sha256:ab"]
        );
        assert_eq!(
            get("ka.req.pod.containers.image.repository"),
            ["nginx", "reg.io"]
        );
        assert_eq!(get("ka.req.pod.containers.privileged"), ["true", "true"]);
        assert_eq!(get("ka.req.container.privileged"), ["true"]);
        assert!(get("ka.req.pod.initContainers.image").is_empty());
        assert_eq!(
            get("ka.req.pod.volumes.hostpath"),
            ["/etc", "/var/run/docker.sock"]
        );
        assert_eq!(get("ka.req.role.rules.verbs"), ["*", "get"]);
        assert_eq!(get("ka.req.binding.subjects.user_names"), ["alice"]);
        assert_eq!(get("ka.auth.decision"), ["allow"]);
        assert_eq!(get("ka.auth.reason"), [r#"{"r":[1,2]}"#]);
        assert_eq!(get("ka.cluster.name"), ["7"]);
        let second = TRICKY_K8S[1];
        assert_eq!(
            texts(
                "ka.req.container.privileged",
                None,
                SOURCE_K8S_AUDIT,
                second
            ),
            ["false"]
        );
        assert!(
            texts(
                "ka.req.pod.containers.image",
                None,
                SOURCE_K8S_AUDIT,
                TRICKY_K8S[4]
            )
            .is_empty()
        );
    }

    #[test]
    fn table_has_the_plugin_field_counts() {
        assert_eq!(
            all_fields()
                .filter(|f| f.sources == Sources::CloudTrail)
                .count(),
            73
        );
        assert_eq!(
            all_fields()
                .filter(|f| f.sources == Sources::K8sAudit)
                .count(),
            100
        );
    }

    #[test]
    fn cloudtrail_strings_and_user() {
        let j = r#"{"eventName":"X","errorCode":7,"userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/alice"}}"#;
        assert_eq!(texts("ct.name", None, SOURCE_CLOUDTRAIL, j), ["X"]);
        assert_eq!(texts("ct.error", None, SOURCE_CLOUDTRAIL, j), [""]);
        assert!(texts("ct.errormessage", None, SOURCE_CLOUDTRAIL, j).is_empty());
        assert_eq!(
            texts("ct.user", None, SOURCE_CLOUDTRAIL, j),
            ["AssumedRole"]
        );
        assert_eq!(
            texts("ct.originaluser", None, SOURCE_CLOUDTRAIL, j),
            ["alice"]
        );
        assert!(texts("ct.request.documentname", None, SOURCE_CLOUDTRAIL, j).is_empty());
    }

    #[test]
    fn k8s_values_and_lists() {
        let j = r#"{"auditID":"a","responseStatus":{"code":201},"requestURI":"/x?command=ls%20-l&b=2",
            "requestObject":{"spec":{"containers":[{"image":"reg:5000/nginx:1"},{"image":"busybox@sha","securityContext":{"privileged":true}}]}}}"#;
        assert_eq!(
            texts("ka.response.code", None, SOURCE_K8S_AUDIT, j),
            ["201"]
        );
        assert_eq!(
            texts("ka.uri.param", Some("command"), SOURCE_K8S_AUDIT, j),
            ["ls -l"]
        );
        assert_eq!(
            texts(
                "ka.req.pod.containers.image.repository",
                None,
                SOURCE_K8S_AUDIT,
                j
            ),
            ["reg", "busybox"]
        );
        assert_eq!(
            texts(
                "ka.req.pod.containers.privileged",
                None,
                SOURCE_K8S_AUDIT,
                j
            ),
            ["true"]
        );
        assert_eq!(
            texts(
                "ka.req.pod.containers.image",
                Some("1"),
                SOURCE_K8S_AUDIT,
                j
            ),
            ["busybox@sha"]
        );
        assert!(texts("ka.verb", None, SOURCE_K8S_AUDIT, r#"{"verb":"get"}"#).is_empty());
    }

    #[test]
    fn literal_texts_are_their_json() {
        // Every value but a string is its JSON text.
        for text in [
            "true",
            "false",
            "null",
            "0",
            "-12",
            "1.5",
            "[true]",
            r#"{"a":null}"#,
        ] {
            let value = JsonValue::parse(text).unwrap();
            assert_eq!(json_text(&value), value.to_json_string().as_str(), "{text}");
        }
        let string = JsonValue::parse(r#""a\"b""#).unwrap();
        assert_eq!(json_text(&string), "a\"b");
        assert!(matches!(
            json_text(&JsonValue::parse("true").unwrap()),
            Cow::Borrowed("true")
        ));
    }

    #[test]
    fn rfc3339_timestamps() {
        assert_eq!(
            parse_rfc3339_ns("1970-01-01T00:00:01.5Z"),
            Some(1_500_000_000)
        );
        assert_eq!(
            parse_rfc3339_ns("2018-10-26T13:38:34.902914Z"),
            Some(1_540_561_114_902_914_000)
        );
        assert_eq!(parse_rfc3339_ns("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_rfc3339_ns("not a time"), None);
        for bad in [
            "197a-01-01T00:00:00Z",
            "1970-01-01T00:00:0",
            "1970-01-01T0\u{e9}:00:00Z",
            "+970-01-01T00:00:00Z",
            "1970-01-01T00:00:00+0\u{e9}:00",
            "1970-13-01T00:00:00Z",
        ] {
            assert_eq!(parse_rfc3339_ns(bad), None, "{bad}");
        }
        let j = r#"{"auditID":"a","stageTimestamp":"1970-01-01T00:00:02Z"}"#;
        assert_eq!(
            texts("jevt.rawtime", None, SOURCE_K8S_AUDIT, j),
            ["2000000000"]
        );
        let j = r#"{"eventTime":"2018-10-26T13:38:34.902914Z"}"#;
        assert_eq!(
            texts("evt.time.iso8601", None, SOURCE_CLOUDTRAIL, j),
            ["2018-10-26T13:38:34.902914000Z"]
        );
    }

    #[test]
    fn json_pointer_and_suggestions() {
        let j = r#"{"a":{"b/c":[1,{"d":false}]}}"#;
        assert_eq!(
            texts("json.value", Some("/a/b~1c/1/d"), SOURCE_CLOUDTRAIL, j),
            ["false"]
        );
        assert!(texts("jevt.value", Some("/a/x"), SOURCE_CLOUDTRAIL, j).is_empty());
        assert_eq!(
            suggest_fields("ka.verbs", SOURCE_K8S_AUDIT).first(),
            Some(&"ka.verb")
        );
        assert_eq!(
            resolve("ka.verb", None, SOURCE_CLOUDTRAIL).unwrap_err(),
            FieldError::WrongSource
        );
    }
}
