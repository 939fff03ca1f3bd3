"""Stripe's request encoding: form-encoded bodies (and query strings) with nested keys.

`metadata[settle_payment_id]=pmt_1` → {"metadata": {"settle_payment_id": "pmt_1"}};
`expand[0]=setup_intent` (or `expand[]=…`) → {"expand": ["setup_intent"]}.
"""

import re
from urllib.parse import parse_qsl

_PART = re.compile(r"\[([^\[\]]*)\]")


def _split(key: str) -> list[str]:
    head, _, rest = key.partition("[")
    return [head, *_PART.findall("[" + rest)] if rest else [head]


def _insert(target, parts: list[str], value: str):
    key, rest = parts[0], parts[1:]
    if isinstance(target, list):
        if not rest:
            target.append(value)
            return
        index = int(key) if key.isdigit() else len(target)
        while len(target) <= index:
            target.append(None)
        if target[index] is None:
            target[index] = [] if _is_index(rest[0]) else {}
        _insert(target[index], rest, value)
        return
    if not rest:
        target[key] = value
        return
    if key not in target:
        target[key] = [] if _is_index(rest[0]) else {}
    _insert(target[key], rest, value)


def _is_index(part: str) -> bool:
    return part == "" or part.isdigit()


def decode(text: str) -> dict:
    params: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        _insert(params, _split(key), value)
    return params
