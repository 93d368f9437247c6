"""The pages' words: Simplified Chinese by default, English switchable per browser session.

The language is kept in the `ib_lang` cookie (set by GET /lang/{code}), so it follows the user's
session without needing server-side storage. Keys are the Chinese text itself: a page written
with `t("驾驶舱", lang)` reads naturally, and a missing English entry falls back to Chinese
instead of showing a key.
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"
COOKIE = "ib_lang"

# zh-CN -> en; only the pages' own chrome (titles, buttons, column heads, messages).
_EN: dict[str, str] = {
    "产业大脑": "Industry Brain",
    "驾驶舱": "Cockpit",
    "企业画像": "Enterprise profile",
    "亩均评价": "Mujun evaluation",
    "规划": "Plans",
    "产业地图": "Industry map",
    "数据导入": "Imports",
    "退出": "Sign out",
    "登录": "Sign in",
    "无权访问此页面": "You may not open this page",
    "当前角色": "Role",
    "重点指标": "Headline indicators",
    "规划数据待加载": "Plan data not loaded yet",
    "产业集群": "Clusters",
    "产业链": "Chains",
    "企业梯队": "Enterprise tiers",
    "培育库": "Cultivation pools",
    "项目库": "Projects",
    "涉企问题": "Enterprise requests",
    "惠企政策": "Policies",
    "经济运行": "Economic monitoring",
    "企业预警": "Enterprise alerts",
    "标准地承诺": "Land commitments",
    "集群数据待加载": "Cluster data not loaded yet",
    "评价等级分布": "Grade distribution",
    "预警": "Alerts",
    "最近导入": "Latest imports",
    "评价结果告知书": "Result notices",
    "工作表": "Sheet",
    "名称或序号；空则按表头自动识别": "name or number; empty: found by its header",
    "告知书 Word": "Notice (Word)",
    "告知书 PDF": "Notice (PDF)",
    "本镇街全部告知书": "All notices of the township",
    "我的任务": "My jobs",
    "暂无任务": "No jobs",
    "下载": "Download",
    "全部告知书 Word 压缩包": "All notices (Word, zip)",
    "全部告知书 PDF 压缩包": "All notices (PDF, zip)",
    "全部告知书 合并 PDF": "All notices (one PDF)",
    "全区全部告知书": "All notices of the district",
    "后台生成，完成后在“我的任务”中下载": "made in the background; download under My jobs",
    "耗时工作在后台运行，可离开本页，稍后回来下载。": "Long work runs in the background.",
    "发起评价": "Start an evaluation",
    "对表对标评估报告": "Progress review",
    "评价年度": "Year",
    "评价方法": "Method",
    "开始评价": "Evaluate",
    "查看评价批次": "Open run",
    "暂无": "None",
    "查看详情": "Details",
    "搜索企业（名称、代码或拼音首字母）": "Search (name, code or pinyin initials)",
    "搜索": "Search",
    "基本信息": "Master record",
    "分年数据": "Figures by year",
    "各部门原始数据": "Figures by source",
    "荣誉资质": "Titles",
    "评价结果": "Evaluation",
    "评价说明": "Explanation",
    "历史": "History",
    "评价批次": "Evaluation runs",
    "评价结果明细": "Results",
    "差别化政策": "Differentiated policy",
    "下载 Excel": "Download Excel",
    "发布公示": "Publish",
    "公示截止日期": "Publicity deadline",
    "申诉": "Appeals",
    "提出申诉": "File an appeal",
    "复核": "Review",
    "接受": "Accept",
    "驳回": "Reject",
    "理由": "Reason",
    "评价池": "Pool",
    "等级": "Grade",
    "镇街": "Township",
    "行业": "Industry",
    "全部": "All",
    "上报实绩": "Report actual",
    "责任单位": "Responsible unit",
    "指标": "Indicator",
    "目标值": "Target",
    "目标": "Target",
    "年均增长": "Annual growth",
    "同比": "Year on year",
    "同比 —": "Year on year —",
    "家": "enterprises",
    "亿元": "100m yuan",
    "亿千瓦时": "100m kWh",
    "万元/亩": "10k yuan/mu",
    "规上工业企业": "Above-scale enterprises",
    "规上工业总产值": "Above-scale output",
    "规上工业增加值": "Above-scale value added",
    "规上工业营业收入": "Above-scale revenue",
    "规上工业税收": "Above-scale tax",
    "规上工业用电量": "Above-scale electricity",
    "规上工业亩均税收": "Above-scale tax per mu",
    "规上工业销售产值": "Above-scale sales",
    "规上工业出口交货值": "Above-scale exports",
    "规上工业入库税金": "Above-scale tax paid",
    "当月": "Month",
    "累计": "Year to date",
    "当月同比": "Month, year on year",
    "累计同比": "Year to date, year on year",
    "尚未计算企业预警": "Enterprise alerts not yet computed",
    "万千瓦时": "10k kWh",
    "实绩": "Actual",
    "状态": "Status",
    "着色依据": "Shade by",
    "亩均税收": "Tax per mu",
    "工业总产值": "Output",
    "D类企业数": "D-grade enterprises",
    "上传部门文件": "Upload a departmental file",
    "数据来源": "Source",
    "期间": "Period",
    "导入批次": "Import batches",
    "退回行": "Rejected rows",
    "警告": "Warnings",
    "下载退回表": "Download rejects",
    "未找到企业": "No enterprise found",
    "语言": "Language",
    "年度": "Year",
    "企业名称": "Name",
    "统一社会信用代码": "Credit code",
    "行业代码": "Industry code",
    "所属镇街": "Township",
    "园区": "Zone",
    "成立日期": "Established",
    "来源": "Source",
    "用户名": "Username",
    "密码": "Password",
}


def normalise(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def t(text: str, lang: str | None = DEFAULT_LANGUAGE, **values: Any) -> str:
    """The UI string `text` (Chinese) in `lang`, with `{name}` placeholders filled."""
    out = _EN.get(text, text) if normalise(lang) == "en" else text
    return out.format(**values) if values else out


def catalogue() -> dict[str, str]:
    """Every translated string (for tests and translators)."""
    return dict(_EN)
