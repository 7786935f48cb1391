"""Response bodies (server/graphql_app.py, `GridGraphQL.encode_json`): orjson's compact UTF-8,
byte for byte what `json.dumps` wrote but for small floats (`0.00001` for `1e-05`, the same
number), and `json` for what orjson refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.graphql_app import GridGraphQL


def _encode(data: Any) -> bytes:
    # encode_json reads nothing of the view: called unbound, without building an app.
    return GridGraphQL.encode_json(None, data)  # type: ignore[arg-type]


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


ANSWERS = [
    {"data": {"search": [{"score": 5.381609916687012, "node": {"name": "关建华"}}]}},
    {"data": None, "errors": [{"message": '引号 " 与 \\ 反斜杠\n', "path": ["a", 0, "b"]}]},
    {"data": {"n": -2147483648, "f": 0.1, "t": True, "none": None, "list": [1, "二", []]}},
]


@pytest.mark.parametrize("answer", ANSWERS)
def test_answers_are_the_json_dumps_wrote(answer: Any) -> None:
    body = _encode(answer)
    assert isinstance(body, bytes)
    assert body == _json(answer)  # compact, Chinese as UTF-8, same escapes and numbers
    assert json.loads(body) == answer


@pytest.mark.parametrize(
    "answer", [{"data": {"big": 2**70}}, {"data": {1: "a key that is not a string"}}]
)
def test_what_orjson_refuses_is_written_by_json(answer: Any) -> None:
    assert _encode(answer) == _json(answer)


def test_small_floats_are_written_out_and_the_same_numbers() -> None:
    answer = {"data": {"score": 1e-05, "big": 1.5e300}}
    assert _encode(answer) == b'{"data":{"score":0.00001,"big":1.5e+300}}'
    assert json.loads(_encode(answer)) == answer
