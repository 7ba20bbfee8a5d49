"""Passwords are stored as salted scrypt hashes that carry their own cost."""

import pytest

from bot.desk.passwords import PasswordPolicy, PasswordTooShort, verify

POLICY = PasswordPolicy()


def test_the_right_password_verifies_and_a_wrong_one_does_not():
    encoded = POLICY.hash("correct horse battery")
    assert verify("correct horse battery", encoded)
    assert not verify("correct horse batterY", encoded)
    assert not verify("", encoded)


def test_the_hash_names_its_parameters_and_its_salt_is_random():
    first, second = POLICY.hash("correct horse battery"), POLICY.hash("correct horse battery")
    scheme, n, r, p, salt, digest = first.split("$")
    assert len(digest) == 44  # 32 bytes in base64
    assert (scheme, n, r, p) == ("scrypt", "16384", "8", "1")
    assert first != second and len(salt) == 24  # 16 bytes in base64


def test_a_hash_made_with_an_older_cost_still_verifies_but_asks_to_be_renewed():
    cheap = PasswordPolicy(n=2**12)
    encoded = cheap.hash("correct horse battery")
    assert verify("correct horse battery", encoded)
    assert POLICY.needs_rehash(encoded)
    assert not POLICY.needs_rehash(POLICY.hash("correct horse battery"))


def test_a_short_password_is_refused_with_the_minimum_length():
    with pytest.raises(PasswordTooShort, match="at least 12 characters long"):
        POLICY.check("short-pass1")
    assert POLICY.check("twelve chars") == "twelve chars"


@pytest.mark.parametrize("garbage", ["", "plain text", "scrypt$16384$8$1$not-base64!$xx", "bcrypt$1$2$3$AAAA$AAAA"])
def test_a_malformed_hash_matches_nothing(garbage):
    assert not verify("correct horse battery", garbage)
    assert POLICY.needs_rehash(garbage)
