"""Tracking numbers as customers type them: valid ones are found and normalised, typos are not."""

import pytest

from bot.identifiers.tracking import (
    TrackingFormat,
    find_misspelt_tracking_numbers,
    find_tracking_numbers,
    gs1_check_digit,
    has_tracking_shape,
    parse_tracking_number,
    s10_check_digit,
)


def test_s10_check_digit_uses_upu_weights():
    assert s10_check_digit("12345678") == 5  # LA123456785NO, the UPU example
    assert s10_check_digit("00000000") == 5  # remainder 0 -> 11 -> 5
    assert s10_check_digit("00000001") == 4


@pytest.mark.parametrize(
    "written, expected",
    [
        ("LA123456785NO", "LA123456785NO"),
        ("la123456785no", "LA123456785NO"),
        ("LA 123 456 785 NO", "LA123456785NO"),
        ("la-123-456-785-no", "LA123456785NO"),
        ("RR000000005SE", "RR000000005SE"),
    ],
)
def test_valid_s10_numbers_are_normalised(written, expected):
    number = parse_tracking_number(written)
    assert number is not None and number.value == expected and number.format is TrackingFormat.S10


@pytest.mark.parametrize("written", ["LA123456784NO", "LA123456786NO", "L1123456785NO", "LA12345678NO", "LA1234567850NO"])
def test_s10_with_wrong_check_digit_or_shape_is_rejected(written):
    assert parse_tracking_number(written) is None


def test_sscc_check_digit_and_application_identifier():
    body = "37012345000000001"
    valid = body + str(gs1_check_digit(body))
    assert valid == "370123450000000014"
    assert parse_tracking_number(valid).format is TrackingFormat.SSCC
    assert parse_tracking_number("00" + valid).value == valid
    assert parse_tracking_number("00 3701 2345 0000 0000 14").value == valid
    wrong = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert parse_tracking_number(wrong) is None
    assert parse_tracking_number("00" + wrong) is None


def test_carrier_shipment_numbers_have_ten_to_twenty_digits():
    assert parse_tracking_number("70438101234567890").format is TrackingFormat.SHIPMENT
    assert parse_tracking_number("123456789") is None
    assert parse_tracking_number("1" * 21) is None
    assert parse_tracking_number("0701234567") is None  # a Swedish mobile number


def test_numbers_are_found_in_a_long_message_with_their_spans():
    text = "Hei! Pakken min LA123456785NO har ikke kommet, og heller ikke 00370123450000000014. Tlf 0701234567"
    found = list(find_tracking_numbers(text))
    assert [n.value for n in found] == ["LA123456785NO", "370123450000000014"]
    assert text[found[0].start : found[0].end] == "LA123456785NO"


def test_message_with_a_typo_in_the_number_yields_no_number_but_keeps_its_shape():
    text = "var är mitt paket la123456784se"
    assert list(find_tracking_numbers(text)) == []
    assert has_tracking_shape(text)
    assert not has_tracking_shape("var är mitt paket")


def _identity_numbers():
    from tests.privacy.personal_data import swedish_test_number, synthetic_fodselsnummer

    personnummer = swedish_test_number("850101")
    return [
        ("fødselsnummer", synthetic_fodselsnummer(24, 11, 1990)),
        ("fødselsnummer with a space", synthetic_fodselsnummer(1, 2, 1985)[:6] + " " + synthetic_fodselsnummer(1, 2, 1985)[6:]),
        ("D-nummer", synthetic_fodselsnummer(5, 6, 1970, d_number=True)),
        ("personnummer YYMMDD-NNNN", personnummer[:6] + "-" + personnummer[6:]),
        ("personnummer with the century", "19" + personnummer),
    ]


@pytest.mark.parametrize("kind, written", _identity_numbers(), ids=[kind for kind, _ in _identity_numbers()])
def test_a_national_identity_number_is_no_tracking_number_and_never_reaches_the_carrier(kind, written):
    assert parse_tracking_number(written) is None
    assert list(find_tracking_numbers(f"mitt nummer er {written}, hvor er pakken?")) == []


def test_the_same_digits_with_a_wrong_control_digit_stay_a_shipment_number():
    from tests.privacy.personal_data import synthetic_fodselsnummer

    valid = synthetic_fodselsnummer(24, 11, 1990)
    broken = valid[:-1] + str((int(valid[-1]) + 1) % 10)
    assert parse_tracking_number(broken).format == TrackingFormat.SHIPMENT


def test_a_phone_number_with_its_country_code_is_no_tracking_number():
    assert list(find_tracking_numbers("ring meg på +47 912 34 567 eller +4791234567")) == []


@pytest.mark.parametrize(
    "message, expected",
    [
        ("sporing CP71 0202 412 NO takk", "CP710202412NO"),  # 4-4-1 as on the label
        ("den er cp7 102 024 12no", "CP710202412NO"),
        ("hvor er C P 710 202 412 N O", "CP710202412NO"),  # spaces inside the letters
        ("kolla rr720-202-417-se", "RR720202417SE"),
        ("numret: RR.720.202.417.SE, tack", "RR720202417SE"),
        ("pakken (cp 710202412 no) kom aldri", "CP710202412NO"),
        ("SSCC (00) 3707 0123 4500 0000 17 står på lappen", "370701234500000017"),
        ("kollinummer 3707 0123 4500 0000 17", "370701234500000017"),
    ],
)
def test_s10_and_sscc_are_found_in_any_human_grouping(message, expected):
    assert [n.value for n in find_tracking_numbers(message)] == [expected]


@pytest.mark.parametrize(
    "message",
    [
        "hei, pakka CP71 0202 413 NO er ikke kommet",
        "hvor er cp-710-202-413-no?",
        "mitt paket RR 720 202 418 SE har inte kommit",
        "SSCC 3707 0123 4500 0000 18",
        "00 370701234500000018 står det",
    ],
)
def test_a_wrong_check_digit_inside_a_sentence_is_found_as_misspelt(message):
    assert list(find_tracking_numbers(message)) == []
    assert has_tracking_shape(message)
    assert len(list(find_misspelt_tracking_numbers(message))) == 1


@pytest.mark.parametrize(
    "message",
    [
        "ordren har nr 123456789 og kom i går",
        "levert 12.05.2025 14:30 i postkassen",
        "ring meg på 99 88 77 66",
        "jeg har betalt 1.299 kr",
    ],
)
def test_prose_with_numbers_is_no_misspelt_tracking_number(message):
    assert list(find_tracking_numbers(message)) == []
    assert list(find_misspelt_tracking_numbers(message)) == []
