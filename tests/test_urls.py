"""crawler.extract.urls and crawler.extract.encoding: link resolution, identity, scope, decoding."""

import pytest

from crawler.extract.encoding import decode_html, looks_binary
from crawler.extract.urls import absolute, canonical, host_of, same_host


@pytest.mark.parametrize("href, expected", [
    ("/vi/news/a-1.html", "https://x.gov.vn/vi/news/a-1.html"),
    ("b.html#top", "https://x.gov.vn/vi/news/b.html"),
    ("javascript:void(0);", None),
    ("JavaScript: void(0)", None),
    ("mailto:a@x.gov.vn", None),
    ("#", None),
    ("", None),
    ("ftp://x.gov.vn/file", None),
    ("/vi/news/tin hoạt động.html", "https://x.gov.vn/vi/news/tin%20ho%E1%BA%A1t%20%C4%91%E1%BB%99ng.html"),
])
def test_absolute(href, expected):
    assert absolute(href, "https://x.gov.vn/vi/news/a-1.html") == expected


def test_canonical_sorts_query_drops_fragment_and_default_port():
    assert canonical("HTTP://X.gov.vn:80/a?b=2&a=1#f") == "http://x.gov.vn/a?a=1&b=2"
    assert canonical("https://x.gov.vn:443/") == "https://x.gov.vn/"
    assert canonical("http://127.0.0.1:8000/a") == "http://127.0.0.1:8000/a"


def test_hosts():
    assert host_of("https://MOJ.gov.vn:443/a") == "moj.gov.vn"
    assert same_host("https://moj.gov.vn:443/a", "https://moj.gov.vn/b")
    assert not same_host("http://127.0.0.1:8000/", "http://127.0.0.1:8001/")
    assert not same_host("https://hagiang.gov.vn/", "https://dbnd.hagiang.gov.vn/")


def test_decode_prefers_valid_utf8_over_a_lying_header():
    assert decode_html("Thi đua".encode(), "text/html; charset=iso-8859-1") == ("Thi đua", "utf-8")


def test_decode_uses_declared_legacy_charset_then_windows_1258():
    body = "<meta charset=windows-1252><p>Caf\u00e9</p>".encode("cp1252")
    assert decode_html(body, "text/html") == ("<meta charset=windows-1252><p>Caf\u00e9</p>", "cp1252")
    text, encoding = decode_html(b"<p>\xd0\xf4ng</p>", None)  # undeclared, not UTF-8
    assert encoding == "cp1258" and text == "<p>\u0110\u00f4ng</p>"


def test_decode_bom():
    assert decode_html(b"\xef\xbb\xbf<p>a</p>", "text/html; charset=iso-8859-1") == ("<p>a</p>", "utf-8")


def test_looks_binary_counts_control_bytes_in_the_head():
    page = "<html><body><p>Hội nghị thi đua</p></body></html>\r\n\t\x0c".encode()
    assert not looks_binary(page) and not looks_binary(page.decode().encode("cp1258", "replace")) and not looks_binary(b"")
    assert looks_binary(b"%PDF\x00-1.4") and looks_binary(bytes(range(256)) * 2)
    text = b"a" * 95
    assert not looks_binary(text + b"\x01" * 5)  # 5 % of control bytes: still text
    assert looks_binary(text + b"\x01" * 6) and looks_binary(text + b"\x1b\x7f\x02\x03\x04\x05")
    assert not looks_binary(b"a" * 4096 + b"\x01" * 4096)  # only the first 4096 bytes are looked at
