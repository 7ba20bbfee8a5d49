"""`kundesenter chat`: a customer completes flows in the terminal, typing numbers for buttons."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.e2e


def chat(assistant, language, lines):
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--url", assistant.rest_url, "--language", language],
        input="\n".join(lines) + "\n", capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_swedish_customer_tracks_and_rebooks_in_the_terminal(assistant, responses):
    output = chat(assistant, "sv", ["var är mitt paket?", "RR720505449SE", "kan jag boka om leveransen?", "RR720202417SE", "1"])
    assert "ICA Kvantum Liljeholmen" in output
    assert responses["utter_booking_done"]["sv"]["text"].split("{")[0] in output


def test_norwegian_customer_files_a_complaint_in_the_terminal(assistant, responses):
    output = chat(assistant, "nb", [
        "pakken min kom i stykker", "CP710606451NO", "1", "glasset var knust", "kari@example.no", "1",
    ])
    assert responses["utter_complaint_done"]["nb"]["text"].split("{")[0] in output
