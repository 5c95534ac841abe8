"""Search latency on a 1M-article archive: full-text search vs a LIKE scan, through Datasette.

Builds (or reuses) a synthetic archive of N articles (default 1,000,000) whose text looks like
the real thing: Vietnamese news about provincial emulation and commendation ("thi đua", "khen
thưởng", "Hội nghị", province and district names with diacritics), ~60 portals, 2010–2025,
titles, sapos, bodies of a few paragraphs (300–1,500 characters), images with captions, related
links. The rows are exactly what ``archive.store`` stores: the schema comes from
``store.open_db``, every article row from the store's own ``_article_row`` / ``content_hash``
(``search_folded`` = ``fold`` of title, summary, body and captions), and ``articles_fts`` is
the store's FTS5 table with its triggers (filled by one FTS5 'rebuild' after a bulk load, then
checked against ``articles`` with FTS5's integrity-check). A seeded ``random.Random`` per
article makes the file reproducible.

Then, in the same run and against that file, real Datasette (in-process client, the project's
``metadata_for`` and plugin, ``sql_time_limit_ms`` 60 s) answers a fixed, seeded list of queries
(single words, phrases, place names, rare names, no-match words; each with and without
diacritics) four ways, each query repeated (the first round is discarded: warm cache):

* **FTS, table API**: ``/<db>/articles.json?_search=q&_shape=objects&_size=20``, what the table's
  search box does; Datasette also counts the matches and runs the metadata's facets and its facet
  suggestions (each with its own time limit);
* **FTS, search page API**: ``/search.json?q=q``, the project's search page (relevance order,
  count, snippets);
* **FTS, SQL API**: the same FTS5 match as a plain query of the LIKE query's shape (20 rows
  newest first, no count, no facets): the index alone;
* **LIKE, SQL API**: ``/<db>.json?sql=select id, title from articles where title like :p or
  body_text like :p order by published_at desc limit 20`` with ``p=%q%``; for a query typed
  without diacritics, ``search_folded like :p`` with ``p=%fold(q)%`` (the only way a LIKE scan
  can match "thi dua" to "thi đua").

Prints Markdown tables: p50 / p95 / max latency in ms per method (and how many requests took
longer than ``newsarchive serve``'s 3 s SQL limit), the LIKE/FTS ratios, p50 per kind of query,
and for a few sample queries their matches and the table API's time with its extras
(``_nosuggest``, ``_nofacet``, ``_nocount``) switched off. The numbers depend on the machine (CPU,
disk, page cache, other load): compare methods within one run, not across machines.

Usage (the 1M build takes a while and ~10 GB of disk; the file is not meant to be committed):
    .venv/bin/python bench/search_1m.py [--articles N] [--queries N] [--repeat N] [--db PATH] [--rebuild] [--seed N]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import math
import os
import platform
import random
import re
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from archive import store  # noqa: E402
from archive.datasette import metadata_for  # noqa: E402
from archive.datasette.config import SETTINGS  # noqa: E402
from archive.search import fold  # noqa: E402
from crawler.items import Article, Image, RelatedLink  # noqa: E402

SERVE_TIME_LIMIT_MS = SETTINGS["sql_time_limit_ms"]  #: serve's per-statement SQL limit

DEFAULT_DB = ROOT / "bench" / "data" / "search-1m.db"
BATCH = 5_000  # articles per executemany batch / transaction while building

# --- vocabulary ------------------------------------------------------------------------------

PROVINCES = [
    "Hà Giang", "Cao Bằng", "Bắc Kạn", "Tuyên Quang", "Lào Cai", "Điện Biên", "Lai Châu", "Sơn La",
    "Yên Bái", "Hòa Bình", "Thái Nguyên", "Lạng Sơn", "Quảng Ninh", "Bắc Giang", "Phú Thọ",
    "Vĩnh Phúc", "Bắc Ninh", "Hải Dương", "Hưng Yên", "Thái Bình", "Hà Nam", "Nam Định", "Ninh Bình",
    "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Quảng Nam",
    "Quảng Ngãi", "Bình Định", "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum",
    "Gia Lai", "Đắk Lắk", "Đắk Nông", "Lâm Đồng", "Bình Phước", "Tây Ninh", "Bình Dương",
    "Đồng Nai", "Bà Rịa - Vũng Tàu", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long",
    "Đồng Tháp", "An Giang", "Kiên Giang", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau",
    "Hải Phòng", "Đà Nẵng",
]  # 60 provinces and cities: one portal each
DISTRICTS = {
    "Hà Giang": ["Đồng Văn", "Mèo Vạc", "Yên Minh", "Quản Bạ", "Bắc Mê", "Vị Xuyên", "Hoàng Su Phì"],
    "Điện Biên": ["Mường Nhé", "Tủa Chùa", "Mường Chà", "Điện Biên Đông", "Mường Ảng", "Nậm Pồ"],
    "Lai Châu": ["Phong Thổ", "Sìn Hồ", "Mường Tè", "Tam Đường", "Than Uyên", "Tân Uyên"],
    "Quảng Ninh": ["Vân Đồn", "Cô Tô", "Tiên Yên", "Ba Chẽ", "Hải Hà", "Bình Liêu", "Đầm Hà"],
    "Lào Cai": ["Sa Pa", "Bát Xát", "Mường Khương", "Si Ma Cai", "Bắc Hà", "Văn Bàn"],
    "Hòa Bình": ["Mai Châu", "Đà Bắc", "Lạc Sơn", "Tân Lạc", "Kim Bôi", "Lương Sơn"],
    "Nghệ An": ["Kỳ Sơn", "Tương Dương", "Quế Phong", "Con Cuông", "Nghi Lộc", "Diễn Châu"],
    "Gia Lai": ["Chư Prông", "Chư Sê", "Đức Cơ", "Ia Grai", "Mang Yang", "Kbang"],
    "Đắk Lắk": ["Buôn Đôn", "Ea Súp", "Krông Pắc", "Lắk", "Cư M'gar", "Ea H'leo"],
    "Cà Mau": ["Năm Căn", "Ngọc Hiển", "Đầm Dơi", "U Minh", "Trần Văn Thời", "Thới Bình"],
}
GENERIC_DISTRICTS = ["Thành phố", "Thị xã", "Tân Phú", "Phú Bình", "Thuận Thành", "Yên Lạc", "Bình Xuyên",
                     "Lập Thạch", "Gia Bình", "Kim Thành", "Vĩnh Bảo", "Hải Hậu", "Nho Quan", "Thọ Xuân"]
COMMUNES = ["Lũng Phìn", "Sủng Là", "Thượng Phùng", "Pả Vi", "Nậm Kè", "Chiềng Ban", "Tả Phìn", "Bản Phố",
            "Đồng Tâm", "Tân Lập", "Quyết Thắng", "Hòa Bình", "Thanh Xuân", "Nghĩa Đô", "Minh Tân"]
#: Rare place names, with their weights: a rare sentence goes into ~1 article in 2,500, so
#: "Sín Thầu" is in ~90 articles of 1M and "Pa Vây Sử" in ~4.
RARE_COMMUNES = [("Sín Thầu", 25), ("A Pa Chải", 15), ("Lũng Cú", 20), ("Y Tý", 10), ("Hang Kia", 10),
                 ("Pa Vây Sử", 1), ("Sà Phìn", 8), ("Tả Van", 10)]
RARE_SENTENCE_RATE = 1 / 2_500

ORGS = [
    "Ban Thi đua - Khen thưởng tỉnh {prov}", "Ủy ban nhân dân tỉnh {prov}", "Sở Nội vụ tỉnh {prov}",
    "Hội đồng Thi đua - Khen thưởng tỉnh {prov}", "Liên đoàn Lao động tỉnh {prov}",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh {prov}", "Tỉnh đoàn {prov}", "Hội Liên hiệp Phụ nữ tỉnh {prov}",
    "Bộ Chỉ huy Quân sự tỉnh {prov}", "Công an tỉnh {prov}", "Sở Giáo dục và Đào tạo tỉnh {prov}",
    "Sở Y tế tỉnh {prov}", "Sở Nông nghiệp và Phát triển nông thôn tỉnh {prov}",
    "Khối thi đua các cơ quan Đảng, đoàn thể tỉnh {prov}", "Cụm thi đua các huyện, thành phố tỉnh {prov}",
    "Hội Nông dân tỉnh {prov}", "Sở Văn hóa, Thể thao và Du lịch tỉnh {prov}", "Cục Thuế tỉnh {prov}",
]
ROLES = [
    "Phó Chủ tịch Ủy ban nhân dân tỉnh", "Chủ tịch Ủy ban nhân dân tỉnh", "Trưởng Ban Thi đua - Khen thưởng tỉnh",
    "Phó Trưởng Ban Thi đua - Khen thưởng tỉnh", "Giám đốc Sở Nội vụ", "Phó Bí thư Thường trực Tỉnh ủy",
    "Chủ tịch Liên đoàn Lao động tỉnh", "Trưởng khối thi đua", "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Phó Chủ tịch Thường trực Hội đồng nhân dân tỉnh",
]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
            "Hồ", "Ngô", "Dương", "Lý", "Giàng", "Lò", "Sùng", "Hà"]
MIDDLES = ["Văn", "Thị", "Đức", "Minh", "Quang", "Thanh", "Hữu", "Ngọc", "Xuân", "Thu", "Mạnh", "A"]
GIVEN = ["Hùng", "Dũng", "Hương", "Lan", "Tuấn", "Thắng", "Hòa", "Bình", "Nam", "Hải", "Sơn", "Hà", "Phương",
         "Long", "Cường", "Hạnh", "Thủy", "Nhi", "Chinh", "Quyết", "Sử", "Páo", "Dế", "Mai", "Trung", "Tâm"]
AWARDS = [
    "Bằng khen của Thủ tướng Chính phủ", "Cờ thi đua của Chính phủ", "Huân chương Lao động hạng Nhì",
    "Huân chương Lao động hạng Ba", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh",
    "danh hiệu Chiến sĩ thi đua cấp tỉnh", "danh hiệu Tập thể lao động xuất sắc",
    "Cờ thi đua của Ủy ban nhân dân tỉnh", "danh hiệu Chiến sĩ thi đua toàn quốc", "Giấy khen",
    "Huân chương Bảo vệ Tổ quốc hạng Ba", "Kỷ niệm chương Vì sự nghiệp thi đua - khen thưởng",
]
EVENTS = [
    "Hội nghị tổng kết công tác thi đua, khen thưởng năm {year}", "Lễ phát động phong trào thi đua yêu nước",
    "Hội nghị ký kết giao ước thi đua năm {year}", "Đại hội Thi đua yêu nước lần thứ {nth}",
    "Lễ trao tặng danh hiệu Bà mẹ Việt Nam anh hùng", "Hội nghị sơ kết công tác thi đua 6 tháng đầu năm {year}",
    "Lễ đón nhận Huân chương Lao động hạng Ba", "Hội nghị triển khai nhiệm vụ công tác thi đua năm {year}",
    "buổi gặp mặt các điển hình tiên tiến", "Hội nghị tập huấn nghiệp vụ công tác thi đua, khen thưởng",
    "Hội nghị biểu dương người tốt, việc tốt", "Lễ tuyên dương gương điển hình tiên tiến",
]
MOVEMENTS = [
    "“Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau”",
    "“Toàn dân đoàn kết xây dựng đời sống văn hóa”", "“Chung sức xây dựng nông thôn mới”",
    "“Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở”",
    "“Doanh nghiệp Việt Nam hội nhập và phát triển”", "“Dân vận khéo”", "“Thi đua quyết thắng”",
    "“Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh”", "“Giỏi việc nước, đảm việc nhà”",
    "“Toàn dân bảo vệ an ninh Tổ quốc”", "“Dạy tốt, học tốt”", "“Lương y như từ mẫu”",
]
OCCASIONS = [
    "kỷ niệm Ngày Chủ tịch Hồ Chí Minh ra Lời kêu gọi thi đua ái quốc (11/6)", "Đại hội Đảng bộ tỉnh",
    "Ngày Quốc khánh 2/9", "Tết Nguyên đán", "kỷ niệm ngày thành lập tỉnh", "Ngày Thương binh - Liệt sĩ 27/7",
]
CATEGORIES = [
    "Tin hoạt động cụm, khối thi đua", "Tin thi đua - khen thưởng", "Gương điển hình tiên tiến",
    "Văn bản chỉ đạo", "Tin tức - Sự kiện", "Hoạt động địa phương", "Tin trong tỉnh",
]
PLATFORMS = ["nukeviet"] * 5 + ["tandan", "sharepoint", "liferay", "liferay", "dnn", "joomla", "fitc", "generic", "generic"]
NTH = ["III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]

TITLES = [
    "{Org} tổ chức {event}", "{prov}: {event}", "{Org} tổng kết phong trào thi đua năm {year}",
    "Khen thưởng {n} tập thể, cá nhân có thành tích xuất sắc trong phong trào thi đua {movement}",
    "Trao {award} cho {n} tập thể, cá nhân", "Cụm thi đua số {k} ký kết giao ước thi đua năm {year}",
    "Huyện {district} tổng kết phong trào thi đua năm {year}", "Phát động đợt thi đua cao điểm chào mừng {occasion}",
    "Tôn vinh {n} điển hình tiên tiến trong phong trào {movement}", "Gương sáng trong phong trào {movement} ở {district}",
    "Hội nghị tập huấn nghiệp vụ công tác thi đua, khen thưởng năm {year}", "{Person} dự {event}",
]
SUMMARIES = [
    "Ngày {day}/{month}/{year}, {org} tổ chức {event}.",
    "Năm {year}, phong trào thi đua yêu nước trên địa bàn tỉnh {prov} được triển khai sâu rộng với nhiều hình thức phong phú.",
    "Với chủ đề {movement}, phong trào đã thu hút đông đảo cán bộ, công chức, viên chức và người lao động tham gia.",
    "Dự hội nghị có {person}; đại diện lãnh đạo các sở, ban, ngành, đoàn thể của tỉnh.",
]
SENTENCES = [
    "Sáng ngày {day}/{month}, {org} tổ chức {event}.",
    "Dự hội nghị có {person}; đại diện lãnh đạo các sở, ban, ngành và Ủy ban nhân dân các huyện, thành phố.",
    "Năm {year}, phong trào thi đua yêu nước trên địa bàn tỉnh {prov} tiếp tục được triển khai sâu rộng, thiết thực và hiệu quả.",
    "Các cấp, các ngành đã tích cực hưởng ứng phong trào thi đua {movement}, góp phần hoàn thành các chỉ tiêu kinh tế - xã hội.",
    "Toàn tỉnh có {n} tập thể và {m} cá nhân được đề nghị các cấp khen thưởng.",
    "Nhân dịp này, {org} đã trao {award} cho {n} tập thể và {m} cá nhân có thành tích xuất sắc.",
    "Phát biểu tại hội nghị, {person} ghi nhận và biểu dương những kết quả mà các đơn vị trong cụm thi đua đã đạt được.",
    "Công tác khen thưởng bảo đảm đúng người, đúng việc, công khai, minh bạch, kịp thời; chú trọng khen thưởng người lao động trực tiếp.",
    "Việc phát hiện, bồi dưỡng, nhân rộng các điển hình tiên tiến được quan tâm, nhiều gương người tốt, việc tốt được biểu dương kịp thời.",
    "Tuy nhiên, phong trào thi đua ở một số cơ quan, đơn vị còn mang tính hình thức; việc sơ kết, tổng kết chưa kịp thời.",
    "Năm {next_year}, các đơn vị trong khối thi đua thống nhất ký kết giao ước thi đua với {k} nội dung trọng tâm.",
    "Hội nghị đã suy tôn {org2} làm Trưởng khối thi đua năm {next_year}.",
    "Tại huyện {district}, phong trào “Chung sức xây dựng nông thôn mới” đã huy động được hơn {money} tỷ đồng từ nhân dân và doanh nghiệp.",
    "Đến nay, huyện {district} có {k} xã đạt chuẩn nông thôn mới, {m} thôn, bản đạt chuẩn văn hóa.",
    "Thừa ủy quyền của Chủ tịch nước, {person} đã trao {award} cho các tập thể, cá nhân.",
    "{Person} đề nghị các cấp, các ngành tiếp tục đổi mới nội dung, hình thức tổ chức các phong trào thi đua.",
    "Ban Thi đua - Khen thưởng tỉnh đã thẩm định {n} hồ sơ đề nghị khen thưởng, trong đó có {k} hồ sơ khen thưởng cấp Nhà nước.",
    "Tỷ lệ khen thưởng cho công nhân, nông dân và người lao động trực tiếp đạt {pct}%.",
    "Dịp này, {n} cá nhân được tặng danh hiệu Chiến sĩ thi đua cơ sở và {m} tập thể được công nhận Tập thể lao động tiên tiến.",
    "Các đại biểu đã thảo luận, góp ý vào dự thảo Kế hoạch tổ chức Đại hội Thi đua yêu nước tỉnh {prov} lần thứ {nth}.",
    "Ủy ban nhân dân tỉnh {prov} ban hành Quyết định tặng {award} cho {n} tập thể và {m} cá nhân.",
    "Cụm thi đua gồm {k} tỉnh, thành phố, trong đó có {prov} và {prov2}.",
    "Đoàn công tác của {org} đã đến thăm, tặng quà các gia đình chính sách tại xã {commune}, huyện {district}.",
    "Thực hiện Luật Thi đua, khen thưởng, Sở Nội vụ đã tập huấn nghiệp vụ cho {n} cán bộ làm công tác thi đua, khen thưởng.",
    "Phong trào {movement} đã trở thành động lực để cán bộ, đảng viên và nhân dân các dân tộc vươn lên.",
    "Hưởng ứng đợt thi đua cao điểm chào mừng {occasion}, nhiều công trình, phần việc được hoàn thành vượt tiến độ.",
    "Bà con nhân dân xã {commune} đã hiến hơn {money} nghìn mét vuông đất để làm đường giao thông nông thôn.",
]
RARE_SENTENCE = "Đoàn đã biểu dương gương người tốt, việc tốt ở xã {rare}, vùng biên giới của tỉnh."
CAPTIONS = [
    "{Person} trao {award} cho các tập thể có thành tích xuất sắc.", "Quang cảnh hội nghị.",
    "Các đại biểu dự {event}.", "Lãnh đạo tỉnh {prov} chụp ảnh lưu niệm với các điển hình tiên tiến.",
    "Đại diện các đơn vị ký kết giao ước thi đua.", "{Person} phát biểu tại hội nghị.",
]

#: The query pool: (kind, text typed with diacritics). Each query is also asked as typed without
#: diacritics (``fold``) when that differs. Kinds: word (one common word), phrase, place, rare
#: (a rare place name: a few to ~100 articles in 1M), none (no article matches).
QUERY_POOL = [
    ("word", "thưởng"), ("word", "tỉnh"), ("word", "huyện"), ("word", "đoàn"), ("word", "gương"),
    ("phrase", "thi đua"), ("phrase", "khen thưởng"), ("phrase", "Hội nghị"), ("phrase", "phong trào thi đua"),
    ("phrase", "Bằng khen"), ("phrase", "Huân chương Lao động"), ("phrase", "Chiến sĩ thi đua"),
    ("phrase", "nông thôn mới"), ("phrase", "điển hình tiên tiến"), ("phrase", "Ủy ban nhân dân tỉnh"),
    ("phrase", "văn hóa công sở"), ("phrase", "Bà mẹ Việt Nam anh hùng"), ("phrase", "Cờ thi đua"),
    ("phrase", "ký kết giao ước"),
    ("place", "Điện Biên"), ("place", "Hà Giang"), ("place", "Quảng Ninh"), ("place", "Lai Châu"),
    ("place", "Đồng Văn"), ("place", "Mường Nhé"), ("place", "Mèo Vạc"), ("place", "Đắk Lắk"),
    ("rare", "Sín Thầu"), ("rare", "A Pa Chải"), ("rare", "Lũng Cú"), ("rare", "Pa Vây Sử"), ("rare", "Hang Kia"),
    ("rare", "Y Tý"),
    ("none", "tàu vũ trụ"), ("none", "blockchain"),
]
SAMPLE_QUERIES = ["thi đua", "thi dua", "Điện Biên", "Sín Thầu"]  # matches counted both ways

# --- generating articles ---------------------------------------------------------------------

START = datetime(2010, 1, 1)
SPAN_SECONDS = int((datetime(2026, 1, 1) - START).total_seconds())
WEEKDAYS = ["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def make_portals() -> list[dict]:
    """One portal per province (60), as the registry would name them."""
    portals = []
    for i, prov in enumerate(PROVINCES):
        slug = slugify(prov).replace("-", "")
        portals.append({
            "slug": f"tdkt-{slug}", "name": f"Ban Thi đua - Khen thưởng tỉnh {prov}", "province": prov,
            "base_url": f"https://thiduakhenthuong.{slug}.gov.vn", "platform": PLATFORMS[i % len(PLATFORMS)],
        })
    return portals


def _name(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"


class _Slots(dict):
    """Template values: fixed ones for the article, the rest drawn on first use in a sentence."""

    def __init__(self, rng: random.Random, fixed: dict):
        super().__init__(fixed)
        self.rng = rng

    def __missing__(self, key: str) -> str:
        rng, prov = self.rng, self["prov"]
        if key[0].isupper():  # {Org}, {Person}: capitalised first letter
            value = self[key.lower()]
            value = value[0].upper() + value[1:]
        elif key in ("org", "org2"):
            value = rng.choice(ORGS).format(prov=prov if key == "org" else rng.choice(PROVINCES))
        elif key == "person":
            value = f"đồng chí {_name(rng)}, {rng.choice(ROLES)}"
        elif key == "award":
            value = rng.choice(AWARDS)
        elif key == "event":
            value = rng.choice(EVENTS).format(year=self["year"], nth=rng.choice(NTH))
        elif key == "movement":
            value = rng.choice(MOVEMENTS)
        elif key == "occasion":
            value = rng.choice(OCCASIONS)
        elif key in ("n", "m"):
            value = str(rng.randint(3, 250))
        elif key == "k":
            value = str(rng.randint(2, 14))
        elif key == "pct":
            value = f"{rng.randint(35, 88)},{rng.randint(0, 9)}"
        elif key == "money":
            value = str(rng.randint(2, 900))
        elif key == "nth":
            value = rng.choice(NTH)
        elif key == "prov2":
            value = rng.choice(PROVINCES)
        elif key == "commune":
            value = rng.choice(COMMUNES)
        elif key == "rare":
            names, weights = zip(*RARE_COMMUNES)
            value = rng.choices(names, weights)[0]
        elif key == "day":
            value = f"{rng.randint(1, 28):02d}"
        elif key == "month":
            value = f"{rng.randint(1, 12):02d}"
        else:
            raise KeyError(key)
        self[key] = value
        return value


def make_article(index: int, portals: list[dict], seed: int) -> tuple[str, dict, str]:
    """Article ``index`` (0-based) as the crawler hands it to the store: (portal slug, article dict, seen_at).

    Each article has its own seeded generator, so any article can be regenerated alone."""
    rng = random.Random(f"{seed}:{index}")
    portal = portals[min(int(rng.paretovariate(1.2)) - 1, len(portals) - 1) if rng.random() < 0.3
                     else rng.randrange(len(portals))]
    prov = portal["province"]
    published = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    published = published.replace(hour=rng.randint(6, 21))
    year = published.year
    fixed = {"prov": prov, "year": str(year), "next_year": str(year + 1),
             "district": rng.choice(DISTRICTS.get(prov, GENERIC_DISTRICTS))}

    def say(template: str) -> str:
        return template.format_map(_Slots(rng, fixed))

    title = say(rng.choice(TITLES))
    summary = say(rng.choice(SUMMARIES)) if rng.random() < 0.9 else None
    paragraphs: list[str] = []
    length = 0
    target = rng.randint(300, 1500)
    while length < target:
        paragraph = " ".join(say(rng.choice(SENTENCES)) for _ in range(rng.randint(2, 4)))
        if length and length + len(paragraph) > 1500:
            break
        paragraphs.append(paragraph)
        length += len(paragraph) + 2
    if rng.random() < RARE_SENTENCE_RATE:
        at = rng.randrange(len(paragraphs))
        paragraphs[at] += " " + say(RARE_SENTENCE)
    category = rng.choice(CATEGORIES)
    base = portal["base_url"]
    images = []
    for _ in range(rng.choice((0, 0, 1, 1, 1, 2, 3))):
        src = f"{base}/uploads/news/{year}_{published.month:02d}/{rng.getrandbits(48):012x}.jpg"
        caption = say(rng.choice(CAPTIONS)) if rng.random() < 0.7 else None
        images.append(Image(src=src, caption=caption, alt=caption if caption and rng.random() < 0.3 else None))
    body_html = "".join(
        ([f'<figure><img src="{html.escape(images[0].src)}">'
          + (f"<figcaption>{html.escape(images[0].caption)}</figcaption>" if images[0].caption else "")
          + "</figure>"] if images else [])
        + [f"<p>{html.escape(p)}</p>" for p in paragraphs]
    )
    related = []
    for _ in range(rng.choice((0, 3, 5, 5))):
        when = published - timedelta(days=rng.randint(1, 400))
        related.append(RelatedLink(
            url=f"{base}/vi/news/{slugify(category)}/tin-{rng.randrange(10**7)}.html", title=say(rng.choice(TITLES)),
            published_at=when.strftime("%Y-%m-%d"), published_raw=when.strftime("(%d/%m/%Y)")))
    if portal["platform"] == "nukeviet":
        raw = f"{WEEKDAYS[published.weekday()]} - {published:%d/%m/%Y %H:%M}"
    else:
        raw = f"{published:%d/%m/%Y %H:%M}"
    article = Article(
        url=f"{base}/vi/news/{slugify(category)}/{slugify(title)[:80].rstrip('-')}-{index + 1}.html",
        platform=portal["platform"], title=title, category=category, summary=summary,
        author=_name(rng) if rng.random() < 0.6 else None,
        source=f"Ban Thi đua - Khen thưởng tỉnh {prov}" if rng.random() < 0.3 else None,
        published_at=f"{published:%Y-%m-%dT%H:%M:%S}+07:00", published_raw=raw,
        body_text="\n\n".join(paragraphs), body_html=body_html, images=images, related_links=related,
        site_name=portal["name"],
    ).to_dict()
    seen = max(datetime(2025, 1, 1) + timedelta(seconds=rng.randrange(180 * 86400)),
               published + timedelta(hours=rng.randint(1, 48)))
    return portal["slug"], article, f"{seen:%Y-%m-%dT%H:%M:%S}+07:00"


# --- building the archive file ---------------------------------------------------------------


def _insert_sql(table: str, columns: list[str]) -> str:
    return f"insert into [{table}] ({', '.join(f'[{c}]' for c in columns)}) values ({', '.join('?' * len(columns))})"


def build(path: Path, n: int, seed: int) -> dict[str, float]:
    """Write a fresh archive of ``n`` articles at ``path``; returns the seconds each phase took."""
    started = time.perf_counter()
    phases: dict[str, float] = {}
    partial = path.with_name(path.name + ".partial")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    db = store.open_db(str(partial))  # the schema, FTS table and triggers, exactly as a crawl creates them
    portals = make_portals()
    for p in portals:
        store.save_portal(db, p["slug"], name=p["name"], base_url=p["base_url"], platform=p["platform"],
                          seen_at="2025-01-01T00:00:00+07:00", province=p["province"])
    conn = db.conn
    # Bulk load: no journal, no fsync, FTS triggers off (the index is rebuilt once at the end).
    triggers = conn.execute("select sql from sqlite_master where type = 'trigger' and tbl_name = 'articles'").fetchall()
    for (name,) in conn.execute("select name from sqlite_master where type = 'trigger' and tbl_name = 'articles'").fetchall():
        conn.execute(f"drop trigger [{name}]")
    conn.execute("pragma journal_mode = delete")
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    conn.execute("pragma cache_size = -262144")  # 256 MB
    article_cols = ["id", *store._article_row(make_article(0, portals, seed)[1], portal="", digest="", seen_at=""),
                    "first_seen_at"]
    image_cols = ["article_id", "position", "src", "caption", "alt"]
    link_cols = ["article_id", "position", "url", "title", "published_at", "published_raw"]
    sql_articles, sql_images, sql_links = (_insert_sql("articles", article_cols), _insert_sql("images", image_cols),
                                           _insert_sql("related_links", link_cols))
    for first in range(0, n, BATCH):
        articles, images, links = [], [], []
        for index in range(first, min(first + BATCH, n)):
            slug, article, seen_at = make_article(index, portals, seed)
            row = store._article_row(article, portal=slug, digest=store.content_hash(article), seen_at=seen_at)
            row.update(id=index + 1, first_seen_at=seen_at)
            articles.append([row[c] for c in article_cols])
            images += [[index + 1, i, im["src"], im["caption"], im["alt"]] for i, im in enumerate(article["images"])]
            links += [[index + 1, i, li["url"], li["title"], li["published_at"], li["published_raw"]]
                      for i, li in enumerate(article["related_links"])]
        with conn:
            conn.executemany(sql_articles, articles)
            conn.executemany(sql_images, images)
            conn.executemany(sql_links, links)
        done = first + len(articles)
        if done % 100_000 == 0 or done == n:
            print(f"  {done:,} articles written ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    phases["rows"] = time.perf_counter() - started
    print("  building articles_fts ('rebuild') …", file=sys.stderr)
    with conn:
        conn.execute("insert into articles_fts (articles_fts) values ('rebuild')")
        for (sql,) in triggers:
            conn.execute(sql)
    store.ensure_db_shape(db)  # back to WAL, foreign keys on, no pending migration
    phases["fts"] = time.perf_counter() - started - phases["rows"]
    print("  checking the schema and articles_fts (integrity-check) …", file=sys.stderr)
    check_archive(conn, n, full=True)
    conn.execute("pragma wal_checkpoint(truncate)")
    db.close()
    partial.replace(path)
    phases["check"] = time.perf_counter() - started - phases["rows"] - phases["fts"]
    phases["total"] = time.perf_counter() - started
    return phases


def check_archive(conn: sqlite3.Connection, n: int, full: bool) -> None:
    """The file has the store's exact schema, ``n`` articles, and ``articles_fts`` in sync with them."""
    fresh = store.open_db(":memory:")
    schema = "select type, name, tbl_name, sql from sqlite_master order by type, name"
    if conn.execute(schema).fetchall() != fresh.conn.execute(schema).fetchall():
        raise SystemExit("built archive's schema differs from store.open_db's")
    count = conn.execute("select count(*) from articles").fetchone()[0]
    indexed = conn.execute("select count(*) from articles_fts_docsize").fetchone()[0]
    if count != n or indexed != n:
        raise SystemExit(f"archive has {count} articles, {indexed} indexed; expected {n}")
    if full:  # compares every indexed token with the articles table (external content)
        with conn:  # an error here means the index and the table disagree
            conn.execute("insert into articles_fts (articles_fts, rank) values ('integrity-check', 1)")


def reusable(path: Path, n: int, seed: int) -> str | None:
    """Why the existing file cannot be reused, or None when it can."""
    if not path.exists():
        return "no archive yet"
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check_archive(conn, n, full=False)
            portals = make_portals()
            for index in {0, n // 2, n - 1}:
                slug, article, _ = make_article(index, portals, seed)
                stored = conn.execute("select content_hash from articles where id = ?", [index + 1]).fetchone()
                if stored is None or stored[0] != store.content_hash(article):
                    return f"article {index + 1} differs from this generator (other seed or version)"
        finally:
            conn.close()
    except (sqlite3.Error, SystemExit) as e:
        return str(e)
    return None


# --- measuring -------------------------------------------------------------------------------

FTS_SQL = ("select id, title from articles where id in (select rowid from articles_fts where articles_fts match "
           "escape_fts(:q)) order by published_at desc limit 20")
LIKE_SQL = "select id, title from articles where title like :p or body_text like :p order by published_at desc limit 20"
LIKE_FOLDED_SQL = "select id, title from articles where search_folded like :p order by published_at desc limit 20"
METHODS = {
    "fts": "FTS, table API (`articles.json?_search=`)",
    "search": "FTS, search page API (`/search.json?q=`)",
    "search_newest": "FTS, search page API, newest first (`/search.json?q=&sort=newest`)",
    "fts_sql": "FTS, SQL API (same FTS5 match, 20 newest)",
    "like": "LIKE, SQL API (`title/body_text like`, or `search_folded like`)",
}
#: Where the table API's time goes: the same `_search` request with Datasette's extras switched off.
TABLE_API_VARIANTS = {
    "as is": {}, "`_nosuggest=1`": {"_nosuggest": "1"}, "`_nofacet=1`": {"_nofacet": "1"},
    "`_nofacet=1&_nocount=1`": {"_nofacet": "1", "_nocount": "1"},
}


def pick_queries(count: int, seed: int) -> list[tuple[str, str]]:
    """(kind, query) pairs: the pool with and without diacritics, a seeded sample if ``count`` is smaller."""
    pool: list[tuple[str, str]] = []
    for kind, text in QUERY_POOL:
        pool.append((kind, text))
        if fold(text) != text.lower():
            pool.append((kind + ", no diacritics", fold(text)))
    if count >= len(pool):
        return pool
    chosen = set(random.Random(seed).sample(range(len(pool)), count))
    return [q for i, q in enumerate(pool) if i in chosen]


def without_diacritics(query: str) -> bool:
    return fold(query) == query.lower()


def requests_for(name: str, method: str, query: str) -> tuple[str, dict]:
    if method == "fts":
        return f"/{name}/articles.json", {"_search": query, "_shape": "objects", "_size": "20"}
    if method == "search":
        return "/search.json", {"q": query}
    if method == "search_newest":
        return "/search.json", {"q": query, "sort": "newest"}
    if method == "fts_sql":
        return f"/{name}.json", {"sql": FTS_SQL, "q": query, "_shape": "objects"}
    if without_diacritics(query):
        return f"/{name}.json", {"sql": LIKE_FOLDED_SQL, "p": f"%{fold(query)}%", "_shape": "objects"}
    return f"/{name}.json", {"sql": LIKE_SQL, "p": f"%{query}%", "_shape": "objects"}


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _rows(method: str, response) -> int | None:
    """How many rows a successful response carries, or None for an error (HTTP, SQL, time limit)."""
    if response.status_code != 200:
        return None
    data = response.json()
    if method in ("search", "search_newest"):
        if any("too long" in note for note in data.get("notes", [])):
            return None
        return len(data["results"])
    return None if data.get("error") else len(data["rows"])


def _search_total(data: dict) -> int | str | None:
    """The search page's match count ("> N" when it stopped counting at its cap)."""
    total = data.get("total")
    return f"> {total:,}" if total is not None and data.get("total_is_capped") else total


async def _timed_get(ds, url: str, params: dict):
    t0 = time.perf_counter()
    response = await ds.client.get(url, params=params)
    return response, (time.perf_counter() - t0) * 1000


async def measure(path: Path, queries: list[tuple[str, str]], repeat: int) -> dict:
    from datasette.app import Datasette

    ds = Datasette([str(path)], metadata=metadata_for(str(path)), settings={"sql_time_limit_ms": 60_000})
    if hasattr(ds, "invoke_startup"):
        await ds.invoke_startup()
    name = path.stem
    timings: dict[str, dict[str, list[float]]] = {m: {q: [] for _, q in queries} for m in METHODS}
    errors: dict[str, int] = dict.fromkeys(METHODS, 0)
    counts: dict[str, dict[str, int | str | None]] = {"fts": {}, "search": {}, "like": {}}
    for round_ in range(repeat + 1):  # round 0 warms the cache and is discarded
        started = time.perf_counter()
        for _, query in queries:
            for method in METHODS:
                response, elapsed = await _timed_get(ds, *requests_for(name, method, query))
                rows = _rows(method, response)
                if rows is None or rows > 20:
                    errors[method] += round_ > 0
                    print(f"  {method} {query!r}: HTTP {response.status_code} {response.text[:200]}", file=sys.stderr)
                    continue
                if round_:
                    timings[method][query].append(elapsed)
                if method == "fts":
                    counts["fts"][query] = response.json().get("filtered_table_rows_count")
                elif method == "search":
                    counts["search"][query] = _search_total(response.json())
        print(f"  round {round_}{' (warm-up, discarded)' if not round_ else ''}: "
              f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
    breakdown: dict[str, dict[str, float]] = {}
    for query in SAMPLE_QUERIES if {"fts", "like"} <= set(METHODS) else []:  # the table API without its extras
        if query not in counts["fts"]:  # not among the timed queries (--queries): count it now
            response, _ = await _timed_get(ds, *requests_for(name, "fts", query))
            counts["fts"][query] = response.json().get("filtered_table_rows_count")
        if query not in counts["search"]:
            response, _ = await _timed_get(ds, *requests_for(name, "search", query))
            counts["search"][query] = _search_total(response.json())
        breakdown[query] = {}
        for label, extra in TABLE_API_VARIANTS.items():
            url, params = requests_for(name, "fts", query)
            runs = [(await _timed_get(ds, url, {**params, **extra}))[1] for _ in range(repeat + 1)][1:]
            breakdown[query][label] = percentile(runs, 50)
        _, params = requests_for(name, "like", query)  # not timed: one full count each
        params["sql"] = re.sub(r"^select id, title (.*) order by.*$", r"select count(*) as n \1", params["sql"])
        response = await ds.client.get(f"/{name}.json", params=params)
        counts["like"][query] = response.json()["rows"][0]["n"] if response.status_code == 200 else None
    return {"timings": timings, "errors": errors, "counts": counts, "breakdown": breakdown}


# --- reporting -------------------------------------------------------------------------------


def machine_facts(path: Path, n: int) -> str:
    import datasette

    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                                  check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    commit = git("rev-parse", "--short", "HEAD")
    if git("status", "--porcelain", "--", "archive") not in ("", "?"):
        commit += " + uncommitted changes in archive/"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else "?"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30 if hasattr(os, "sysconf") else 0
    return (f"{n:,} articles, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, Python {platform.python_version()}, "
            f"SQLite {sqlite3.sqlite_version}, Datasette {datasette.__version__}, commit {commit}, "
            f"load average {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?"


def _short(method: str) -> str:
    return METHODS[method].split(" (")[0]


def report(results: dict, queries: list[tuple[str, str]], repeat: int) -> None:
    timings, errors = results["timings"], results["errors"]
    pooled = {m: [t for q in timings[m].values() for t in q] for m in METHODS}
    limit = f"{SERVE_TIME_LIMIT_MS / 1000:g} s"
    print(f"\n{len(queries)} queries × {repeat} warm runs each (one round before them discarded); latency of the "
          "whole in-process Datasette request in ms; nearest-rank percentiles.\n")
    print(f"| method | requests | p50 ms | p95 ms | max ms | over {limit} | errors |")
    print("|---|---|---|---|---|---|---|")
    for m, label in METHODS.items():
        v = pooled[m]
        if not v:
            print(f"| {label} | 0 | | | | | {errors[m]} |")
            continue
        slow = sum(t > SERVE_TIME_LIMIT_MS for t in v)
        print(f"| {label} | {len(v)} | {percentile(v, 50):,.1f} | {percentile(v, 95):,.1f} | {max(v):,.1f} "
              f"| {slow} | {errors[m]} |")
    print(f"\n\"over {limit}\": requests slower than `newsarchive serve`'s SQL time limit ({limit} per SQL "
          "statement): a LIKE or bare FTS request is one statement, so `serve` would have answered it with an "
          "error; the table API and the search page run several statements, each limited on its own. "
          "The table API also counts the matches and runs the metadata's facets and Datasette's facet "
          "suggestions; the search page API ranks by relevance (bm25), counts and builds snippets. LIKE "
          "queries typed without diacritics scan `search_folded`, the only column where a LIKE can match "
          "\"thi dua\" to \"thi đua\"; a LIKE matches the words as one substring, FTS matches them anywhere "
          "in the article.\n")
    if pooled.get("like"):
        print("| ratio | at p50 | at p95 |")
        print("|---|---|---|")
        for m in METHODS:
            if m != "like" and pooled[m]:
                print(f"| LIKE / {_short(m)} | {percentile(pooled['like'], 50) / percentile(pooled[m], 50):.2f}× "
                      f"| {percentile(pooled['like'], 95) / percentile(pooled[m], 95):.2f}× |")
    kinds: dict[str, list[str]] = {}
    for kind, query in queries:
        kinds.setdefault(kind, []).append(query)
    print("\np50 / p95 ms by kind of query:\n")
    print("| kind | queries | " + " | ".join(_short(m) for m in METHODS) + " |")
    print("|---|---|" + "---|" * len(METHODS))
    for kind, members in kinds.items():
        cells = []
        for m in METHODS:
            v = [t for q in members for t in timings[m][q]]
            cells.append(f"{percentile(v, 50):,.1f} / {percentile(v, 95):,.1f}" if v else "")
        print(f"| {kind} | {len(members)} | " + " | ".join(cells) + " |")
    counts = results["counts"]
    if not results["breakdown"]:
        return

    def n(value: int | str | None) -> str:
        return "" if value is None else value if isinstance(value, str) else f"{value:,}"

    print("\nSample queries: matches (table API: Datasette's count; search page: its total; LIKE: `count(*)` "
          "of the LIKE query), and the table API's median ms with its extras switched off:\n")
    print("| query | matches: table API | search page | LIKE | " + " | ".join(TABLE_API_VARIANTS) + " |")
    print("|---|---|---|---|" + "---|" * len(TABLE_API_VARIANTS))
    for q in SAMPLE_QUERIES:
        times = " | ".join(f"{results['breakdown'][q][v]:,.1f}" for v in TABLE_API_VARIANTS)
        print(f"| {q} | {n(counts['fts'].get(q))} | {n(counts['search'].get(q))} | {n(counts['like'].get(q))} "
              f"| {times} |")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=100, help="how many queries (default: the whole pool, 68)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per query, after one discarded run")
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--rebuild", action="store_true", help="build the archive even if a usable one exists")
    parser.add_argument("--seed", type=int, default=20250101)
    parser.add_argument("--methods", default=",".join(METHODS),
                        help=f"which of {', '.join(METHODS)} to time (default: all; the sample-query breakdown "
                             "needs fts and like)")
    args = parser.parse_args(argv)
    chosen = [m.strip() for m in args.methods.split(",") if m.strip()]
    if not chosen or any(m not in METHODS for m in chosen):
        parser.error(f"--methods: a comma-separated list of {', '.join(METHODS)}")
    for method in [m for m in METHODS if m not in chosen]:
        del METHODS[method]
    if args.articles < 1 or args.queries < 1 or args.repeat < 1:
        parser.error("--articles, --queries and --repeat must be positive")
    path = args.db.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)

    why = "--rebuild" if args.rebuild else reusable(path, args.articles, args.seed)
    if why:
        print(f"building {path} ({args.articles:,} articles; {why}) …", file=sys.stderr)
        phases = build(path, args.articles, args.seed)
        print(f"Build: {args.articles:,} articles in {phases['total']:,.0f} s ({phases['total'] / 60:.1f} min): "
              f"generating and writing rows {phases['rows']:,.0f} s, FTS 'rebuild' {phases['fts']:,.0f} s, "
              f"schema and FTS integrity check {phases['check']:,.0f} s.")
    else:
        print(f"Reusing {path} ({args.articles:,} articles; --rebuild to build it again).")
    print(f"Archive: {path} ({path.stat().st_size / 2**30:.2f} GiB; generated data, do not commit it).")
    print(f"Machine: {machine_facts(path, args.articles)}.")

    queries = pick_queries(args.queries, args.seed)
    results = asyncio.run(measure(path, queries, args.repeat))
    print(f"Load average after the measurement: {_load()} (other processes on the machine change the figures).")
    report(results, queries, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
