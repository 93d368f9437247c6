"""Figures in prose, each with its name, value, unit, year and sentence: the targets of a plan or a
report (到2025年规上工业总产值达到2800亿元, 今年地区生产总值增长5.5%左右) and the actuals a report
or a 统计公报 states (全年全县地区生产总值702922万元，比上年增长1.6%).

A sentence is cut into clauses at ，；： and each figure (a number with its unit) takes as its name the
words before it, without the verbs and scope words of the sentence; a clause with no name of its
own takes the figure before it ("…702922万元，比上年增长1.6%": both 地区生产总值), a name opening
with 占 is the share of the figure before it, "A、B、C分别增长x、y、z" gives each its own, and a count
written before its noun ("新增43个起降点", "形成15个产业集群") is named by that noun.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from industry_brain.plans.extract_shapes import (
    FULL_DATE,
    PLAN_ENDS,
    REPORT_TITLE,
    clean_name,
    plan_year,
    relative_year,
)

UNITS = tuple(
    sorted(
        (
            "万元/亩", "吨标准煤/万元", "立方米/万元", "万元/人", "万亿元", "亿元", "万元", "万吨标准煤",
            "吨标准煤", "万吨", "万人", "万家", "亿美元", "万美元", "亿千瓦时", "万千瓦时", "万千瓦",
            "万平方米", "平方公里", "万辆", "万台", "亿块", "亿斤", "万亩", "人年", "个百分点", "%", "‰",
            "家", "个", "项", "件", "条", "人", "台", "亩", "倍", "种", "天", "所", "座", "公里", "吨",
            "元", "岁", "万千伏安", "千伏安", "万千米", "千米", "万头", "头", "万只", "千公顷", "公顷",
            "万户", "户", "万人次", "人次", "次", "亿立方米", "万立方米", "万标箱", "标箱", "艘", "万套",
            "套", "亿件", "万件", "千瓦", "亿度", "名", "个工作日", "工作日",
        ),
        key=len,
        reverse=True,  # the longest first: 万元/亩 before 万元, 万吨标准煤 before 万吨
    )
)  # fmt: skip
COUNTS = ("家", "个", "项", "件", "条", "种", "所", "座", "台", "户", "头", "艘", "套", "次", "名")
_UNIT = "|".join(re.escape(u) for u in UNITS)
_NUM = r"\d+(?:\.\d+)?"
VERBS = {
    "at_least": (
        "达到", "突破", "超过", "高达", "不低于", "不少于", "提高到", "提升至", "提高至", "提升到", "增至",
        "达", "超", "保持在", "稳定在", "保持",
    ),
    "at_most": (
        "控制在", "不超过", "不高于", "降至", "下降到", "降低到", "降低至", "压缩至", "压缩到", "缩短至",
        "缩短到",
    ),
    "increase_by": ("增长", "提高", "提升", "增加"),
    "decrease_by": ("下降", "降低", "减少"),
}  # fmt: skip
_VERB = "|".join(sorted((re.escape(v) for vs in VERBS.values() for v in vs), key=len, reverse=True))
FIGURE = re.compile(
    rf"(?P<verb>{_VERB})?(?:到|至|为)?\s*(?P<value>-?{_NUM})(?:\s*[-—~～]\s*{_NUM})?\s*(?P<unit>{_UNIT})"
    r"(?=(?P<tail>[\u4e00-\u9fff“”\"]*))"
)
# An index is written without a unit: "两化融合发展水平指数达65", "区域科技创新指数达到160以上".
# So is a rate a copy wrote without its % ("工业用水重复利用率保持在95以上").
INDEX = re.compile(rf"(?P<word>指数|强度|系数|率)(?P<verb>{_VERB})(?P<value>{_NUM})(?![\d.%])")
# A figure followed by a noun qualifies it ("超10亿元企业", "50-300亩的", "省级以上企业"), not a target.
QUALIFIER = re.compile(r"^[级的企项产园]|^以上[的企]")
# Words before a count that is written before its noun: "新增43个起降点", "形成15个产业集群".
COUNT_VERBS = re.compile(
    r"(?:新增|净增|新建|建成|形成|打造|培育|实施|推进|引进|签约|争取|获得|开展|累计|创建|认定|建设|"
    r"招引|布局|组建|建立)$"
)
YEAR_AT = re.compile(r"(?<![比较是自从])(20\d{2})\s*年(?![的以]|前后|基础)")
TARGET_YEAR = re.compile(r"(?:到|至|至今到)\s*(20\d{2})\s*年|(20\d{2})\s*年(?:前|底前)")
# Words that set an aim, and words that report a result; 以上, 以内, 左右 lean to an aim, weakly.
TARGET_WORDS = re.compile(
    r"目标(?!企业|客户|市场|群体)|预期|力争|确保|争取|努力|计划|力求|争创|要实现|要达到|将达到|将实现"
)  # 拜访目标企业60家 reports
WEAK_TARGET = re.compile(r"以上|以内|左右")
ACTUAL_WORDS = re.compile(
    r"比上年|同比|较上年|上年同期|初步核算|预计|完成了|实现了|过去|回顾|成绩单|全年共|[比较]20\d{2}\s*年|截至目前|"
    r"与[“\"]?十[二三四]五[”\"]?[末未]相比"
)
SECTION = re.compile(r"^(?:[一二三四五六七八九十]+、|第[一二三四五六七八九十]+[章节部分])")
BENCHMARK = re.compile(r"百分点|高于|低于|快于|慢于|增速居|增幅居|位居|排名")
SPLIT = re.compile(r"[，,；;：:]")
# A count that opens a clause of a report is a figure when a noun follows it ("198家重点企业(…)"),
# not when a statement does ("22个行业增加值实现增长", "34个大类行业中").
NOT_A_NOUN = re.compile(r"实现|增长|下降|成功|认定|完成|保持|达到|开展|中$")
# What became of the things counted: a count after a list of examples is a figure with it.
OUTCOME = re.compile(r"(?:开工|竣工|投产|投用|建成|落地|签约|通过验收)(?:建设)?$|被评为|被认定为|获评")
# A count whose noun is the subject of the clause's next figure ("158个重点项目完成投资189.4亿元").
SUBJECT_OF_NEXT = re.compile(r"^(?P<noun>[\u4e00-\u9fff]{2,12}?)(?:累计|共)?(?:完成|实现)")
# A name that is only the change of the figure before it ("…存量为36581户，较2023年末净增11152户").
BARE_CHANGES = ("增幅", "增速", "涨幅", "净增", "年均增速", "年均增幅")
# A bare measure after a clause that names what it measures ("战略性新兴产业比重提升，完成产值…").
BARE_MEASURES = ("产值", "增加值", "总产值", "营业收入", "收入", "利润", "税收")
# A clause without a figure names the measure the next one gives ("总产值首次突破千亿元大关，超过1100亿元").
MEASURE = re.compile(r"(?:总产值|增加值|产值|收入|投资|总额|产量|利润|税收|能耗|用电量)$")


@dataclass
class Proposal:
    name: str
    unit: str
    direction: str
    target_year: int
    target_value: float | None
    quote: str
    kind: str  # prose | table
    category: str = ""
    baseline_year: int | None = None
    baseline_value: float | None = None
    actual_value: float | None = None
    responsible: list[str] = field(default_factory=list)
    where: str = ""
    change: str | None = None  # for increase_by / decrease_by: percent, annual_percent, points, absolute
    figure: str = "target"  # target | actual: an actual is a figure the document reports for its year


@dataclass
class _Context:
    """What a sentence without a year of its own falls back on."""

    doc_year: int | None
    horizon: int | None
    heading_year: int | None = None
    last_actual: int | None = None
    last_year: int | None = None
    heading: str = ""
    reporting: bool = False  # a document that reports far more than it aims: its default is actual
    places: tuple[str, ...] = ()  # the places the document names (平罗县): no part of a name
    paragraph_year: int | None = None  # the first year the paragraph states (2024年，…比上年增长)


def horizon_of(paragraphs: list[str]) -> int | None:
    """The document's own target year: its most frequent 到YYYY年 or 五年规划 end (“十四五”期间)."""
    years = [int(a or b) for p in paragraphs for a, b in TARGET_YEAR.findall(p)]
    years += [y for p in paragraphs if (y := plan_year(p)) is not None]
    return max(set(years), key=years.count) if years else None


PLACE = re.compile(r"[\u4e00-\u9fff]{2,3}(?:自治县|县|市|区|旗)")
NOT_A_PLACE = re.compile(
    r"^(?:[全本我该各每城市县省园辖社新老小片占为在从对和与及等是的]|开发|高新|经开|示范|功能|核心|重点|产业|工业)"
    r"|(?:地区|城区|市区|社区|园区|景区|片区|矿区|山区|牧区|林区|新区|城市|都市|超市)$"
)


def places_of(paragraphs: list[str]) -> tuple[str, ...]:
    """The places a document names more than once (平罗县, 汉滨区), longest first: a name that opens
    with one ("平罗县制造业占工业增加值比重") is the measure without it."""
    text = "\n".join(paragraphs)
    seen = [p for p in PLACE.findall(text) if not NOT_A_PLACE.match(p)]
    return tuple(sorted({p for p in seen if seen.count(p) > 1}, key=len, reverse=True))


def _sentences(paragraph: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。；;！!？?])", paragraph) if s.strip()]


def prose_figures(paragraphs: list[str], doc_year: int | None) -> list[Proposal]:
    ctx = _Context(doc_year=doc_year, horizon=horizon_of(paragraphs), places=places_of(paragraphs))
    sentences = [s for p in paragraphs for s in _sentences(p)]
    aims = sum(bool(TARGET_WORDS.search(s) or TARGET_YEAR.search(s)) for s in sentences)
    ctx.reporting = sum(bool(ACTUAL_WORDS.search(s)) for s in sentences) > 2 * aims
    # A 统计公报 (its title names one) reports: every figure in it is an actual.
    bulletin = any(REPORT_TITLE.search(p.strip()) for p in paragraphs[:15])
    found: list[Proposal] = []
    for paragraph in paragraphs:
        text = re.sub(r"\[bookmark: [^\]]*\]", "", paragraph).strip()
        if not text or paragraph.startswith("\t"):  # a table cell: read by the table reader
            continue
        if len(text) <= 30 and not text.endswith("。"):
            ctx.heading = text
            if (m := YEAR_AT.search(text)) and not FIGURE.search(text) and not FULL_DATE.search(text):
                ctx.heading_year = int(m.group(1))
            elif SECTION.match(text):
                ctx.heading_year = None  # a new section: the last one's year no longer holds
        carried: tuple[int, str] | None = None
        stated = YEAR_AT.search(text)
        ctx.paragraph_year = int(stated.group(1)) if stated else None
        for sentence in _sentences(text):
            when = _when(sentence, ctx, carried)
            if named := YEAR_AT.findall(sentence):
                ctx.last_year = int(named[-1])  # the last year the sentence named
            if when is None:
                continue
            carried = when
            if when[1] == "actual":
                ctx.last_actual = when[0]
            kind = "actual" if bulletin else when[1]
            found += _figures(sentence.strip(), when[0], kind, ctx, bulletin=bulletin)
    return found


def _when(sentence: str, ctx: _Context, carried: tuple[int, str] | None) -> tuple[int, str] | None:
    """(year, target|actual) of a sentence's figures, or None when it names no year it could mean."""
    if m := TARGET_YEAR.search(sentence):
        aim = int(m.group(1) or m.group(2))
        return aim, "actual" if _bygone(aim, ctx) else "target"
    if (plan := plan_year(sentence)) is not None:
        return plan, _kind(plan, sentence, ctx)
    if m := YEAR_AT.search(sentence):
        return int(m.group(1)), _kind(int(m.group(1)), sentence, ctx, stated=True)
    only_this_year = not re.search(r"今年|明年", sentence) and re.search(r"全年|本年度", sentence)
    if only_this_year and (carried is not None or ctx.last_actual is not None):
        # 全年 in a report of a past year is that year, not the document's
        return carried or (ctx.last_actual, "actual")  # type: ignore[return-value]
    if (relative := relative_year(sentence, ctx.doc_year)) is not None:
        return relative, _kind(relative, sentence, ctx)
    if carried is not None:
        year, kind = carried  # the sentence before's, unless its own words say otherwise
        if ACTUAL_WORDS.search(sentence) and (ctx.doc_year is None or year <= ctx.doc_year):
            return year, "actual"
        return year, "target" if TARGET_WORDS.search(sentence) else kind
    reported = ACTUAL_WORDS.search(sentence) is not None
    if ctx.heading_year is not None:
        return ctx.heading_year, _kind(ctx.heading_year, sentence, ctx)
    if reported and ctx.last_actual is not None:
        return ctx.last_actual, "actual"
    if reported and ctx.paragraph_year is not None:  # "12月份，…同比增长6.2%。…2024年，…比上年增长5.8%"
        return ctx.paragraph_year, "actual"
    if ctx.horizon is not None:
        return ctx.horizon, "target"
    last = ctx.last_year or ctx.doc_year  # a report's aims or results of the year it speaks of
    return (last, _kind(last, sentence, ctx)) if last is not None else None


def _kind(year: int, sentence: str, ctx: _Context, stated: bool = False) -> str:
    """A figure of a year to come, or one a sentence sets as an aim (目标, 力争, 确保), is a target;
    one it reports (比上年, 同比, 预计, 完成了) or states for a year gone by is an actual."""
    if ctx.doc_year is not None and year > ctx.doc_year:
        return "target"
    if _bygone(year, ctx):
        return "actual"
    reported, aimed = ACTUAL_WORDS.search(sentence), TARGET_WORDS.search(sentence)
    # "今年的主要目标是：…比上年提升2个百分点": the aim stated first sets what follows
    if reported and not (aimed and aimed.start() < reported.start()):
        return "actual"
    if aimed:
        return "target"
    if "回顾" in ctx.heading or "成绩" in ctx.heading:
        return "actual"
    if stated:
        horizon = ctx.horizon is not None and year >= ctx.horizon
        return "target" if horizon or WEAK_TARGET.search(sentence) else "actual"
    if ctx.reporting:
        return "actual"
    ahead = ctx.doc_year is None or year >= ctx.doc_year
    return "target" if WEAK_TARGET.search(sentence) or ahead else "actual"


def _bygone(year: int, ctx: _Context) -> bool:
    """A year before the document's own or, where it gives no date, the end of the plan before its
    horizon (a 十四五 plan's “十三五”期间, 至2020年) is reported, not aimed at."""
    if ctx.doc_year is not None:
        return year < ctx.doc_year
    return ctx.horizon is not None and year <= ctx.horizon - 5


def _figures(sentence: str, year: int, kind: str, ctx: _Context, *, bulletin: bool = False) -> list[Proposal]:
    found: list[Proposal] = []
    previous, topic = "", ""
    listed: list[str] = []
    for clause in SPLIT.split(sentence):
        # A clause that states its own year (…，预计2022年全年工业产值有望突破700亿元) speaks of it.
        if (stated := _clause_year(clause)) is not None and stated != year:
            year, kind = stated, "actual" if bulletin else _kind(stated, sentence, ctx, stated=True)
        if kind == "actual" and BENCHMARK.search(clause):
            continue  # 比1-9月加快0.5个百分点, 高于全省2.2个百分点: a comparison, not a figure
        named = _spread(_clause_figures(clause, kind))
        if not named:
            subject = clean_name(re.split(rf"首次|{_VERB}", clause)[0])
            previous = subject if MEASURE.search(subject) else previous
            topic = re.sub(r"(?:比重|占比|规模|总量)$", "", subject)
            listed = _subjects(clause) or listed
            continue
        if topic and clean_name(named[0][0]) in BARE_MEASURES:
            named[0] = (topic + clean_name(named[0][0]), named[0][1], named[0][2])
        topic = ""
        if len(named) > 1 and "分别" in named[0][0] and not clean_name(named[0][0]):
            if len(listed) == len(named):  # "A和B分别达到x和y，分别增长u和v": the same names again
                named = [(name, m, u) for name, (_, m, u) in zip(listed, named, strict=True)]
        elif len(named) > 1 and len({n for n, _, _ in named}) == len(named):
            listed = [n for n, _, _ in named]
        years = _listed_years(clause, len(named))
        kinds = [kind] * len(named)
        if len(named) >= 2 and (span := FROM_TO.match(clause)):
            # "地区生产总值从2015年末的300.41亿元跃升至2020年的469.5亿元": one name, each its year
            named[:2] = [(span["name"], m, u) for _, m, u in named[:2]]
            years = [int(span["y1"]), int(span["y2"])] + [year] * (len(named) - 2)
            kinds[0] = "actual"
            kinds[1] = _kind(years[1], sentence, ctx, stated=True)
        for k, (raw, m, unit) in enumerate(named):
            name = _name(raw, previous, ctx.places) or "（待补指标名）"
            previous = name
            found.append(
                _proposal(name, m, unit, years[k] if years else year, kinds[k], sentence, ctx.heading)
            )
    return found


FROM_TO = re.compile(
    rf"^(?P<name>[^，,；;]*?)(?:由|从)\s*(?P<y1>20\d{{2}})\s*年(?:末|底)?的?\s*-?{_NUM}\s*(?:{_UNIT})"
    rf"[^，,；;\d]*?(?:到|至)\s*(?P<y2>20\d{{2}})\s*年(?:末|底)?的?\s*-?{_NUM}"
)
LISTED_YEARS = re.compile(r"^\s*((?:20\d{2}\s*年\s*[、和及]\s*)+20\d{2}\s*年)")


def _clause_year(clause: str) -> int | None:
    """The year a clause states for itself, not one it compares with (比2015年) nor a list of them."""
    if LISTED_YEARS.match(clause) or not FIGURE.search(clause):
        return None
    if aim := TARGET_YEAR.search(clause):
        return int(aim.group(1) or aim.group(2))
    m = YEAR_AT.search(clause)
    return int(m.group(1)) if m else None


def _listed_years(clause: str, figures: int) -> list[int]:
    """ "2020年、2021年规上工业企业产值398.8亿元、579.33亿元": a year for each figure, in order."""
    m = LISTED_YEARS.match(clause)
    years = [int(y) for y in re.findall(r"20\d{2}", m.group(1))] if m else []
    return years if len(years) == figures else []


def _subjects(clause: str) -> list[str]:
    """The names a clause without figures lists for the next one's 分别 ("高新技术企业和科技型企业在
    2022年的基础上实现“双倍增”，分别超过90家和870家")."""
    head = clean_name(re.split(rf"在|实现|首次|{_VERB}", clause)[0])
    parts = [p for p in re.split(r"[和、及与]", head) if p]
    return parts if len(parts) > 1 else []


def _clause_figures(clause: str, kind: str) -> list[tuple[str, re.Match[str], str]]:
    """(raw name, match, unit) of every figure in a clause, qualifiers left in the next name. In a
    report of actuals a count before a noun is a figure only after a verb ("新增43个起降点"), not in
    passing ("34个大类行业中", "等74家企业")."""
    out: list[tuple[str, re.Match[str], str]] = []
    start, listed = 0, False
    for m in FIGURE.finditer(clause):
        tail, unit, verb = m["tail"] or "", m["unit"], m["verb"] or ""
        if clause[: m.start("value")].endswith("第") or (unit == "个" and tail.startswith("月")):
            continue  # 第23次会议, 连续8个月: an ordinal and a duration, not figures
        before = clause[start : m.start()]
        opened = max(before.rfind("("), before.rfind("（"))
        if opened > max(before.rfind(")"), before.rfind("）")):
            before = before[opened + 1 :]  # "一季度开局良好(GDP增长5.9%)": the name is in the brackets
        if QUALIFIER.match(tail) and verb in ("", "超") and unit not in COUNTS:
            continue  # stays in the next figure's name: "产值10亿元以上企业达80家"
        noun = re.split(r"和(?=\d)|等", re.sub(r"^(?:以上|左右|和|及|与)+", "", tail))[0]
        if unit in COUNTS and noun and not tail.startswith(("左右", "以内", "和")):
            counted = _count(clause, m, before, noun, kind, listed)
            listed = counted is not None and counted[1]
            if counted is not None:
                out.append((counted[0], m, unit))
                start = m.end() + (0 if counted[2] else len(tail))
            continue
        out.append((before if clean_name(before) or not noun else noun, m, unit))
        start = m.end()
    if not out and (index := INDEX.search(clause)):
        out.append((clause[: index.start()] + index["word"], index, ""))
    return out


def _count(
    clause: str, m: re.Match[str], before: str, noun: str, kind: str, listed: bool
) -> tuple[str, bool, bool] | None:
    """A count written before its noun: (its raw name, whether a verb counts it, whether its noun
    also names the clause's next figure), or None where it is no figure ("34个大类行业中")."""
    tail = m["tail"] or ""
    # "新增43个起降点、58条航线": the second count is the first's verb's too
    # "实施总投资35亿元的80项工程": the verb stands before the amount that qualifies the count
    lead = re.sub(rf"(?:总投资|投资)?\s*{_NUM}\s*(?:{_UNIT})的$", "", before.strip())
    verbed = COUNT_VERBS.search(lead) is not None or (listed and before.strip() in "、和及")
    # "A、B等99个项目建成投用": the examples do not name the count, what became of them does
    own = "" if before.rstrip().endswith("等") and OUTCOME.search(noun) else before
    bare_noun = not clean_name(own) and not NOT_A_NOUN.search(noun)
    # "158个重点项目完成投资189.4亿元": the count of what the next figure measures
    subject = SUBJECT_OF_NEXT.match(noun) if FIGURE.search(clause, m.end()) else None
    if kind == "actual" and not verbed and not bare_noun and subject is None:
        return None  # stays in the next figure's name: "60户工业龙头企业产值同比增长30%"
    if subject is not None and not verbed:
        return subject["noun"], False, True
    keep = next((w for w in ("新增", "净增") if before.strip().endswith(w)), "")
    counted = verbed or not clean_name(own)
    name = keep + noun if counted or tail.startswith("以上") else clean_name(own) + noun
    return name, verbed, False


def _spread(named: list[tuple[str, re.Match[str], str]]) -> list[tuple[str, re.Match[str], str]]:
    """ "A、B、C增加值分别增长x、y、z": the names of a list given one after the other."""
    if len(named) < 2 or "分别" not in named[0][0] or any(n.strip("、和 ") for n, _, _ in named[1:]):
        return named
    head = re.sub(r"(?:比上年同期|比去年同期|同比|比上年|较上年)?分别.*$", "", named[0][0])
    head = re.sub(r"(?:比上年同期|比去年同期|同比|比上年|较上年)$", "", head)
    parts = _sectors(head, len(named)) or [p for p in re.split(r"、", head) if p]
    if len(parts) != len(named):
        parts = [p for p in re.split(r"[、和]", head) if p]
    if len(parts) != len(named):
        return named
    parts = _paired(parts)
    suffix = re.search(r"(增加值|总产值|产值|产量|收入|投资|总额)$", parts[-1])
    if suffix:
        parts = [p if p.endswith(suffix.group(1)) else p + suffix.group(1) for p in parts]
    return [(p, m, u) for p, (_, m, u) in zip(parts, named, strict=True)]


def _sectors(head: str, count: int) -> list[str]:
    """ "一二三产增加值", "一、二、三产业增加值": one name per sector, as 一产增加值, 二产增加值, ..."""
    m = re.match(r"^(.*?)([一二三](?:、?[一二三]){1,2})产(业?)(.*)$", head)
    if not m or len(sectors := m[2].replace("、", "")) != count:
        return []
    return [f"{m[1]}{c}产{m[3]}{m[4]}" for c in sectors]


# Words written as a pair sharing what follows: 存、贷款余额 are 存款余额 and 贷款余额, 进、出口总额
# 进口总额 and 出口总额.
PAIRS = {("存", "贷"), ("进", "出"), ("收", "支"), ("本", "外"), ("内", "外"), ("买", "卖")}


def _paired(parts: list[str]) -> list[str]:
    first, last = parts[0], parts[-1]
    if len(parts) != 2 or len(last) < 3 or (first[-1], last[0]) not in PAIRS:
        return parts
    return [first + last[1:], first[:-1] + last]


def _name(raw: str, previous: str, places: tuple[str, ...] = ()) -> str:
    name = clean_name(raw)
    place = next((p for p in places if name.startswith(p) and len(name) >= len(p) + 4), "")
    name = name[len(place) :]
    if name.startswith("占") and previous:
        return previous + name
    if name in BARE_CHANGES and previous:
        return previous
    return name or previous


def _proposal(
    name: str, m: re.Match[str], unit: str, year: int, kind: str, sentence: str, where: str
) -> Proposal:
    verb = m["verb"] or ""
    direction = next((d for d, vs in VERBS.items() if verb in vs), "at_least") if verb else "at_least"
    annual = sentence[max(0, m.start() - 2) : m.start()].endswith("年均") or "年均" + verb in sentence
    change = None
    if direction in ("increase_by", "decrease_by") or (unit == "%" and annual):
        direction = "decrease_by" if direction == "decrease_by" else "increase_by"
        change = (
            "annual_percent"
            if annual and unit == "%"
            else {"个百分点": "points", "%": "percent"}.get(unit, "times" if unit == "倍" else "absolute")
        )
    value = float(m["value"])
    return Proposal(
        name=name,
        unit=unit,
        direction=direction,
        change=change,
        target_year=year,
        target_value=value if kind == "target" else None,
        actual_value=value if kind == "actual" else None,
        quote=sentence,
        kind="prose",
        category="目标" if kind == "target" else "实绩",
        where=where,
        figure=kind,
    )


__all__ = ["PLAN_ENDS", "UNITS", "VERBS", "Proposal", "prose_figures"]
