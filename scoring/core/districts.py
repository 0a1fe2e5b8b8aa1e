"""The county-level units of Shijiazhuang that recommend applications: the canonical district names."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# The 22 counties, county-level cities and districts, in the order of reference-figures.md.
COUNTIES: tuple[str, ...] = (
    "长安区",
    "桥西区",
    "新华区",
    "裕华区",
    "井陉矿区",
    "藁城区",
    "鹿泉区",
    "栾城区",
    "井陉县",
    "正定县",
    "行唐县",
    "灵寿县",
    "高邑县",
    "深泽县",
    "赞皇县",
    "无极县",
    "平山县",
    "元氏县",
    "赵县",
    "辛集市",
    "晋州市",
    "新乐市",
)

# The management committees the notice (石政办函〔2018〕49号) addresses alongside the counties.
MANAGEMENT_COMMITTEES: tuple[str, ...] = ("高新区", "循环化工园区", "综合保税区")

DISTRICTS: tuple[str, ...] = COUNTIES + MANAGEMENT_COMMITTEES

# GB/T 2260 division codes, used in credit codes (positions 3-8). The two development zones have
# their own 1301 7x codes; the bonded zone has none and registers under the city (130100).
DIVISION_CODES: Mapping[str, str] = MappingProxyType(
    {
        "长安区": "130102",
        "桥西区": "130104",
        "新华区": "130105",
        "井陉矿区": "130107",
        "裕华区": "130108",
        "藁城区": "130109",
        "鹿泉区": "130110",
        "栾城区": "130111",
        "井陉县": "130121",
        "正定县": "130123",
        "行唐县": "130125",
        "灵寿县": "130126",
        "高邑县": "130127",
        "深泽县": "130128",
        "赞皇县": "130129",
        "无极县": "130130",
        "平山县": "130131",
        "元氏县": "130132",
        "赵县": "130133",
        "辛集市": "130181",
        "晋州市": "130183",
        "新乐市": "130184",
        "高新区": "130171",
        "循环化工园区": "130172",
        "综合保税区": "130100",
    }
)

# ASCII slugs for usernames and URLs (county_<slug>).
DISTRICT_SLUGS: Mapping[str, str] = MappingProxyType(
    {
        "长安区": "changan",
        "桥西区": "qiaoxi",
        "新华区": "xinhua",
        "裕华区": "yuhua",
        "井陉矿区": "jingxingkuang",
        "藁城区": "gaocheng",
        "鹿泉区": "luquan",
        "栾城区": "luancheng",
        "井陉县": "jingxing",
        "正定县": "zhengding",
        "行唐县": "xingtang",
        "灵寿县": "lingshou",
        "高邑县": "gaoyi",
        "深泽县": "shenze",
        "赞皇县": "zanhuang",
        "无极县": "wuji",
        "平山县": "pingshan",
        "元氏县": "yuanshi",
        "赵县": "zhaoxian",
        "辛集市": "xinji",
        "晋州市": "jinzhou",
        "新乐市": "xinle",
        "高新区": "gaoxin",
        "循环化工园区": "huagong",
        "综合保税区": "baoshui",
    }
)
