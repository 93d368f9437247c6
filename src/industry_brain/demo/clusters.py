"""The demo district's industries: 奉化's "8100" clusters and the GB/T 4754-2017 classes in them.

Seed 004 (奉化区制造业高质量发展"十四五"规划) names eight clusters to grow to 100亿 each by 2025
(section 四(一)), and Table 1 gives the 2020 output of the 13th-plan industry categories
(新动力, 新时尚, 新装备, 新信息技术, 新健康, 新材料). The seed does not say which category each
cluster belongs to; `Group.category` is our reading, stated in docs/demo.md. Two groups are not
8100 clusters: 高端装备, which the seed's zone plan names for four zones (专栏1), and 其他制造业, the
district's remaining traditional industries the seed names (铸造, 电镀, 电动工具, 竹产业, 文体用品),
which carry the output Table 1's categories leave out (760.5 - 666.4 = 94.1亿元).

Each class belongs to exactly one group, so an enterprise's group follows from its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Industry:
    code: str  # GB/T 4754-2017 class
    weight: float  # share of the group's enterprises
    words: tuple[str, ...]  # words for enterprise names
    reason: str  # why the class belongs to the cluster (docs/demo.md)


@dataclass(frozen=True)
class Group:
    key: str
    name: str
    is_8100: bool
    category: str | None  # seed 004 Table 1 category (13th plan) the group's output counts in
    category_share: float  # the group's share of that category's 2020 output (our assumption)
    count_weight: float  # share of the below-scale enterprises
    productivity: float  # 万元 output per employee (above scale)
    electricity: float  # 万千瓦时 per 万元 output
    energy_factor: float  # comprehensive energy / electricity in tce (upper bound)
    emission: float  # tonnes of main pollutants per tce
    rd: float  # propensity to do R&D and win titles (1 = average)
    drift: float  # yearly growth on top of the district's
    industries: tuple[Industry, ...]


C = Industry
GROUPS: tuple[Group, ...] = (
    Group(
        "auto",
        "汽车零部件",
        True,
        "新动力",
        0.80,
        0.10,
        110,
        0.030,
        1.6,
        0.004,
        1.0,
        0.03,
        (
            C(
                "3670",
                0.62,
                ("汽车部件", "汽车配件", "汽配", "车业"),
                "汽车零部件及配件制造: the cluster itself (空压机, 转向, 减震器, 饰条, 安全座椅)",
            ),
            C("3392", 0.12, ("铝业", "压铸", "精密铸件"), "有色金属铸造: 铝合金轻量化 castings (seed: 铝宏)"),
            C("2913", 0.10, ("密封件", "橡塑"), "橡胶零件制造: seals (翁岙 瑞博俐密封件)"),
            C("3433", 0.08, ("叉车", "特种车辆"), "生产专用车辆制造: 新能源叉车 (比亚迪叉车 project)"),
            C("3660", 0.08, ("车身", "挂车"), "汽车车身、挂车制造: bodies and trailers"),
        ),
    ),
    Group(
        "energy",
        "新能源（节能环保）",
        True,
        "新动力",
        0.20,
        0.05,
        100,
        0.025,
        1.5,
        0.004,
        1.1,
        0.05,
        (
            C("3591", 0.22, ("环保设备", "环保科技", "环境工程"), "环境保护专用设备制造: 先进环保专用设备"),
            C("3442", 0.16, ("压缩机", "空压机"), "气体压缩机械制造: 高效节能通用设备 (seed: 鲍斯)"),
            C("3812", 0.14, ("电机", "机电"), "电动机制造: 高效节能电机"),
            C("3872", 0.12, ("照明", "灯饰"), "照明灯具制造: 高效电光源及节能灯具"),
            C("3821", 0.10, ("变压器", "电气"), "变压器、整流器和电感器制造: 节能输配电设备"),
            C("3841", 0.10, ("电池", "新能源"), "锂离子电池制造: new energy (德朗能锂电池)"),
            C("3597", 0.08, ("水处理", "水工设备"), "水资源专用机械制造: 水工艺设备"),
            C("4220", 0.08, ("再生资源", "资源利用"), "非金属废料和碎屑加工处理: 工业废弃物综合利用"),
        ),
    ),
    Group(
        "pneumatic",
        "关键基础件（气动）",
        True,
        "新装备",
        0.30,
        0.12,
        90,
        0.025,
        1.4,
        0.003,
        1.3,
        0.04,
        (
            C(
                "3446",
                0.58,
                ("气动", "气动元件", "气动科技", "气动工业"),
                "气压动力机械及元件制造: pneumatic cylinders and components, the cluster itself",
            ),
            C(
                "3443",
                0.16,
                ("阀门", "电磁阀", "流体控制"),
                "阀门和旋塞制造: 电磁阀 (seed: 气缸、电磁阀、管接头)",
            ),
            C("3444", 0.10, ("液压", "液压件"), "液压动力机械及元件制造: fluid-power sibling of pneumatics"),
            C("3489", 0.10, ("管件", "接头"), "其他通用零部件制造: 管接头 and fittings"),
            C(
                "4011",
                0.06,
                ("自动化", "控制技术"),
                "工业自动控制系统装置制造: pneumatic systems and controls",
            ),
        ),
    ),
    Group(
        "appliance",
        "智能家电",
        True,
        "新装备",
        0.28,
        0.10,
        80,
        0.020,
        1.3,
        0.003,
        1.0,
        0.02,
        (
            C("3854", 0.24, ("厨具", "厨房电器"), "家用厨房电器具制造: 厨卫电器"),
            C("3855", 0.14, ("清洁电器", "卫浴电器"), "家用清洁卫生电器具制造: 清洁电器"),
            C("3853", 0.10, ("风扇", "通风电器"), "家用通风电器具制造: 空气调节 small appliances"),
            C("3856", 0.10, ("美发电器", "个护电器"), "家用美容、保健护理电器具制造: 美容美发电器"),
            C("3852", 0.05, ("空调", "暖通"), "家用空气调节器制造: 空气调节器"),
            C("3851", 0.05, ("制冷", "冷柜"), "家用制冷电器具制造: 制冷电器"),
            C("3857", 0.14, ("电器配件", "电器"), "家用电力器具专用配件制造: appliance parts"),
            C("3859", 0.10, ("小家电", "电器科技"), "其他家用电力器具制造: 水家电 and other appliances"),
            C("3861", 0.08, ("燃气具", "燃气灶具"), "燃气及类似能源家用器具制造: gas kitchen appliances"),
        ),
    ),
    Group(
        "equipment",
        "高端装备",
        False,
        "新装备",
        0.42,
        0.15,
        90,
        0.030,
        1.5,
        0.003,
        1.0,
        0.03,
        (
            C("3465", 0.20, ("电动工具", "工具"), "风动和电动工具制造: 电动工具 (翁岙, seed: 协诚)"),
            C("3484", 0.16, ("机械", "精密机械"), "机械零部件加工: machining"),
            C("3525", 0.14, ("模具", "模塑"), "模具制造: moulds"),
            C("3451", 0.10, ("轴承",), "滚动轴承制造: bearings (关键基础件)"),
            C("3453", 0.10, ("齿轮", "传动"), "齿轮及齿轮减、变速箱制造: transmissions"),
            C("3441", 0.10, ("泵业", "水泵"), "泵及真空设备制造: pumps"),
            C("3421", 0.06, ("机床", "数控"), "金属切削机床制造: machine tools"),
            C("3491", 0.06, ("机器人", "智能装备"), "工业机器人制造: 智能装备"),
            C("3599", 0.08, ("专用设备", "设备"), "其他专用设备制造: special equipment"),
        ),
    ),
    Group(
        "apparel",
        "时尚服装",
        True,
        "新时尚",
        1.00,
        0.16,
        35,
        0.012,
        1.3,
        0.004,
        0.6,
        -0.01,
        (
            C(
                "1819",
                0.48,
                ("服饰", "制衣", "服装"),
                "其他机织服装制造: suits and uniforms (罗蒙, 爱伊美, 长隆)",
            ),
            C("1829", 0.16, ("针织", "针织服饰"), "其他针织或钩针编织服装制造: knitwear (狮丹努)"),
            C("1821", 0.10, ("运动服饰", "休闲服饰"), "运动休闲针织服装制造: casual wear"),
            C("1830", 0.10, ("服饰辅料", "领带"), "服饰制造: accessories"),
            C("1761", 0.08, ("面料", "织造"), "针织或钩针编织物织造: 高档面料"),
            C("1922", 0.08, ("箱包", "皮具"), "皮箱、包（袋）制造: bags, fashion goods"),
        ),
    ),
    Group(
        "electronics",
        "电子信息",
        True,
        "新信息技术",
        1.00,
        0.06,
        100,
        0.030,
        1.3,
        0.002,
        1.4,
        0.05,
        (
            C("3976", 0.16, ("光电", "光学科技"), "光电子器件制造: 光学电子 (利安, 中星光电子)"),
            C("3984", 0.16, ("电声", "声学"), "电声器件及零件制造: speakers (麦博韦尔)"),
            C("3982", 0.14, ("电路", "线路板"), "电子电路制造: circuit boards"),
            C("3981", 0.10, ("电子元件", "电容"), "电阻电容电感元件制造"),
            C("3983", 0.10, ("传感器", "传感科技"), "敏感元件及传感器制造: sensors"),
            C("3922", 0.08, ("通信", "通讯设备"), "通信终端设备制造: terminals (波导易联)"),
            C("3973", 0.06, ("芯片", "微电子"), "集成电路制造: 特色工艺集成电路"),
            C("4040", 0.08, ("光学仪器", "光学"), "光学仪器制造: 光学精密仪器设备"),
            C("3989", 0.12, ("电子", "电子科技"), "其他电子元件制造"),
        ),
    ),
    Group(
        "health",
        "生命（医疗）健康",
        True,
        "新健康",
        1.00,
        0.04,
        90,
        0.025,
        1.4,
        0.004,
        1.3,
        0.04,
        (
            C("3584", 0.18, ("医疗器械", "医疗科技"), "医疗、外科及兽医用器械制造: 医疗器械 (秉航)"),
            C("3581", 0.10, ("医疗设备", "医学影像"), "医疗诊断、监护及治疗设备制造: 智能诊疗装备"),
            C("3589", 0.10, ("康复器材", "医用设备"), "其他医疗设备及器械制造"),
            C("2720", 0.10, ("制药", "药业"), "化学药品制剂制造: 生物医药 (大昌制药)"),
            C("2770", 0.10, ("卫生材料", "医用敷料"), "卫生材料及医药用品制造: 防护材料"),
            C("1363", 0.10, ("鱼油", "海洋生物"), "鱼油提取及制品制造: 精制鱼油 (今日食品)"),
            C("1492", 0.16, ("保健食品", "生物科技"), "保健食品制造: 海洋生物保健品 (益富乐, 绿之健)"),
            C("3586", 0.06, ("康复辅具",), "康复辅具制造: 康复装备"),
            C("2740", 0.05, ("中药", "药业"), "中成药生产: 生物医药"),
            C("1491", 0.05, ("营养品", "健康食品"), "营养食品制造: 特医食品"),
        ),
    ),
    Group(
        "materials",
        "新材料",
        True,
        "新材料",
        1.00,
        0.02,
        150,
        0.070,
        2.0,
        0.006,
        1.4,
        0.06,
        (
            C("3254", 0.18, ("磁材", "磁业"), "稀有稀土金属压延加工: 磁性材料 (百琪达)"),
            C("3985", 0.16, ("靶材", "电子材料"), "电子专用材料制造: 液晶面板溅射靶材"),
            C("3240", 0.12, ("合金", "金属材料"), "有色金属合金制造: 金属新材料"),
            C("2651", 0.12, ("高分子", "树脂"), "初级形态塑料及合成树脂制造: 先进高分子材料"),
            C("2659", 0.10, ("新材料", "复合材料"), "其他合成材料制造: 新型膜材料"),
            C("3073", 0.10, ("陶瓷", "特种陶瓷"), "特种陶瓷制品制造: 连续碳化硅陶瓷纤维"),
            C("2661", 0.10, ("纳米材料", "化学科技"), "化学试剂和助剂制造: 纳米材料 (双亲纳米, 融光纳米)"),
            C("3091", 0.06, ("碳素", "石墨"), "石墨及碳素制品制造: 新能源材料"),
            C("3062", 0.06, ("玻璃钢", "复材"), "玻璃纤维增强塑料制品制造: 海洋新材料"),
        ),
    ),
    Group(
        "other",
        "其他制造业",
        False,
        None,
        1.00,
        0.20,
        70,
        0.045,
        1.8,
        0.008,
        0.5,
        -0.01,
        (
            C("3391", 0.14, ("铸造", "铸业"), "黑色金属铸造: 白杜 铸造 (seed 专栏1)"),
            C("3360", 0.08, ("电镀", "表面处理"), "金属表面处理及热处理加工: 电镀 (白杜 安置电镀企业)"),
            C("2041", 0.10, ("竹制品", "竹业"), "竹制品制造: 尚田竹产业园"),
            C("2929", 0.14, ("塑料制品", "塑业"), "塑料零件及其他塑料制品制造"),
            C("2927", 0.08, ("日用塑料", "塑胶"), "日用塑料制品制造"),
            C("2319", 0.10, ("包装印刷", "印务"), "包装装潢及其他印刷"),
            C("2443", 0.10, ("健身器材", "体育用品"), "健身器材制造: 文体用品 (seed 一(一)2)"),
            C("2411", 0.06, ("文具",), "文具制造: 文体用品"),
            C("3399", 0.12, ("五金", "金属制品"), "其他未列明金属制品制造: 五金"),
            C("2110", 0.08, ("家具", "木业"), "木质家具制造: 厨卫家居 (seed 一(一)2)"),
        ),
    ),
)
del C
GROUP_BY_KEY = {g.key: g for g in GROUPS}

# Seed 004, Table 1, column "2020年": output of the 13th-plan categories, 亿元.
CATEGORY_OUTPUT_2020_YI = {
    "新动力": 197.1,
    "新时尚": 87.2,
    "新装备": 283.1,
    "新信息技术": 50.8,
    "新健康": 32.6,
    "新材料": 15.6,
}
ABOVE_SCALE_OUTPUT_2020_YI = 760.5


@cache
def group_of_class() -> dict[str, str]:
    """Class code -> group key (each class is in exactly one group)."""
    out: dict[str, str] = {}
    for g in GROUPS:
        for ind in g.industries:
            if ind.code in out:
                raise ValueError(f"class {ind.code} is in two groups")
            out[ind.code] = g.key
    return out


@cache
def industry_of_class() -> dict[str, Industry]:
    return {ind.code: ind for g in GROUPS for ind in g.industries}


def group_output_2020_wan() -> dict[str, float]:
    """Each group's 2020 above-scale output (万元) implied by Table 1 and our category shares."""
    out: dict[str, float] = {}
    for g in GROUPS:
        if g.category is not None:
            out[g.key] = CATEGORY_OUTPUT_2020_YI[g.category] * g.category_share * 1e4
    named = sum(CATEGORY_OUTPUT_2020_YI.values())
    out["other"] = (ABOVE_SCALE_OUTPUT_2020_YI - named) * 1e4
    return out


@dataclass(frozen=True)
class Zone:
    name: str
    townships: tuple[str, ...]  # township names (奉化区)
    groups: tuple[str, ...]  # group keys the zone focuses on (seed 004 专栏1)
    target_yi: float  # 2025 output target, 亿元 (专栏1), used as a size weight


# Seed 004 专栏1 "十区": focus industries and 2025 targets. The township of each zone is our
# approximation for the demo, not a survey of the zones' boundaries.
ZONES: tuple[Zone, ...] = (
    Zone("北部产业转型示范区", ("江口街道",), ("apparel", "pneumatic", "electronics", "equipment"), 500),
    Zone("中部科创产业集聚区", ("岳林街道", "锦屏街道"), ("apparel", "electronics", "health"), 100),
    Zone("尚桥科技工业园", ("岳林街道",), ("equipment",), 100),
    Zone("滨海战略性新兴产业集聚区", ("莼湖街道", "裘村镇", "松岙镇"), ("auto", "materials"), 200),
    Zone("方桥工业区", ("方桥街道",), ("appliance", "health"), 50),
    Zone("溪口工业区", ("溪口镇",), ("pneumatic", "health"), 200),
    Zone("西坞外向科技园区", ("西坞街道",), ("apparel", "auto"), 150),
    Zone("白杜循环经济园区", ("萧王庙街道",), ("energy", "other"), 100),
    Zone("尚田工业区", ("尚田街道",), ("auto", "other"), 100),
    Zone("翁岙工业区", ("莼湖街道",), ("equipment", "auto"), 50),
)

# Weights for placing an enterprise outside any zone.
TOWNSHIP_WEIGHTS = {
    "锦屏街道": 1.0,
    "岳林街道": 1.2,
    "江口街道": 1.5,
    "西坞街道": 1.2,
    "萧王庙街道": 1.0,
    "方桥街道": 1.0,
    "尚田街道": 0.8,
    "莼湖街道": 1.0,
    "溪口镇": 1.0,
    "裘村镇": 0.5,
    "大堰镇": 0.15,
    "松岙镇": 0.4,
}
