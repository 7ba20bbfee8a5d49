"""A caller spells out a tracking number, a postcode or a date, and the bot gets what its chat NLU accepts.

Transcripts are written the way a recogniser writes them: lower case words, compounds whole
or split, colloquial numbers, letters as names or spelling-alphabet words, hesitations.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.identifiers.tracking import parse_tracking_number
from voice.spoken import UnknownLanguage
from voice.spoken.entities import as_written, misspelt_tracking_number, postcode, read_back, spoken_date, tracking_number
from voice.spoken.numbers import digits_of, parse_number

MONDAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    "transcript, language, expected",
    [
        # Norwegian: letter names, digits one by one; "en" is both N and 1
        ("ce pe sju en null to null to fire en to en o", "nb", "CP710202412NO"),
        ("c p sjuhundreti tohundreto firehundretolv n o", "nb", "CP710202412NO"),
        ("sesar petter sju ti to null to fire tolv niklas olof", "nb", "CP710202412NO"),
        ("nummeret er ce pe sytti en null to null to fire en to enn o takk", "nb", "CP710202412NO"),
        ("el a en to tre fire fem sju åtte fem enn o", "nb", None),  # a digit missing
        ("el a en to tre fire fem seks sju atte fem enn o", "nb", "LA123456785NO"),  # no "å" from the recogniser
        ("eh ce pe sju en null eh to null to fire en to en o", "nb", "CP710202412NO"),
        ("tre sju null sju null en to tre fire fem null null null null null null en sju", "nb", "370701234500000017"),
        (
            "tretti sju null sju null en tjuetre førtifem null null null null null null sytten",
            "nb",
            "370701234500000017",
        ),
        ("CP 710 202 412 NO", "nb", "CP710202412NO"),
        # Swedish: "ett"/"noll", compounds like "sjuttiotvå", the Swedish spelling alphabet
        ("se pe sju ett noll två noll två fyra ett två enn o", "sv", "CP710202412NO"),
        ("är är sjuttiotvå noll fem noll fem fyra fyrtionio es e", "sv", "RR720505449SE"),
        ("rudolf rudolf sju två noll fem noll fem fyra fyra nio sigurd erik", "sv", "RR720505449SE"),
        ("ce pe sjuhundratio tvåhundratvå fyrahundratolv en o", "sv", "CP710202412NO"),
        ("se pe sju ett noll tva noll tva fyra ett tva n o", "sv", "CP710202412NO"),
        ("ehm det är e e ett två tre fyra fem sex sju åtta fem es e", "sv", "EE123456785SE"),
        (
            "trettiosju noll sju noll ett tjugotre fyrtiofem noll noll noll noll noll noll sjutton",
            "sv",
            "370701234500000017",
        ),
    ],
)
def test_spelt_out_tracking_number_becomes_the_number_the_chat_accepts(transcript, language, expected):
    found = tracking_number(transcript, language)
    assert found == expected
    if found:
        assert parse_tracking_number(found).value == found


@pytest.mark.parametrize(
    "transcript, language",
    [
        ("ce pe sju en null to null to fire en tre en o", "nb"),  # check digit 2 said as 3
        ("pe sju en null to null to fire en to en o", "nb"),  # the first letter was lost
        ("är är sjuttiotvå noll fem noll fem fyra fyrtioåtta es e", "sv"),
        ("tre sju null sju null en to tre fire fem null null null null null null en åtte", "nb"),  # SSCC check digit
        ("jag vill spåra ett paket", "sv"),
    ],
)
def test_a_number_with_a_wrong_check_digit_is_not_guessed(transcript, language):
    assert tracking_number(transcript, language) is None


@pytest.mark.parametrize(
    "transcript, language, written",
    [
        ("ja den e ce pe sju en null fem null fem fire fire fem n o", "nb", "CP710505445NO"),  # 4 said as 5
        ("nummeret er c p 7 1 0 3 0 3 4 2 1 n o", "nb", "CP710303421NO"),
        ("det är r r sju två noll sex noll sex fyra fem sju s e", "sv", "RR720606457SE"),
        ("ja det var er er sju två noll sju noll sju fyra sex tre es e", "sv", "RR720707463SE"),  # fits: as it is
        ("hej jag undrar var mitt paket är", "sv", "hej jag undrar var mitt paket är"),
        ("tre sju null sju null en to tre fire fem null null null null null null en åtte", "nb",
         "tre sju null sju null en to tre fire fem null null null null null null en åtte"),  # no shape to tell
    ],
)
def test_the_calls_text_path_writes_s10_numbers_even_with_a_wrong_check_digit(transcript, language, written):
    """The dialogue then says the last digit does not fit, instead of hearing no number at all."""
    assert as_written(transcript, language) == written


@pytest.mark.parametrize(
    "transcript, language, expected",
    [
        # Whisper writes codes in capitals and digits, grouped and punctuated, not as letter names
        ("CP 710 202 412 NO", "nb", "CP710202412NO"),
        ("Hei, hvor er pakken min? CP 710 202 412 NO.", "nb", "CP710202412NO"),
        ("RR 720 505 449 SE", "sv", "RR720505449SE"),  # "SE" is also the letter C: written capitals are Sweden
        ("Var är mitt paket, RR-720-505-449-SE?", "sv", "RR720505449SE"),
        ("ce pe 710 202 412 N O", "nb", "CP710202412NO"),  # mixed: letter names, then digits
        ("3707 0123 4500 0000 17", "nb", "370701234500000017"),
    ],
)
def test_digits_and_punctuation_as_whisper_writes_them_give_the_same_number(transcript, language, expected):
    assert as_written(transcript, language) == expected


@pytest.mark.parametrize("value", ["CP710202412NO", "RR720505449SE", "LA123456785NO", "370701234500000017"])
@pytest.mark.parametrize("language", ["nb", "sv"])
def test_what_the_bot_reads_back_is_read_as_the_same_number(value, language):
    assert tracking_number(read_back(value, language), language) == value


@pytest.mark.parametrize(
    "value, language, said",
    [
        ("CP710202412NO", "nb", "C, P, sju en null, to null to, fire en to, N, O"),
        ("RR720505449SE", "sv", "R, R, sju två noll, fem noll fem, fyra fyra nio, S, E"),
        (
            "370701234500000017",
            "sv",
            "tre sju noll, sju noll ett, två tre fyra, fem noll noll, noll noll noll, noll ett sju",
        ),
        ("0550", "nb", "null fem fem null"),
        ("11455", "sv", "ett ett fyra, fem fem"),
    ],
)
def test_read_back_says_letters_by_name_and_digits_one_by_one_in_groups(value, language, said):
    assert read_back(value, language) == said


@pytest.mark.parametrize(
    "transcript, language, expected",
    [
        ("null fem femti", "nb", "0550"),
        ("fem null null tre", "nb", "5003"),
        ("femti null tre", "nb", "5003"),
        ("postnummeret er null null null en", "nb", "0001"),
        ("ni ni ni ni", "nb", None),  # not in the register
        ("hundrafjorton femtiofem", "sv", "11455"),
        ("fyra ett ett noll fyra", "sv", "41104"),
        ("nittio tre tjugofem", "sv", "90325"),  # "nittio tre" is 93 or 90 3: only 90325 exists
        ("ett ett fyra fem", "sv", None),  # four digits is no Swedish postcode
    ],
)
def test_spoken_postcode_must_exist_in_the_callers_country(transcript, language, expected):
    assert postcode(transcript, language) == expected


@pytest.mark.parametrize(
    "transcript, language, expected",
    [
        ("første desember", "nb", dt.date(2026, 12, 1)),
        ("den tjuefjerde", "nb", dt.date(2026, 11, 24)),
        ("den tjue første", "nb", dt.date(2026, 12, 21)),
        ("i morgen", "nb", dt.date(2026, 11, 24)),
        ("i morra", "nb", dt.date(2026, 11, 24)),
        ("tjuefire desember", "nb", dt.date(2026, 12, 24)),
        ("neste fredag", "nb", dt.date(2026, 11, 27)),
        ("femte januar", "nb", dt.date(2027, 1, 5)),
        ("trettiførste", "nb", dt.date(2026, 12, 31)),  # November has no 31st
        ("femte mai to tusen og tjuesju", "nb", dt.date(2027, 5, 5)),
        ("den tjugofjärde", "sv", dt.date(2026, 11, 24)),
        ("första december", "sv", dt.date(2026, 12, 1)),
        ("imorgon", "sv", dt.date(2026, 11, 24)),
        ("i övermorgon", "sv", dt.date(2026, 11, 25)),
        ("nästa fredag", "sv", dt.date(2026, 11, 27)),
        ("trettionde november", "sv", dt.date(2026, 11, 30)),
        ("den tjugonde", "sv", dt.date(2026, 12, 20)),
        ("trettioförsta februari", "sv", None),
        ("jag vet inte", "sv", None),
    ],
)
def test_spoken_date_is_the_date_the_caller_means(transcript, language, expected):
    assert spoken_date(transcript, language, MONDAY) == expected


@pytest.mark.parametrize(
    "words, language, expected",
    [
        ("femti", "nb", 50),
        ("sjuttiosju", "sv", 77),
        ("tjueen", "nb", 21),
        ("tyve", "nb", 20),
        ("hundre og fem", "nb", 105),
        ("tusen", "nb", 1000),
        ("to tusen og tjueseks", "nb", 2026),
        ("fem og tjue", "nb", 25),
        ("søtti", "nb", 70),
        ("åtti", "nb", 80),
        ("atti", "nb", 80),
        ("nitti", "nb", 90),
        ("nittio", "sv", 90),
        ("femtio", "sv", 50),
        ("tjugo", "sv", 20),
        ("hundra", "sv", 100),
        ("ett", "sv", 1),
        ("ei", "nb", 1),
        ("noll", "sv", 0),
        ("null", "nb", 0),
        (["två"], "sv", 2),
        ("fem femti", "nb", None),
        ("null fem", "nb", None),
        ("hundre og", "nb", None),
        ("hei", "nb", None),
    ],
)
def test_number_words_in_both_languages(words, language, expected):
    assert parse_number(words, language) == expected


@pytest.mark.parametrize(
    "words, language, expected",
    [
        ("null fem", "nb", "05"),
        ("null fem femti", "nb", "0550"),
        ("sju hundre ti to null to", "nb", "710202"),
        ("tjue en", "nb", "21"),
        ("ett ett fyra fem fem", "sv", "11455"),
        ("noll sju noll eh ett två tre", "sv", "070123"),
    ],
)
def test_digits_of_reads_each_word_or_phrase_as_digits(words, language, expected):
    assert digits_of(words, language) == expected


def test_an_unknown_language_is_named_in_the_error():
    with pytest.raises(UnknownLanguage, match="'de'.*nb, sv"):
        tracking_number("ce pe", "de")


@pytest.mark.parametrize(
    "transcript, language, expected",
    [
        ("sju null fire tre åtte en null en to tre fire fem", "nb", "704381012345"),
        ("nummeret er sytti førti tre åtti en null en tjuetre førtifem", "nb", "704381012345"),
        ("sju noll fyra tre åtta ett noll ett två tre fyra fem", "sv", "704381012345"),
        ("sju null fire tre åtte en null en to tre fire fem takk", "nb", None),
        ("null sju null en to tre fire fem seks sju", "sv", None),  # a Swedish phone number
    ],
)
def test_shipment_number_without_check_digit_is_taken_only_when_all_digits(transcript, language, expected):
    assert tracking_number(transcript, language) == expected


@pytest.mark.parametrize(
    "transcript, language, said",
    [
        ("ce pe sju en null to null to fire en tre en o", "nb", "CP710202413NO"),
        ("den er ce pe sytti en null to null to fire tretten n o", "nb", "CP710202413NO"),
        ("är är sjuttiotvå noll fem noll fem fyra fyrtioåtta es e", "sv", "RR720505448SE"),
        ("rudolf rudolf sju två noll två noll två fyra ett åtta sigurd erik", "sv", "RR720202418SE"),
    ],
)
def test_a_code_said_in_full_with_a_wrong_check_digit_is_passed_on_as_said(transcript, language, said):
    assert tracking_number(transcript, language) is None
    assert misspelt_tracking_number(transcript, language) == said


@pytest.mark.parametrize(
    "transcript, language",
    [("pe sju en null to null to fire en to en o", "nb"), ("jag vill spåra ett paket", "sv"), ("jeg bor i storgata tolv", "nb")],
)
def test_speech_that_is_no_whole_code_is_kept_as_words(transcript, language):
    assert misspelt_tracking_number(transcript, language) is None
