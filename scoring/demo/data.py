"""Pure demo data for the 2022-data-year designation round in Shijiazhuang (no database code).

Government bodies and universities carry their real names; every figure, plan, person, credit code
and enterprise below is fictitious, made up for the demo. The seeding code turns this into rows.
Over 400 lines: it is data (twenty applications with their figures and plans), not logic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import Literal

from scoring.core.credit_code import make_credit_code
from scoring.core.districts import DISTRICT_SLUGS, DISTRICTS, DIVISION_CODES

OrgKind = Literal["government", "university", "enterprise", "evaluator", "other"]
BaseKind = Literal["regional", "university", "enterprise"]

BASE_KINDS: tuple[BaseKind, ...] = ("regional", "university", "enterprise")

# The declared figures each kind of application carries (percentages as strings with 2 decimals).
FIGURE_CODES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "regional": (
            "key_projects_total",
            "key_projects_hightech",
            "rd_intensity",
            "hightech_share_prev",
            "hightech_share",
        ),
        "university": ("innovation_platforms", "transfer_bases", "maker_spaces"),
        "enterprise": ("rd_platforms",),
    }
)

# The small vocabulary of expert fields (专业领域).
EXPERT_FIELDS: tuple[str, ...] = (
    "科技成果转化",
    "产业经济",
    "创业投资",
    "高等教育管理",
    "区域规划",
    "知识产权",
    "智能制造",
    "生物医药",
)

# Division code of organisations registered at central or provincial level (not in a county).
CENTRAL = "100000"
HEBEI = "130000"
CITY = "130100"


@dataclass(frozen=True)
class DemoOrganisation:
    """An organisation; `key` is the stable handle the rest of the demo data refers to."""

    key: str
    name: str
    credit_code: str
    kind: OrgKind
    district: str | None  # one of DISTRICTS; None for city-level bodies and out-of-city institutions


@dataclass(frozen=True)
class DemoApplication:
    """One application of an applicant organisation, with the profile the seeding code scores it by."""

    key: str  # same as the applicant organisation's key (one application per applicant)
    organisation: str  # DemoOrganisation.key
    kind: BaseKind
    title: str
    plan: str  # construction plan (建设方案) summary, 2-4 sentences
    figures: Mapping[str, str] = field(hash=False)  # figure code -> decimal string
    quality: Decimal  # 0.55-0.95: expert sheets land near quality × maximum
    fails_on: tuple[str, ...] = ()  # figure codes whose gate this application is meant to fail
    outlier: bool = False  # one expert's sheet ≥ 25 points below the others
    tie_group: str | None = None  # applications sharing a group get identical sheet totals
    note: str = ""  # what this application demonstrates (for developers)


@dataclass(frozen=True)
class DemoExpert:
    """A pool expert; `key` is also the username."""

    key: str
    name: str
    title: str  # 教授 | 研究员 | 正高级工程师 | 高级经济师
    fields: tuple[str, ...]  # from EXPERT_FIELDS
    affiliation: str  # DemoOrganisation.key
    district: str | None  # the affiliation's district; None outside the city
    declared_conflicts: tuple[str, ...] = ()  # DemoOrganisation.key of applicants declared as conflicts


@dataclass(frozen=True)
class DemoEvaluator:
    """A person of a third-party evaluator organisation; `key` is also the username."""

    key: str
    name: str
    organisation: str  # DemoOrganisation.key of kind "evaluator"


@dataclass(frozen=True)
class DemoAccount:
    """A login for the demo; `role` is a `scoring.core.actors.Role` value (passwords: the seeder's)."""

    username: str
    role: str
    display_name: str
    organisation: str | None = None  # DemoOrganisation.key
    district: str | None = None


@dataclass(frozen=True)
class DemoRound:
    """The designation round the demo runs."""

    year: int
    data_year: int
    title: str
    kinds: tuple[BaseKind, ...]
    references: Mapping[str, str] = field(hash=False)  # as stored on a round, see scoring.core.figures
    quotas: Mapping[str, int] = field(hash=False)
    pass_line: str
    panel_size: int
    reserves: int


@dataclass(frozen=True)
class DemoData:
    """Everything the demo seeds, cross-referenced by organisation key."""

    round: DemoRound
    districts: tuple[str, ...]
    organisations: tuple[DemoOrganisation, ...]
    applications: tuple[DemoApplication, ...]
    experts: tuple[DemoExpert, ...]
    evaluators: tuple[DemoEvaluator, ...]
    accounts: tuple[DemoAccount, ...]

    def organisation(self, key: str) -> DemoOrganisation:
        for org in self.organisations:
            if org.key == key:
                return org
        raise KeyError(key)

    def applications_of(self, kind: BaseKind) -> tuple[DemoApplication, ...]:
        return tuple(app for app in self.applications if app.kind == kind)


def _org(
    key: str, name: str, kind: OrgKind, district: str | None, prefix: str, division: str, body: str
) -> DemoOrganisation:
    """`prefix` is registration authority + category: 11 机关, 12 事业单位, 91 企业."""
    code = make_credit_code(prefix[0], prefix[1], division, body)
    return DemoOrganisation(key=key, name=name, credit_code=code, kind=kind, district=district)


def _gov(key: str, name: str, district: str, body: str) -> DemoOrganisation:
    return _org(key, name, "government", district, "11", DIVISION_CODES[district], body)


def _ent(key: str, name: str, district: str, body: str, kind: OrgKind = "enterprise") -> DemoOrganisation:
    return _org(key, name, kind, district, "91", DIVISION_CODES[district], body)


CITY_DRC = _org("drc", "石家庄市发展和改革委员会", "government", None, "11", CITY, "00030149")

REGIONAL_APPLICANTS: tuple[DemoOrganisation, ...] = (
    _gov("gaoxin", "石家庄高新技术产业开发区管理委员会", "高新区", "00048372"),
    _gov("zhengding", "正定县人民政府", "正定县", "00062815"),
    _gov("luquan", "石家庄市鹿泉区人民政府", "鹿泉区", "00071936"),
    _gov("gaocheng", "石家庄市藁城区人民政府", "藁城区", "00055204"),
    _gov("luancheng", "石家庄市栾城区人民政府", "栾城区", "00069417"),
    _gov("xinji", "辛集市人民政府", "辛集市", "00040758"),
    _gov("yuhua", "石家庄市裕华区人民政府", "裕华区", "00073621"),
    _gov("xinle", "新乐市人民政府", "新乐市", "00046183"),
)

UNIVERSITY_APPLICANTS: tuple[DemoOrganisation, ...] = (
    _org("hebust", "河北科技大学", "university", "裕华区", "12", HEBEI, "40171825"),
    _org("stdu", "石家庄铁道大学", "university", "长安区", "12", HEBEI, "40170268"),
    _org("hebtu", "河北师范大学", "university", "裕华区", "12", HEBEI, "40171374"),
    _org("hebmu", "河北医科大学", "university", "长安区", "12", HEBEI, "40170542"),
    _org("hebas", "河北省科学院", "university", "桥西区", "12", HEBEI, "40170931"),
    # Fictitious, so that the one failing the platform gate is no real institution.
    _org("hutuo", "石家庄滹沱职业技术学院", "university", "正定县", "12", "130123", "MB1C2740"),
)

ENTERPRISE_APPLICANTS: tuple[DemoOrganisation, ...] = (
    _ent("kangtuo", "石家庄康拓生物医药股份有限公司", "高新区", "60117382"),
    _ent("xinlian", "石家庄芯联光电科技股份有限公司", "鹿泉区", "74683190"),
    _ent("guiteng", "石家庄轨腾轨道交通装备股份有限公司", "新华区", "10436725"),
    _ent("ruijing", "石家庄瑞晶新材料科技有限公司", "循环化工园区", "MA0CK8P5"),
    _ent("huahang", "石家庄华航智能装备股份有限公司", "藁城区", "55764813"),
    _ent("shuheng", "石家庄数衡信息技术有限公司", "裕华区", "MA0G6U1H"),
)

EVALUATOR_ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    _ent("zhiheng", "河北智衡科技评估咨询有限公司", "桥西区", "MA07P3L2", kind="evaluator"),
    _ent("zhengxin", "石家庄正信工程咨询有限公司", "长安区", "72133648", kind="evaluator"),
    _org("chuangping", "河北省创新发展评价研究中心", "evaluator", "新华区", "12", HEBEI, "40192657"),
)

# Affiliations of experts that are not applicants: in the city (districts without a regional
# applicant) and outside it (district None), so that conflict-free panels can be drawn.
EXPERT_AFFILIATIONS: tuple[DemoOrganisation, ...] = (
    _org("tju", "天津大学", "university", None, "12", CENTRAL, "40136074"),
    _org("nankai", "南开大学", "university", None, "12", CENTRAL, "40136026"),
    _org("bit", "北京理工大学", "university", None, "12", CENTRAL, "40001482"),
    _org("bjtu", "北京交通大学", "university", None, "12", CENTRAL, "40000537"),
    _org("ruc", "中国人民大学", "university", None, "12", CENTRAL, "40000195"),
    _org("casisd", "中国科学院科技战略咨询研究院", "other", None, "12", CENTRAL, "71783260"),
    _org("imm", "中国医学科学院药物研究所", "other", None, "12", CENTRAL, "40001934"),
    # A Hebei university whose campus is in Tianjin: out of the city for conflict purposes.
    _org("hebut", "河北工业大学", "university", None, "12", HEBEI, "40124395"),
    _org("ccfw", "石家庄市创新创业服务中心", "other", "长安区", "12", CITY, "MB1D5836"),
    _ent("runke", "石家庄润科创业投资有限公司", "桥西区", "MA0B7XJ1"),
    _ent("jizhi", "河北冀知知识产权代理有限公司", "新华区", "MA0E4R9T"),
)

ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    CITY_DRC,
    *REGIONAL_APPLICANTS,
    *UNIVERSITY_APPLICANTS,
    *ENTERPRISE_APPLICANTS,
    *EVALUATOR_ORGANISATIONS,
    *EXPERT_AFFILIATIONS,
)
_BY_KEY = {org.key: org for org in ORGANISATIONS}

_KIND_LABEL = {
    "regional": "区域“双创”示范基地",
    "university": "高校及科研院所“双创”示范基地",
    "enterprise": "企业“双创”示范基地",
}
_REGIONAL_SHORT = {
    "gaoxin": "石家庄高新区",
    "zhengding": "正定县",
    "luquan": "鹿泉区",
    "gaocheng": "藁城区",
    "luancheng": "栾城区",
    "xinji": "辛集市",
    "yuhua": "裕华区",
    "xinle": "新乐市",
}


def _application(
    kind: BaseKind,
    key: str,
    plan: str,
    *,
    figures: dict[str, str],
    quality: str,
    fails_on: tuple[str, ...] = (),
    outlier: bool = False,
    tie_group: str | None = None,
    note: str = "",
) -> DemoApplication:
    applicant = _REGIONAL_SHORT[key] if kind == "regional" else _BY_KEY[key].name
    return DemoApplication(
        key=key,
        organisation=key,
        kind=kind,
        title=f"{applicant}{_KIND_LABEL[kind]}建设申请",
        plan=plan,
        figures=MappingProxyType(figures),
        quality=Decimal(quality),
        fails_on=fails_on,
        outlier=outlier,
        tie_group=tie_group,
        note=note,
    )


# Provincial reference R&D intensity 2.00 (Hebei 2022): the gate is strictly above it.
REGIONAL_APPLICATIONS: tuple[DemoApplication, ...] = (
    _application(
        "regional",
        "gaoxin",
        "依托国家级高新区的生物医药和新一代电子信息产业集群,以专业园区和科技企业孵化器为核心载体建设区域"
        "“双创”示范基地。计划三年内新增省级以上孵化器和众创空间8家,设立规模5亿元的天使投资引导基金,"
        "推行企业开办一日办结和“拿地即开工”改革。同步建设线上线下一体的双创信息服务平台,承接京津科技成果"
        "在区内转化。",
        figures={
            "key_projects_total": "80",
            "key_projects_hightech": "62",
            "rd_intensity": "4.35",
            "hightech_share_prev": "37.60",
            "hightech_share": "39.80",
        },
        quality="0.92",
    ),
    _application(
        "regional",
        "zhengding",
        "以正定新区和县经济开发区为载体,围绕数字经济和临空产业打造区域“双创”示范基地。搭建数字经济孵化园和"
        "科技成果转化中试基地,计划引进京津科技型企业30家以上。县财政每年安排双创专项资金3000万元,设立县级"
        "创业投资引导基金,并建设线上服务平台,实现政策发布、融资对接和人才服务一网通办。",
        figures={
            "key_projects_total": "42",
            "key_projects_hightech": "28",
            "rd_intensity": "2.36",
            "hightech_share_prev": "26.40",
            "hightech_share": "27.90",
        },
        quality="0.85",
    ),
    _application(
        "regional",
        "luquan",
        "以鹿泉经济开发区和电子信息产业园为主要载体,打造以光电子、通信导航为特色的双创集聚区。规划建设20万"
        "平方米孵化加速载体,与驻地高校共建中试平台和公共检测平台,降低初创企业研发成本。设立2亿元区级双创"
        "基金,推进投贷联动和知识产权质押融资,每年举办创客节营造双创氛围。",
        figures={
            "key_projects_total": "50",
            "key_projects_hightech": "30",
            "rd_intensity": "3.12",
            "hightech_share_prev": "29.80",
            "hightech_share": "31.20",
        },
        quality="0.76",
        tie_group="regional-quota-line",
        note="key-project share exactly 60% (30 of 50) passes; ties 裕华区 across the quota line",
    ),
    _application(
        "regional",
        "gaocheng",
        "以藁城经济开发区为载体,围绕生物医药、食品加工和装备制造产业推动传统产业“双创”转型。建设区级科技企业"
        "孵化器和专业化技术服务平台,推行企业投资项目承诺制审批。联合金融机构推出“科创贷”专属产品,三年内"
        "培育科技型中小企业200家以上。",
        figures={
            "key_projects_total": "38",
            "key_projects_hightech": "25",
            "rd_intensity": "2.18",
            "hightech_share_prev": "22.80",
            "hightech_share": "23.80",
        },
        quality="0.58",
        note="high-tech share rises exactly 1.00 point (passes); score below the pass line",
    ),
    _application(
        "regional",
        "luancheng",
        "以栾城经济开发区和装备制造园区为载体,重点发展智能装备和生物医药配套产业。建设“栾城双创服务港”,"
        "整合政务服务、技术转移、检验检测和融资担保功能。设立1亿元产业投资基金,推行“链主企业+孵化器”模式,"
        "带动小微企业融入龙头企业供应链。",
        figures={
            "key_projects_total": "33",
            "key_projects_hightech": "21",
            "rd_intensity": "2.64",
            "hightech_share_prev": "24.10",
            "hightech_share": "25.60",
        },
        quality="0.80",
    ),
    _application(
        "regional",
        "xinji",
        "以辛集经济开发区和皮革产业集群为载体,推动传统皮革、化工产业数字化改造与创新创业融合。建设皮革时尚"
        "设计中心和跨境电商孵化基地,吸引设计师和电商团队入驻。探索“园区+基金+平台”模式,设立市级双创专项"
        "资金,完善面向小微企业的专业化服务体系。",
        figures={
            "key_projects_total": "55",
            "key_projects_hightech": "36",
            "rd_intensity": "2.27",
            "hightech_share_prev": "24.30",
            "hightech_share": "25.10",
        },
        quality="0.88",
        fails_on=("hightech_share",),
        note="high-tech share rises only 0.80 point: fails the gate despite a high score",
    ),
    _application(
        "regional",
        "yuhua",
        "发挥驻区高校和科研院所集聚优势,以科技创新城和高校周边创新街区为载体打造“环高校知识经济圈”。建设大学"
        "科技园分园和科技成果转化服务中心,推动高校成果就近转化。完善一站式企业服务平台,设立区级天使投资基金,"
        "每年举办创新创业大赛和项目路演不少于20场。",
        figures={
            "key_projects_total": "30",
            "key_projects_hightech": "20",
            "rd_intensity": "2.95",
            "hightech_share_prev": "31.50",
            "hightech_share": "33.00",
        },
        quality="0.76",
        tie_group="regional-quota-line",
        note="ties 鹿泉区 exactly; the tie straddles the quota of 4 and must be flagged",
    ),
    _application(
        "regional",
        "xinle",
        "以新乐经济开发区为载体,围绕新能源汽车零部件和新型建材产业开展双创示范。建设公共技术服务平台和标准化"
        "厂房孵化园,为初创企业提供低成本生产空间。深化“放管服”改革,推行工业用地“标准地”出让,并联合银行"
        "设立风险补偿资金池,缓解小微企业融资难题。",
        figures={
            "key_projects_total": "40",
            "key_projects_hightech": "27",
            "rd_intensity": "2.00",
            "hightech_share_prev": "21.40",
            "hightech_share": "22.60",
        },
        quality="0.66",
        fails_on=("rd_intensity",),
        note="R&D intensity exactly 2.00, equal to the provincial reference: fails the strict gate",
    ),
)

UNIVERSITY_APPLICATIONS: tuple[DemoApplication, ...] = (
    _application(
        "university",
        "hebust",
        "围绕化工、医药、纺织和机械等优势学科,构建“课程—训练—实践—孵化”四级创新创业教育体系。建设大学科技园"
        "和技术转移中心,落实科技成果使用、处置和收益权改革,成果转化收益用于奖励科研团队的比例不低于70%。"
        "依托省级以上重点实验室和工程研究中心,面向中小企业开放大型仪器设备。",
        figures={"innovation_platforms": "12", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.89",
    ),
    _application(
        "university",
        "stdu",
        "发挥轨道交通、土木工程和交通运输学科优势,建设面向轨道交通装备产业的协同创新中心和成果转化基地。完善"
        "教师离岗创业和企业人员兼职任教的双向流动制度,聘请企业家和技术专家担任创业导师。建设大学生创新创业"
        "实训中心,实行弹性学制,支持学生休学创业。",
        figures={"innovation_platforms": "10", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.74",
        outlier=True,
        note="one sheet ≥ 25 points below the others: flagged; the trimmed mean drops it, the mean does not",
    ),
    _application(
        "university",
        "hebtu",
        "推进创新创业教育与专业教育深度融合,将双创学分纳入全部本科专业培养方案。建设众创空间和大学生创业园,"
        "配备专职创业指导教师并设立学生创业基金。与县(市、区)政府共建技术转移工作站,推动教育和科技成果服务"
        "县域经济。",
        figures={"innovation_platforms": "8", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.71",
    ),
    _application(
        "university",
        "hebmu",
        "依托临床医学、药学等优势学科和附属医院资源,建设医药健康领域的科技成果转化平台和概念验证中心。设立科研"
        "成果孵化基金,支持医务人员和科研人员以成果作价入股创办企业。与省会生物医药企业共建联合实验室,推动"
        "新药和医疗器械成果本地转化。",
        figures={"innovation_platforms": "11", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.82",
    ),
    _application(
        "university",
        "hebas",
        "发挥省属科研院所应用研究优势,在新材料、微生物、能源与光电等方向建设中试基地和公共技术服务平台。推行"
        "科研人员带技术、带项目离岗创业制度,成果转化净收入主要用于奖励完成人。设立院属孵化器,为科技人员和"
        "高校毕业生创业提供场地、检测和融资对接服务。",
        figures={"innovation_platforms": "7", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.57",
        note="score below the pass line",
    ),
    _application(
        "university",
        "hutuo",
        "立足技术技能人才培养定位,建设面向装备制造和现代服务业的创新创业实训基地。开设创新创业必修课程,"
        "组建校企合作的兼职创业导师队伍。学校尚无省级以上工程(技术)研究中心或重点实验室,计划与驻地企业共建"
        "技术技能创新服务平台。",
        figures={"innovation_platforms": "0", "transfer_bases": "0", "maker_spaces": "0"},
        quality="0.68",
        fails_on=("innovation_platforms",),
        note="no innovation platform: fails the gate",
    ),
)

ENTERPRISE_APPLICATIONS: tuple[DemoApplication, ...] = (
    _application(
        "enterprise",
        "kangtuo",
        "围绕创新药和高端制剂建设面向内部员工和外部团队的开放式创新平台,试行项目跟投和股权激励制度。依托国家级"
        "企业技术中心和省级重点实验室,向上下游中小企业开放药物研发、质量检测和中试放大能力。设立3亿元产业"
        "创投基金,孵化生物医药初创企业。",
        figures={"rd_platforms": "9"},
        quality="0.91",
    ),
    _application(
        "enterprise",
        "xinlian",
        "以光电子器件和通信模块为主业,建设内部创业平台,支持技术骨干以子公司形式开展内部再创业。开放芯片测试、"
        "可靠性验证等公共检测能力,服务省会电子信息中小企业。与高校共建联合实验室,并设立员工创业基金和供应链"
        "金融服务。",
        figures={"rd_platforms": "6"},
        quality="0.84",
    ),
    _application(
        "enterprise",
        "guiteng",
        "面向轨道交通装备制造建设协同创新平台,带动本地200余家配套企业协同研发。推行“揭榜挂帅”和项目分红激励,"
        "鼓励职工开展工艺革新和技术攻关。依托省级工程技术研究中心开放试验检测设施,为小微配套企业提供技术与"
        "供应链服务。",
        figures={"rd_platforms": "5"},
        quality="0.61",
        note="just above the pass line",
    ),
    _application(
        "enterprise",
        "ruijing",
        "聚焦电子化学品和高性能复合材料,建设新材料中试与应用验证平台,向园区内小微企业开放共享。实施核心技术"
        "人员持股计划,建立创新容错机制。与省内高校共建省级工程研究中心,推动实验室成果在园区快速产业化。",
        figures={"rd_platforms": "2"},
        quality="0.56",
        note="score below the pass line",
    ),
    _application(
        "enterprise",
        "huahang",
        "以工业机器人和智能产线为主业,建设“智能制造双创工场”,为中小制造企业提供智能化改造方案和设备共享。推行"
        "内部创客团队孵化机制,对孵化成功的项目给予股权回购和分红激励。依托省级企业技术中心联合高校开展关键"
        "零部件攻关。",
        figures={"rd_platforms": "3"},
        quality="0.69",
    ),
    _application(
        "enterprise",
        "shuheng",
        "以工业互联网平台为基础,为中小企业提供上云用数、供应链协同和在线融资服务。建立员工创新提案和内部创业"
        "制度,设立创新奖励基金。公司尚未建成省级以上研发平台,计划与高校共建工业软件联合实验室并申报省级企业"
        "技术中心。",
        figures={"rd_platforms": "0"},
        quality="0.73",
        fails_on=("rd_platforms",),
        note="no R&D platform: fails the gate",
    ),
)

APPLICATIONS: tuple[DemoApplication, ...] = (
    *REGIONAL_APPLICATIONS,
    *UNIVERSITY_APPLICATIONS,
    *ENTERPRISE_APPLICATIONS,
)


def _expert(
    n: int, name: str, title: str, fields: tuple[str, ...], affiliation: str, conflicts: tuple[str, ...] = ()
) -> DemoExpert:
    return DemoExpert(
        key=f"expert{n:02d}",
        name=name,
        title=title,
        fields=fields,
        affiliation=affiliation,
        district=_BY_KEY[affiliation].district,
        declared_conflicts=conflicts,
    )


EXPERTS: tuple[DemoExpert, ...] = (
    # Outside the city: no affiliation or district conflicts with any applicant.
    _expert(1, "王建国", "教授", ("区域规划", "产业经济"), "tju"),
    _expert(2, "李淑芳", "教授", ("智能制造", "科技成果转化"), "tju"),
    # Declared: advised 正定县 on drafting its construction plan.
    _expert(3, "张志强", "教授", ("产业经济", "创业投资"), "nankai", conflicts=("zhengding",)),
    _expert(4, "刘海燕", "教授", ("高等教育管理", "科技成果转化"), "nankai"),
    _expert(5, "陈立新", "教授", ("智能制造",), "bit"),
    _expert(6, "杨文博", "研究员", ("知识产权", "科技成果转化"), "bit"),
    _expert(7, "赵丽华", "教授", ("区域规划", "高等教育管理"), "bjtu"),
    _expert(8, "黄振宇", "研究员", ("科技成果转化", "区域规划"), "casisd"),
    _expert(9, "周明轩", "研究员", ("产业经济", "创业投资"), "casisd"),
    _expert(10, "吴晓东", "教授", ("高等教育管理", "智能制造"), "hebut"),
    _expert(11, "徐静怡", "教授", ("创业投资", "产业经济"), "ruc"),
    _expert(12, "孙宏伟", "研究员", ("生物医药", "科技成果转化"), "imm"),
    _expert(13, "马玉兰", "教授", ("区域规划", "产业经济"), "ruc"),
    _expert(14, "朱卫东", "教授", ("智能制造", "知识产权"), "bjtu"),
    # In the city, in districts without a regional applicant.
    # Declared: the fund he manages holds shares in 康拓生物医药.
    _expert(15, "胡晓峰", "高级经济师", ("创业投资", "产业经济"), "runke", conflicts=("kangtuo",)),
    _expert(16, "郭春梅", "高级经济师", ("创业投资",), "runke"),
    _expert(17, "何志刚", "高级经济师", ("区域规划", "科技成果转化"), "ccfw"),
    _expert(18, "高建华", "高级经济师", ("产业经济", "区域规划"), "ccfw"),
    _expert(19, "林晓燕", "正高级工程师", ("知识产权",), "jizhi"),
    # From applicant universities: excluded from their own application (and, in 裕华区, from 裕华区's).
    _expert(20, "罗永明", "教授", ("智能制造", "科技成果转化"), "hebust"),
    _expert(21, "郑国栋", "教授", ("生物医药",), "hebust"),
    _expert(22, "梁秀英", "教授", ("智能制造", "区域规划"), "stdu"),
    _expert(23, "宋立群", "教授", ("高等教育管理",), "stdu"),
    _expert(24, "谢文涛", "教授", ("高等教育管理", "知识产权"), "hebtu"),
    _expert(25, "韩雪梅", "教授", ("生物医药", "科技成果转化"), "hebmu"),
    _expert(26, "唐振华", "研究员", ("科技成果转化", "智能制造"), "hebas"),
    _expert(27, "冯志远", "研究员", ("生物医药",), "hebas"),
    # From applicant enterprises.
    _expert(28, "于海波", "正高级工程师", ("智能制造",), "guiteng"),
    _expert(29, "董丽娟", "正高级工程师", ("生物医药",), "kangtuo"),
    _expert(30, "曹建平", "正高级工程师", ("智能制造", "知识产权"), "xinlian"),
)

EVALUATORS: tuple[DemoEvaluator, ...] = (
    DemoEvaluator(key="evaluator1", name="孟庆华", organisation="zhiheng"),
    DemoEvaluator(key="evaluator2", name="白雅琴", organisation="zhengxin"),
    DemoEvaluator(key="evaluator3", name="邵俊杰", organisation="chuangping"),
)

ROUND = DemoRound(
    year=2023,
    data_year=2022,
    title="2023年度石家庄市“双创”示范基地评选(2022年度数据)",
    kinds=BASE_KINDS,
    # reference-figures.md: Hebei 2.00%, Shijiazhuang 2.52% (2022); the gate compares with the province.
    references=MappingProxyType(
        {"provincial_rd_intensity": "2.00", "city_rd_intensity": "2.52", "rd_reference": "provincial"}
    ),
    quotas=MappingProxyType({"regional": 4, "university": 3, "enterprise": 3}),
    pass_line="60",
    panel_size=5,
    reserves=2,
)


def _accounts() -> tuple[DemoAccount, ...]:
    accounts = [
        DemoAccount("staff", "staff", "刘晓明(市发改委)", organisation="drc"),
        DemoAccount("staff2", "staff", "陈静(市发改委)", organisation="drc"),
        DemoAccount("admin", "admin", "系统管理员", organisation="drc"),
        DemoAccount("auditor", "auditor", "审计员", organisation="drc"),
    ]
    applicant_districts = {_BY_KEY[app.organisation].district for app in APPLICATIONS}
    accounts += [
        DemoAccount(f"county_{DISTRICT_SLUGS[d]}", "county", f"{d}发展改革部门", district=d)
        for d in DISTRICTS
        if d in applicant_districts
    ]
    for app in APPLICATIONS:
        org = _BY_KEY[app.organisation]
        accounts.append(
            DemoAccount(f"app_{org.key}", "applicant", org.name, organisation=org.key, district=org.district)
        )
    accounts += [
        DemoAccount(e.key, "expert", e.name, organisation=e.affiliation, district=e.district) for e in EXPERTS
    ]
    for person in EVALUATORS:
        org = _BY_KEY[person.organisation]
        accounts.append(
            DemoAccount(person.key, "evaluator", person.name, organisation=org.key, district=org.district)
        )
    return tuple(accounts)


ACCOUNTS: tuple[DemoAccount, ...] = _accounts()

DEMO = DemoData(
    round=ROUND,
    districts=DISTRICTS,
    organisations=ORGANISATIONS,
    applications=APPLICATIONS,
    experts=EXPERTS,
    evaluators=EVALUATORS,
    accounts=ACCOUNTS,
)
