"""The JSON Schema (draft 2020-12) of scenario files, for `eligibility schema` and for
editors that check YAML against a schema. The keys are those law/scenarios.py reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .logic import STATUS_NAMES
from .scenarios import EARLIER, FINDING_KINDS, MEMBER_PREFIX
from .vocabulary import Vocabulary


def json_schema(vocabulary: Vocabulary, provisions: Iterable[str]) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of scenario files."""
    status = {"enum": list(STATUS_NAMES)}
    expectation = {
        "oneOf": [
            status,
            {
                "type": "object",
                "required": ["status"],
                "additionalProperties": False,
                "properties": {
                    "status": status,
                    "law_enforcement_gated": {"type": "boolean"},
                    "missing_facts": {"type": "array", "items": {"enum": vocabulary.names()}},
                },
            },
        ]
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://eligibility.invalid/schema/scenario.json",
        "title": "eligibility scenario",
        "description": "A case scenario: the facts known so far (unknown facts are left "
        "out or null), and optionally expected statuses per rule set.",
        "type": "object",
        "required": ["id", "facts"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
            "title": {"type": "string"},
            "description": {"type": "string"},
            "as_of": {
                "type": "string",
                "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                "description": "date of evaluation (the law in force that day)",
            },
            "source": {"type": "string"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "facts": {
                "type": ["object", "null"],
                "additionalProperties": False,
                "properties": vocabulary.json_schema(),
            },
            **_interview_schema(vocabulary),
            "family_members": {
                "type": "array",
                "description": "the principal's family members (T and U derivatives): each "
                "is evaluated with the principal's facts and its own member_ facts, given "
                "here without the prefix",
                "items": {
                    "type": "object",
                    "required": ["id", "relationship"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$"},
                        **{
                            name[len(MEMBER_PREFIX) :]: schema
                            for name, schema in vocabulary.json_schema().items()
                            if name.startswith(MEMBER_PREFIX)
                        },
                    },
                },
            },
            "findings": {
                "type": "object",
                "description": "yes/no facts a decision-maker found not established (as "
                "opposed to known false): each is evaluated as false for that decision, "
                "and results say the outcome rests on a finding; leave the fact out of "
                "`facts`",
                "propertyNames": {
                    "enum": [n for n in vocabulary.names() if vocabulary[n].type == "bool"]
                },
                "additionalProperties": {
                    "type": "object",
                    "required": ["found", "by"],
                    "additionalProperties": False,
                    "properties": {
                        "found": {"enum": list(FINDING_KINDS)},
                        "by": {"type": "string", "description": "who decided"},
                        "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                        "note": {"type": "string"},
                    },
                },
            },
            "expect": {
                "type": "object",
                "description": "rule set name, or name@YYYY-MM-DD -> provision -> status",
                "propertyNames": {"pattern": "^[a-z0-9][a-z0-9_-]*(@[0-9]{4}-[0-9]{2}-[0-9]{2})?$"},
                "additionalProperties": {
                    "type": "object",
                    "propertyNames": {"enum": list(provisions)},
                    "additionalProperties": expectation,
                },
            },
        },
    }


def _interview_schema(vocabulary: Vocabulary) -> dict[str, Any]:
    """The keys `eligibility interview` writes (all optional)."""
    indicators = vocabulary.indicators
    questions = [*vocabulary.names(), *(indicators.questions if indicators else ())]
    record = {
        "saved": {"type": "string", "description": "date and time saved (UTC)"},
        "rule_set": {"type": "string"},
        "as_of": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
    }
    schema: dict[str, Any] = {
        "derived": {
            "type": "object",
            "description": "legal facts given by indicator answers: fact -> value (yes/no "
            "for a yes/no fact) -> the answers it came from (question, or question.value)",
            "propertyNames": {"enum": vocabulary.names()},
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        },
        "notes": {
            "type": "object",
            "description": "the trainee's note on a fact or an indicator question",
            "propertyNames": {"enum": questions},
            "additionalProperties": {"type": "string"},
        },
        "interview": {
            "type": "object",
            "description": "when an interview saved this case, under which rule set and date",
            "additionalProperties": False,
            "properties": {
                **record,
                EARLIER: {
                    "type": "array",
                    "description": "the sessions before the last, oldest first",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": record,
                    },
                },
            },
        },
    }
    if indicators is not None:
        schema["indicators"] = {
            "type": ["object", "null"],
            "description": "answers to indicator questions (rules/indicators.yaml); null: "
            "asked, and nobody knows yet",
            "additionalProperties": False,
            "properties": indicators.json_schema(),
        }
    return schema
