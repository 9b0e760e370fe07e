"""Response bodies are decoded piece by piece: always the same text as one `bytes.decode` would give."""

import random

import pytest

from dropship_central.http import ClientConfig, OutboundClient, decode_utf8
from tests.loopback import Reply

PIECES = [
    b"a",
    b'<p id="x">',
    "é".encode(),
    "\uf8ff".encode(),
    "😀".encode(),
    b"\x80",
    b"\xbf",
    b"\xc0",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\xf4\x90\x80\x80",
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 16])
def test_any_bytes_decode_as_one_decode_would(chunk):
    rnd = random.Random(chunk)
    for _ in range(3000):
        data = b"".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 40)))
        assert decode_utf8(data, chunk) == data.decode("utf-8", errors="replace"), data


def test_a_large_page_with_a_private_use_icon_decodes_the_same():
    data = ("<html>" + "x" * 50_000 + "\uf8ff" + "é<b>ü</b>" * 20_000 + "😀</html>").encode() + b"\xe2\x82"
    assert decode_utf8(data) == data.decode("utf-8", errors="replace")


def test_the_client_returns_the_decoded_page(loopback):
    body = ("<html>" + "a" * 40_000 + "\uf8ff café " * 3000 + "</html>").encode() + b"\xff tail"
    loopback.route("/", Reply(body=body))
    client = OutboundClient(ClientConfig(target="test", read_timeout=5))
    assert client.get(f"{loopback.url}/").text == body.decode("utf-8", errors="replace")


def test_other_charsets_are_decoded_by_theirs(loopback):
    loopback.route("/", Reply(body="café".encode("latin-1"), content_type="text/html; charset=iso-8859-1"))
    client = OutboundClient(ClientConfig(target="test", read_timeout=5))
    assert client.get(f"{loopback.url}/").text == "café"
