"""The chat bot's written answers, rewritten into what the phone voice should say."""

from __future__ import annotations

import pytest

from voice.speech_text import for_speech
from voice.spoken import UnknownLanguage


@pytest.mark.parametrize(
    "written, language, said",
    [
        # opening hours as bot.language.formatting writes them
        (
            "Åpent mandag–fredag kl. 08–20. I dag, tirsdag 1. desember: 08–12 og 13–16.",
            "nb",
            "Åpent mandag til fredag klokka 8 til 20. I dag, tirsdag første desember: 8 til 12 og 13 til 16.",
        ),
        (
            "Öppet måndag–fredag kl. 08–20. I dag, tisdag 1 december: 08:30–16.",
            "sv",
            "Öppet måndag till fredag klockan 8 till 20. I dag, tisdag första december: 8 30 till 16.",
        ),
        ("Pakken kommer ca. 14:30, f.eks. i morgen.", "nb", "Pakken kommer cirka 14 30, for eksempel i morgen."),
        ("Paketet kommer kl. 14.30, t.ex. i morgon.", "sv", "Paketet kommer klockan 14 30, till exempel i morgon."),
        ("Utlevert 07:05.", "nb", "Utlevert 7 null 5."),
        ("Levererat 07:05.", "sv", "Levererat 7 noll 5."),
        # dates
        ("Flyttedato: 1.12.2026", "nb", "Flyttedato: første desember 2026"),
        ("Flyttdatum: 2026-12-24", "sv", "Flyttdatum: tjugofjärde december 2026"),
        ("Fra 31.2.2026", "nb", "Fra 31.2.2026"),  # no such date: left as written
        # money
        ("Det koster 1\u00a0249,50 kr.", "nb", "Det koster 1249 kroner og 50 øre."),
        ("Det kostar 249,00 kr.", "sv", "Det kostar 249 kronor."),
        ("Gebyret er 1,00 kr.", "nb", "Gebyret er 1 krone."),
        # tracking numbers and phone numbers
        (
            "Sendingen CP710202412NO er levert.",
            "nb",
            "Sendingen C, P, sju en null, to null to, fire en to, N, O er levert.",
        ),
        (
            "Försändelsen RR 720 505 449 SE är på väg.",
            "sv",
            "Försändelsen R, R, sju två noll, fem noll fem, fyra fyra nio, S, E är på väg.",
        ),
        (
            "Kolli 370701234500000017 er levert.",
            "nb",
            "Kolli tre sju null, sju null en, to tre fire, fem null null, null null null, null en sju er levert.",
        ),
        ("Ring +47 987 65 432.", "nb", "Ring pluss fire sju, ni åtte sju, seks fem, fire tre to."),
        ("Ring 070-123 45 67.", "sv", "Ring noll sju noll, ett två tre, fyra fem, sex sju."),
        # markdown, links, URLs, emoji
        (
            "Stemmer dette?\n• Navn: **Kari**\n• Fra: 1.12.2026\n• [Vilkår](https://posten.no/vilkar)",
            "nb",
            "Stemmer dette? Navn: Kari. Fra: første desember 2026. Vilkår",
        ),
        ("Tack! 😊👍🏽 Läs mer på https://www.postnord.se/sok.", "sv", "Tack! Läs mer på."),
        ("## Spårning\nDitt paket är `framme`.", "sv", "Spårning. Ditt paket är framme."),
        (
            "Normalt 2–3 virkedager – bl.a. på grunn av været.",
            "nb",
            "Normalt 2 til 3 virkedager – blant annet på grunn av været.",
        ),
    ],
)
def test_written_answer_is_said_the_way_a_person_would_read_it(written, language, said):
    assert for_speech(written, language) == said


def test_plain_text_passes_unchanged():
    text = "Hei, du snakker med den digitale kundeservicen. Hva gjelder det?"
    assert for_speech(text, "nb") == text


def test_an_unknown_language_is_refused():
    with pytest.raises(UnknownLanguage, match="'da'"):
        for_speech("Hej", "da")
