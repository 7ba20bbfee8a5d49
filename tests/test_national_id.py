"""National identity numbers against tracking and phone numbers, over numbers generated both ways.

The rule (bot/identifiers/national_id.py): valid day + valid check digits, however the
digits are grouped. Valid numbers in every grouping are never tracking numbers and are
masked in logs; the same numbers with a broken check digit stay shipment numbers; every
real tracking format (S10, SSCC, Bring's 17-digit numbers, the demo data) and phone
numbers are left as they were.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Callable, Iterator, List

import yaml

from bot.identifiers.contact import find_phone_numbers
from bot.identifiers.national_id import find_national_ids, is_national_id, national_id_kind
from bot.identifiers.tracking import TrackingFormat, find_tracking_numbers, gs1_check_digit, parse_tracking_number, s10_check_digit
from bot.privacy.redact import redact
from tests.privacy.personal_data import luhn_digit, mod11

RANDOM = random.Random(13)
SAMPLES = 300


def _birthdays(first_year: int, last_year: int) -> Iterator[dt.date]:
    start, days = dt.date(first_year, 1, 1).toordinal(), (dt.date(last_year, 12, 31) - dt.date(first_year, 1, 1)).days
    while True:
        yield dt.date.fromordinal(start + RANDOM.randrange(days + 1))


def personnummer(born: dt.date, samordning: bool = False) -> str:
    """YYYYMMDDNNNN: a Swedish personnummer (samordningsnummer: day + 60) with its Luhn digit, and the century."""
    body = f"{born:%y%m}{born.day + (60 if samordning else 0):02d}{RANDOM.randrange(1000):03d}"
    return f"{born.year // 100}{body}{luhn_digit(body)}"


def fodselsnummer(born: dt.date, d_number: bool = False) -> str:
    """DDMMYYIIIKK: a Norwegian fødselsnummer (D-nummer: day + 40) with both control digits."""
    while True:
        body = f"{born.day + (40 if d_number else 0):02d}{born:%m%y}{RANDOM.randrange(1000):03d}"
        first = mod11(body, [3, 7, 6, 1, 8, 9, 4, 5, 2])
        second = mod11(body + str(first), [5, 4, 3, 2, 7, 6, 5, 4, 3, 2])
        if first < 10 and second < 10:
            return f"{body}{first}{second}"


SWEDISH_GROUPINGS: List[Callable[[str], str]] = [  # how people write YYYYMMDDNNNN
    lambda n: n[2:],
    lambda n: f"{n[2:8]}-{n[8:]}",
    lambda n: f"{n[2:8]}+{n[8:]}",
    lambda n: f"{n[2:8]} {n[8:]}",
    lambda n: f"{n[2:4]} {n[4:6]} {n[6:8]} {n[8:]}",
    lambda n: f"{n[2:6]} {n[6:]}",
    lambda n: n,
    lambda n: f"{n[:8]}-{n[8:]}",
    lambda n: f"{n[:4]} {n[4:6]} {n[6:8]} {n[8:]}",
]
NORWEGIAN_GROUPINGS: List[Callable[[str], str]] = [
    lambda n: n,
    lambda n: f"{n[:6]} {n[6:]}",
    lambda n: f"{n[:6]}-{n[6:]}",
    lambda n: f"{n[:6]} {n[6:9]} {n[9:]}",
    lambda n: f"{n[:2]} {n[2:4]} {n[4:6]} {n[6:]}",
    lambda n: f"{n[:4]}-{n[4:8]}-{n[8:]}",
]


def swedish_numbers() -> List[str]:
    """Personnummer and samordningsnummer of people born 1910-1999 and 2010-2025 (2000-2009: see below)."""
    born = _birthdays(1910, 2025)
    numbers = []
    while len(numbers) < SAMPLES:
        day = next(born)
        if not 2000 <= day.year <= 2009:
            numbers.append(personnummer(day, samordning=len(numbers) % 4 == 0))
    return numbers


def norwegian_numbers() -> List[str]:
    born = _birthdays(1910, 2025)
    return [fodselsnummer(next(born), d_number=i % 4 == 0) for i in range(SAMPLES)]


def broken(number: str) -> str:
    """The same digits with the last check digit changed: no longer a valid identity number."""
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def written_both_ways() -> Iterator[tuple]:
    for number in swedish_numbers():
        for grouping in SWEDISH_GROUPINGS:
            yield "personnummer", grouping(number)
    for number in norwegian_numbers():
        for grouping in NORWEGIAN_GROUPINGS:
            yield "fodselsnummer", grouping(number)


LABEL = {"personnummer": "[personnummer]", "fodselsnummer": "[fødselsnummer]"}


def test_a_valid_identity_number_however_grouped_is_recognised_never_tracked_and_masked():
    for kind, written in written_both_ways():
        message = f"hei hvor er pakka mi?? nr {written} takk"
        assert national_id_kind(written) == kind, written
        assert [(k, message[s:e]) for k, s, e in find_national_ids(message)] == [(kind, written)]
        assert parse_tracking_number(written) is None, written
        assert list(find_tracking_numbers(message)) == [], written
        assert redact(message) == f"hei hvor er pakka mi?? nr {LABEL[kind]} takk", written


def test_the_same_digits_with_a_broken_check_digit_stay_a_shipment_number_and_readable():
    for number in swedish_numbers():
        for written in (number[2:], number):
            wrong = broken(written)
            assert not is_national_id(wrong) and list(find_national_ids(f"nr {wrong}")) == []
            assert parse_tracking_number(wrong).format is TrackingFormat.SHIPMENT
            assert not {"[personnummer]", "[fødselsnummer]"} & set(redact(f"sporing {wrong}").split())  # 46…: a phone
    for number in norwegian_numbers():
        wrong = broken(number)
        assert not is_national_id(wrong)
        assert parse_tracking_number(wrong).format is TrackingFormat.SHIPMENT


def test_a_personnummer_from_2000_2009_written_like_a_phone_number_stays_a_phone_number():
    """Ten digits with a trunk 0 are a Swedish phone first; with the hyphen it is a personnummer. Never tracked, always masked."""
    born = _birthdays(2000, 2009)
    for _ in range(SAMPLES):
        number = personnummer(next(born))[2:]
        hyphenated = f"{number[:6]}-{number[6:]}"
        assert national_id_kind(hyphenated) == "personnummer"
        if number.startswith("00"):  # no phone number: "00" opens an international one
            assert national_id_kind(number) == "personnummer"
        else:
            assert national_id_kind(number) is None and len(list(find_phone_numbers(f"ring {number}"))) == 1
        assert list(find_tracking_numbers(f"pakke {number} og {hyphenated}")) == []
        assert number not in redact(f"ring {number}") and hyphenated not in redact(f"nr {hyphenated}")


def test_about_one_in_140_random_ten_digit_numbers_is_a_personnummer_and_the_rest_are_shipment_numbers():
    """The price of the rule, measured: a 10-digit number from another carrier is taken for a personnummer this often."""
    numbers = [str(RANDOM.randrange(10**9, 10**10)) for _ in range(20000)]
    taken = [n for n in numbers if is_national_id(n)]
    assert 0.004 < len(taken) / len(numbers) < 0.011
    assert all(parse_tracking_number(n) is None for n in taken)
    assert all(parse_tracking_number(n).format is TrackingFormat.SHIPMENT for n in numbers if n not in taken)


def _s10(prefix: str, country: str) -> str:
    serial = f"{RANDOM.randrange(10**8):08d}"
    return f"{prefix}{serial}{s10_check_digit(serial)}{country}"


def _sscc() -> str:
    body = "370" + f"{RANDOM.randrange(10**14):014d}"
    return body + str(gs1_check_digit(body))


def _demo_and_test_numbers() -> List[str]:
    root = Path(__file__).parent.parent
    demo = yaml.safe_load((root / "backend" / "demo_data.yml").read_text())
    numbers = [str(n) for n in _values(demo, "tracking_number")]
    assert len(numbers) >= 20
    return numbers + ["LA123456785NO", "RR000000005SE", "370123450000000014", "70438101234567890"]


def _values(tree, key: str) -> Iterator:
    if isinstance(tree, dict):
        for name, value in tree.items():
            if name == key:
                yield value
            else:
                yield from _values(value, key)
    elif isinstance(tree, list):
        for item in tree:
            yield from _values(item, key)


def real_tracking_numbers() -> List[str]:
    generated = []
    for _ in range(SAMPLES):
        sscc = _sscc()
        generated += [
            _s10(RANDOM.choice(["CP", "LA", "RR", "EE"]), RANDOM.choice(["NO", "SE"])),
            sscc,
            "00" + sscc,
            f"{sscc[:4]} {sscc[4:8]} {sscc[8:12]} {sscc[12:]}",
            "70438" + f"{RANDOM.randrange(10**12):012d}",  # Bring shipment number, 17 digits
            f"{RANDOM.randrange(10**19, 10**20)}",  # 20 digits
        ]
    return _demo_and_test_numbers() + generated


def test_real_tracking_numbers_are_never_identity_numbers_and_keep_working():
    for written in real_tracking_numbers():
        message = f"hvor er pakken {written}?"
        assert not is_national_id(written) and list(find_national_ids(message)) == [], written
        assert parse_tracking_number(written) is not None, written
        assert [message[n.start : n.end] for n in find_tracking_numbers(message)] == [written]
        assert redact(message) == message


def test_phone_numbers_keep_working():
    for _ in range(SAMPLES):
        mobile = "07" + f"{RANDOM.randrange(10**8):08d}"
        norwegian = RANDOM.choice("49") + f"{RANDOM.randrange(10**7):07d}"
        for written in (mobile, f"{mobile[:3]}-{mobile[3:6]} {mobile[6:8]} {mobile[8:]}", norwegian, f"+47 {norwegian}"):
            message = f"ring meg på {written}"
            assert list(find_national_ids(message)) == [], written
            assert len(list(find_phone_numbers(message))) == 1, written
            assert list(find_tracking_numbers(message)) == [], written


def test_no_entity_is_made_of_an_identity_number_so_no_slot_carries_it():
    """The NLU's structured extractor drops what DIET tagged inside one, and finds no tracking number in it."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.structured_entities import StructuredEntityExtractor

    number = swedish_numbers()[0][2:]
    text = f"hvor er pakka mi? {number[:6]} {number[6:]}, ring 070-123 45 67"
    start = text.index(number[6:])
    diet = {"entity": "postcode", "value": number[6:], "start": start, "end": start + 4, "extractor": "DIETClassifier"}
    message = Message(data={"text": text, "entities": [diet]})
    StructuredEntityExtractor().process([message])
    assert [(e["entity"], e["value"]) for e in message.get("entities")] == [("phone", "+46701234567")]
