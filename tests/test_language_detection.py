"""Norwegian or Swedish? Per message, and per conversation."""

import pytest

from bot.language.switching import conversation_language


@pytest.mark.parametrize(
    "text, language",
    [
        ("hvor er pakken min", "nb"),
        ("var är mitt paket", "sv"),
        ("hei, jeg har flytta og vil ha posten ettersendt", "nb"),
        ("hej jag har flyttat och vill ha eftersändning", "sv"),
        ("pakka mi e ikkje komt", "nb"),
        ("paketet har inte kommit", "sv"),
        ("kan eg snakke med ein person", "nb"),
        ("kan jag prata med en människa", "sv"),
        ("tusen takk for hjelpen", "nb"),
        ("tack så mycket för hjälpen", "sv"),
        ("nar stenger posten pa kiwi", "nb"),  # no æøå
        ("nar stanger ombudet pa ica", "sv"),  # no åäö
        ("hvordan endrer jeg adressen min", "nb"),
        ("hur ändrar jag min adress", "sv"),
    ],
)
def test_clear_messages_are_detected(language_model, text, language):
    detection = language_model.detect(text, default="nb")
    assert detection.language == language
    assert detection.clear


@pytest.mark.parametrize("text", ["ok", "ja", "LA123456785NO", "0150", "kari.nordmann@gmail.com", "?", "takk"])
def test_short_or_data_only_messages_are_not_clear(language_model, text):
    assert not language_model.detect(text, default="nb").clear


def test_message_without_words_falls_back_to_the_default(language_model):
    detection = language_model.detect("LA123456785NO", default="sv")
    assert detection.language == "sv" and detection.known_words == 0


def test_swedish_conversation_stays_swedish_through_an_ambiguous_message():
    ambiguous = {"language": "nb", "clear": False}
    assert conversation_language("sv", ambiguous, None) == "sv"


def test_conversation_switches_when_the_customer_clearly_switches():
    assert conversation_language("sv", {"language": "nb", "clear": True}, None) == "nb"


def test_a_call_keeps_its_language_whatever_a_message_looks_like():
    assert conversation_language("sv", {"language": "nb", "clear": True}, {"language": "sv"}, call=True) == "sv"
    assert conversation_language(None, {"language": "sv", "clear": True}, {"language": "nb"}, call=True) == "nb"
    assert conversation_language("sv", {"language": "nb", "clear": True}, {"language": "sv"}) == "nb"  # chat switches


def test_first_message_uses_channel_metadata_when_the_text_is_ambiguous():
    assert conversation_language(None, {"language": "nb", "clear": False}, {"language": "sv"}) == "sv"
    assert conversation_language(None, {"language": "nb", "clear": True}, {"language": "sv"}) == "nb"
    assert conversation_language(None, {"language": "sv", "clear": False}, None) == "sv"
    assert conversation_language(None, None, None) == "nb"


def test_gibberish_has_words_but_none_the_bot_knows(language_model):
    detection = language_model.detect("blorp fnaargh wibble xkcd", default="nb")
    assert (detection.words, detection.known_words) == (4, 0)
    assert language_model.detect("hvor er pakkken min", default="nb").known_words >= 3
