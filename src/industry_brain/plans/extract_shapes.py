"""The shapes real documents take, beyond the seeds': relative target dates, tables written with
" | " between cells, PDF text, and names that carry the verb of their sentence.

A news item or a 政府工作报告 writes "今年", "明年", "到“十五五”末" or "力争5年" where a plan writes
到2030年; they are resolved from the document's own date (the first full date it gives, such as
2024年1月15日) or from the year the user states (`plans extract --year`).
"""

from __future__ import annotations

import re
from pathlib import Path

from industry_brain.core.errors import FileRejected
from industry_brain.plans.citations import chinese_number

# 五年规划 (five-year plan) ends: "十四五"末 is 2025, "十五五" 2030
PLAN_ENDS = {"十三五": 2020, "十四五": 2025, "十五五": 2030, "十六五": 2035}
FULL_DATE = re.compile(
    r"(20\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日|(20\d{2})-(\d{1,2})-(\d{1,2})(?!\d)"
)
PLAN_END = re.compile(r"(?:到|至)?[“\"「]?(十[三四五六]五)[”\"」]?(?:末|期末|时期末)")
# "“十四五”期间 规上工业增加值年均增长7%": a plan's aims over its period are aims for its end.
PLAN_PERIOD = re.compile(r"[“\"「]?(十[三四五六]五)[”\"」]?(?:末|期末|时期末|期间|时期)")
# "今年是“十四五”规划收官之年" dates a report that gives no date: the plan's last (or first) year.
PLAN_YEAR_IS = re.compile(r"今年是[“\"「]?(十[三四五六]五)[”\"」]?(?:规划)?的?(收官|开局|起步)之年")
# A 统计公报 reports on the year of its title, whatever day it is published.
REPORT_TITLE = re.compile(
    r"^\D{0,12}?(20\d{2}|二[〇○零][一二三四五六七八九〇○零]{2})\s*年(?:\s*\d{1,2}\s*月份?)?\s*"
    r"(?:国民经济和社会发展统计公报|统计月报|统计公报)|^(?:\D{0,12}?)(20\d{2})\s*年\D{0,8}(?:国民经济和社会发展)?\s*统计公报"
)
WITHIN = re.compile(r"(?:力争|用|通过|再用|未来)?([一二两三四五六七八九十\d]{1,2})\s*年(?:内|时间|左右|后)")
TRAILING = re.compile(
    r"(?:要|将|需|应|应当|必须|力争|努力|确保|争取|实现|达到|突破|分别为|分别|均|年均|年平均|同比|环比|比上月|比上年末|比上年|"
    r"较上年|继续保持|继续|保持|稳定在|为|近|约|共有|共|完成|累计|总计|合计|的|(?<!开工)建设|可比|同口径|实际|名义|有望|"
    r"比上年同期|比去年同期|较去年同期|上年同期|同期|(?<![所存现])在|(?:增长)?目标)+$"
)
LEADING = re.compile(
    r"^(?:全年|今年|本年|明年|同时|其中|全力推动|推动|力争|力求|争创|确保|努力|争取|全区|全市|全县|全省|全州|全国|我市|我区|我县|实现|累计|"
    r"预计|据悉|完成|建成|形成|打造|培育|实施|推进|获得|签约|引进|入选|安排|拜访|走访|拥有|现有|共有|"
    r"经济开发区|开发区|高新区|经开区)+"
)
PERIOD = re.compile(
    r"^(?:在)?(?:[“\"]?十[三四五六]五[”\"]?(?:期间|时期|以来|末)|(?:是|比)20\d{2}\s*年的?|"
    r"20\d{2}\s*年前|"
    r"20\d{2}\s*年(?:全年|\s*\d{1,2}\s*[-—]\s*\d{1,2}\s*月份?|\s*\d{1,2}\s*月份?|底|末)?|"
    r"\d{1,2}\s*[-—]\s*\d{1,2}\s*月份?|\d{1,2}\s*月份?|上半年|前三季度|一季度|当月|本月)"
)
PLACE_VERB = re.compile(r"^(?P<before>.{1,20}?)(?:要|将|累计|共)?(?:实现|完成)(?P<after>(?![率额量]).+)$")
# Two-character subjects that are not places: 工业完成增加值 is 工业增加值, 肇庆完成GDP is GDP.
NOT_PLACES = ("工业", "企业", "项目", "投资", "农业", "财政", "外贸", "外资", "税收", "服务业")
# What a list of examples before 等 names is the noun after it (A、B等项目开工 → 项目开工); a title
# an enterprise is given names the figure (A等3家企业被评为国家级绿色工厂 → 国家级绿色工厂).
EXAMPLES = re.compile(r"^.*(?<![高中初平同均对])等(?![级次奖])(?=[\u4e00-\u9fff]{2})")  # not 高等教育, 等级
TITLED = re.compile(r"^.*?(?:被评为|被认定为|获评为?|荣获)(?=[\u4e00-\u9fff]{2})")


def _year_number(text: str) -> int:
    return int(text) if text.isdigit() else int(chinese_number(text) or 0)


def document_year(paragraphs: list[str]) -> int | None:
    """The year the document speaks of: a 统计公报's title year (二〇二三年…统计公报), else the first
    full date in its first or last lines (2024年1月15日, 2024-01-15), else the year a report names
    itself ("今年是“十四五”规划收官之年": 2025)."""
    head = paragraphs[:15]
    for text in head:
        if m := REPORT_TITLE.search(text.strip()):
            return _year_number(m.group(1) or m.group(2))
    for text in [*head, *paragraphs[-15:]]:
        if m := FULL_DATE.search(text):
            return int(m.group(1) or m.group(4))
    for text in paragraphs:
        if m := PLAN_YEAR_IS.search(text):
            end = PLAN_ENDS[m.group(1)]
            return end if m.group(2) == "收官" else end - 4
    return None


def plan_year(sentence: str) -> int | None:
    """The end year of the five-year plan a sentence speaks of ("“十四五”期间", "到“十五五”末")."""
    m = PLAN_PERIOD.search(sentence)
    return PLAN_ENDS[m.group(1)] if m else None


def _count(text: str) -> int:
    if text.isdigit():
        return int(text)
    return int(chinese_number(text) or 0)


def relative_year(sentence: str, doc_year: int | None) -> int | None:
    """The target year a sentence gives without writing 到20XX年; None when it gives none."""
    if m := PLAN_END.search(sentence):
        return PLAN_ENDS[m.group(1)]
    if doc_year is None:
        return None
    if "明年" in sentence:
        return doc_year + 1
    if m := WITHIN.search(sentence):
        years = _count(m.group(1))
        return doc_year + years if 0 < years <= 15 else None
    if re.search(r"今年|全年|本年度|截至目前|截至当前|截止目前", sentence):
        return doc_year
    return None


def clean_name(name: str) -> str:
    """An indicator's name without the words of its sentence ("工业总产值要" → "工业总产值",
    "2023年，全县实现地区生产总值" → "地区生产总值", "肇庆完成GDP" → "GDP")."""
    # a 统计公报's footnote marks ("地区生产总值[2]174.99亿元") are no part of the name
    text = re.sub(r"\[\d{1,2}\]|［\d{1,2}］|〔\d{1,2}〕|[¹²³⁴⁵⁶⁷⁸⁹⁰]+", "", name.strip())
    text = re.sub(r"^(?:到|至)20\d{2}年[，,]?", "", text)
    text = re.sub(r"^(?:[●■◆•·○\-—\s]|o(?=[\u4e00-\u9fff]))+", "", text)
    # Whatever stands before a year in a name is the sentence's ("五莲县2012年全年生产总值",
    # "提出到2025年地区生产总值", "2020年、2021年规上工业企业产值"): a name holds no year.
    for _ in range(3):
        text = re.sub(r"^.*?20\d{2}\s*年(?:底前|前|底|末|全年)?(?!\s*[基的])[、和及至]?", "", text) or text
    # "158个重点项目投资": the count before the noun is a figure of its own
    text = re.sub(r"^\d+(?:\.\d+)?\s*(?:个|家|项|条|所|座)(?=[\u4e00-\u9fff]{2})", "", text)
    text = re.sub(r"^.{1,8}?带队", "", text)  # 区级领导带队招商考察 -> 招商考察
    text = TITLED.sub("", EXAMPLES.sub("", text))
    text = re.sub(r"^有(?=[\u4e00-\u9fff]{4})(?![效机色关序力限线])", "", text)  # 有高新技术企业
    text = re.sub(r"^.*中有(?=.)", "", text)  # "每千家“四上”企业中有上市企业" -> 上市企业
    for _ in range(3):  # "据悉2024年全市实现": words and periods in any order
        text = LEADING.sub("", PERIOD.sub("", text).strip())
    if m := PLACE_VERB.match(text):
        before = m["before"]
        place = (len(before) <= 2 and before not in NOT_PLACES) or before.endswith(("市", "区", "县", "省"))
        text = m["after"] if place else before + m["after"]
    text = re.sub(r"(?<=[\u4e00-\u9fff]{2})成为.*$", "", text)  # 工业经济总量成为全区第四个 -> 工业经济总量
    bare = TRAILING.sub("", text).strip(" ，,、：:和")
    # "年均增速", "增长率" are names of their own, not words to drop
    return bare or (text if re.search(r"增速|增幅|比重|率$", text) else "")


def unwrap(lines: list[str]) -> list[str]:
    """A text PDF's lines (or a copy of one) broken mid-sentence at the page width, joined back
    into paragraphs. It is a wrapped text when most lines are about as long as its longest ones
    and end without a stop; a document whose lines are paragraphs, or bullets, stays as it is."""
    body = [line.strip() for line in lines if line.strip()]
    if len(body) < 8 or any(line.startswith("\t") for line in lines):
        return lines
    width = sorted(len(line) for line in body)[int(len(body) * 0.8)]
    wrapped = [line for line in body if len(line) >= 0.8 * width and not _STOP.search(line)]
    if width < 15 or len(wrapped) < 0.4 * len(body):
        return lines
    out: list[str] = []
    joining = False
    for raw in lines:
        line = raw.strip()
        if re.fullmatch(r"-\s*\d+\s*-|\d+\s*/\s*\d+", line):
            continue  # a page number
        new = re.match(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、]|[●■◆•])", line)
        if joining and line and not new:
            out[-1] += line
        else:
            out.append(line)
        joining = len(line) >= 0.8 * width and not _STOP.search(line)
    return out


_STOP = re.compile(r"[。；;！？!?：:]$")


def pipe_tables(text: str) -> list[list[list[str]]]:
    """Tables written with "|" between cells: a row a line ("名称 | 2015年 | 2020年"), or a cell a
    line ending in " |" (how some converted documents carry them); a run of such lines is one
    table. A Markdown separator row is passed over."""
    tables: list[list[list[str]]] = []
    rows: list[list[str]] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and set(stripped) <= set("|-: "):
            continue
        if stripped.count("|") >= 2:
            rows.append([c.strip() for c in stripped.strip("|").split("|")])
        elif stripped.endswith("|"):
            rows.append([stripped.rstrip("|").strip()])
        elif rows:
            tables.append(_joined(rows))
            rows = []
    if rows:
        tables.append(_joined(rows))
    return tables


def _joined(rows: list[list[str]]) -> list[list[str]]:
    """A run of one-cell lines is one row of cells, as the table reader takes a cell run."""
    if all(len(r) == 1 for r in rows):
        return [[r[0] for r in rows]]
    return rows


def pdf_text(path: Path) -> str:
    """The text layer of a PDF, page by page; a scanned PDF (no text) is refused with the reason."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, OSError, ValueError) as exc:
        raise FileRejected(path.name, f"无法读取为 PDF：{exc}") from None
    if not re.search(r"[\u4e00-\u9fff]", text):
        raise FileRejected(path.name, "PDF 中没有文字层（可能是扫描件），请先转为文字或使用 .docx/.txt")
    return text
