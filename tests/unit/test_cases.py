"""The case desk against a real (SQLite) database: ordering, reminders, the update log, relays."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import db, models
from bot.cases import CaseDesk


@pytest.fixture
def desk(tmp_path):
    url = f"sqlite:///{tmp_path / 'cases.db'}"
    db.upgrade(url)
    return CaseDesk(db.session_factory(db.make_engine(url)))


def open_case(desk, worker="tg:1", urgent=False, minutes_ago=0, topic=None, reason="request_human"):
    with desk.sessions.begin() as s:
        case = models.Case(worker_id=worker, reason=reason, urgent=urgent, home="ID", host="MY", intents=["ask_pension"],
                           created_at=models.utcnow() - dt.timedelta(minutes=minutes_ago), topic_id=topic)
        s.add(case)
        s.flush()
        return case.id


def test_open_cases_come_urgent_first_then_oldest(desk):
    old = open_case(desk, minutes_ago=50)
    urgent = open_case(desk, urgent=True, minutes_ago=5, reason="abuse")
    new = open_case(desk, minutes_ago=1)
    assert [c.id for c in desk.open_cases()] == [urgent, old, new]


def test_unclaimed_cases_are_raised_again_after_the_wait_and_not_before(desk):
    waiting = open_case(desk, minutes_ago=40, topic=11)
    open_case(desk, minutes_ago=5, topic=12)
    claimed = open_case(desk, minutes_ago=90, topic=13)
    desk.claim(claimed, "@maria")
    now = models.utcnow()
    assert [c.id for c in desk.to_raise(now, dt.timedelta(minutes=30))] == [waiting]
    desk.raised(waiting, now)
    assert desk.to_raise(now + dt.timedelta(minutes=10), dt.timedelta(minutes=30)) == []
    assert waiting in [c.id for c in desk.to_raise(now + dt.timedelta(minutes=31), dt.timedelta(minutes=30))]


def test_an_update_is_processed_once(desk):
    assert desk.record_update(7, {"update_id": 7}) is True
    assert desk.unfinished_updates() == [{"update_id": 7}]
    assert desk.record_update(7, {"update_id": 7}) is True  # recorded but not done: a crash replays it
    desk.update_done(7)
    assert desk.record_update(7, {"update_id": 7}) is False
    assert desk.unfinished_updates() == []


def test_relays_wait_for_a_topic_notes_never_go_and_failures_are_retried(desk):
    case = open_case(desk)
    desk.add(case, "worker", "hello", source=(1, 5))
    desk.add(case, "note", "private note")
    desk.add(case, "staff", "hi, how can we help?", source=(-100, 9))
    assert [p.sender for p in desk.pending()] == ["staff"]  # the worker's message waits for the topic
    desk.topic_opened(case, 42, lambda texts: "summary: " + " | ".join(texts))
    assert [(p.sender, p.text) for p in desk.pending()] == [("summary", "summary: "), ("worker", "hello"), ("staff", "hi, how can we help?")]
    first = desk.pending()[0]
    assert desk.relay_failed(first.message_id, "refused") == 1
    assert desk.pending()[0].message_id == first.message_id
    for item in desk.pending():
        desk.relayed(item.message_id)
    assert desk.pending() == []


def test_the_opening_summary_carries_the_messages_from_before_the_handoff(desk):
    with desk.sessions.begin() as s:
        case = models.Case(worker_id="tg:1", reason="abuse", urgent=True, intents=[], messages=[
            models.CaseMessage(sender="worker", text="he hits me"), models.CaseMessage(sender="worker", text="help")])
        s.add(case)
        s.flush()
        case_id = case.id
    desk.add(case_id, "worker", "[photo]", source=(1, 77))
    desk.topic_opened(case_id, 9, lambda texts: " / ".join(texts))
    assert [(p.sender, p.text) for p in desk.pending()] == [("summary", "he hits me / help"), ("worker", "[photo]")]


def test_a_message_telegram_keeps_refusing_is_reported_to_staff(desk):
    case = open_case(desk, topic=5)
    desk.add(case, "staff", "hello", source=(-100, 3))
    item = desk.pending()[0]
    desk.give_up(item.message_id, "could not be delivered")
    assert [(p.sender, p.text) for p in desk.pending()] == [("event", "could not be delivered")]


def test_closing_queues_the_notice_for_the_worker_and_topic_names_are_short(desk):
    case = open_case(desk, reason="abuse", urgent=True)
    assert desk.get(case).topic_name() == f"#{case} ID→MY URGENT abuse"
    desk.close(case, "Your case is closed.")
    assert desk.get(case).state == "closed" and [p.text for p in desk.pending()] == ["Your case is closed."]
