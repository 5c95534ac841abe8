#!/usr/bin/env python3
"""Deterministic synthetic NukeViet-4-style news portals for crawler benchmarks.

Every page is generated on the fly from (seed, portal index, article id); nothing
is written to disk.  Each portal is one asyncio HTTP/1.1 keep-alive server on its
own port on 127.0.0.1 (optionally 127.0.0.N, see --distinct-ips).  All portals of
one run share a single server process.

Library use::

    from synthetic_portal import SyntheticPortals
    with SyntheticPortals(count=1, articles=2000) as portals:
        portals.start_urls      # listing page 1 of each portal
        ...                     # crawl them
    portals.request_times       # {port: [(time.monotonic(), path), ...]}

CLI::

    python bench/throughput/synthetic_portal.py --articles 2000 --hosts 1 [--port-base 0]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import time
import unicodedata
import urllib.request
import zlib
from datetime import datetime, timedelta
from email.utils import formatdate
from functools import lru_cache
from html import escape
from urllib.parse import parse_qs, unquote

PER_PAGE = 20
NV_VERSION = "4.4"


def _nfc(items):
    return [unicodedata.normalize("NFC", s) for s in items]


# ---------------------------------------------------------------------------
# Vocabulary (hand-written; plausible provincial government news)
# ---------------------------------------------------------------------------

PROVINCES = _nfc("""An Giang|Bà Rịa - Vũng Tàu|Bạc Liêu|Bắc Giang|Bắc Kạn|Bắc Ninh|Bến Tre|Bình Dương|
Bình Định|Bình Phước|Bình Thuận|Cà Mau|Cao Bằng|Đắk Lắk|Đắk Nông|Điện Biên|Đồng Nai|Đồng Tháp|Gia Lai|
Hà Giang|Hà Nam|Hà Tĩnh|Hải Dương|Hậu Giang|Hòa Bình|Hưng Yên|Khánh Hòa|Kiên Giang|Kon Tum|Lai Châu|
Lạng Sơn|Lào Cai|Lâm Đồng|Long An|Nam Định|Nghệ An|Ninh Bình|Ninh Thuận|Phú Thọ|Phú Yên|Quảng Bình|
Quảng Nam|Quảng Ngãi|Quảng Ninh|Quảng Trị|Sóc Trăng|Sơn La|Tây Ninh|Thái Bình|Thái Nguyên|Thanh Hóa|
Thừa Thiên Huế|Tiền Giang|Trà Vinh|Tuyên Quang|Vĩnh Long|Vĩnh Phúc|Yên Bái""".replace("\n", "").split("|"))
CITIES = _nfc(["Hà Nội", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Hồ Chí Minh"])

# (name, host prefix)
DEPARTMENTS = [tuple(_nfc(x)) for x in [
    ("Sở Nội vụ", "snv"), ("Ban Thi đua - Khen thưởng", "thiduakhenthuong"), ("Sở Tư pháp", "stp"),
    ("Sở Kế hoạch và Đầu tư", "skhdt"), ("Sở Tài chính", "stc"), ("Sở Xây dựng", "sxd"),
    ("Sở Y tế", "syt"), ("Sở Giáo dục và Đào tạo", "sgddt"), ("Sở Công Thương", "sct"),
    ("Sở Văn hóa, Thể thao và Du lịch", "svhttdl"), ("Sở Thông tin và Truyền thông", "stttt"),
    ("Sở Tài nguyên và Môi trường", "stnmt"), ("Sở Lao động - Thương binh và Xã hội", "sldtbxh"),
    ("Sở Khoa học và Công nghệ", "skhcn"), ("Sở Giao thông vận tải", "sgtvt"),
    ("Sở Nông nghiệp và Phát triển nông thôn", "snnptnt"), ("Thanh tra tỉnh", "thanhtra"),
    ("Ban Dân tộc", "bandantoc"), ("Văn phòng Đoàn ĐBQH và HĐND", "dbnd"),
]]

CATEGORIES = _nfc([
    "Tin hoạt động", "Tin tức - Sự kiện", "Hoạt động của Sở", "Tin hoạt động cụm, khối thi đua",
    "Thông tin chỉ đạo điều hành", "Tin trong tỉnh", "Cải cách hành chính", "Tin chuyên ngành",
    "Tin địa phương", "Gương điển hình tiên tiến", "Hoạt động của ngành", "Tin tức chung",
])

DISTRICTS = _nfc("""Vị Xuyên|Quản Bạ|Yên Minh|Đồng Văn|Mèo Vạc|Bắc Mê|Hoàng Su Phì|Xín Mần|Bắc Quang|
Quang Bình|Bảo Lạc|Trùng Khánh|Mường Khương|Bát Xát|Tam Đường|Phong Thổ|Tủa Chùa|Mộc Châu|Lục Yên|
Na Hang|Chợ Đồn|Định Hóa|Tràng Định|Thanh Sơn|Mai Châu|Kim Sơn|Quan Hóa|Con Cuông|Hương Khê|Minh Hóa|
Sìn Hồ|Mường Nhé|Văn Chấn|Chiêm Hóa|Ba Bể|Bình Gia""".replace("\n", "").split("|"))

ORGS = _nfc([
    "Ủy ban nhân dân tỉnh", "Thường trực Hội đồng nhân dân tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    "Liên đoàn Lao động tỉnh", "Hội Liên hiệp Phụ nữ tỉnh", "Tỉnh đoàn", "Hội Nông dân tỉnh",
    "Hội Cựu chiến binh tỉnh", "Sở Nội vụ", "Sở Tư pháp", "Sở Tài chính", "Sở Kế hoạch và Đầu tư",
    "Sở Giáo dục và Đào tạo", "Sở Y tế", "Sở Công Thương", "Sở Xây dựng", "Sở Giao thông vận tải",
    "Sở Tài nguyên và Môi trường", "Sở Nông nghiệp và Phát triển nông thôn",
    "Sở Văn hóa, Thể thao và Du lịch", "Sở Thông tin và Truyền thông", "Ban Dân tộc tỉnh",
    "Thanh tra tỉnh", "Bưu điện tỉnh", "Kho bạc Nhà nước tỉnh", "Bảo hiểm xã hội tỉnh", "Cục Thuế tỉnh",
    "Công an tỉnh", "Bộ Chỉ huy Quân sự tỉnh", "Ban Thi đua - Khen thưởng tỉnh",
    "Trung tâm Phục vụ hành chính công tỉnh", "Đài Phát thanh - Truyền hình tỉnh",
    "Chi nhánh Ngân hàng Chính sách xã hội tỉnh", "Khối thi đua các sở, ngành tổng hợp",
    "Khối thi đua các cơ quan Đảng, đoàn thể", "Khối thi đua các huyện vùng cao",
    "Cụm thi đua các doanh nghiệp nhà nước", "Ủy ban nhân dân huyện \x05", "Huyện ủy \x05",
    "Phòng Nội vụ huyện \x05", "Trường Chính trị tỉnh", "Hội Chữ thập đỏ tỉnh",
])

VERBS = _nfc([
    "tổ chức", "triển khai", "phát động", "tổng kết", "sơ kết", "ký kết", "kiểm tra", "hướng dẫn",
    "rà soát", "đánh giá", "quán triệt", "phối hợp tổ chức", "khai mạc", "bế mạc",
])

HOST_VERBS = _nfc(["tổ chức", "phối hợp tổ chức", "khai mạc", "chủ trì tổ chức"])

EVENTS = _nfc([
    "Hội nghị tổng kết công tác thi đua, khen thưởng năm \x03",
    "Hội nghị triển khai nhiệm vụ năm \x04", "Hội nghị ký kết giao ước thi đua năm \x04",
    "Hội nghị sơ kết 6 tháng đầu năm \x03", "lớp bồi dưỡng nghiệp vụ công tác văn thư, lưu trữ",
    "Hội thi tìm hiểu pháp luật cho cán bộ cơ sở", "buổi làm việc với các đơn vị trực thuộc",
    "Lễ kỷ niệm Ngày truyền thống của ngành", "hội nghị đối thoại với doanh nghiệp",
    "Hội nghị trực tuyến với các huyện, thành phố", "lớp tập huấn chuyển đổi số cho cán bộ cấp xã",
    "Hội nghị giao ban công tác quý IV năm \x03", "Hội nghị biểu dương điển hình tiên tiến",
    "Hội nghị triển khai kế hoạch và phát động phong trào thi đua năm \x04",
    "lễ phát động Tháng hành động vì an toàn thực phẩm", "đợt kiểm tra công tác cải cách hành chính",
])

TOPICS = _nfc([
    "công tác cải cách hành chính", "chuyển đổi số", "chương trình mục tiêu quốc gia xây dựng nông thôn mới",
    "chương trình mục tiêu quốc gia giảm nghèo bền vững", "phong trào thi đua yêu nước",
    "công tác phòng, chống thiên tai", "công tác bảo vệ môi trường",
    "kế hoạch phát triển kinh tế - xã hội", "công tác tiếp công dân, giải quyết khiếu nại, tố cáo",
    "công tác phòng, chống tham nhũng, tiêu cực", "công tác quản lý đất đai",
    "đề án vị trí việc làm", "công tác đào tạo, bồi dưỡng cán bộ, công chức",
    "chính sách hỗ trợ đồng bào dân tộc thiểu số", "giải ngân vốn đầu tư công",
    "nhiệm vụ thu ngân sách nhà nước", "xây dựng chính quyền điện tử",
    "cuộc vận động “Người Việt Nam ưu tiên dùng hàng Việt Nam”",
    "phong trào “Cả nước chung tay vì người nghèo - Không để ai bị bỏ lại phía sau”",
    "phong trào “Cán bộ, công chức, viên chức thi đua thực hiện văn hóa công sở”",
    "công tác thi đua, khen thưởng", "công tác dân vận chính quyền", "việc thực hiện quy chế dân chủ ở cơ sở",
    "công tác an toàn, vệ sinh lao động", "dịch vụ công trực tuyến toàn trình",
])

GOALS = _nfc([
    "góp phần hoàn thành thắng lợi các chỉ tiêu kinh tế - xã hội của tỉnh",
    "nâng cao chất lượng phục vụ người dân và doanh nghiệp",
    "tạo khí thế thi đua sôi nổi trong toàn ngành",
    "từng bước nâng cao đời sống vật chất, tinh thần của nhân dân",
    "góp phần giữ vững quốc phòng, an ninh trên địa bàn",
    "xây dựng đội ngũ cán bộ có đủ phẩm chất, năng lực, uy tín",
    "đẩy mạnh thu hút đầu tư vào địa bàn \x01",
    "khơi dậy tính tích cực, năng động, sáng tạo của cán bộ, người lao động",
])

OPENERS = _nfc([
    "Trong những năm qua", "Năm \x03", "Thời gian qua", "Trong 6 tháng đầu năm \x03",
    "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh", "Theo báo cáo của \x02", "Bên cạnh đó", "Ngoài ra",
    "Đồng thời", "Để thực hiện tốt nhiệm vụ trong thời gian tới", "Ngay từ đầu năm",
    "Mặc dù còn nhiều khó khăn, thách thức", "Qua các phong trào thi đua",
])

PROBLEMS = _nfc([
    "việc triển khai ở một số đơn vị còn chậm", "chất lượng một số phong trào thi đua chưa cao",
    "nguồn lực đầu tư còn hạn chế", "công tác phối hợp giữa các ngành có lúc chưa chặt chẽ",
    "cơ sở vật chất, trang thiết bị còn thiếu", "trình độ ứng dụng công nghệ thông tin chưa đồng đều",
])

COMMITS = _nfc([
    "đổi mới nội dung, hình thức tổ chức các phong trào thi đua", "tăng cường công tác kiểm tra, giám sát",
    "nâng cao tinh thần trách nhiệm của cán bộ, công chức", "thực hiện nghiêm kỷ luật, kỷ cương hành chính",
    "đẩy mạnh ứng dụng công nghệ thông tin trong quản lý, điều hành",
])

DOCS = _nfc([
    "dự thảo báo cáo tổng kết", "dự thảo kế hoạch năm \x04", "dự thảo Nghị quyết của Hội đồng nhân dân tỉnh",
    "dự thảo quy chế hoạt động của Khối thi đua", "các giải pháp tháo gỡ khó khăn, vướng mắc",
])

AWARDERS = _nfc([
    "Chủ tịch Ủy ban nhân dân tỉnh", "Bộ trưởng Bộ Nội vụ", "Thủ tướng Chính phủ", "Giám đốc \x02",
    "Ban Chấp hành Liên đoàn Lao động tỉnh",
])

POSITIONS = _nfc([
    "Phó Chủ tịch UBND tỉnh", "Tỉnh ủy viên, Phó Chủ tịch UBND tỉnh",
    "Ủy viên Ban Thường vụ Tỉnh ủy, Trưởng ban Tuyên giáo Tỉnh ủy", "Giám đốc Sở Nội vụ",
    "Trưởng ban Thi đua - Khen thưởng tỉnh", "Phó Chủ tịch Thường trực HĐND tỉnh", "Bí thư Huyện ủy",
    "Chủ tịch UBND huyện", "Phó Giám đốc Sở", "Khối trưởng Khối thi đua", "Chánh Văn phòng UBND tỉnh",
])

SURNAMES = _nfc("Nguyễn Trần Lê Phạm Hoàng Vũ Đặng Bùi Đỗ Hồ Ngô Dương Lý Hà Ma Vàng Sùng Giàng Lò Nông".split())
MIDDLES = _nfc("Văn Thị Hữu Đức Minh Quang Thanh Ngọc Mạnh Thu Xuân Hồng".split())
GIVENS = _nfc("Hạnh Sơn Hải Tuấn Lan Hương Dũng Thắng Bình Hà Nhi Long Phương Cường Thủy Tùng Hiền Nam Huy Trang Mai Khoa".split())

WEEKDAYS = _nfc(["Thứ hai", "Thứ ba", "Thứ tư", "Thứ năm", "Thứ sáu", "Thứ bảy", "Chủ nhật"])

CAPTIONS = _nfc([
    "Quang cảnh Hội nghị", "Đồng chí \x06 - \x07 phát biểu tại Hội nghị",
    "Các đại biểu dự Hội nghị", "Lãnh đạo \x02 trao Bằng khen cho các tập thể có thành tích xuất sắc",
    "Đại diện các đơn vị ký kết giao ước thi đua", "Đoàn công tác kiểm tra thực tế tại cơ sở",
    "Đồng chí \x06 - \x07 trao Cờ thi đua cho đơn vị dẫn đầu phong trào",
])


_STRIP_MARKS = {c: None for c in range(0x300, 0x370)}
_STRIP_MARKS.update({ord("đ"): "d", ord("Đ"): "D"})
_NON_ALNUM = re.compile(r"[^A-Za-z0-9]+")


def change_alias(text: str) -> str:
    """ASCII, lower-case, hyphenated slug (NukeViet 4 style)."""
    text = unicodedata.normalize("NFD", text).translate(_STRIP_MARKS)
    return _NON_ALNUM.sub("-", text).strip("-").lower()


def _person(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVENS)}"


def _build_sentence_pool(n: int = 3000, seed: int = 20201224) -> list[str]:
    """Generic sentences with placeholders filled per site / per article.

    \x01 province, \x02 site organisation, \x03 article year, \x04 year + 1, \x05 district.
    """
    rng = random.Random(seed)
    ch = rng.choice
    ri = rng.randint

    def t1():
        return f"{ch(OPENERS)}, {ch(ORGS)} đã {ch(VERBS)} {ch(EVENTS)}."

    def t2():
        ev = ch(EVENTS)
        return (f"Dự {ev[0].lower() + ev[1:]} có đồng chí {_person(rng)} - {ch(POSITIONS)}; đại diện lãnh đạo "
                f"{ch(ORGS)}, {ch(ORGS)} cùng {ri(40, 250)} đại biểu.")

    def t3():
        return f"{ch(OPENERS)}, {ch(ORGS)} đã tập trung chỉ đạo {ch(TOPICS)}, {ch(GOALS)}."

    def t4():
        return (f"Kết quả, {ch(ORGS)} đã hoàn thành {ri(96, 135)}% kế hoạch, tăng {ri(3, 40)}% so với cùng kỳ "
                f"năm trước.")

    def t5():
        return f"Tổng doanh thu năm \x03 ước đạt {ri(12, 480)},{ri(100, 999)} tỷ đồng, đạt {ri(95, 120)}% kế hoạch."

    def t6():
        return (f"Phát biểu tại hội nghị, đồng chí {_person(rng)} - {ch(POSITIONS)} ghi nhận những kết quả đạt "
                f"được và đề nghị {ch(ORGS)} tiếp tục đẩy mạnh {ch(TOPICS)}, {ch(COMMITS)}.")

    def t7():
        t = ch(TOPICS)
        a, b = rng.sample(PROBLEMS, 2)
        return f"Bên cạnh những kết quả đạt được, {t} vẫn còn một số hạn chế như {a}; {b}."

    def t8():
        return (f"Trong năm, toàn {ch(['ngành', 'tỉnh', 'khối', 'huyện'])} đã có {ri(5, 90)} tập thể và "
                f"{ri(10, 300)} cá nhân được các cấp khen thưởng.")

    def t9():
        return (f"Nhân dịp này, {ch(AWARDERS)} đã tặng Bằng khen cho {ri(2, 30)} tập thể, {ri(3, 60)} cá nhân "
                f"có thành tích xuất sắc trong {ch(TOPICS)}.")

    def t10():
        return f"{ch(ORGS)} cam kết {ch(COMMITS)}, phấn đấu hoàn thành xuất sắc nhiệm vụ được giao năm \x04."

    def t11():
        return f"Các đại biểu đã tập trung thảo luận, đóng góp nhiều ý kiến tâm huyết vào {ch(DOCS)}."

    def t12():
        a, b = rng.sample(TOPICS, 2)
        return f"Hội nghị đã thống nhất {ri(4, 12)} nội dung giao ước thi đua, trong đó tập trung vào {a} và {b}."

    def t13():
        return (f"Thu nhập bình quân của người lao động ước đạt {ri(5, 14)},{ri(1, 9)} triệu đồng/người/tháng, "
                f"năng suất lao động đạt {ri(80, 180)} triệu đồng/người/năm.")

    def t14():
        return (f"Đến nay, trên địa bàn huyện \x05 đã có {ri(3, 25)} xã đạt chuẩn nông thôn mới, {ri(5, 60)} thôn "
                f"đạt chuẩn thôn nông thôn mới kiểu mẫu.")

    def t15():
        return (f"{ch(OPENERS)}, \x02 đã chủ động tham mưu cho Ủy ban nhân dân tỉnh ban hành {ri(3, 40)} văn bản "
                f"chỉ đạo, hướng dẫn về {ch(TOPICS)}.")

    def t16():
        return (f"Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng và trước hạn đạt {ri(92, 99)},"
                f"{ri(1, 9)}%, không có hồ sơ quá hạn.")

    templates = [t1, t2, t3, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t1, t3, t6]
    out = []
    for _ in range(n):
        s = rng.choice(templates)()
        s = s.replace("\x05", ch(DISTRICTS))
        out.append(unicodedata.normalize("NFC", s[0].upper() + s[1:]))
    return out


_SENTENCES: list[str] | None = None


def sentence_pool() -> list[str]:
    global _SENTENCES
    if _SENTENCES is None:
        _SENTENCES = _build_sentence_pool()
    return _SENTENCES


# ---------------------------------------------------------------------------
# A tiny valid baseline JPEG (64x48 mid-grey), built once.
# ---------------------------------------------------------------------------

def _tiny_jpeg(w: int = 64, h: int = 48) -> bytes:
    def seg(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    app0 = seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    dqt = seg(0xDB, b"\x00" + bytes([1] * 64))
    sof = seg(0xC0, struct.pack(">BHHB", 8, h, w, 1) + b"\x01\x11\x00")
    # DC table: one code of length 2 for category 0 ("00").
    # AC table: two codes of length 2: EOB ("00") and 0x01 ("01", unused).
    dht = seg(0xC4, b"\x00" + bytes([0, 1] + [0] * 14) + b"\x00"
              + b"\x10" + bytes([0, 2] + [0] * 14) + b"\x00\x01")
    sos = seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    blocks = ((w + 7) // 8) * ((h + 7) // 8)
    nbits = blocks * 4  # DC diff 0 + EOB per block
    data = bytes(nbits // 8)
    if nbits % 8:
        data += bytes([(1 << (8 - nbits % 8)) - 1])  # pad remaining bits with ones
    return b"\xff\xd8" + app0 + dqt + sof + dht + sos + data + b"\xff\xd9"


JPEG = _tiny_jpeg()

# ---------------------------------------------------------------------------
# One synthetic site
# ---------------------------------------------------------------------------

END_TIME = datetime(2024, 12, 20, 16, 45)  # newest article (local time, +07:00)
TODAY = END_TIME + timedelta(days=3)      # "current date" shown in the header


def vn_long_date(d: datetime) -> str:
    return f"{WEEKDAYS[d.weekday()]}, Ngày {d.day:02d} Tháng {d.month:02d} Năm {d.year}"


def dmy_hm(d: datetime) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year} {d.hour:02d}:{d.minute:02d}"


def dmy_hms_ampm(d: datetime) -> str:
    h12 = d.hour % 12 or 12
    return f"{d.day:02d}/{d.month:02d}/{d.year} {h12:02d}:{d.minute:02d}:{d.second:02d} {'PM' if d.hour >= 12 else 'AM'}"


class Site:
    def __init__(self, index: int, seed: int, articles: int, name: str | None = None,
                 category: str | None = None):
        rng = random.Random(seed * 1_000_003 + index * 7919 + 17)
        self.index = index
        self.seed_base = (seed * 1_000_003 + index * 7919) & 0xFFFFFFFF
        province = rng.choice(PROVINCES)
        dept, prefix = rng.choice(DEPARTMENTS)
        self.province = province
        self.org = dept if dept.endswith("tỉnh") else f"{dept} tỉnh {province}"
        self.name = name or self.org
        self.domain = f"{prefix}.{change_alias(province).replace('-', '')}.gov.vn"
        self.category = category or rng.choice(CATEGORIES)
        self.cat_slug = change_alias(self.category)
        self.n = max(1, int(articles))
        self.pages = (self.n + PER_PAGE - 1) // PER_PAGE
        span = 10 * 365 * 86400
        self.step = max(120, min(26 * 3600, span // self.n))
        self.end_ts = END_TIME.timestamp()
        self.bare_byline = rng.random() < 0.5
        self.views_base = rng.randint(50, 400)
        self.hotline = f"0{rng.randint(200, 299)}.{rng.randint(3800000, 3899999)}"
        self.leader = _person(rng)
        self.base = ""  # set by bind()
        pool = sentence_pool()
        self.pool = [s.replace("\x01", province).replace("\x02", dept) for s in pool]
        self.cat_path = f"/vi/news/{self.cat_slug}/"
        self.meta = lru_cache(maxsize=8192)(self._meta)
        self.article_bytes = lru_cache(maxsize=256)(self._article_bytes)
        self.listing_bytes = lru_cache(maxsize=128)(self._listing_bytes)
        self._chrome_ready = False

    # -- metadata -----------------------------------------------------------

    def _meta(self, i: int):
        """(title, slug, datetime, hometext, url, images[(src, caption)], author, views)."""
        rng = random.Random(self.seed_base * 2_000_033 + i)
        ch = rng.choice
        jitter = int(rng.random() * self.step * 0.7)
        ts = self.end_ts - (self.n - i) * self.step - jitter
        d = datetime.fromtimestamp(ts - ts % 60)
        year, y1 = str(d.year), str(d.year + 1)
        district = ch(DISTRICTS)
        k = rng.randrange(8)
        if k == 0:
            title = f"{ch(ORGS)} {ch(HOST_VERBS)} {ch(EVENTS)}"
        elif k == 1:
            title = f"{ch(ORGS)} triển khai nhiệm vụ {ch(TOPICS)} năm \x04"
        elif k == 2:
            title = f"Đoàn công tác của tỉnh kiểm tra {ch(TOPICS)} tại huyện {district}"
        elif k == 3:
            title = f"Huyện {district} đẩy mạnh {ch(TOPICS)}"
        elif k == 4:
            ev = ch(EVENTS)
            title = f"{ev[0].upper() + ev[1:]} của {ch(ORGS)}"
        elif k == 5:
            title = f"Nâng cao hiệu quả {ch(TOPICS)} trên địa bàn tỉnh"
        elif k == 6:
            title = (f"Khen thưởng {rng.randint(3, 60)} tập thể, cá nhân có thành tích xuất sắc trong "
                     f"{ch(TOPICS)}")
        else:
            title = f"{self.org.split(' tỉnh ')[0]} {ch(HOST_VERBS)} {ch(EVENTS)}"
        title = (title.replace("\x03", year).replace("\x04", y1).replace("\x05", district)
                 .replace("\x01", self.province))
        title = unicodedata.normalize("NFC", title[0].upper() + title[1:])
        slug = change_alias(title)
        venue = ch(["Hội trường Ủy ban nhân dân tỉnh", f"trụ sở {self.org.split(' tỉnh ')[0]}",
                    "Trung tâm Hội nghị tỉnh", f"Hội trường huyện {district}"])
        part = ch(["Sáng", "Chiều"])
        ev = ch(EVENTS).replace("\x03", year).replace("\x04", y1)
        hometext = (f"{part} ngày {d.day:02d}/{d.month:02d}, tại {venue}, {ch(ORGS).replace(chr(5), district)} "
                    f"đã {ch(HOST_VERBS)} {ev}. {rng.choice(self.pool)}").replace("\x03", year).replace("\x04", y1)
        hometext = unicodedata.normalize("NFC", hometext)
        nimg = rng.choice((0, 0, 1, 1, 1, 2, 2))
        folder = f"{d.year}_{d.month:02d}"
        person, pos = _person(rng), ch(POSITIONS)
        images = []
        for j in range(nimg):
            cap = (ch(CAPTIONS).replace("\x06", person).replace("\x07", pos)
                   .replace("\x02", self.org.split(" tỉnh ")[0]))
            images.append((f"/uploads/news/{folder}/{slug[:40].rstrip('-')}-{j + 1}.jpg", cap))
        author = _person(rng)
        views = self.views_base + rng.randint(0, 3000)
        url = f"{self.cat_path}{slug}-{i}.html"
        return (escape(title), slug, d, escape(hometext), url, images, author, views)

    # -- chrome -------------------------------------------------------------

    def bind(self, base: str) -> None:
        self.base = base
        self._build_chrome()

    def _build_chrome(self) -> None:
        org_short = self.org.split(" tỉnh ")[0]
        site = escape(self.name)
        cat = escape(self.category)
        cp = self.cat_path
        menu_items = [
            ("Giới thiệu", "/vi/about/", [
                ("Chức năng, nhiệm vụ", "/vi/about/chuc-nang-nhiem-vu.html"),
                ("Cơ cấu tổ chức", "/vi/about/co-cau-to-chuc.html"),
                ("Lãnh đạo đơn vị", "/vi/about/lanh-dao-don-vi.html"),
                ("Quá trình hình thành và phát triển", "/vi/about/qua-trinh-hinh-thanh-va-phat-trien.html"),
            ]),
            ("Tin tức", "/vi/news/", [
                (self.category, cp),
                ("Tin từ Trung ương", "https://baochinhphu.vn/"),
                ("Tin trong tỉnh", f"https://www.{self.domain.split('.', 1)[1]}/"),
            ]),
            ("Văn bản", "/vi/laws/", [
                ("Văn bản của Trung ương", "https://vanban.chinhphu.vn/"),
                ("Văn bản của tỉnh", "/vi/laws/"),
                ("Cơ sở dữ liệu quốc gia về văn bản pháp luật", "https://vbpl.vn/"),
            ]),
            ("Thủ tục hành chính", "https://dichvucong.gov.vn/", [
                ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn/"),
                ("Tra cứu hồ sơ", "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html"),
            ]),
            ("Hỏi đáp", "/vi/faq/", []),
            ("Liên hệ", "/vi/contact/", []),
        ]

        def menu(cls_ul: str) -> str:
            out = [f'<ul class="{cls_ul}">',
                   '<li><a title="Trang chủ" href="/"><em class="fa fa-lg fa-home">&nbsp;</em>'
                   '<span class="visible-xs-inline-block"> Trang chủ</span></a></li>']
            for label, href, subs in menu_items:
                if subs:
                    out.append(f'<li class="dropdown" role="presentation"><a class="dropdown-toggle" '
                               f'role="button" aria-expanded="false" href="{href}" title="{escape(label)}">'
                               f'{escape(label)} <strong class="caret">&nbsp;</strong></a>'
                               '<ul class="dropdown-menu">')
                    for sl, sh in subs:
                        out.append(f'<li><a href="{sh}" title="{escape(sl)}">{escape(sl)}</a></li>')
                    out.append("</ul></li>")
                else:
                    out.append(f'<li><a href="{href}" title="{escape(label)}">{escape(label)}</a></li>')
            out.append("</ul>")
            return "\n".join(out)

        css_inline = "\n".join(
            f".{name}{{{rule}}}" for name, rule in [
                ("header-top", "background:#0b4d8c;color:#fff;font-size:13px;line-height:30px"),
                ("header-top a", "color:#fff;margin:0 6px"), ("current-time", "float:left;padding-left:10px"),
                ("site_name", "display:block;font-size:24px;font-weight:700;color:#c00;text-transform:uppercase"),
                ("site_description", "display:block;font-size:14px;color:#0b4d8c"),
                ("second-nav", "background:linear-gradient(#1768b3,#0b4d8c);border-bottom:3px solid #f3c614"),
                ("second-nav .nav>li>a", "color:#fff;font-weight:700;text-transform:uppercase;padding:10px 14px"),
                ("third-nav", "background:#f4f6f9;border-bottom:1px solid #dde3ea;padding:6px 0"),
                ("breadcrumbs li", "display:inline-block;margin-right:6px"),
                ("breadcrumbs li+li:before", "content:'\\203A';margin-right:6px;color:#999"),
                ("news_column .panel-body", "padding:12px 15px"), ("news_column h3", "font-size:16px;margin:0 0 6px"),
                ("news_column h3 a", "color:#0b4d8c"), ("imghome", "margin:0 12px 8px 0;max-width:183px"),
                ("hometext", "font-weight:700;text-align:justify"), ("bodytext", "text-align:justify;line-height:1.6"),
                ("bodytext img", "max-width:100%;height:auto"),
                ("bodytext figure.image", "display:table;margin:10px auto"),
                ("bodytext figure.image figcaption", "display:table-caption;caption-side:bottom;font-style:italic"),
                ("other-news ul.related li", "padding:4px 0;border-bottom:1px dotted #ccc"),
                ("block-title", "background:#0b4d8c;color:#fff;padding:6px 10px;font-weight:700;text-transform:uppercase"),
                ("footer-wrap", "background:#0b4d8c;color:#e6eef7;padding:15px 0;font-size:13px"),
                ("footer-wrap a", "color:#fff"), ("bttop", "position:fixed;right:10px;bottom:10px;display:none"),
                ("pagination>.active>a", "background:#0b4d8c;border-color:#0b4d8c"),
                ("counter dt", "float:left;width:60%"), ("counter dd", "text-align:right"),
                ("weblink select", "width:100%;padding:4px"), ("banner-adv img", "width:100%;margin-bottom:6px"),
            ])
        css_files = ["/themes/egov/css/font-awesome.min.css", "/themes/egov/css/bootstrap.non-responsive.css",
                     "/themes/egov/css/style.css", "/themes/egov/css/style.non-responsive.css",
                     "/themes/egov/css/news.css", "/themes/egov/css/custom.css",
                     "/assets/css/jquery.ui.custom.css"]
        js_files = ["/assets/js/jquery/jquery.min.js", "/assets/js/language/vi.js", "/assets/js/global.js",
                    "/themes/egov/js/main.js", "/themes/egov/js/bootstrap.min.js",
                    "/assets/js/jquery-ui/jquery-ui.min.js", "/themes/egov/js/news.js"]
        self._head_static_1 = (
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="keywords" content="{cat}, {escape(org_short)}, {escape(self.province)}, tin tức, '
            'hoạt động, thi đua, khen thưởng, cải cách hành chính">\n'
            f'<meta name="author" content="{site}">\n'
            f'<meta name="copyright" content="{site} [webmaster@{self.domain}]">\n'
            f'<meta name="generator" content="NukeViet v{NV_VERSION}">\n'
            '<meta name="robots" content="index, archive, follow, noodp">\n'
            '<meta name="googlebot" content="index,archive,follow,noodp">\n'
            '<meta name="msnbot" content="all,index,follow">\n'
            f'<meta name="geo.placename" content="{escape(self.province)}, Việt Nam">\n'
        )
        self._head_static_2 = "".join([
            f'<meta property="og:site_name" content="{site}">\n<meta property="og:locale" content="vi_VN">\n',
            '<link rel="shortcut icon" href="/favicon.ico">\n',
            '<link rel="apple-touch-icon" href="/uploads/apple-touch-icon.jpg">\n',
            '<link rel="alternate" href="/vi/news/rss/" title="Tin tức" type="application/rss+xml">\n',
            f'<link rel="alternate" href="/vi/news/rss/{self.cat_slug}/" title="Tin tức - {cat}" '
            'type="application/rss+xml">\n',
            "".join(f'<link rel="StyleSheet" href="{h}?t=1624950921">\n' for h in css_files),
            f"<style>\n{css_inline}\n</style>\n",
            '<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization",'
            f'"name":"{site}","url":"{self.base}/","logo":"{self.base}/uploads/logo.jpg"}}</script>\n',
            '<script data-show="inline">var nv_base_siteurl="/",nv_lang_data="vi",nv_lang_interface="vi",'
            'nv_name_variable="nv",nv_fc_variable="op",nv_lang_variable="language",nv_module_name="news",'
            'nv_func_name="main",nv_is_user=0,nv_my_ofs=7,nv_my_abbr="ICT",nv_cookie_prefix="nv4c_a8Bq1",'
            'nv_check_pass_mstime=1738000,nv_area_admin=0,nv_safemode=0,theme_responsive=1,'
            'nv_is_recaptcha=0,nv_recaptcha_ver=2,nv_recaptcha_sitekey="",nv_recaptcha_type="image",'
            'XSSsanitize=1;</script>\n',
            "".join(f'<script src="{h}?t=1624950921"></script>\n' for h in js_files[:3]),
        ])
        today = vn_long_date(TODAY)
        links_bar = ('<a href="mailto:webmaster@{d}" title="Thư điện tử"><em class="fa fa-envelope"></em> '
                     'Thư điện tử</a><a href="/vi/contact/" title="Liên hệ"><em class="fa fa-phone"></em> Liên hệ</a>'
                     '<a href="/vi/about/" title="Sơ đồ trang"><em class="fa fa-sitemap"></em> Sơ đồ trang</a>'
                     ).format(d=self.domain)
        self._body_top = "".join([
            '<body>\n<noscript><div class="alert alert-danger">Trình duyệt của bạn đang tắt JavaScript. '
            'Một số chức năng của trang sẽ không hoạt động cho đến khi bạn bật lại JavaScript.</div></noscript>\n',
            '<div class="body-bg"><div class="wraper">\n<header>\n<div class="header-top"><div class="container">',
            f'<span class="current-time">{today}</span>',
            f'<div class="pull-right">{links_bar}<span class="hotline"><em class="fa fa-phone-square"></em> '
            f'Đường dây nóng: {self.hotline}</span></div></div></div>\n',
            '<div class="container"><div id="header" class="row">\n'
            '<div class="logo col-xs-24 col-sm-24 col-md-16">',
            f'<a title="{site}" href="/"><img src="/uploads/logo.jpg" width="90" height="90" alt="{site}"></a>',
            f'<span class="site_name">{site}</span>',
            f'<span class="site_description">Cổng thông tin điện tử {escape(org_short)} - '
            f'Ủy ban nhân dân tỉnh {escape(self.province)}</span></div>\n',
            '<div class="col-xs-24 col-sm-24 col-md-8"><div class="headerSearch">'
            '<form action="/index.php" method="get" class="input-group">'
            '<input type="hidden" name="language" value="vi"><input type="hidden" name="nv" value="seek">'
            '<input type="text" class="form-control" maxlength="60" name="q" placeholder="Tìm kiếm...">'
            '<span class="input-group-btn"><button type="submit" class="btn btn-info" title="Tìm kiếm">'
            '<em class="fa fa-search fa-lg"></em></button></span></form></div></div>\n',
            '</div></div>\n</header>\n<nav class="second-nav" id="menusite"><div class="container">'
            '<div class="row"><div class="bg box-shadow">\n',
            menu("nav navbar-nav"),
            '\n</div></div></div></nav>\n',
            '<div id="mobile-menu" class="hidden-md hidden-lg" aria-hidden="true">\n',
            menu("mobile-nav list-none"),
            '\n</div>\n',
            '<div class="container"><div class="marquee-wrap"><span class="marquee-title">Thông báo:</span> '
            f'<span class="marquee">Chào mừng bạn đến với Cổng thông tin điện tử {site}. '
            f'Mọi ý kiến đóng góp xin gửi về địa chỉ thư điện tử webmaster@{self.domain}.</span></div></div>\n',
        ])

        # sidebar: newest articles, notices, web links, counters, banners
        newest = []
        for i in range(self.n, max(0, self.n - 8), -1):
            t, _s, d, _h, url, _im, _a, _v = self.meta(i)
            newest.append(f'<li class="clearfix"><a title="{t}" href="{url}">{t}</a> '
                          f'<span class="text-muted small">({d.strftime("%d/%m/%Y")})</span></li>')
        rng = random.Random(self.seed_base + 99)
        docs = []
        for _ in range(6):
            num = rng.randint(12, 3900)
            kind, abbr = rng.choice([("Quyết định", "QĐ-UBND"), ("Kế hoạch", "KH-UBND"),
                                     ("Công văn", "UBND-NC"), ("Thông báo", "TB-UBND"),
                                     ("Chỉ thị", "CT-UBND")])
            topic = rng.choice(TOPICS)
            docs.append(f'<li><a href="/vi/laws/" title="{kind} số {num}/{abbr}">{kind} số {num}/{abbr}</a>'
                        f'<p class="small">V/v {escape(topic)} trên địa bàn tỉnh</p></li>')
        weblinks = "".join(
            f'<option value="https://www.{change_alias(p).replace("-", "")}.gov.vn/">'
            f'Cổng thông tin điện tử {"thành phố" if p in CITIES else "tỉnh"} {escape(p)}</option>'
            for p in sorted(PROVINCES + CITIES))
        banners = "".join(
            f'<a href="{h}" title="{escape(t)}" target="_blank" rel="noopener">'
            f'<img alt="{escape(t)}" src="/uploads/banners/{change_alias(t)}.jpg" width="280" height="80"></a>\n'
            for t, h in [("Cổng thông tin điện tử Chính phủ", "https://chinhphu.vn/"),
                         ("Cổng Dịch vụ công quốc gia", "https://dichvucong.gov.vn/"),
                         ("Báo điện tử Chính phủ", "https://baochinhphu.vn/"),
                         ("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "https://tuyengiao.vn/"),
                         ("Hệ thống thư điện tử công vụ", f"https://mail.{self.domain.split('.', 1)[1]}/"),
                         ("Chuyển đổi số quốc gia", "https://dx.gov.vn/")])
        online, today_n = rng.randint(8, 90), rng.randint(300, 2500)
        total = rng.randint(400000, 9000000)
        self._sidebar_footer = "".join([
            '</div>\n<div class="col-sm-8 col-md-6"><aside>\n',
            '<div class="panel panel-primary"><div class="block-title">Tin mới nhất</div>'
            '<div class="panel-body"><ul class="list-none block-news">', "".join(newest), '</ul></div></div>\n',
            '<div class="panel panel-primary"><div class="block-title">Văn bản mới</div>'
            '<div class="panel-body"><ul class="list-none block-laws">', "".join(docs), '</ul></div></div>\n',
            '<div class="panel panel-primary banner-adv"><div class="block-title">Liên kết</div>'
            '<div class="panel-body">\n', banners, '</div></div>\n',
            '<div class="panel panel-primary weblink"><div class="block-title">Liên kết website</div>'
            '<div class="panel-body"><select onchange="if(this.value){window.open(this.value);}" '
            'title="Các tỉnh, thành phố">'
            '<option value="">-- Các tỉnh, thành phố --</option>', weblinks, '</select></div></div>\n',
            '<div class="panel panel-primary counter"><div class="block-title">Thống kê truy cập</div>'
            '<div class="panel-body"><dl class="dl-horizontal">',
            f'<dt><em class="fa fa-bolt"></em> Đang truy cập</dt><dd>{online}</dd>',
            f'<dt><em class="fa fa-filter"></em> Hôm nay</dt><dd>{today_n:,}</dd>'.replace(",", "."),
            f'<dt><em class="fa fa-calendar-o"></em> Tháng hiện tại</dt><dd>{today_n * 23:,}</dd>'.replace(",", "."),
            f'<dt><em class="fa fa-bars"></em> Tổng lượt truy cập</dt><dd>{total:,}</dd>'.replace(",", "."),
            '</dl></div></div>\n</aside></div>\n</div></div>\n',
            '<footer class="footer-wrap"><div class="container"><div class="row">\n',
            '<div class="col-xs-24 col-sm-16"><p><strong>', site.upper(), '</strong></p>\n',
            f'<p>Địa chỉ: Số {rng.randint(1, 300)}, đường {rng.choice(GIVENS)} {rng.choice(SURNAMES)}, '
            f'thành phố {escape(self.province)}, tỉnh {escape(self.province)}</p>\n',
            f'<p>Điện thoại: {self.hotline} - Fax: {self.hotline[:-1]}9 - Email: '
            f'<a href="mailto:vanthu@{self.domain}">vanthu@{self.domain}</a></p>\n',
            f'<p>Chịu trách nhiệm chính: {self.leader} - Giám đốc</p>\n',
            f'<p>Giấy phép số {rng.randint(10, 99)}/GP-TTĐT do Sở Thông tin và Truyền thông tỉnh '
            f'{escape(self.province)} cấp ngày {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/'
            f'{rng.randint(2012, 2019)}</p>\n',
            '<p>Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p></div>\n',
            '<div class="col-xs-24 col-sm-8 text-right"><ul class="list-none">'
            '<li><a href="/vi/about/">Giới thiệu</a></li><li><a href="/vi/contact/">Liên hệ</a></li>'
            '<li><a href="/vi/news/rss/">RSS</a></li><li><a href="/vi/faq/">Hỏi đáp</a></li></ul>'
            '<p class="small">Thiết kế bởi <a href="https://vinades.vn/" rel="nofollow">VINADES.,JSC</a></p>'
            '</div>\n</div></div></footer>\n',
            '<a href="javascript:void(0);" class="bttop" title="Lên đầu trang"><em class="fa fa-angle-up fa-2x">'
            '</em></a>\n</div></div>\n',
            "".join(f'<script src="{h}?t=1624950921"></script>\n' for h in js_files[3:]),
            '<script>\n$(function(){$(".dropdown").hover(function(){$(this).addClass("open")},function(){'
            '$(this).removeClass("open")});$(window).scroll(function(){if($(this).scrollTop()>200){'
            '$(".bttop").fadeIn()}else{$(".bttop").fadeOut()}});$(".bttop").click(function(){'
            '$("html,body").animate({scrollTop:0},600);return false});$("#news-bodyhtml img").each(function(){'
            'if($(this).width()>$("#news-bodyhtml").width()){$(this).css({width:"100%",height:"auto"})}})});\n'
            '</script>\n<script async src="https://www.googletagmanager.com/gtag/js?id=G-XXXXXXXX"></script>\n'
            '<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}'
            'gtag("js",new Date());gtag("config","G-XXXXXXXX");</script>\n'
            '</body>\n</html>\n',
        ])
        self._body_top_b = self._body_top.encode("utf-8")
        self._sidebar_footer_b = self._sidebar_footer.encode("utf-8")
        self._cat_crumb_b = self._breadcrumb([(escape(self.category), self.cat_path)]).encode("utf-8")
        self._chrome_ready = True

    def _head(self, title: str, description: str, canonical: str, og_type: str = "website",
              og_image: str = "", extra: str = "") -> str:
        full = f"{title} - {escape(self.category)} - {escape(self.name)}" if title else \
            f"{escape(self.category)} - {escape(self.name)}"
        return "".join([
            '<!DOCTYPE html>\n<html lang="vi" xmlns="http://www.w3.org/1999/xhtml" prefix="og: http://ogp.me/ns#">\n'
            '<head>\n<title>', full, '</title>\n',
            self._head_static_1,
            '<meta name="description" content="', description, '">\n',
            '<meta property="og:title" content="', full, '">\n',
            '<meta property="og:type" content="', og_type, '">\n',
            '<meta property="og:description" content="', description, '">\n',
            '<meta property="og:url" content="', canonical, '">\n',
            f'<meta property="og:image" content="{self.base}{og_image}">\n' if og_image else "",
            '<link rel="canonical" href="', canonical, '">\n',
            extra,
            self._head_static_2,
            '</head>\n',
        ])

    def _breadcrumb(self, extra: list[tuple[str, str]]) -> str:
        items = ['<li itemprop="itemListElement" itemscope itemtype="http://schema.org/ListItem">'
                 '<a href="/" itemprop="item" title="Trang chủ"><span itemprop="name">Trang chủ</span></a>'
                 '<i class="hidden" itemprop="position" content="1"></i></li>']
        for pos, (label, href) in enumerate(extra, start=2):
            items.append('<li itemprop="itemListElement" itemscope itemtype="http://schema.org/ListItem">'
                         f'<a href="{href}" itemprop="item" title="{label}"><span itemprop="name" class="txt">'
                         f'{label}</span></a><i class="hidden" itemprop="position" content="{pos}"></i></li>')
        return ('<nav class="third-nav"><div class="container"><div class="breadcrumbs-wrap">'
                '<ul class="breadcrumbs list-none" itemscope itemtype="http://schema.org/BreadcrumbList">'
                + "".join(items) + '</ul></div></div></nav>\n'
                '<section><div class="container" id="body"><div class="row">\n'
                '<div class="col-sm-16 col-md-18">\n')

    # -- listing --------------------------------------------------------------

    def listing_ids(self, page: int) -> range:
        hi = self.n - (page - 1) * PER_PAGE
        return range(hi, max(0, hi - PER_PAGE), -1)

    def page_url(self, page: int) -> str:
        return self.cat_path if page == 1 else f"{self.cat_path}page-{page}"

    def pager(self, page: int) -> str:
        if self.pages <= 1:
            return ""
        out = ['<div class="text-center"><ul class="pagination">']
        if page > 1:
            out.append(f'<li><a href="{self.page_url(page - 1)}" title="Trang trước" rel="prev">&laquo;</a></li>')
        else:
            out.append('<li class="disabled"><span>&laquo;</span></li>')
        shown = sorted({1, self.pages} | set(range(max(1, page - 3), min(self.pages, page + 3) + 1)))
        prev = 0
        for p in shown:
            if p - prev > 1:
                out.append('<li class="disabled"><span>...</span></li>')
            if p == page:
                out.append(f'<li class="active"><a href="#">{p}</a></li>')
            else:
                out.append(f'<li><a href="{self.page_url(p)}" title="Trang {p}">{p}</a></li>')
            prev = p
        if page < self.pages:
            out.append(f'<li><a href="{self.page_url(page + 1)}" title="Trang sau" rel="next">&raquo;</a></li>')
        else:
            out.append('<li class="disabled"><span>&raquo;</span></li>')
        out.append("</ul></div>\n")
        return "".join(out)

    def _listing_bytes(self, page: int) -> bytes:
        cat = escape(self.category)
        items = []
        for i in self.listing_ids(page):
            t, slug, d, h, url, images, _a, views = self.meta(i)
            thumb = ""
            if images:
                thumb = (f'<a href="{url}" title="{t}"><img alt="{t}" src="{images[0][0].replace("/uploads/", "/assets/", 1)}" '
                         'width="183" class="img-thumbnail pull-left imghome"></a>')
            items.append(
                '<div class="news_column panel panel-default"><div class="panel-body">'
                f'{thumb}<h3><a href="{url}" title="{t}">{t}</a></h3>'
                '<div class="text-muted"><ul class="list-unstyled list-inline">'
                f'<li><em class="fa fa-clock-o">&nbsp;</em> {dmy_hms_ampm(d)}</li>'
                f'<li><em class="fa fa-eye">&nbsp;</em> Lượt xem: {views}</li></ul></div>'
                f'<div class="hometext">{h}</div></div></div>\n')
        canonical = self.base + self.page_url(page)
        title = "" if page == 1 else f"Trang {page}"
        head = self._head(title, f"{cat} - {escape(self.name)}", canonical,
                          extra=(f'<link rel="prev" href="{self.base}{self.page_url(page - 1)}">\n' if page > 1 else "")
                          + (f'<link rel="next" href="{self.base}{self.page_url(page + 1)}">\n'
                             if page < self.pages else ""))
        return b"".join([
            head.encode("utf-8"), self._body_top_b, self._cat_crumb_b, "".join([
            f'<div class="page-header"><h1 class="h2">{cat}</h1>'
            f'<a class="rss" href="/vi/news/rss/{self.cat_slug}/" title="RSS"><em class="fa fa-rss"></em></a></div>\n',
            '<div class="viewcat_page_new">\n', "".join(items), '</div>\n', self.pager(page),
        ]).encode("utf-8"), self._sidebar_footer_b])

    # -- article -------------------------------------------------------------

    def related_ids(self, i: int) -> list[int]:
        older = [j for j in range(i - 1, i - 6, -1) if j >= 1]
        newer = list(range(i + 1, min(self.n, i + 5 - len(older)) + 1))
        return older + newer

    def body_html(self, i: int) -> tuple[str, int]:
        t, slug, d, h, url, images, author, views = self.meta(i)
        rng = random.Random((self.seed_base + 0x5EED) * 3_000_017 + i)
        pool = self.pool
        npool = len(pool)
        year, y1 = str(d.year), str(d.year + 1)
        npar = rng.randint(4, 15)
        img_at = sorted(rng.sample(range(1, npar), min(len(images), npar - 1))) if images else []
        paras = []
        im = 0
        for p in range(npar):
            if im < len(img_at) and img_at[im] == p:
                src, cap = images[im]
                if im == 0:
                    paras.append(f'<p style="text-align: center;"><img alt="{escape(cap)}" height="400" src="{src}" '
                                 f'width="600"></p>\n<p style="text-align: center;"><em>{escape(cap)}</em></p>\n')
                else:
                    paras.append(f'<figure class="image"><img alt="{escape(cap)}" height="400" src="{src}" '
                                 f'width="600"><figcaption>{escape(cap)}</figcaption></figure>\n')
                im += 1
            rnd = rng.random
            text = " ".join([pool[int(rnd() * npool)] for _ in range(rng.randint(2, 6))])
            indent = "&nbsp; &nbsp; &nbsp;" if rng.random() < 0.25 else ""
            paras.append(f'<p style="text-align: justify;">{indent}{text}</p>\n'
                         .replace("\x03", year).replace("\x04", y1))
        if self.bare_byline:
            paras.append(f'<p style="text-align: right;"><strong>{author}</strong></p>\n')
        return "".join(paras), npar

    def _article_bytes(self, i: int) -> bytes:
        t, slug, d, h, url, images, author, views = self.meta(i)
        cat = escape(self.category)
        body, _ = self.body_html(i)
        canonical = self.base + url
        alias = url[len(self.cat_path):]
        print_url = f"/vi/news/print/{self.cat_slug}/{alias}"
        save_url = f"/vi/news/savefile/{self.cat_slug}/{alias}"
        mail_url = f"/vi/news/sendmail/{self.cat_slug}/{alias}"
        related = []
        for j in self.related_ids(i):
            rt, _s, rd, _h, rurl, _im, _a, _v = self.meta(j)
            related.append(f'<li><em class="fa fa-angle-right">&nbsp;</em><a href="{rurl}" title="{rt}">{rt}</a> '
                           f'<em>({dmy_hm(rd)})</em></li>\n')
        iso = f"{d.year}-{d.month:02d}-{d.day:02d}T{d.hour:02d}:{d.minute:02d}:00+07:00"
        head = self._head(t, h, canonical, og_type="article", og_image=images[0][0] if images else "",
                          extra=f'<meta property="article:published_time" content="{iso}">\n'
                                f'<meta property="article:section" content="{cat}">\n')
        return b"".join([
            head.encode("utf-8"), self._body_top_b, self._cat_crumb_b, "".join([
            '<div class="news_column panel panel-default" itemtype="http://schema.org/NewsArticle" itemscope>\n'
            '<div class="panel-body">\n<ul class="list-inline text-right">\n',
            f'<li><a class="dimgray" rel="nofollow" title="Gửi bài viết qua email" href="javascript:void(0);" '
            f'onclick="nv_open_browse(\'{mail_url}\',\'\',650,500,\'resizable=no,scrollbars=yes,toolbar=no,'
            f'location=no,status=no\');return false"><em class="fa fa-envelope fa-lg">&nbsp;</em> Gửi Email</a></li>\n',
            f'<li><a class="dimgray" rel="nofollow" title="In ra" href="javascript: void(0)" '
            f'onclick="nv_open_browse(\'{print_url}\',\'\',840,500,\'resizable=yes,scrollbars=yes,toolbar=no,'
            f'location=no,status=no\');return false"><em class="fa fa-print fa-lg">&nbsp;</em> In trang</a></li>\n',
            f'<li><a class="dimgray" rel="nofollow" title="Lưu bài viết này" href="{save_url}">'
            '<em class="fa fa-save fa-lg">&nbsp;</em> Lưu</a></li>\n</ul>\n',
            f'<h1 class="title margin-bottom-lg" itemprop="headline">{t}</h1>\n',
            f'<span class="hidden hide d-none" itemprop="datePublished">{iso}</span>\n',
            f'<span class="hidden hide d-none" itemprop="dateModified">{iso}</span>\n',
            f'<span class="hidden hide d-none" itemprop="author">{author}</span>\n',
            f'<span class="hidden hide d-none" itemprop="publisher" itemscope itemtype="http://schema.org/Organization">'
            f'<span itemprop="name">{escape(self.name)}</span></span>\n',
            '<div class="margin-bottom-lg"><div class="pull-left">'
            f'<span class="h5">{dmy_hm(d)}</span></div>'
            f'<div class="pull-right small text-muted"><em class="fa fa-eye">&nbsp;</em> Lượt xem: {views}</div>'
            '<div class="clearfix"></div></div>\n',
            f'<div class="hometext m-bottom" itemprop="description">{h}</div>\n',
            '<div id="news-bodyhtml" class="bodytext margin-bottom-lg">\n', body, '</div>\n',
            f'<p class="h5 text-right"><strong>Tác giả: </strong>{author}</p>\n',
            '</div>\n</div>\n',
            '<div class="news_column panel panel-default"><div class="panel-body other-news">\n'
            '<p class="h3"><strong>Tin khác</strong></p>\n<ul class="related list-none">\n',
            "".join(related), '</ul>\n</div></div>\n',
        ]).encode("utf-8"), self._sidebar_footer_b])

    def print_bytes(self, i: int) -> bytes:
        t, slug, d, h, url, images, author, views = self.meta(i)
        body, _ = self.body_html(i)
        return "".join([
            '<!DOCTYPE html>\n<html lang="vi"><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">',
            f'<meta name="robots" content="noindex, nofollow"><title>{t}</title>',
            f'<link rel="canonical" href="{self.base}{url}">'
            '<link rel="StyleSheet" href="/themes/egov/css/print.css"></head>\n<body>\n<div id="print">',
            f'<div id="hd_print"><h2>{escape(self.name)}</h2><h3>{self.base}</h3></div>\n',
            f'<div id="content"><h1>{t}</h1><span class="time">{WEEKDAYS[d.weekday()]} - {dmy_hm(d)}</span>',
            f'<div id="hometext">{h}</div><div id="bodytext" class="clearfix">{body}</div>',
            f'<div id="author"><strong>Tác giả: </strong>{author}</div></div>',
            f'<div id="footer"><p>URL của bản tin này: <a href="{self.base}{url}">{self.base}{url}</a></p>'
            '<p><a href="javascript:window.print()">In bài</a> | <a href="javascript:window.close()">Đóng cửa sổ</a>'
            '</p></div></div>\n</body></html>\n',
        ]).encode("utf-8")

    # -- other served pages ------------------------------------------------------

    STATIC_PAGES = {
        "/vi/about/": "Giới thiệu",
        "/vi/about/chuc-nang-nhiem-vu.html": "Chức năng, nhiệm vụ",
        "/vi/about/co-cau-to-chuc.html": "Cơ cấu tổ chức",
        "/vi/about/lanh-dao-don-vi.html": "Lãnh đạo đơn vị",
        "/vi/about/qua-trinh-hinh-thanh-va-phat-trien.html": "Quá trình hình thành và phát triển",
        "/vi/laws/": "Văn bản",
        "/vi/faq/": "Hỏi đáp",
        "/vi/contact/": "Liên hệ",
        "/admin/": "Đăng nhập quản trị",
    }

    @lru_cache(maxsize=64)
    def static_bytes(self, path: str) -> bytes:
        label = self.STATIC_PAGES[path]
        rng = random.Random(self.seed_base + len(path) * 31 + sum(path.encode()))
        paras = "".join(
            '<p style="text-align: justify;">'
            + " ".join(self.pool[rng.randrange(len(self.pool))] for _ in range(3)).replace("\x03", "2024")
            .replace("\x04", "2025") + "</p>\n" for _ in range(4))
        head = self._head("", escape(label), self.base + path).replace(
            f"<title>{escape(self.category)} - ", f"<title>{escape(label)} - ", 1)
        return "".join([head, self._body_top, self._breadcrumb([(escape(label), path)]),
                        f'<div class="panel panel-default"><div class="panel-body"><h1 class="h2">{escape(label)}'
                        f'</h1>\n{paras}</div></div>\n', self._sidebar_footer]).encode("utf-8")

    @lru_cache(maxsize=4)
    def rss_bytes(self) -> bytes:
        items = []
        for i in self.listing_ids(1):
            t, _s, d, h, url, _im, _a, _v = self.meta(i)
            pub = formatdate(d.timestamp() - 7 * 3600, usegmt=True)  # local +07:00 -> GMT
            items.append(f"<item><title>{t}</title><link>{self.base}{url}</link><guid isPermaLink=\"false\">"
                         f"news_{i}</guid><description>{h}</description><pubDate>{pub}</pubDate></item>")
        return ('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
                f"<title>{escape(self.name)} - {escape(self.category)}</title><link>{self.base}{self.cat_path}"
                f"</link><description>{escape(self.category)}</description><language>vi</language>"
                + "".join(items) + "</channel></rss>\n").encode("utf-8")


# ---------------------------------------------------------------------------
# HTTP serving
# ---------------------------------------------------------------------------

ARTICLE_RE = re.compile(r"([a-z0-9-]*?)-?(\d+)\.html")
NOT_FOUND = ('<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>Lỗi 404</title></head>'
             '<body><div class="alert alert-danger"><h1>Lỗi 404</h1><p>Trang bạn yêu cầu không tồn tại '
             'hoặc đã bị xóa.</p><p><a href="/">Về trang chủ</a></p></div></body></html>\n').encode("utf-8")
ROBOTS = b"User-agent: *\nDisallow: /admin/\n"
HTML = b"text/html; charset=utf-8"


class Portal:
    """Routes requests for one Site and keeps its request log."""

    def __init__(self, site: Site, registry: list["Portal"], gzip_ok: bool = False):
        self.site = site
        self.registry = registry
        self.gzip_ok = gzip_ok
        self.log: list[tuple[float, str]] = []
        self.connections = 0
        self.port = 0
        self.host = "127.0.0.1"

    def route(self, path: str, query: str):
        """Return (status, content_type, body, extra_headers)."""
        s = self.site
        cp = s.cat_path
        if path.startswith(cp):
            rest = path[len(cp):]
            if rest == "":
                return 200, HTML, s.listing_bytes(1), b""
            if rest.startswith("page-"):
                num = rest[5:]
                if num.isdigit():
                    p = int(num)
                    if p == 1:
                        return 301, HTML, b"", b"Location: " + cp.encode() + b"\r\n"
                    if 2 <= p <= s.pages and num[0] != "0":
                        return 200, HTML, s.listing_bytes(p), b""
                return 404, HTML, NOT_FOUND, b""
            m = ARTICLE_RE.fullmatch(rest)
            if m:
                i = int(m.group(2))
                if 1 <= i <= s.n and m.group(2)[0] != "0":
                    url = s.meta(i)[4]
                    if url != path:
                        return 301, HTML, b"", b"Location: " + url.encode() + b"\r\n"
                    return 200, HTML, s.article_bytes(i), b""
            return 404, HTML, NOT_FOUND, b""
        if path in ("/", "/vi/", "/vi/news/", "/index.php"):
            return 200, HTML, s.listing_bytes(1), b""
        if path == cp[:-1]:
            return 301, HTML, b"", b"Location: " + cp.encode() + b"\r\n"
        if path.startswith("/uploads/") or path.startswith("/assets/news/"):
            if path.endswith(".jpg"):
                return 200, b"image/jpeg", JPEG, b"Cache-Control: max-age=2592000\r\n"
            return 404, HTML, NOT_FOUND, b""
        if path == "/robots.txt":
            return 200, b"text/plain; charset=utf-8", ROBOTS, b""
        for kind in ("print", "savefile"):
            pre = f"/vi/news/{kind}/{s.cat_slug}/"
            if path.startswith(pre):
                m = ARTICLE_RE.fullmatch(path[len(pre):])
                if m and 1 <= int(m.group(2)) <= s.n and s.meta(int(m.group(2)))[4] == cp + path[len(pre):]:
                    body = s.print_bytes(int(m.group(2)))
                    if kind == "print":
                        return 200, HTML, body, b""
                    return 200, b"application/octet-stream", body, (
                        b'Content-Disposition: attachment; filename="' + path[len(pre):].encode() + b'"\r\n')
                return 404, HTML, NOT_FOUND, b""
        if path in ("/vi/news/rss/", f"/vi/news/rss/{s.cat_slug}/"):
            return 200, b"application/rss+xml; charset=utf-8", s.rss_bytes(), b""
        if path in Site.STATIC_PAGES:
            return 200, HTML, s.static_bytes(path), b""
        if path.startswith(("/themes/", "/assets/")):
            if path.endswith(".css"):
                return 200, b"text/css", b"/* theme */\nbody{font-family:Arial,sans-serif}\n", b""
            if path.endswith(".js"):
                return 200, b"application/javascript", b"/* script */\n", b""
        return 404, HTML, NOT_FOUND, b""

    def stats(self, query: str) -> bytes:
        q = parse_qs(query)
        since = int(q.get("since", ["0"])[0] or 0)
        ports = self.registry if q.get("all", ["0"])[0] == "1" else [self]
        return json.dumps({"ports": {str(p.port): {"count": len(p.log), "connections": p.connections,
                                                   "requests": p.log[since:]}
                                     for p in ports}}).encode()


REASONS = {200: b"OK", 301: b"Moved Permanently", 400: b"Bad Request", 404: b"Not Found",
           405: b"Method Not Allowed"}
_date_cache = [0, b""]


def http_date() -> bytes:
    now = int(time.time())
    if now != _date_cache[0]:
        _date_cache[0] = now
        _date_cache[1] = formatdate(now, usegmt=True).encode()
    return _date_cache[1]


class HttpProtocol(asyncio.Protocol):
    __slots__ = ("portal", "transport", "buf")

    def __init__(self, portal: Portal):
        self.portal = portal
        self.transport = None
        self.buf = b""

    def connection_made(self, transport):
        self.transport = transport
        self.portal.connections += 1

    def data_received(self, data: bytes):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                if len(self.buf) > 65536:
                    self.transport.close()
                return
            head = self.buf[:end]
            self.buf = self.buf[end + 4:]
            if not self.handle(head):
                self.transport.close()
                return

    def handle(self, head: bytes) -> bool:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3:
            self.send(400, HTML, b"bad request\n", b"", False, False)
            return False
        method, target, version = parts
        conn = b""
        gz = False
        clen = 0
        for line in lines[1:]:
            k, _, v = line.partition(b":")
            k = k.strip().lower()
            if k == b"connection":
                conn = v.strip().lower()
            elif k == b"accept-encoding":
                gz = b"gzip" in v
            elif k == b"content-length":
                clen = int(v.strip() or 0)
        keep = (conn != b"close") if version == b"HTTP/1.1" else (conn == b"keep-alive")
        if method not in (b"GET", b"HEAD") or clen:
            self.send(405, HTML, b"method not allowed\n", b"Allow: GET, HEAD\r\n", False, False)
            return False
        target_s = target.decode("latin-1")
        if target_s.startswith("http://") or target_s.startswith("https://"):
            target_s = "/" + target_s.split("/", 3)[3] if target_s.count("/") >= 3 else "/"
        path, _, query = target_s.partition("?")
        path = unquote(path)
        portal = self.portal
        if path == "/_stats":
            self.send(200, b"application/json", portal.stats(query), b"Cache-Control: no-store\r\n",
                      method == b"HEAD", keep)
            return keep
        portal.log.append((time.monotonic(), target_s))
        status, ctype, body, extra = portal.route(path, query)
        if gz and portal.gzip_ok and len(body) > 512 and ctype.startswith(b"text/"):
            c = zlib.compressobj(1, zlib.DEFLATED, 31)
            body = c.compress(body) + c.flush()
            extra += b"Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n"
        self.send(status, ctype, body, extra, method == b"HEAD", keep)
        return keep

    def send(self, status: int, ctype: bytes, body: bytes, extra: bytes, head_only: bool, keep: bool):
        hdr = b"".join([
            b"HTTP/1.1 ", str(status).encode(), b" ", REASONS.get(status, b"OK"),
            b"\r\nServer: nginx\r\nDate: ", http_date(),
            b"\r\nContent-Type: ", ctype,
            b"\r\nContent-Length: ", str(len(body)).encode(),
            b"\r\nX-Powered-By: PHP/7.4.33\r\n" if ctype == HTML else b"\r\n",
            extra,
            b"Connection: keep-alive\r\n\r\n" if keep else b"Connection: close\r\n\r\n",
        ])
        if head_only:
            self.transport.write(hdr)
        else:
            self.transport.write(hdr + body)


def make_sites(hosts: int, articles: int, seed: int, name: str | None, category: str | None) -> list[Site]:
    sites = []
    seen = set()
    k = 0
    while len(sites) < hosts:
        s = Site(k, seed, articles, name=name if not sites else None,
                 category=category if not sites else None)
        k += 1
        if s.name in seen and k < hosts * 50:
            continue
        seen.add(s.name)
        sites.append(s)
    return sites


async def serve(hosts: int, articles: int, seed: int, port_base: int, name: str | None,
                category: str | None, distinct_ips: bool, gzip_ok: bool, machine: bool) -> None:
    loop = asyncio.get_running_loop()
    sites = make_sites(hosts, articles, seed, name, category)
    portals: list[Portal] = []
    servers = []
    for k, site in enumerate(sites):
        portal = Portal(site, portals, gzip_ok)
        host = f"127.0.0.{k + 1}" if distinct_ips else "127.0.0.1"
        port = (port_base + k) if port_base else 0
        server = await loop.create_server(lambda p=portal: HttpProtocol(p), host, port,
                                          reuse_address=True, backlog=1024)
        portal.host, portal.port = host, server.sockets[0].getsockname()[1]
        site.bind(f"http://{host}:{portal.port}")
        portals.append(portal)
        servers.append(server)
    info = {"pid": os.getpid(), "portals": [
        {"host": p.host, "port": p.port, "start_url": p.site.base + p.site.cat_path, "name": p.site.name,
         "category": p.site.category, "articles": p.site.n, "listing_pages": p.site.pages}
        for p in portals]}
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    if machine:
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()

        def on_stdin():
            try:
                data = os.read(sys.stdin.fileno(), 4096)
            except OSError:
                data = b""
            if not data:
                stop.set()
        loop.add_reader(sys.stdin.fileno(), on_stdin)
    else:
        for p in portals:
            print(p.site.base + p.site.cat_path, flush=True)
        print(f"# {len(portals)} portal(s) x {articles} articles ({sites[0].pages} listing pages each); "
              f"stats at <base>/_stats?all=1 ; Ctrl-C to stop", file=sys.stderr, flush=True)
    await stop.wait()
    for server in servers:
        server.close()


# ---------------------------------------------------------------------------
# Library API: run the portals in a subprocess
# ---------------------------------------------------------------------------

class SyntheticPortals:
    """Start `count` portals in a separate server process.

    Attributes after start: start_urls, ports, bases, names, articles_per_portal,
    listing_pages (per portal), article_count (total over all portals),
    expected_pages (articles + listing pages, total), request_times.
    """

    def __init__(self, count: int = 1, articles: int = 2000, seed: int = 1, port_base: int = 0,
                 site_name: str | None = None, category: str | None = None, distinct_ips: bool = False,
                 gzip: bool = False, python: str | None = None):
        self.count = count
        self.articles_per_portal = articles
        self.seed = seed
        self.port_base = port_base
        self.site_name = site_name
        self.category = category
        self.distinct_ips = distinct_ips
        self.gzip = gzip
        self.python = python or sys.executable
        self.proc: subprocess.Popen | None = None
        self.info: dict = {}
        self._final: dict[int, list[tuple[float, str]]] | None = None
        self._connections: dict[int, int] = {}

    def start(self) -> "SyntheticPortals":
        cmd = [self.python, os.path.abspath(__file__), "--machine", "--hosts", str(self.count),
               "--articles", str(self.articles_per_portal), "--seed", str(self.seed),
               "--port-base", str(self.port_base)]
        if self.site_name:
            cmd += ["--site-name", self.site_name]
        if self.category:
            cmd += ["--category", self.category]
        if self.distinct_ips:
            cmd.append("--distinct-ips")
        if self.gzip:
            cmd.append("--gzip")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if not line:
            self.proc.wait()
            raise RuntimeError(f"synthetic portal server failed to start (rc={self.proc.returncode})")
        self.info = json.loads(line)
        return self

    @property
    def portals(self) -> list[dict]:
        return self.info.get("portals", [])

    @property
    def start_urls(self) -> list[str]:
        return [p["start_url"] for p in self.portals]

    @property
    def ports(self) -> list[int]:
        return [p["port"] for p in self.portals]

    @property
    def bases(self) -> list[str]:
        return [f"http://{p['host']}:{p['port']}" for p in self.portals]

    @property
    def names(self) -> list[str]:
        return [p["name"] for p in self.portals]

    @property
    def listing_pages(self) -> int:
        return (self.articles_per_portal + PER_PAGE - 1) // PER_PAGE

    @property
    def article_count(self) -> int:
        return self.articles_per_portal * self.count

    @property
    def expected_pages(self) -> int:
        return (self.articles_per_portal + self.listing_pages) * self.count

    def fetch_stats(self) -> dict[int, list[tuple[float, str]]]:
        base = self.bases[0]
        with urllib.request.urlopen(f"{base}/_stats?all=1", timeout=60) as r:
            data = json.loads(r.read())
        self._connections = {int(port): v["connections"] for port, v in data["ports"].items()}
        return {int(port): [(t, path) for t, path in v["requests"]] for port, v in data["ports"].items()}

    @property
    def connections(self) -> dict[int, int]:
        """{port: TCP connections accepted so far} (as of the last stats fetch once stopped)."""
        if self.proc is not None and self.proc.poll() is None:
            self.fetch_stats()
        return dict(self._connections)

    @property
    def request_times(self) -> dict[int, list[tuple[float, str]]]:
        """{port: [(time.monotonic(), path), ...]} for every request served (live while running)."""
        if self.proc is not None and self.proc.poll() is None:
            return self.fetch_stats()
        return self._final or {}

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self._final = self.fetch_stats()
            except Exception:  # noqa: BLE001 - best effort
                self._final = self._final or {}
            try:
                self.proc.stdin.close()
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                try:
                    self.proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None

    def __enter__(self) -> "SyntheticPortals":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=2000, help="articles per portal (default 2000)")
    ap.add_argument("--hosts", type=int, default=1, help="number of portals, one port each (default 1)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--port-base", type=int, default=0,
                    help="first port; portal k listens on port-base+k (0 = ephemeral ports)")
    ap.add_argument("--site-name", default=None, help="name of the first portal (others are generated)")
    ap.add_argument("--category", default=None, help="news category name of the first portal")
    ap.add_argument("--distinct-ips", action="store_true",
                    help="bind portal k to 127.0.0.(k+1) so each portal has its own hostname")
    ap.add_argument("--gzip", action="store_true", help="gzip HTML when the client accepts it")
    ap.add_argument("--machine", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    try:
        asyncio.run(serve(a.hosts, a.articles, a.seed, a.port_base, a.site_name, a.category,
                          a.distinct_ips, a.gzip, a.machine))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
