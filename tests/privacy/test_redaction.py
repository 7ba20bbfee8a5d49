"""Personal data is masked in free text; the carrier's own codes, dates and amounts are not.

Every identity and card number here is synthetic (tests/privacy/personal_data.py).
"""

from __future__ import annotations

import itertools

import pytest

from bot.identifiers.tracking import gs1_check_digit, s10_check_digit
from bot.identifiers.national_id import is_fodselsnummer, is_personnummer
from bot.privacy.redact import is_card_number, redact
from tests.privacy.personal_data import (
    card_number,
    luhn_digit,
    swedish_test_number,
    synthetic_fodselsnummer,
    with_control_digits,
)

FNR, PNR, PHONE, EMAIL, CARD = "[fødselsnummer]", "[personnummer]", "[telefon]", "[e-post]", "[kort]"


def wrong_last_digit(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


FNR_1 = synthetic_fodselsnummer(15, 3, 1985)
FNR_D = synthetic_fodselsnummer(2, 11, 1999, d_number=True)
PNR_1 = swedish_test_number("850315")
PNR_SAMORDNING = swedish_test_number("990771", 985)  # day 11 + 60
VISA = "4111111111111111"
MASTERCARD = card_number("5555", 16)
AMEX = card_number("3782", 15)
S10 = "RR12345678" + str(s10_check_digit("12345678")) + "NO"
SSCC = "37070123456789012" + str(gs1_check_digit("37070123456789012"))
SSCC_WITH_AI = "00" + SSCC


@pytest.mark.parametrize(
    "text, expected",
    [
        (f"fødselsnummeret mitt er {FNR_1}", f"fødselsnummeret mitt er {FNR}"),
        (f"fnr {FNR_1[:6]} {FNR_1[6:]}.", f"fnr {FNR}."),
        (f"D-nummer: {FNR_D}", f"D-nummer: {FNR}"),
        (f"personnummer {PNR_1[:6]}-{PNR_1[6:]}", f"personnummer {PNR}"),
        (f"personnummer 19{PNR_1}", f"personnummer {PNR}"),
        (f"personnummer 19{PNR_1[:6]}-{PNR_1[6:]}", f"personnummer {PNR}"),
        (f"född för över 100 år sedan: {PNR_1[:6]}+{PNR_1[6:]}", f"född för över 100 år sedan: {PNR}"),
        (f"samordningsnummer {PNR_SAMORDNING[:6]}-{PNR_SAMORDNING[6:]}", f"samordningsnummer {PNR}"),
        ("ring meg på 912 34 567", f"ring meg på {PHONE}"),
        ("ring meg på 91234567", f"ring meg på {PHONE}"),
        ("nummer +47 22 33 44 55", f"nummer {PHONE}"),
        ("nummer 0047 41234567", f"nummer {PHONE}"),
        ("ring mig på 070-123 45 67", f"ring mig på {PHONE}"),
        ("ring mig på 0701234567", f"ring mig på {PHONE}"),
        ("växeln +46 8 123 456 78", f"växeln {PHONE}"),
        ('{"value": "4741586239"}', f'{{"value": "{PHONE}"}}'),  # the country code without "+", as entities have it
        ("SlotSet(key: phone, value: 46701234567)", f"SlotSet(key: phone, value: {PHONE})"),
        ("skriv til Ola.Nordmann+pakke@example.no takk", f"skriv til {EMAIL} takk"),
        ("mejla anna_svensson@post.example.se.", f"mejla {EMAIL}."),
        (f"kortet {VISA[:4]} {VISA[4:8]} {VISA[8:12]} {VISA[12:]}", f"kortet {CARD}"),
        (f"kort {MASTERCARD[:4]}-{MASTERCARD[4:8]}-{MASTERCARD[8:12]}-{MASTERCARD[12:]}", f"kort {CARD}"),
        (f"amex {AMEX}", f"amex {CARD}"),
        (
            f"{FNR_1}, ola@example.no og 98765432",
            f"{FNR}, {EMAIL} og {PHONE}",
        ),
    ],
)
def test_personal_data_is_masked_with_its_label(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"hvor er pakken {S10}?",
        f"sporingsnummer {S10.lower()}",
        f"kolli {SSCC}",
        f"kolli {SSCC_WITH_AI}",
        "sändning 70712345678901234",  # a Bring-style shipment number, 17 digits
        "sändning 70712345678901234567",  # 20 digits
        "postnummer 0150 Oslo",
        "postnummer 114 55 Stockholm",
        "levert 24.11.2026 kl. 14:30",
        "hämtas 2026-11-24",
        "hentes 01-12-2026",  # eight digits with a leading 0: a date, not a Swedish phone
        "det kostet 1 499,00 kr",
        "beloppet 12 345 kr",
        "ordre 20261124",
        "reklamasjon RK2026000123",
        "bestilling nr. 123456",
        "ingen personopplysninger her",
    ],
)
def test_carrier_codes_dates_and_amounts_are_left_alone(text):
    assert redact(text) == text


@pytest.mark.parametrize(
    "number",
    [
        wrong_last_digit(FNR_1),
        FNR_1[:9] + str((int(FNR_1[9]) + 1) % 10) + FNR_1[10],  # first control digit wrong
        with_control_digits("320185"),  # day 32, control digits right
        with_control_digits("151385"),  # month 13 (and not 41-52 or 81-92)
    ],
)
def test_an_eleven_digit_number_with_a_wrong_checksum_is_not_a_fodselsnummer(number):
    assert not is_fodselsnummer(number)
    assert redact(f"nummer {number}") == f"nummer {number}"


def test_generated_numbers_pass_their_own_checks():
    """The checks accept many numbers, not just the ones in the tables (and reject each one's typo)."""
    days = [(day, month, 1900 + year) for day, month, year in itertools.product((1, 17, 31), (1, 7, 12), (5, 50, 99))]
    for day, month, year in days:
        number = synthetic_fodselsnummer(day, month, year)
        assert is_fodselsnummer(number) and not is_fodselsnummer(wrong_last_digit(number))
        swedish = swedish_test_number(f"{year % 100:02d}{month:02d}{day:02d}", 990)
        assert is_personnummer(swedish) and not is_personnummer(wrong_last_digit(swedish))


@pytest.mark.parametrize(
    "number", [wrong_last_digit(PNR_1), swedish_test_number("851315"), swedish_test_number("850132")]
)
def test_a_personnummer_with_a_wrong_checksum_or_month_is_left_alone(number):
    text = f"nummer {number[:6]}-{number[6:]}"
    assert not is_personnummer(number)
    assert redact(text) == text


@pytest.mark.parametrize("number", [wrong_last_digit(VISA), SSCC, "7" + VISA[1:-1] + luhn_digit("7" + VISA[1:-1])])
def test_not_a_card_wrong_luhn_an_sscc_or_a_carrier_prefix(number):
    assert not is_card_number(number)
