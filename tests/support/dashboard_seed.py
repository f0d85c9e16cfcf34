"""The dashboard's seeded database: tests/data/dashboard_seed.yml written into a migrated database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Engine, insert

from bot.storage.models import ChatDay, Ticket, TicketMessage

SEED = Path(__file__).resolve().parents[1] / "data" / "dashboard_seed.yml"


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def _chat_days(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    expanded, conversation = [], 0
    for row in rows:
        for _ in range(int(row.get("count", 1))):
            conversation += 1
            expanded.append(
                {
                    "conversation_id": conversation,
                    "day": row["day"],
                    "channel": "web",
                    "tenant": row.get("tenant"),
                    "uai": row.get("uai"),
                    "diagnosis": row.get("diagnosis"),
                    "handed_over": bool(row.get("handed_over", False)),
                    "turns": 4,
                    "misses": int(row.get("misses", 0)),
                }
            )
    return expanded


def seed_dashboard(engine: Engine, path: Path = SEED) -> None:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    with engine.begin() as connection:
        connection.execute(insert(ChatDay), _chat_days(raw["chat_days"]))
        for number, row in enumerate(raw["tickets"], start=1):
            opened = _utc(row["created_at"])
            closed = _utc(row["closed_at"]) if row.get("closed_at") else None
            ticket_id = connection.scalar(
                insert(Ticket)
                .values(
                    sender_id=f"web:seeded-{number}",
                    channel="web",
                    status="closed" if closed else "taken",
                    tenant=row["tenant"],
                    uai=row["uai"],
                    summary="",
                    transcript="",
                    rating=row.get("rating"),
                    created_at=opened,
                    updated_at=closed or opened,
                    closed_at=closed,
                )
                .returning(Ticket.id)
            )
            messages = [{"author": "user", "at": opened + dt.timedelta(minutes=5)}]
            if "answer_minutes" in row:
                answered = opened + dt.timedelta(minutes=row["answer_minutes"])
                messages += [
                    {"author": "agent", "at": answered},
                    {"author": "agent", "at": answered + dt.timedelta(hours=1)},
                ]
            for message in messages:
                connection.execute(
                    insert(TicketMessage).values(
                        ticket_id=ticket_id, author=message["author"], text="", created_at=message["at"]
                    )
                )
