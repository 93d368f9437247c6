"""Figures in prose and statistics tables, worked by hand on short texts written the way a 统计公报,
a work report and a plan's news item write them: targets and actuals, each with its year, name,
value and unit; shares, 分别 lists and counts named from their neighbours; and the draft pack."""

from __future__ import annotations

from pathlib import Path

import docx

from industry_brain.plans.extract import extract, proposed_pack
from industry_brain.plans.extract_shapes import clean_name, document_year, unwrap

BULLETIN = """某县2023年国民经济和社会发展统计公报
某县统计局
2024年4月1日
一、综合
初步核算，全年全县地区生产总值(GDP)120.5亿元，比上年增长4.2%。其中，第一产业增加值20.1亿元，增长3.0%，占地区生产总值比重为16.7%。
在产的30个大类行业中，18个行业增加值实现增长，比上年加快0.6个百分点。
"""
REPORT = """各位代表：
一、2024年工作回顾
实现地区生产总值800亿元，增长5.1%；新增12个省级专精特新企业、3条产业链。
二、2025年主要目标
今年是“十四五”规划收官之年。主要预期目标是：地区生产总值增长5.5%左右，规上工业增加值增长7%以上，城镇新增就业1.2万人以上，居民消费价格涨幅2%左右。
"""
PLAN = """某区工业发展“十四五”规划解读
2022-03-01 来源：区经信局
“十四五”期间，全区规上工业增加值年均增长8%，工业投资达到500亿元，力争超600亿元；建成市级以上企业技术中心80家，两化融合发展水平指数达60。
机械、电子、纺织行业产值分别增长10%、12%和6%。
"""


def _rows(text: str, tmp_path: Path, **kw) -> list[tuple]:
    path = tmp_path / "doc.txt"
    path.write_text(text, encoding="utf-8")
    out = []
    for p in extract(path, **kw):
        value = p.target_value if p.figure == "target" else p.actual_value
        out.append((p.name, value, p.unit, p.target_year, p.figure))
    return out


def test_a_bulletin_reports_the_actuals_of_its_title_year(tmp_path: Path) -> None:
    assert _rows(BULLETIN, tmp_path) == [
        ("地区生产总值(GDP)", 120.5, "亿元", 2023, "actual"),
        ("地区生产总值(GDP)", 4.2, "%", 2023, "actual"),  # 比上年增长: the figure before's name
        ("第一产业增加值", 20.1, "亿元", 2023, "actual"),
        ("第一产业增加值", 3.0, "%", 2023, "actual"),
        ("第一产业增加值占地区生产总值比重", 16.7, "%", 2023, "actual"),  # a share of the one before
    ]  # "30个大类行业中" and a comparison in 个百分点 are no figures of their own


def test_a_work_report_past_results_and_this_years_targets(tmp_path: Path) -> None:
    assert _rows(REPORT, tmp_path) == [
        ("地区生产总值", 800.0, "亿元", 2024, "actual"),
        ("地区生产总值", 5.1, "%", 2024, "actual"),
        ("新增省级专精特新企业", 12.0, "个", 2024, "actual"),  # a count written before its noun
        ("产业链", 3.0, "条", 2024, "actual"),  # the list goes on under the same verb
        ("地区生产总值", 5.5, "%", 2025, "target"),  # 今年 from 今年是“十四五”规划收官之年
        ("规上工业增加值", 7.0, "%", 2025, "target"),
        ("城镇新增就业", 1.2, "万人", 2025, "target"),
        ("居民消费价格涨幅", 2.0, "%", 2025, "target"),
    ]


def test_a_plans_period_lists_and_an_index_without_unit(tmp_path: Path) -> None:
    rows = _rows(PLAN, tmp_path)
    assert rows == [
        ("规上工业增加值", 8.0, "%", 2025, "target"),
        ("工业投资", 500.0, "亿元", 2025, "target"),
        ("工业投资", 600.0, "亿元", 2025, "target"),  # 力争超600亿元: the same name
        ("市级以上企业技术中心", 80.0, "家", 2025, "target"),
        ("两化融合发展水平指数", 60.0, "", 2025, "target"),
        ("机械产值", 10.0, "%", 2025, "target"),  # 分别: each name its figure, the suffix shared
        ("电子产值", 12.0, "%", 2025, "target"),
        ("纺织行业产值", 6.0, "%", 2025, "target"),
    ]
    path = tmp_path / "doc.txt"
    [growth] = [p for p in extract(path) if p.target_value == 8.0]
    assert (growth.direction, growth.change) == ("increase_by", "annual_percent")


def test_a_statistics_table_in_a_docx(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("某县2023年国民经济和社会发展统计公报")
    rows = [
        ["", "2023年", "较上年增长(%)"],
        ["粮食总产量", "16280吨", "0.5"],
        ["其中:谷物", "9765吨", "-9.7"],
    ]
    table = document.add_table(rows=3, cols=3)
    for row, cells in zip(table.rows, rows, strict=True):
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
    path = tmp_path / "b.docx"
    document.save(str(path))
    found = [(p.name, p.actual_value, p.unit, p.target_year, p.kind) for p in extract(path)]
    assert found == [
        ("粮食总产量", 16280.0, "吨", 2023, "table"),
        ("粮食总产量", 0.5, "%", 2023, "table"),
        ("谷物", 9765.0, "吨", 2023, "table"),
        ("谷物", -9.7, "%", 2023, "table"),
    ]


def test_the_draft_pack_keeps_actuals_apart(tmp_path: Path) -> None:
    path = tmp_path / "r.txt"
    path.write_text(REPORT, encoding="utf-8")
    pack = proposed_pack(path, extract(path))
    assert [i["name"] for i in pack["indicators"]] == [
        "地区生产总值",
        "规上工业增加值",
        "城镇新增就业",
        "居民消费价格涨幅",
    ]
    first = pack["actuals"][0]
    assert (first["indicator"], first["year"], first["value"]) == ("ind-001", 2024, 800.0)
    assert pack["actuals"][2]["indicator"] is None and pack["actuals"][2]["name"] == "新增省级专精特新企业"
    assert pack["period"] == {"start": 2025, "end": 2025}


def test_dates_names_and_wrapped_lines() -> None:
    assert document_year(["子洲县二〇二三年国民经济和社会发展统计公报", "2024年4月15日"]) == 2023
    assert document_year(["时间:2021-02-10 08:00:43 | 来源:日报"]) == 2021
    assert document_year(["今年是“十五五”规划开局之年。"]) == 2026
    assert clean_name("2023年，全县实现地区生产总值") == "地区生产总值"
    assert clean_name("肇庆完成GDP") == "GDP" and clean_name("内资企业实现增加值") == "内资企业增加值"
    assert clean_name("力求在2025年前新增高新技术企业") == "新增高新技术企业"
    page = ["一、综合"] + ["初步核算，全年全县地区生产总值 702922 万元，按不变"] * 4 + ["价格计算。"] * 4
    joined = unwrap(page)
    assert joined[0] == "一、综合" and joined[1].endswith("按不变价格计算。") and len(joined) == 5
    paragraphs = ["第一段。", "第二段。"] * 5
    assert unwrap(paragraphs) == paragraphs


RELEASE = """1-6月份全区工业经济运行情况
发布时间:2024年07月20日
一、总体平稳，三成以上行业增速加快。1-6月份，全区规模以上工业总产值首次突破五百亿元大关，超过520亿元，总产值增速高达9%。
采矿业、制造业、电力热力燃气及水生产和供应业增加值比上年同期分别增长3.1%、 6.2%、 4.0%，\
增速比1-5月份加快0.2个百分点。
在全区30个行业大类中，20个行业实现增长；规上工业累计实现增加值120.5亿元，同比增长6.1%。
"""


def test_a_release_that_reports_names_its_figures_from_their_neighbours(tmp_path: Path) -> None:
    assert _rows(RELEASE, tmp_path) == [
        ("规模以上工业总产值", 520.0, "亿元", 2024, "actual"),  # named by the clause before it
        ("总产值增速", 9.0, "%", 2024, "actual"),  # 高达 is the verb, 增速 stays
        ("采矿业增加值", 3.1, "%", 2024, "actual"),  # 比上年同期 is not part of a name
        ("制造业增加值", 6.2, "%", 2024, "actual"),
        ("电力热力燃气及水生产和供应业增加值", 4.0, "%", 2024, "actual"),  # split on 、, not on 和
        ("规上工业增加值", 120.5, "亿元", 2024, "actual"),  # 累计实现 goes
        ("规上工业增加值", 6.1, "%", 2024, "actual"),
    ]  # 三成以上 does not make the release a plan: it reports, so its figures are actuals


REVIEW = """2024年，全区实现增加值300.5亿元，可比增长5.8%。
回顾一年走势，一季度开局良好(GDP增长5.9%)，全年实现明显回升(GDP增长5.8%)。
战略性新兴产业比重提升，完成产值170.7亿元，占规上工业总产值的36.4%。每千家“四上”企业中有上市企业11家，支出强度达到3.0。
"""


def test_brackets_this_year_and_a_measure_named_by_its_topic(tmp_path: Path) -> None:
    assert _rows(REVIEW, tmp_path, year=2025) == [
        ("增加值", 300.5, "亿元", 2024, "actual"),
        ("增加值", 5.8, "%", 2024, "actual"),
        ("GDP", 5.9, "%", 2024, "actual"),  # named in its brackets; 全年 is the year reported
        ("GDP", 5.8, "%", 2024, "actual"),
        ("战略性新兴产业产值", 170.7, "亿元", 2024, "actual"),  # the clause before names what 产值 is
        ("战略性新兴产业产值占规上工业总产值", 36.4, "%", 2024, "actual"),
        ("上市企业", 11.0, "家", 2024, "actual"),
        ("支出强度", 3.0, "", 2024, "actual"),  # an intensity has no unit
    ]


PROGRESS = """东山县推进工业转型升级情况
2022年8月3日
2020年、2021年规上工业企业累计完成产值300亿元、350亿元，预计2022年全年工业产值有望突破400亿元。
截至目前，甲公司、乙公司等3家企业被评为国家级绿色工厂。
东山县制造业占工业增加值比重达50%以上，一般工业固体废弃物综合利用率稳定在60%以上，工业用水重复利用率保持在90以上。
"""
RESULTS = """某区2025年政府工作报告
2025年1月10日
一、2024年工作回顾
安排重点项目120个，100个重点项目完成投资80亿元，甲、乙等40个项目建成投用；区级领导带队招商考察20次，拜访目标企业60家。市场主体存量为5000户，较2023年末净增800户。固定资产投资保持稳健增长，全年增幅达到6.0%。投资完成率75.5%。消费增速连续8个月全市第一，第3次获评全省先进。
年末金融机构存、贷款余额分别增长8.0%、10.5%。
"""
AIMS = """今年的主要目标是：规上工业增加值增长7%，制造业增加值占规上工业比重比上年提升2个百分点。
到2027年，全区高新技术企业和科技型企业在2022年的基础上实现倍增，分别超过90家和870家。
"""


def test_years_of_a_clause_and_a_list_of_years_and_names_without_the_place(tmp_path: Path) -> None:
    assert _rows(PROGRESS, tmp_path) == [
        ("规上工业企业产值", 300.0, "亿元", 2020, "actual"),  # 2020年、2021年 … 300、350: a year each
        ("规上工业企业产值", 350.0, "亿元", 2021, "actual"),
        ("工业产值", 400.0, "亿元", 2022, "actual"),  # the clause's own 2022年; 有望 is no part of it
        ("国家级绿色工厂", 3.0, "家", 2022, "actual"),  # 截至目前: the document's year; the title given
        ("制造业占工业增加值比重", 50.0, "%", 2022, "actual"),  # 东山县, named twice, is the place
        ("一般工业固体废弃物综合利用率", 60.0, "%", 2022, "actual"),
        ("工业用水重复利用率", 90.0, "", 2022, "actual"),  # a rate written without its %
    ]


def test_counts_what_became_of_them_and_a_change_named_by_the_figure_before(tmp_path: Path) -> None:
    assert _rows(RESULTS, tmp_path) == [
        ("重点项目", 120.0, "个", 2024, "actual"),  # 安排 is the sentence's verb
        ("重点项目", 100.0, "个", 2024, "actual"),  # the count of what the next figure measures
        ("重点项目投资", 80.0, "亿元", 2024, "actual"),
        ("项目建成投用", 40.0, "个", 2024, "actual"),  # 甲、乙等: examples, not the name
        ("招商考察", 20.0, "次", 2024, "actual"),  # 区级领导带队 is who did it
        ("目标企业", 60.0, "家", 2024, "actual"),  # 目标企业 is a noun, not an aim
        ("市场主体存量", 5000.0, "户", 2024, "actual"),
        ("市场主体存量", 800.0, "户", 2024, "actual"),  # 净增: the change of the figure before
        ("固定资产投资", 6.0, "%", 2024, "actual"),  # 增幅 of the measure the clause before names
        ("投资完成率", 75.5, "%", 2024, "actual"),  # 完成率 is a noun, 投资 no place
        ("年末金融机构存款余额", 8.0, "%", 2024, "actual"),  # 存、贷款余额: a pair sharing 款余额
        ("年末金融机构贷款余额", 10.5, "%", 2024, "actual"),
    ]  # 连续8个月 is a duration and 第3次 an ordinal: no figures


def test_an_aim_stated_first_and_names_listed_before_their_figures(tmp_path: Path) -> None:
    assert _rows(AIMS, tmp_path, year=2021) == [
        ("规上工业增加值", 7.0, "%", 2021, "target"),
        ("制造业增加值占规上工业比重", 2.0, "个百分点", 2021, "target"),  # 目标 before 比上年
        ("高新技术企业", 90.0, "家", 2027, "target"),  # A和B…，分别超过x和y
        ("科技型企业", 870.0, "家", 2027, "target"),
    ]


def test_people_and_working_days_and_a_ceiling_to_shorten_to(tmp_path: Path) -> None:
    text = "到2025年，辅导培育20000名创客，企业开办时间压缩至1个工作日，专利行政裁决时间不超过70个工作日。\n"
    path = tmp_path / "plan.txt"
    path.write_text(text, encoding="utf-8")
    got = [(p.name, p.target_value, p.unit, p.target_year, p.direction) for p in extract(path)]
    assert got == [
        ("创客", 20000.0, "名", 2025, "at_least"),  # a count of people written before its noun
        ("企业开办时间", 1.0, "个工作日", 2025, "at_most"),  # 压缩至: a ceiling
        ("专利行政裁决时间", 70.0, "个工作日", 2025, "at_most"),
    ]


SPANS = """某区“十四五”规划纲要
2021-03-10
地区生产总值从2015年末的300.41亿元跃升至2020年的469.5亿元，年均增长9.3%。
到“十四五”末，全区工业总产值突破2000亿元，年均增速15%左右；规模以上工业增加值在675亿元以上。
全年实现地区生产总值[2]174.99亿元。2025年，全县GDP增长目标为5%，一二三产增加值分别增长4.5%、7.2%、4.3%左右。
"""


def test_review_sentences_give_each_figure_its_own_name_and_year(tmp_path):
    rows = _rows(SPANS, tmp_path)
    assert ("地区生产总值", 300.41, "亿元", 2015, "actual") in rows  # 从2015年末的…
    assert ("地区生产总值", 469.5, "亿元", 2020, "actual") in rows  # …跃升至2020年的
    assert ("工业总产值", 15.0, "%", 2025, "target") in rows  # 年均增速 is the figure before it's
    assert ("规模以上工业增加值", 675.0, "亿元", 2025, "target") in rows  # not "…增加值在"
    assert any(r[0] == "地区生产总值" and r[1] == 174.99 for r in rows)  # the footnote mark [2] goes
    assert any(r[:3] == ("GDP", 5.0, "%") for r in rows)  # not "GDP增长目标"
    sectors = [r[0] for r in rows if r[1] in (4.5, 7.2, 4.3)]
    assert sectors == ["一产增加值", "二产增加值", "三产增加值"]


def test_a_growth_column_after_the_years_is_read_with_its_row(tmp_path):
    table = "指 标 |\n2015年 完成 |\n2020年 完成 |\n“十三五”年均增长(%) |\n指标属性 |\n|\n"
    table += "地区生产总值(亿元) |\n300.41 |\n469.5 |\n9.3 |\n预期性 |\n|\n"
    table += "规模以上工业增加值(亿元) |\n240 |\n188.5 |\n-5.82 |\n预期性 |\n|\n"
    rows = _rows("某区规划\n2021-03-10\n表1:“十三五”主要目标\n" + table, tmp_path)
    growth = {r[0]: r[1] for r in rows if r[2] == "%"}
    assert growth == {"地区生产总值": 9.3, "规模以上工业增加值": -5.82}
