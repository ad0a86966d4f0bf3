"""logsec.Event: reading OCSF JSON, field access, properties, errors."""

from __future__ import annotations

import datetime
import json

import pytest

import logsec
from conftest import OCSF_EVENT


def test_version_matches_the_cargo_package() -> None:
    assert logsec.__version__ == "0.1.0"


def test_properties(event: logsec.Event) -> None:
    assert event.class_uid == 6003
    assert event.activity_id == 2
    assert event.format == "cloudtrail"
    assert event.time == datetime.datetime(
        2023, 11, 14, 22, 13, 20, 123000, tzinfo=datetime.timezone.utc
    )
    assert repr(event) == (
        "Event(class_uid=6003, activity_id=2, time=1700000000123, format='cloudtrail')"
    )


def test_ocsf_json_round_trip(event: logsec.Event) -> None:
    text = event.to_ocsf_json()
    assert json.loads(text) == OCSF_EVENT
    again = logsec.Event.from_ocsf_json(text)
    assert again.to_ocsf_json() == text


def test_to_dict_is_the_ocsf_form(event: logsec.Event) -> None:
    data = event.to_dict()
    assert data == OCSF_EVENT
    assert data["actor"]["user"]["groups"][1] == {"name": "auditors"}
    assert data["time"] == 1700000000123


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("actor.user.name", "alice"),
        ("actor.user.type", "IAMUser"),
        ("src_endpoint.ip", "203.0.113.7"),
        ("src_endpoint.port", 51234),
        ("type_uid", 600302),
        ("is_mfa", False),
        ("api.service.name", "s3.amazonaws.com"),
        ("metadata.original_event_uid", "4f1c1a2e-0000-4000-8000-000000000001"),
        # A path through an array yields every matching value.
        ("actor.user.groups.name", ["admins", "auditors"]),
        # Raw paths read the original CloudTrail record.
        ("raw.eventName", "ListBuckets"),
        ("raw.bytesTransferredIn", 0.5),
        ("raw.requestParameters.host", ["s3.amazonaws.com", "s3.us-east-1.amazonaws.com"]),
        ("raw.requestParameters.host[1]", "s3.us-east-1.amazonaws.com"),
        (
            "raw.requestParameters",
            {"host": ["s3.amazonaws.com", "s3.us-east-1.amazonaws.com"]},
        ),
    ],
)
def test_get_returns_python_values(event: logsec.Event, path: str, expected: object) -> None:
    value = event.get(path)
    assert value == expected
    assert type(value) is type(expected)
    assert event.has(path)


def test_get_time_is_a_utc_datetime(event: logsec.Event) -> None:
    assert event.get("time") == event.time


def test_missing_and_null_are_told_apart_by_has(event: logsec.Event) -> None:
    # errorCode is present with the value null; userAgent is not in the record at all.
    assert event.get("raw.errorCode") is None
    assert event.has("raw.errorCode")
    assert event.get("raw.userAgent") is None
    assert not event.has("raw.userAgent")
    assert not event.has("http_request.user_agent")


def test_get_default_applies_only_to_missing_fields(event: logsec.Event) -> None:
    assert event.get("raw.userAgent", "n/a") == "n/a"
    assert event.get("raw.errorCode", "n/a") is None
    assert event.get("actor.user.name", "n/a") == "alice"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("", 'field path "" has an empty segment'),
        ("raw.a[", 'field path "a[": bad bracket at byte 1'),
        ("eventName", 'unknown OCSF field "eventName"'),
    ],
)
def test_bad_paths_raise_field_error(event: logsec.Event, path: str, message: str) -> None:
    with pytest.raises(logsec.FieldError) as caught:
        event.get(path)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, logsec.LogsecError)
    assert isinstance(caught.value, KeyError)
    with pytest.raises(logsec.FieldError):
        event.has(path)


def test_bad_json_raises_parse_error() -> None:
    with pytest.raises(logsec.ParseError) as caught:
        logsec.Event.from_ocsf_json("{not json")
    assert str(caught.value) == "invalid OCSF event JSON: key must be a string at line 1 column 2"
    assert isinstance(caught.value, logsec.LogsecError)
    assert isinstance(caught.value, ValueError)


def test_incomplete_event_raises_parse_error_naming_the_field() -> None:
    with pytest.raises(logsec.ParseError, match="missing field `category_uid`"):
        logsec.Event.from_ocsf_json('{"class_uid": 6003}')


def test_unknown_format_name_in_log_format_is_a_parse_error(event_json: str) -> None:
    text = event_json.replace('"log_format": "cloudtrail"', '"log_format": "nosuch"')
    with pytest.raises(logsec.ParseError, match='unknown log format "nosuch"'):
        logsec.Event.from_ocsf_json(text)


def test_events_are_immutable(event: logsec.Event) -> None:
    with pytest.raises(AttributeError):
        event.class_uid = 1  # type: ignore[misc]
