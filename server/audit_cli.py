"""`gridgraph audit verify|anchor`: check the audit chain, and anchor its head outside Neo4j.

An anchor file holds one head (seq and hash) as JSON. `anchor FILE` verifies the log (against
the head already in FILE, if any) and only then replaces FILE with the current head, so a
scheduled run never overwrites the evidence of a truncated log. `verify --expect-head FILE`
reports a log that no longer contains the anchored head. Keep FILE where the database's
users cannot write (another host, a write-once bucket).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graph.audit_verify import AuditAnchor, AuditReport, verify_audit_log
from graph.client import GraphClient, open_driver
from server.settings import Settings


class AnchorFileError(ValueError):
    """The anchor file cannot be read or is not an anchor; the message says why."""


def read_anchor(path: Path) -> AuditAnchor:
    """The head stored in an anchor file."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise AnchorFileError(f"no anchor file {path}") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AnchorFileError(f"cannot read the anchor file {path}: {error}") from error
    seq, hash_ = (data.get("seq"), data.get("hash")) if isinstance(data, dict) else (None, None)
    if not isinstance(seq, int) or seq < 1 or not isinstance(hash_, str) or len(hash_) != 64:
        raise AnchorFileError(f"{path} is not an audit anchor (expected seq and hash)")
    return AuditAnchor(seq, hash_)


def write_anchor(path: Path, seq: int, hash_: str) -> None:
    """Replace the anchor file atomically (written next to it, then renamed over it)."""
    text = json.dumps(
        {"seq": seq, "hash": hash_, "anchoredAt": datetime.now(UTC).isoformat()}, indent=2
    )
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        handle.write(text + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    partial.replace(path)


async def _verify(settings: Settings, expect_head: AuditAnchor | None) -> AuditReport:
    driver = open_driver(
        settings.effective_neo4j_uri,
        settings.neo4j_user,
        settings.neo4j_password.get_secret_value(),
    )
    graph = GraphClient(driver, settings.neo4j_database)
    try:
        await graph.ping()
        return await verify_audit_log(graph, expect_head=expect_head)
    finally:
        await graph.close()


def cmd_verify(settings: Settings, expect_head: Path | None) -> int:
    """Recompute the chain (and check it still holds the anchored head); exit 1 on a problem."""
    anchor = read_anchor(expect_head) if expect_head is not None else None
    report = asyncio.run(_verify(settings, anchor))
    print(report.describe())
    return 0 if report.intact else 1


def cmd_anchor(settings: Settings, path: Path) -> int:
    """Verify the log against FILE's head (if any), then store the current head in FILE."""
    previous = read_anchor(path) if path.exists() else None
    report = asyncio.run(_verify(settings, previous))
    if not report.intact:
        print(report.describe())
        print(f"not anchored: {path} is left as it was")
        return 1
    if report.head_seq is None or report.head_hash is None:
        print("the audit log is empty: nothing to anchor")
        return 0
    write_anchor(path, report.head_seq, report.head_hash)
    print(f"anchored head seq {report.head_seq}, hash {report.head_hash} in {path}")
    return 0


def add_parser(commands: Any) -> None:
    """The `audit` sub-command and its actions."""
    audit = commands.add_parser("audit", help="check the audit log (docs/audit.md)")
    actions = audit.add_subparsers(dest="action", required=True)
    verify = actions.add_parser("verify", help="detect altered or deleted audit records")
    verify.add_argument(
        "--expect-head",
        type=Path,
        metavar="FILE",
        help="an anchor file written by `audit anchor`: also detect a truncated log",
    )
    anchor = actions.add_parser(
        "anchor", help="verify, then export the head to FILE (run on a schedule)"
    )
    anchor.add_argument("file", type=Path, help="the anchor file, outside the database's reach")


def cmd_audit(settings: Settings, args: argparse.Namespace) -> int:
    """Dispatch `gridgraph audit ACTION`."""
    if args.action == "anchor":
        return cmd_anchor(settings, args.file)
    return cmd_verify(settings, args.expect_head)
