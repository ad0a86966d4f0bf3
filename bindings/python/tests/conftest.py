"""Shared fixtures: a small hand-written OCSF API Activity event with a raw CloudTrail record."""

from __future__ import annotations

import json
from typing import Any

import pytest

import logsec

RAW_CLOUDTRAIL: dict[str, Any] = {
    "eventVersion": "1.08",
    "eventName": "ListBuckets",
    "eventSource": "s3.amazonaws.com",
    "errorCode": None,
    "requestParameters": {"host": ["s3.amazonaws.com", "s3.us-east-1.amazonaws.com"]},
    "bytesTransferredIn": 0.5,
}

OCSF_EVENT: dict[str, Any] = {
    "class_uid": 6003,
    "category_uid": 6,
    "activity_id": 2,
    "type_uid": 600302,
    "severity_id": 1,
    "time": 1700000000123,
    "metadata": {
        "version": "1.8.0",
        "product": {"name": "CloudTrail", "vendor_name": "AWS"},
        "log_format": "cloudtrail",
        "original_event_uid": "4f1c1a2e-0000-4000-8000-000000000001",
    },
    "actor": {
        "user": {
            "name": "alice",
            "type": "IAMUser",
            "groups": [{"name": "admins"}, {"name": "auditors"}],
        }
    },
    "src_endpoint": {"ip": "203.0.113.7", "port": 51234},
    "api": {"operation": "ListBuckets", "service": {"name": "s3.amazonaws.com"}},
    "is_mfa": False,
    "raw_data": json.dumps(RAW_CLOUDTRAIL),
}


@pytest.fixture
def event_json() -> str:
    return json.dumps(OCSF_EVENT)


@pytest.fixture
def event(event_json: str) -> logsec.Event:
    return logsec.Event.from_ocsf_json(event_json)
