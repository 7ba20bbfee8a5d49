"""The hand-off queue as agents and the bot use it; every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, List, TypeVar

import pytest

from bot.handoff import Conflict, NotFound

T = TypeVar("T")


def all_at_once(count: int, work: Callable[[int], T]) -> List[T]:
    """Run `work(i)` in `count` threads released together, so they really race."""
    start = threading.Barrier(count)

    def run(i: int) -> T:
        start.wait()
        return work(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_agent_gets_the_longest_waiting_handoff_they_are_skilled_for(store, agent, customer):
    kari = agent("kari", languages=["nb"], topics=["tracking", "booking"])
    customer("anna", "sv", "tracking")
    customer("ola", "nb", "complaint")
    first = customer("per", "nb", "booking")
    second = customer("liv", "nb", "tracking")

    assert [w.handoff.id for w in store.waiting(for_agent=kari.id)] == [first.id, second.id]
    claimed = store.claim_next(kari.id)
    assert (claimed.id, claimed.status, claimed.agent_id) == (first.id, "assigned", kari.id)
    assert claimed.assigned_at.tzinfo is not None
    assert store.claim_next(kari.id).id == second.id
    assert store.claim_next(kari.id) is None  # Swedish and complaints are for others
    assert len(store.waiting()) == 2


def test_waiting_list_shows_how_long_each_customer_has_waited(store, customer, clock):
    customer("anna")
    customer("ola")
    clock.advance(minutes=3)
    assert [w.waited for w in store.waiting()] == [dt.timedelta(minutes=4), dt.timedelta(minutes=3)]


def test_two_agents_claiming_at_once_never_get_the_same_handoff(store, agent, customer):
    handoffs = {customer(f"customer-{i}").id for i in range(12)}
    agents = [agent(f"agent{i}") for i in range(4)]

    def claim_until_empty(i: int) -> List[int]:
        claimed = []
        while (handoff := store.claim_next(agents[i].id)) is not None:
            claimed.append(handoff.id)
        return claimed

    claims = [h for per_agent in all_at_once(len(agents), claim_until_empty) for h in per_agent]
    assert sorted(claims) == sorted(handoffs)


def test_explicit_pick_of_a_handoff_someone_else_took_is_refused(store, agent, customer):
    kari, nils = agent("kari"), agent("nils")
    handoff = customer("anna")
    results = all_at_once(2, lambda i: _outcome(lambda: store.claim(handoff.id, (kari, nils)[i].id)))
    assert sorted(results) == ["claimed", "conflict"]
    with pytest.raises(NotFound):
        store.claim(9999, kari.id)


def _outcome(claim: Callable[[], object]) -> str:
    try:
        claim()
        return "claimed"
    except Conflict:
        return "conflict"


def test_inactive_agent_claims_nothing(store, agent, customer):
    kari = agent("kari")
    customer("anna")
    store.set_active(kari.id, False)
    with pytest.raises(Conflict, match="not active"):
        store.claim_next(kari.id)


def test_handing_over_an_open_conversation_again_returns_its_handoff(store, customer):
    first = customer("anna", reason="not_understood")
    again = customer("anna", reason="customer_asked")
    assert again == first
    assert store.open_handoff_for("anna") == first
    store.close(first.id, "answered")
    assert store.open_handoff_for("anna") is None
    assert customer("anna").id != first.id  # a later hand-off of the same conversation is a new one


def test_concurrent_handovers_of_one_conversation_create_one_handoff(store):
    handoffs = all_at_once(8, lambda i: store.enqueue("anna", "rest", "sv", "booking", "customer_asked"))
    assert len({h.id for h in handoffs}) == 1
    assert len(store.waiting()) == 1


def test_transfer_to_another_queue_keeps_the_customers_place(store, agent, customer):
    kari = agent("kari", topics=["tracking"])
    complaints = agent("nils", topics=["complaint"])
    early = customer("anna", topic="tracking")
    customer("ola", topic="complaint")
    assert store.claim_next(kari.id).id == early.id

    moved = store.transfer(early.id, to_topic="complaint")
    assert (moved.status, moved.topic, moved.agent_id, moved.assigned_at) == ("waiting", "complaint", None, None)
    assert moved.queued_at == early.queued_at
    assert store.claim_next(complaints.id).id == early.id  # ahead of ola, who came later


def test_transfer_to_a_named_colleague_assigns_it_to_them(store, agent, customer):
    kari, supervisor = agent("kari"), agent("siri")
    handoff = customer("anna")
    store.claim(handoff.id, kari.id)
    moved = store.transfer(handoff.id, to_agent_id=supervisor.id, to_language="sv")
    assert (moved.status, moved.agent_id, moved.language) == ("assigned", supervisor.id, "sv")


def test_closing_records_the_resolution_once(store, agent, customer, clock):
    kari = agent("kari")
    handoff = customer("anna")
    store.claim_next(kari.id)
    closed = store.close(handoff.id, "new delivery booked")
    assert (closed.status, closed.resolution, closed.closed_at) == ("closed", "new delivery booked", clock.now)
    with pytest.raises(Conflict, match="closed"):
        store.close(handoff.id, "again")
    with pytest.raises(Conflict):
        store.transfer(handoff.id, to_topic="other")


def test_agents_leave_internal_notes_in_order(store, agent, customer, clock):
    kari, nils = agent("kari"), agent("nils")
    handoff = customer("anna")
    store.add_note(handoff.id, kari.id, "Kunden er sint, pakken er skadet.")
    clock.advance(minutes=2)
    store.add_note(handoff.id, nils.id, "Reklamasjon opprettet.")
    assert [(n.agent_id, n.text) for n in store.notes(handoff.id)] == [
        (kari.id, "Kunden er sint, pakken er skadet."),
        (nils.id, "Reklamasjon opprettet."),
    ]
    with pytest.raises(ValueError):
        store.add_note(handoff.id, kari.id, "  ")
    with pytest.raises(NotFound):
        store.add_note(9999, kari.id, "?")


@pytest.mark.parametrize(
    "contact, stored",
    [("Anna.Svensson@Example.se", "anna.svensson@example.se"), ("070-123 45 67", "+46701234567")],
)
def test_customer_outside_opening_hours_asks_to_be_called_back(store, contact, stored):
    callback = store.add_callback("anna", "sv", "complaint", contact, " efter kl 17 ")
    assert (callback.contact, callback.preferred_time, callback.status) == (stored, "efter kl 17", "open")
    assert store.callbacks() == [callback]
    store.finish_callback(callback.id)
    assert store.callbacks() == []
    assert [c.id for c in store.callbacks("done")] == [callback.id]


@pytest.mark.parametrize("contact", ["anna@", "ring meg på 12345", "anna@example.se eller 070-1234567"])
def test_callback_with_an_unusable_contact_is_refused(store, contact):
    with pytest.raises(ValueError, match="neither an e-mail address nor a Norwegian or Swedish phone number"):
        store.add_callback("anna", "sv", "complaint", contact, "")
    assert store.callbacks() == []


def test_unknown_topic_reason_or_language_is_refused(store):
    with pytest.raises(ValueError, match="unknown topic 'parcels'"):
        store.enqueue("anna", "rest", "nb", "parcels", "customer_asked")
    with pytest.raises(ValueError, match="unknown reason"):
        store.enqueue("anna", "rest", "nb", "tracking", "bored")
    with pytest.raises(ValueError, match="unknown language"):
        store.enqueue("anna", "rest", "da", "tracking", "customer_asked")


def test_estimated_wait_is_queue_position_times_recent_handling(store, agent, customer, clock):
    default = store.settings.default_handling
    customer("anna")
    customer("ola")
    customer("liv", "sv")
    assert store.estimated_wait("nb", "tracking") == 2 * default
    assert store.estimated_wait("nb", "booking") == dt.timedelta(0)

    kari = agent("kari", languages=["sv"])
    store.claim_next(kari.id)
    clock.advance(minutes=4)
    store.close(store.open_handoff_for("liv").id, "done")
    assert store.estimated_wait("nb", "tracking") == 2 * dt.timedelta(minutes=4)

    clock.advance(days=8)  # that handling time is no longer recent
    assert store.estimated_wait("nb", "tracking") == 2 * default


def test_stats_count_reasons_and_average_wait_and_handling(store, agent, customer, clock):
    kari = agent("kari")
    for name, reason in [("anna", "angry"), ("ola", "angry"), ("liv", "backend_down")]:
        customer(name, reason=reason)
    for wait, handling in [(2, 10), (4, 20)]:
        clock.advance(minutes=wait)
        handoff = store.claim_next(kari.id)
        clock.advance(minutes=handling)
        store.close(handoff.id, "solved")
    customer("per", reason="outside_hours")  # after the period

    day = clock.now.replace(hour=0, minute=0)
    stats = store.stats(day, clock.now)
    assert stats.by_reason == {
        "customer_asked": 0, "not_understood": 0, "angry": 2, "backend_down": 1, "outside_hours": 0,
        "caller_silent": 0, "speech_not_understood": 0,
    }  # fmt: skip
    # queued at minutes 1 (anna) and 2 (ola); claimed at 1+2+2 = 5 and 5+10+4 = 19
    assert stats.average_wait == dt.timedelta(minutes=((5 - 1) + (19 - 2)) / 2)
    assert stats.average_handling == dt.timedelta(minutes=15)
    assert store.stats(day - dt.timedelta(days=1), day).average_wait is None
