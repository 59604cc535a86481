"""Demo data: Jinzhong's counties, units, teams and enterprises, and a season of inspections.

seed_demo() fills an empty database through the same rule functions the views call
(start_inspection, record_result, add_enforcement, submit_inspection), then back-dates the
inspections over their campaign and moves the hazards through their life (listed, submitted with a
proof photo, rejected, closed) through the rules of rules.hazards, each at its moment in the past.
Everything but the tokens (QR tokens, hazard UUIDs, password salts, file names) follows from the seed.
"""

import random
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from io import BytesIO

from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from checklist import access, credit_code, tallies
from checklist.clock import CHINA, local_day, local_today, to_local
from checklist.imaging import ProcessedPhoto, process_photo
from checklist.models import (
    Campaign,
    ChecklistItem,
    County,
    EnforcementKind,
    Enterprise,
    Hazard,
    HazardHistory,
    HazardLevel,
    HazardStatus,
    HistoryAction,
    Inspection,
    InspectionMode,
    MeasureKind,
    Outcome,
    ReviewVerdict,
    Role,
    Sector,
    Team,
    Unit,
    UnitKind,
    User,
)
from checklist.rules.definitions import Catalogue, sync_sectors
from checklist.rules.hazards import accept_fix, list_hazard, reject_fix, request_extension, submit_fix
from checklist.rules.inspections import (
    HazardInput,
    add_enforcement,
    record_result,
    set_inspectors,
    start_inspection,
    submit_inspection,
)
from checklist.rules.oversight import MeasureInput, take_measure
from checklist.rules.reviews import Verdict, review_hazards

DEMO_PASSWORD = "demo1234"
ACTIONS = {
    HazardStatus.SUBMITTED: HistoryAction.SUBMITTED,
    HazardStatus.OPEN: HistoryAction.REJECTED,
    HazardStatus.CLOSED: HistoryAction.ACCEPTED,
}


@dataclass(frozen=True)
class DemoLogin:
    role: str
    username: str
    password: str
    description: str


DEMO_LOGINS = (
    DemoLogin(Role.CITY_ADMIN.value, "city", DEMO_PASSWORD, "晋中市安委办：全市监管"),
    DemoLogin(Role.COUNTY_ADMIN.value, "county", DEMO_PASSWORD, "榆次区安委办：县级监管、验收销号"),
    DemoLogin(Role.INSPECTOR.value, "inspector", DEMO_PASSWORD, "榆次区应急管理局第一检查督导组检查人员"),
    DemoLogin(Role.INSPECTOR.value, "inspector2", DEMO_PASSWORD, "太谷区应急管理局检查人员（另一县）"),
    DemoLogin(Role.ENTERPRISE.value, "enterprise", DEMO_PASSWORD, "榆次区企业（榆次区应急管理局监管）"),
    DemoLogin(Role.ENTERPRISE.value, "enterprise2", DEMO_PASSWORD, "榆次区另一家企业"),
)

NOTICE_TITLE = "关于做好当前及后四个月安全防范工作扎实有效开展安全检查督导的通知"
NOTICE_NUMBER = "市安发〔2021〕17号"
NOTICE_STARTS, NOTICE_ENDS = date(2021, 8, 30), date(2021, 12, 31)
CURRENT_LEAD_DAYS, CURRENT_TAIL_DAYS = 75, 45

CITY = "晋中市"
CITY_ABBREVIATION = "晋"
# name, administrative division code, short name, abbreviation in document numbers, weight for enterprises
COUNTIES = (
    ("榆次区", "140702", "榆次", "榆", 1.8),
    ("太谷区", "140703", "太谷", "太", 1.1),
    ("榆社县", "140721", "榆社", "社", 0.8),
    ("左权县", "140722", "左权", "左", 0.8),
    ("和顺县", "140723", "和顺", "和", 0.8),
    ("昔阳县", "140724", "昔阳", "昔", 0.8),
    ("寿阳县", "140725", "寿阳", "寿", 0.9),
    ("祁县", "140727", "祁县", "祁", 1.0),
    ("平遥县", "140728", "平遥", "平", 1.2),
    ("灵石县", "140729", "灵石", "灵", 1.1),
    ("介休市", "140781", "介休", "介", 1.3),
)
# counties with coal mines: coal enterprises only go there
MINING_COUNTIES = {"灵石县", "介休市", "寿阳县", "昔阳县", "和顺县", "左权县", "榆社县"}


@dataclass(frozen=True)
class Department:
    key: str
    city_name: str
    county_suffix: str | None  # None: no county office; the city's supervises every county
    abbreviation: str  # in enforcement document numbers
    sectors: tuple[str, ...]


DEPARTMENTS = (
    Department("emergency", "晋中市应急管理局", "应急管理局", "应急",
               ("non_coal_mine", "hazardous_chemicals", "metallurgy_trade", "forest_fire")),
    Department("energy", "晋中市能源局", "能源局", "能源", ("coal",)),
    Department("housing", "晋中市住房和城乡建设局", "住房和城乡建设局", "住建",
               ("construction", "gas", "municipal_utilities")),
    Department("transport", "晋中市交通运输局", "交通运输局", "交", ("road_transport",)),
    Department("fire", "晋中市消防救援支队", "消防救援大队", "消", ("fire",)),
    Department("tourism", "晋中市文化和旅游局", "文化和旅游局", "文旅", ("tourism",)),
    Department("education", "晋中市教育局", "教育局", "教", ("education",)),
    Department("market", "晋中市市场监督管理局", "市场监督管理局", "市监", ("special_equipment",)),
    Department("police", "晋中市公安局", "公安局", "公", ("civil_explosives",)),
    Department("postal", "晋中市邮政管理局", None, "邮", ("express_delivery",)),
)

# Name patterns of each sector's enterprises: {county} 榆次区, {short} 榆次, {brand}, {village}, {n} 二.
SECTOR_NAMES = {
    "coal": (
        "山西{short}{brand}煤业有限公司", "山西{short}{brand}煤业有限责任公司",
        "晋中{brand}煤业有限公司{village}煤矿"
    ),
    "non_coal_mine": (
        "{short}{brand}矿业有限公司", "{county}{village}石料厂", "{short}{brand}白云岩矿业有限公司",
        "山西{brand}矿业有限公司{short}铁矿", "{short}{brand}石灰岩开采有限公司"
    ),
    "hazardous_chemicals": (
        "山西{brand}化工有限公司", "{short}{brand}化工有限公司", "{county}{brand}加油站",
        "晋中{brand}气体有限公司", "{short}{brand}危险化学品经营有限公司", "{short}{brand}焦化有限公司"
    ),
    "construction": (
        "山西{brand}建筑工程有限公司", "晋中{brand}建设集团有限公司", "{short}{brand}建筑安装工程有限公司",
        "山西{brand}路桥工程有限公司", "{short}{brand}建设工程有限公司"
    ),
    "road_transport": (
        "晋中市{county}{brand}物流有限公司", "{short}{brand}汽车运输有限公司",
        "{short}{brand}危险货物运输有限公司", "晋中{brand}客运有限公司{short}分公司",
        "{county}{brand}出租汽车有限公司", "{county}汽车客运站"
    ),
    "fire": (
        "{short}{brand}购物广场", "{short}{brand}大酒店有限公司", "{short}{brand}商贸城",
        "{county}{brand}养老院", "{short}{brand}超市有限公司", "{short}{brand}宾馆",
        "{short}{brand}KTV娱乐有限公司", "{county}{brand}医院"
    ),
    "gas": (
        "{county}天然气有限公司", "{short}{brand}燃气有限公司", "{short}{brand}液化石油气有限公司",
        "{county}{village}液化气供应站", "{short}{brand}压缩天然气加气站"
    ),
    "tourism": (
        "{short}{brand}旅游开发有限公司", "{short}{brand}文化旅游有限公司",
        "{short}{brand}国际旅行社有限公司", "{county}{village}生态旅游区", "{short}{brand}民宿",
        "{short}{brand}农业观光园"
    ),
    "education": (
        "{county}第{n}中学", "{county}第{n}小学", "{county}{brand}幼儿园", "{county}第{n}中学",
        "{county}第{n}小学", "{county}{village}中心学校", "{county}职业中学校"
    ),
    "special_equipment": (
        "{short}{brand}电梯工程有限公司", "{short}{brand}热力有限公司", "{short}{brand}起重设备安装有限公司",
        "{short}{brand}锅炉安装有限公司", "{county}{brand}气瓶充装站"
    ),
    "metallurgy_trade": (
        "山西{brand}钢铁有限公司", "{short}{brand}铸造有限公司", "{short}{brand}机械制造有限公司",
        "{short}{brand}面粉有限公司", "{short}{brand}粉末冶金有限公司", "{short}{brand}冷链食品有限公司"
    ),
    "civil_explosives": (
        "山西{brand}民爆器材经营有限公司{short}分公司", "{short}{brand}爆破工程有限公司",
        "{county}民用爆炸物品储存库"
    ),
    "municipal_utilities": (
        "{county}供水有限公司", "{county}{brand}供热有限公司", "{county}污水处理厂",
        "{short}{brand}环卫服务有限公司", "{county}{brand}市政工程有限公司"
    ),
    "express_delivery": (
        "{short}{brand}快递服务有限公司", "晋中{brand}速运有限公司{short}营业部",
        "{short}{brand}物流快递有限公司", "{county}{brand}快件分拨中心"
    ),
    "forest_fire": (
        "{county}{village}国有林场", "{short}{brand}林业开发有限公司", "{county}{brand}苗木专业合作社"
    ),
}
# Relative number of enterprises per sector, once every county has one of each.
SECTOR_WEIGHTS = {
    "fire": 14, "construction": 10, "hazardous_chemicals": 9, "road_transport": 8, "education": 8, "coal": 7,
    "gas": 6, "metallurgy_trade": 6, "tourism": 5, "special_equipment": 5, "non_coal_mine": 4,
    "municipal_utilities": 3, "express_delivery": 3, "civil_explosives": 1, "forest_fire": 1,
}
# sectors whose enterprises sit out in the country (address by village)
RURAL_SECTORS = {"coal", "non_coal_mine", "forest_fire", "civil_explosives", "tourism"}

BRANDS = (
    "鑫源", "恒泰", "宏达", "晋丰", "瑞祥", "昌盛", "德兴", "永安", "金泰", "汇通", "兴旺", "顺达", "万通",
    "富源", "润丰", "嘉禾", "泰和", "康宁", "长青", "恒信", "博远", "天宇", "华鑫", "盛世", "聚丰", "宝隆",
    "利民", "新源", "东方", "安泰", "晟达", "正阳", "银河", "凯达", "昊天", "鸿运", "福源", "瑞丰", "广源",
    "建新", "华兴", "同力", "天成", "众和", "三晋", "龙城", "锦程", "祥和", "惠民", "欣荣", "立信", "恒丰",
    "巨龙", "明星", "太行", "汾河", "晋华", "旭日", "兴盛", "亿通", "金鼎", "宏图", "裕丰", "泰昌"
)
VILLAGES = (
    "东庄", "西沟", "南峪", "北岭", "王家庄", "李家沟", "张庄", "后沟", "前进", "红旗", "石窑", "柳沟",
    "杨家峪", "河湾", "新村", "东关", "西关", "南关", "北关", "马家堡", "赵庄", "郭家庄", "韩村", "堡子",
    "峪口", "庙沟", "桃园", "梨园", "上庄", "下庄", "沙河", "青龙", "白家岭", "高村", "庞家沟"
)
STREETS = (
    "顺城街", "迎宾街", "新建路", "汇通路", "文华街", "中心街", "解放路", "建设路", "人民路", "府前街",
    "东大街", "西大街", "南环路", "北环路", "工业路", "振兴街", "龙湖大街", "安宁街", "锦纶路", "新华街"
)
NUMERALS = (
    "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五",
)
SURNAMES = "王李张刘赵杨郭武贾阎霍任梁高乔段冀郝温侯常田牛韩陈孙周吴马胡朱程史范白薛"
MALE_NAMES = (
    "建军", "志强", "国平", "晓东", "永刚", "海军", "卫东", "俊峰", "鹏飞", "利军", "宏伟", "文斌", "振华",
    "晋生", "润生", "保平", "志刚", "学文", "瑞峰", "云飞", "立新", "春生", "永明", "晓峰", "兵", "勇", "强",
    "涛", "斌", "磊", "鹏", "杰", "伟", "峰", "军", "浩", "亮", "刚"
)
FEMALE_NAMES = (
    "丽娟", "海燕", "晓红", "艳芳", "秀梅", "丽萍", "慧敏", "晓燕", "红霞", "雅琴", "婷", "静", "敏", "芳",
    "娜", "瑶", "丹", "慧", "琳", "雪", "璐"
)
PHONE_PREFIXES = ("139", "138", "137", "135", "136", "150", "151", "152", "158", "159", "182", "183", "187",
                  "188", "133", "153", "180", "189", "155", "130", "131", "132")


@dataclass(frozen=True)
class _Rule:
    """Realistic findings for the checklist items whose text contains one of the keywords."""

    keywords: tuple[str, ...]
    problems: tuple[str, ...]
    fix: str = ""


# Ordered from specific to general: an item takes the first rule one of whose keywords it contains.
RULES = (
    _Rule(("八条措施",), ("八条措施未制定分解落实方案，落实台账缺失",), "已制定分解方案并建立台账"),
    _Rule(("特别规定",), ("矿长、总工程师责任清单未签字，月度隐患排查报告未按规定上报",),
          "已签订责任清单并补报"),
    _Rule(("“一通三防”",), ("“一通三防”专项行动排查出的5项问题未建立清单，整改未闭环",),
          "已建立清单并整改闭环"),
    _Rule(("采矿许可证",), ("实际开采范围超出采矿许可证划定范围，生产规模超过许可能力",),
          "已停止越界开采"),
    _Rule(("串联通风", "局部通风机"),
          ("3号掘进工作面局部通风机未实现“双风机、双电源”自动切换，切换试验记录缺失",
           "采区回风巷实测风量低于配风计划，存在不符合规定的串联通风"),
          "已完成风机切换试验并调整风量"),
    _Rule(("甲烷",),
          ("回风巷甲烷传感器超期未调校，断电值设置为1.5%不符合规定",
           "监控系统9月有2次瓦斯超限报警，未见分析处置记录"),
          "已重新调校传感器并补充处置记录"),
    _Rule(("瓦斯抽采", "防突"),
          ("瓦斯抽采达标评判报告未及时编制，抽采台账数据不完整",),
          "已编制抽采达标评判报告"),
    _Rule(("自然发火", "综合防尘"),
          ("2号回风巷隔爆水袋缺水且数量不足，运输巷转载点喷雾装置损坏",),
          "已补齐隔爆水袋并修复喷雾装置"),
    _Rule(("探放水",),
          ("探放水设计未经矿总工程师审批即组织施工，探放水钻孔记录不全",),
          "已补办审批并完善钻孔记录"),
    _Rule(("防治水",),
          ("水害隐患排查台账未及时更新，老空积水区未在采掘工程平面图上标注",),
          "已更新台账并补绘积水区"),
    _Rule(("停产撤人",),
          ("未制定强降雨天气停产撤人具体措施，撤人路线和联络方式不明确",),
          "已修订停产撤人制度并张贴撤人路线"),
    _Rule(("带班下井",),
          ("抽查近一月带班记录，有2个班次带班领导未与工人同时升井", "值班带班表未落实，抽查时带班领导不在岗"),
          "已对相关人员考核并重新排班"),
    _Rule(("超层越界", "采掘接续", "采掘工作面个数"),
          ("井下实际采掘工作面个数与采掘计划不一致，多布置1个掘进工作面",
           "年度采掘接续计划未按季度修订，接续紧张"),
          "已停止违规工作面并修订采掘计划"),
    _Rule(("六大系统",), ("人员定位系统部分分站故障，紧急避险硐室未定期维护",), "已修复分站并完成维护"),
    _Rule(("主通风机",), ("主通风机反风演习记录缺失，部分采场风量不足",), "已组织反风演习并调整风量"),
    _Rule(("采空区",), ("3号采空区未按设计进行充填处理，无地压监测记录",), "已制定充填方案并开展地压监测"),
    _Rule(("一面墙", "台阶"),
          ("露天采场存在“一面墙”开采，台阶高度超过设计要求，边坡未按规定监测",),
          "已按设计削坡分台阶"),
    _Rule(("尾矿库",), ("尾矿库干滩长度不足，在线监测系统数据中断未及时修复",), "已修复在线监测并调整排放"),
    _Rule(("提升机", "防坠器"),
          ("主井提升机钢丝绳检测报告过期，防坠器未按期进行脱钩试验",),
          "已完成检测检验"),
    _Rule(("安全出口及通道",), ("二号安全出口通道内堆放杂物，指示标志缺失",), "已清理通道并补设标志"),
    _Rule(("外包", "承包单位"),
          ("外包施工单位项目部未按规定配备专职安全管理人员", "与承包单位签订的安全生产管理协议已过期未续签"),
          "已补签协议并配齐人员"),
    _Rule(("停产停建",), ("停产整顿期间未经验收擅自组织生产建设",), "已停止作业并申请复产验收"),
    _Rule(("民用爆炸物品储存库", "核定储存量"),
          ("储存库炸药存放量超过核定储存量，库内堆放杂物", "储存库周边新建养殖大棚，安全距离不足"),
          "已调出超量物品并清理库区"),
    _Rule(("人防、物防",), ("储存库夜间值守人员脱岗，入侵报警系统故障未修复",), "已修复报警系统并落实值守"),
    _Rule(("出入库",), ("民用爆炸物品出入库登记与实物不符，流向信息未实时上传",), "已核对账物并补传流向信息"),
    _Rule(("清退",), ("当班剩余雷管未清退回库，清退记录缺失",), "已清退回库并补齐记录"),
    _Rule(("防雷",), ("防雷防静电设施检测报告已过期，未重新检测",), "已完成防雷防静电检测"),
    _Rule(("销售许可证",), ("民用爆炸物品销售许可证已过期，仍在从事销售活动",), "已停止销售并办理许可延续"),
    _Rule(("保管员",), ("库房保管员和押运员资格证书过期，未及时复审",), "已组织复审取证"),
    _Rule(("危险工房",), ("危险工房内作业人员超过定员，药量超过核定值",), "已按定员定量整改"),
    _Rule(("爆破",), ("爆破作业警戒距离不足，爆后未按规定进行安全检查",), "已修订爆破设计并落实警戒"),
    _Rule(("运输许可",), ("运输民用爆炸物品未按许可路线行驶，押运人员不在车上",), "已对驾押人员教育并处理"),
    _Rule(("一氧化碳",),
          ("煤气区域固定式一氧化碳报警器2台故障，作业人员未携带便携式报警仪",),
          "已修复报警器并配发报警仪"),
    _Rule(("煤气设施", "带煤气作业"),
          ("煤气设施动火作业未可靠切断气源即作业，无动火审批",),
          "已完善动火审批制度"),
    _Rule(("熔融金属",),
          ("吊运铁水的起重机不是冶金铸造起重机，铸造区域地面有积水",),
          "已更换起重机并清除积水"),
    _Rule(("除尘系统",), ("不同防火分区的除尘系统互联互通，除尘器未设置泄爆装置",), "已分区改造并加装泄爆片"),
    _Rule(("粉尘清扫", "积尘"), ("抛光车间作业区域积尘明显，粉尘清扫记录缺失",), "已清扫并建立清扫记录"),
    _Rule(("专家会诊",), ("涉爆粉尘专家会诊指出的3项问题未整改闭环",), "已按会诊意见整改"),
    _Rule(("液氨", "涉氨"),
          ("液氨管道阀门锈蚀，氨气浓度报警与事故排风机未联动",),
          "已更换阀门并完成联动调试"),
    _Rule(("易燃易爆气体",), ("煤气和易燃易爆气体专项整治排查问题清单未更新，2项问题未销号",), "已整改销号"),
    _Rule(("配套危化装置",),
          ("厂内制氧站安全设施未按危险化学品要求设计和验收",),
          "已委托设计单位完成安全设施评估"),
    _Rule(("有限空间",),
          ("污水井有限空间作业未审批，现场未进行气体检测，无监护人员",
           "有限空间未辨识建立台账，未配备应急救援装备"),
          "已建立台账并配齐检测仪和救援装备"),
    _Rule(("液氯", "加氯间"),
          ("加氯间氯气泄漏报警装置故障，吸收装置未定期试运行",),
          "已修复报警装置并试运行"),
    _Rule(("水源地", "二次供水"), ("清水池周边防护隔离网破损，视频监控存在盲区",), "已修复隔离网并增设监控"),
    _Rule(("桥梁",), ("辖区1座危桥未设置限载限行标志",), "已设置限载标志"),
    _Rule(("窨井盖",), ("主干道有3处窨井盖破损移位，未及时处置",), "已更换井盖"),
    _Rule(("道路挖掘", "围挡"), ("道路挖掘施工现场围挡不连续，夜间无警示灯",), "已完善围挡和警示灯"),
    _Rule(("易涝点", "下穿通道"),
          ("下穿通道未设置水位警示标志，排水泵站抢险人员未落实",),
          "已设置水位标尺和警示牌"),
    _Rule(("供暖季", "集中供热"), ("供暖季前锅炉检修未完成，1台锅炉定期检验已超期",), "已完成检修和检验"),
    _Rule(("供热管网",), ("供热管网检查井盖板缺失，存在烫伤和坠落风险",), "已补设盖板和警示标志"),
    _Rule(("填埋",), ("填埋场沼气导排设施损坏，作业区域未设置禁止烟火标志",), "已修复导排设施"),
    _Rule(("广告牌", "招牌"), ("沿街2处店招牌匾固定件锈蚀松动，大风天气有坠落风险",), "已拆除加固"),
    _Rule(("收寄验视",), ("抽查营业网点，收寄时未当面验视交寄物品",), "已对收寄人员培训并落实验视"),
    _Rule(("实名",), ("实名收寄信息录入不全，部分快件无寄件人身份信息",), "已补录实名信息"),
    _Rule(("X光安检机", "过机安检"), ("分拨中心X光安检机故障停用，快件未过机安检",), "已修复安检机"),
    _Rule(("分拣传输",), ("分拣线急停按钮失效，作业人员跨越运行中的传送带",), "已修复急停按钮并开展培训"),
    _Rule(("快件堆放",), ("分拨中心快件堆放占用消防通道，遮挡室内消火栓",), "已清理通道并规范堆放"),
    _Rule(("收派", "电动三轮"), ("收派电动三轮车无统一编号，多辆车刹车失灵",), "已统一编号并检修车辆"),
    _Rule(("“双十一”", "业务高峰"),
          ("未制定业务高峰期安全保障方案，分拨场地超负荷堆放快件",),
          "已制定方案并疏导快件"),
    _Rule(("野外用火",), ("林区周边发现村民焚烧秸秆，野外用火管控不到位",), "已约谈村委会并加强巡查"),
    _Rule(("检查站",), ("主要进山路口森林防火检查站无人值守，进山人员未登记",), "已落实检查站值守人员"),
    _Rule(("护林员",), ("护林员巡护轨迹不全，有3名护林员近一周无巡护记录",), "已约谈护林员并加密巡护"),
    _Rule(("祭祀",), ("重点坟茔区域无专人看守，文明祭祀宣传不到位",), "已安排看守人员"),
    _Rule(("瞭望塔", "火情监测"), ("瞭望塔视频监控故障，高火险期未落实24小时值班",), "已修复监控并落实值班"),
    _Rule(("森林消防队伍",), ("半专业森林消防队伍人员不足，队员未开展扑火训练",), "已补充队员并组织训练"),
    _Rule(("物资储备",), ("防火物资储备库风力灭火机3台无法启动，台账与实物不符",), "已维修设备并更新台账"),
    _Rule(("隔离带", "防火通道"), ("防火隔离带杂草未清理，可燃物堆积",), "已清理隔离带"),
    _Rule(("输配电线路",), ("穿越林区的输电线路下方树木距导线过近，未清理",), "已协调供电单位清理"),
    _Rule(("火情报告",), ("火情报告制度不落实，一起小火情未及时上报",), "已通报批评并完善报告制度"),
    _Rule(("宣传标语", "警示牌"), ("林区主要路口未设置森林防火警示牌",), "已设置警示牌"),
    _Rule(("追溯",), ("充装单位部分气瓶未粘贴追溯标识，充装信息未上传",), "已补贴标识并上传信息"),
    _Rule(("信息化",), ("特种设备信息系统中部分设备检验信息未录入，数据与实际不符",), "已核对并补录信息"),
    _Rule(("监督检查计划",), ("年度安全监督检查计划未按进度落实，重点单位未覆盖",), "已补充检查"),
    _Rule(("索道", "游乐设施"), ("景区观光车未办理使用登记，检验已超期",), "已办理登记并检验"),
    _Rule(("建筑起重机械", "塔式起重机"), ("2号塔式起重机未办理使用登记即投入使用",), "已停用并办理登记"),
    _Rule(("电梯",), ("电梯维保记录显示超过15日未维保，轿厢内未张贴使用标志",), "已落实维保并张贴标志"),
    _Rule(("安全阀", "压力表"), ("锅炉压力表超过检定有效期，安全阀未按期校验",), "已更换压力表并校验安全阀"),
    _Rule(("限位器", "起重量限制器"),
          ("桥式起重机起升高度限位器失效，吊钩防脱装置缺失",),
          "已修复限位器并加装防脱装置"),
    _Rule(("报废条件",), ("1台已达设计使用年限的压力容器未办理注销仍在使用",), "已停用并办理注销"),
    _Rule(("安全技术档案",), ("特种设备安全技术档案不全，缺少定期检验报告和维保记录",), "已补齐档案"),
    _Rule(("使用登记",), ("2台叉车未办理使用登记即投入使用",), "已办理使用登记"),
    _Rule(("检验合格有效期", "定期检验"), ("1台电梯定期检验已超期仍在使用",), "已完成定期检验"),
    _Rule(("维护保养",), ("设备日常维护保养和自行检查无记录",), "已建立记录"),
    _Rule(("重大危险源",),
          ("重大危险源包保责任公示牌未设置，技术负责人未履行包保职责",
           "重大危险源储罐液位数据未接入风险监测预警系统"),
          "已设置公示牌并完成数据接入"),
    _Rule(("有毒气体",),
          ("罐区2台可燃气体检测报警器超期未检定，报警信号未传至控制室",),
          "已检定并接入控制室"),
    _Rule(("特殊作业", "受限空间"),
          ("动火作业票审批人签字不全，现场无监护人", "进入受限空间作业前未进行气体分析"),
          "已完善作业票证管理"),
    _Rule(("联锁",), ("反应釜温度联锁被擅自摘除，无审批记录",), "已恢复联锁并建立摘除审批制度"),
    _Rule(("判定标准",),
          ("对照重大事故隐患判定标准自查流于形式，未形成自查报告",),
          "已重新组织自查并形成报告"),
    _Rule(("禁忌物料", "剧毒"),
          ("仓库内氧化剂与易燃液体混存，未分区分类储存", "剧毒化学品未实行双人收发、双人保管"),
          "已分区存放并落实双人管理"),
    _Rule(("装卸",), ("装卸前未查验运输车辆和押运人员资质，无查验记录",), "已建立查验登记制度"),
    _Rule(("打非治违",), ("辖区发现1处无证储存危险化学品的仓库，未依法查处",), "已依法查处"),
    _Rule(("罐体",),
          ("1辆危险货物运输车辆罐体检验报告过期仍在营运，押运员从业资格证过期",),
          "已停运送检并更换押运员"),
    _Rule(("校车",), ("校车随车照管人员未全程跟车，照管记录缺失",), "已落实随车照管"),
    _Rule(("动态监控",),
          ("动态监控平台有3辆车连续5天离线未处理，夜间无专职监控人员值守",),
          "已恢复车辆在线并落实值守"),
    _Rule(("超速",),
          ("平台报警显示近一月有17起超速报警未处理，未对驾驶员进行教育",),
          "已处理报警并教育驾驶员"),
    _Rule(("二级维护", "综合性能检测"),
          ("2辆营运车辆二级维护超期，车辆技术档案记录不全",),
          "已完成维护并补齐档案"),
    _Rule(("三不进站",), ("出站检查登记不全，存在未经例检的车辆出站",), "已落实例检和出站检查"),
    _Rule(("连续驾驶",), ("长途客运车辆凌晨2时至5时仍在运行，未实行接驳运输",), "已调整班次"),
    _Rule(("农用车",), ("农用车违法载人劝导站未落实人员，劝导记录缺失",), "已落实劝导人员"),
    _Rule(("农村地区",), ("乡镇交管站工作开展不到位，交通安全宣传无记录",), "已补充开展宣传"),
    _Rule(("减量控大",), ("辖区2处事故多发路段未设置警示标志",), "已设置警示标志"),
    _Rule(("一键",), ("一键式紧急报警装置故障，未与公安机关联网",), "已修复并联网"),
    _Rule(("防冲撞",), ("校门口防冲撞硬隔离设施缺失，仅摆放临时隔离桩",), "已安装升降柱"),
    _Rule(("护学岗",), ("放学时段校门口护学岗无人值守",), "已落实护学岗人员"),
    _Rule(("保安员",), ("学校仅配备1名保安员且未持证上岗",), "已增配持证保安员"),
    _Rule(("封闭化管理", "外来人员"), ("外来人员进校未登记核实，门卫值守不到位",), "已落实登记制度"),
    _Rule(("危房", "楼梯护栏"), ("教学楼二层楼梯护栏松动，存在坠落风险",), "已加固护栏"),
    _Rule(("食堂", "食品经营"), ("食堂2名从业人员健康证过期，食品留样记录不全",), "已办理健康证并规范留样"),
    _Rule(("实验室",), ("化学实验室危险化学品未专柜存放，领用登记不规范",), "已配备专柜并规范登记"),
    _Rule(("视频监控",), ("视频监控存在盲区，录像保存不足30天",), "已增设摄像头并扩容存储"),
    _Rule(("最大承载量",),
          ("景区未公布最大承载量，节假日高峰期无限流分流措施",),
          "已公布承载量并制定限流方案"),
    _Rule(("高风险旅游项目", "高空、高速"),
          ("玻璃栈道项目操作人员未持证上岗，安全防护措施不到位",),
          "已安排持证人员"),
    _Rule(("临水", "临崖"), ("景区临崖步道护栏缺失，未设置安全警示标志",), "已加装护栏和警示标志"),
    _Rule(("地质灾害",), ("景区地质灾害隐患点未设置监测和警示标志",), "已设置监测点和警示标志"),
    _Rule(("救生",), ("游船救生衣数量不足，与核定载客人数不符",), "已补足救生衣"),
    _Rule(("包车", "旅行社"), ("旅行社租用车辆未签订包车合同，未查验驾驶人资质",), "已补签合同并查验资质"),
    _Rule(("动火",), ("施工现场动火作业未审批，未设专人监护，临时消防设施不足",), "已落实动火审批和监护"),
    _Rule(("临时用电",), ("施工现场开关箱未安装漏电保护器，存在“一闸多机”",), "已按“一机一闸一漏一箱”整改"),
    _Rule(("临边", "脚手架"),
          ("5号楼临边防护栏杆缺失，脚手架未经验收挂牌，高处作业人员未系安全带",),
          "已补设防护栏杆并完成脚手架验收"),
    _Rule(("专家论证",), ("深基坑工程未组织专家论证即开挖",), "已组织专家论证"),
    _Rule(("专项施工方案",), ("高大模板支撑体系专项施工方案未经总监理工程师审查签字",), "已补办审查签字"),
    _Rule(("危大工程",), ("危大工程施工现场未公告责任人员，专职安全员未现场监督",), "已公告并落实现场监督"),
    _Rule(("责任保险",), ("施工单位未投保安全生产责任保险",), "已投保"),
    _Rule(("三级安全教育", "技术交底"),
          ("新进场12名工人无三级安全教育记录，安全技术交底未签字",),
          "已补充教育并签字交底"),
    _Rule(("“三类人员”",), ("项目负责人安全生产考核合格证书已过期",), "已重新考核取证"),
    _Rule(("瓶装液化气市场", "“黑气点”"),
          ("辖区发现1处无证经营瓶装液化气的“黑气点”，未及时取缔",),
          "已会同相关部门取缔"),
    _Rule(("煤改气",), ("抽查5户“煤改气”用户，2户燃气壁挂炉烟道未伸出室外",), "已入户整改"),
    _Rule(("充装",), ("充装前检查记录不全，1只超期未检气瓶被充装",), "已停用超期气瓶并完善充装记录"),
    _Rule(("供应站",), ("供应站实瓶与空瓶未分区存放，存瓶量超过核定规模",), "已分区存放并调出超量气瓶"),
    _Rule(("泄漏报警",), ("餐饮用户用气场所未安装燃气泄漏报警装置",), "已安装报警装置"),
    _Rule(("软管",), ("用户燃气软管长度超过2米且有接头，软管老化龟裂",), "已更换专用软管"),
    _Rule(("入户安全检查",), ("入户安全检查覆盖率不足，发现隐患未书面告知用户",), "已补充入户检查并书面告知"),
    _Rule(("占压",), ("中压燃气管道上方有临时建筑违章占压",), "已拆除占压建筑"),
    _Rule(("电动自行车", "电动车辆"), ("一层楼梯间停放电动自行车并飞线充电",), "已清理并设置集中充电点"),
    _Rule(("消防安全责任人",), ("未明确消防安全管理人，消防安全制度未上墙，岗位责任未落实",),
          "已明确责任人并落实制度"),
    _Rule(("消防控制室",), ("消防控制室夜间仅1人值班，值班人员未持证",), "已落实双人持证值班"),
    _Rule(("火灾自动报警",),
          ("室内消火栓箱内水带缺失，火灾自动报警系统12个探测器处于故障状态",),
          "已补齐水带并修复探测器"),
    _Rule(("防火门",), ("楼梯间常闭式防火门处于常开状态，闭门器损坏",), "已维修闭门器"),
    _Rule(("应急照明",),
          ("三层走廊2处疏散指示标志损坏不亮，应急照明断电后不能正常工作",),
          "已更换应急照明和疏散指示"),
    _Rule(("防火巡查",), ("防火巡查记录不全，近一月有8天无巡查记录",), "已落实每2小时巡查"),
    _Rule(("居住场所",), ("经营场所内设置员工宿舍，未采取防火分隔措施（“三合一”场所）",), "已搬离宿舍"),
    _Rule(("电气线路", "大功率电器"), ("库房内电气线路私拉乱接，使用不合格插线板",), "已重新敷设线路"),
    _Rule(("安全锤",), ("2辆客车安全锤缺失，车载灭火器已过期",), "已补齐安全锤并更换灭火器"),
    _Rule(("灭火器",),
          ("二层走廊2具灭火器压力指针处于红区，部分灭火器被货物遮挡",),
          "已更换灭火器并清理遮挡物"),
    _Rule(("疏散通道", "安全出口"),
          ("二层东侧安全出口被货物堵塞，营业期间上锁，疏散通道堆放杂物",),
          "已清理杂物、开启安全出口"),
    _Rule(("消防设施",), ("消防设施未按规定配置，部分灭火器过期",), "已补齐消防器材"),
    _Rule(("专题片",),
          ("未组织观看《生命重于泰山》专题片，无观看记录", "专题片组织观看未覆盖一线从业人员"),
          "已组织补看并留存记录"),
    _Rule(("安全生产法",),
          ("未建立全员安全生产责任制，新《安全生产法》学习宣贯无记录",),
          "已建立全员责任制并组织学习"),
    _Rule(("一张表",), ("未制定重点行业领域安全监管检查“一张表”",), "已制定并使用"),
    _Rule(("三年行动",), ("专项整治三年行动问题隐患和制度措施“两个清单”未及时更新",), "已更新清单"),
    _Rule(("警示教育",), ("未结合典型事故案例开展警示教育，无活动记录",), "已组织警示教育"),
    _Rule(("后四个月", "防范措施"), ("未针对节日和秋冬季制定安全防范措施方案",), "已制定方案"),
    _Rule(("整改销号",),
          ("上级检查发现的3项问题未按期整改销号，台账未更新", "隐患排查台账不完整，整改销号资料缺失"),
          "已完成整改并更新台账"),
    _Rule(("值班",), ("节假日24小时值班表未落实，抽查时值班人员不在岗",), "已落实值班制度"),
    _Rule(("隐患排查",), ("隐患排查治理制度未有效执行，节假日前排查无记录",), "已补充排查并建立记录"),
    _Rule(("特种作业", "资格证书", "持证"),
          ("现场1名电焊工无特种作业操作证", "2名特种作业人员操作证超期未复审"),
          "已安排持证人员上岗"),
    _Rule(("许可",), ("相关许可证件已过期，未按规定办理延续手续",), "已办理延续"),
    _Rule(("应急预案", "演练"),
          ("应急预案未按规定组织演练，无演练记录和评估报告", "应急救援器材配备不齐，部分防护用品过期"),
          "已组织演练并补齐器材"),
    _Rule(("培训", "考核合格"),
          ("主要负责人和安全管理人员考核合格证过期，年度安全培训记录不全",),
          "已组织培训考核"),
    _Rule(("安全生产管理机构", "安全管理机构", "安全管理人员"), ("未按规定配备专职安全生产管理人员",),
          "已配备专职安全管理人员"),
)
GENERIC_RULE = _Rule((),
                     ("相关要求未分解落实，无责任分工和落实台账",
                      "安全生产责任制未明确到岗位，责任清单未签字确认"),
                     "已制定落实方案并建立台账")
# 督政: what the demo finds at a county office or a department, by the item it fails
OVERSIGHT_PROBLEMS = {
    "C01": "党政领导干部带队检查记录不全，履职情况无据可查",
    "C05": "行业部门监管职责清单未明确，重点行业领域检查“一张表”尚未制定",
    "G01": "部分监管企业未列入本次全面检查计划，检查未覆盖全部企业",
    "G03": "检查督导组成员调整后未重新上报名单，联络员变更未报备",
    "G04": "检查未使用“一张表”逐项检查，问题清单未交被检查单位签收",
    "G05": "上级督导发现的问题隐患逾期未整改销号，台账未动态更新",
    "G07": "日报多次迟报，内容未见人见事",
    "G08": "月报问题部分不足一半，重大问题隐患未逐一列出清单",
}
# sector items about a department's own duties (监督检查计划, 护学岗 …) rather than the enterprise's: often not
# applicable at an enterprise. The common items say their own audience (checklists/common.toml).
GOVERNMENT_KEYWORDS = (
    "党委", "政府", "行业部门", "辖区", "农村地区", "农用车", "减量控大", "护学岗", "“黑气点”", "行政首长",
    "打非治违", "监督检查计划", "信息化建设",
)

PASS_NOTES = ("", "", "", "", "", "", "查阅台账，符合要求", "现场核查符合要求", "资料齐全", "抽查记录完整")
NA_NOTE = "本单位不涉及"
REJECT_NOTES = (
    "整改照片不清晰，无法确认整改效果，请重新上传",
    "仅提供了制度文本，未见落实记录，请补充台账",
    "现场复查发现问题依然存在，退回重新整改",
    "整改材料与隐患不对应，请补充现场照片",
)
CLOSE_NOTES = (
    "经现场复查，整改到位，同意销号",
    "复查验收合格，予以销号",
    "整改资料齐全，照片核实到位，同意销号",
)
SUBMIT_NOTE = "已整改，附照片"
RESUBMIT_NOTE = "已按要求重新整改，附照片"
FINES_WAN = ("0.50", "1.00", "1.50", "2.00", "2.50", "3.00", "4.00", "5.00")

TOTAL_ENTERPRISES = 352
NOTICE_INSPECTIONS = 70
TOTAL_INSPECTIONS = 400
ENTERPRISE_USERS = 20
MAJOR_SHARE = 0.05


@dataclass
class _Plan:
    day: date
    campaign: Campaign
    enterprise: Enterprise
    user: User
    team: Team | None
    mode: InspectionMode
    companions: list[User] = field(default_factory=list)
    fails: int | None = None
    major: bool = False


@dataclass
class _Found:
    hazard: Hazard
    inspection: Inspection
    at: datetime  # naive UTC
    fix: str
    current: bool
    status: HazardStatus = HazardStatus.OPEN
    rejected: bool = False


class _Seeder:
    def __init__(self, session: Session, catalogue: Catalogue, upload_dir: str, today: date, seed: int):
        self.session, self.catalogue, self.upload_dir, self.today = session, catalogue, upload_dir, today
        self.rng = random.Random(seed)
        # the last day anything happens: yesterday, so nothing is ever in the future
        self.last_day = min(today, local_today()) - timedelta(days=1)
        self.ceiling = datetime.combine(self.last_day + timedelta(days=1), time.min, CHINA).astimezone(UTC).replace(
            tzinfo=None) - timedelta(minutes=1)  # the end of that day, as naive UTC
        self.phones: set[str] = set()
        self.names: set[str] = set()
        self.codes: set[str] = set()
        self.unusable_hash = ""
        self.demo_hash = ""
        self.abbreviations: dict[int, tuple[str, str]] = {}  # id(unit) -> (county, department) abbreviations
        self.sequences: Counter = Counter()
        self.cards, self.card_rng = 0, random.Random(seed + 1)  # its own draws: the rest of the demo stays as it was
        self.enterprise_users: dict[int, User] = {}
        self.county_admins: dict[int, User] = {}
        self.found: list[_Found] = []

    # --- people -------------------------------------------------------------------------------

    def person(self) -> str:
        rng = self.rng
        given = rng.choice(MALE_NAMES) if rng.random() < 0.7 else rng.choice(FEMALE_NAMES)
        return rng.choice(SURNAMES) + given

    def phone(self, prefix: str | None = None) -> str:
        while True:
            number = (prefix or self.rng.choice(PHONE_PREFIXES)) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def user(self, role: Role, *, unit: Unit | None = None, enterprise: Enterprise | None = None,
             username: str | None = None, name: str | None = None, phone: str | None = None) -> User:
        phone = phone or self.phone("139" if role is Role.INSPECTOR else None)
        user = User(username=username or phone, name=name or self.person(), phone=phone, role=role,
                    unit=unit, enterprise=enterprise, password_hash=self.unusable_hash)
        self.session.add(user)
        return user

    # --- the world ----------------------------------------------------------------------------

    def campaigns(self) -> tuple[Campaign, Campaign]:
        today = self.today
        season = {12: "冬春季", 1: "冬春季", 2: "冬春季", 3: "春季", 4: "春季", 5: "春季",
                  6: "汛期", 7: "汛期", 8: "汛期"}.get(today.month, "秋冬季")
        notice = Campaign(title=NOTICE_TITLE, document_number=NOTICE_NUMBER,
                          starts_on=NOTICE_STARTS, ends_on=NOTICE_ENDS)
        current = Campaign(
            title=f"{today.year}年{season}安全检查督导", document_number=f"市安发〔{today.year}〕9号",
            starts_on=today - timedelta(days=CURRENT_LEAD_DAYS),
            ends_on=today + timedelta(days=CURRENT_TAIL_DAYS),
        )
        self.session.add_all([notice, current])
        return notice, current

    def check_coverage(self) -> None:
        covered = {code for department in DEPARTMENTS for code in department.sectors}
        missing = sorted(set(self.catalogue.sectors) - (covered & set(SECTOR_NAMES)))
        if missing:
            raise RuntimeError(f"demo data: no supervising department or names for sectors {missing}")

    def units(self, counties: list[County]) -> None:
        """Create the committees, the departments, their teams and their people."""
        city_court = f"{CITY}{COUNTIES[0][0]}人民法院"  # the city's seat
        city_committee = Unit(name=f"{CITY}安委办", kind=UnitKind.COMMITTEE, document_prefix="晋中安委",
                              review_bodies=f"{CITY}人民政府", court=city_court)
        self.city_committee = city_committee
        self.abbreviations[id(city_committee)] = (CITY_ABBREVIATION, "安委")
        self.city_departments: dict[str, Unit] = {}
        self.county_departments: dict[tuple[int, str], Unit] = {}  # (id(county), key) -> unit
        self.county_committees: dict[int, Unit] = {}
        units = [city_committee]
        for department in DEPARTMENTS:
            unit = Unit(name=department.city_name, kind=UnitKind.DEPARTMENT,
                        document_prefix=f"晋中{department.abbreviation}", review_bodies=f"{CITY}人民政府",
                        court=city_court)
            self.city_departments[department.key] = unit
            self.abbreviations[id(unit)] = (CITY_ABBREVIATION, department.abbreviation)
            units.append(unit)
        for county, (name, _code, short, abbreviation, _weight) in zip(counties, COUNTIES, strict=True):
            court = f"{CITY}{name}人民法院" if name.endswith("区") else f"{name}人民法院"
            committee = Unit(name=f"{name}安委办", kind=UnitKind.COMMITTEE, county=county,
                             document_prefix=f"{abbreviation}安委", review_bodies=f"{name}人民政府", court=court)
            self.county_committees[id(county)] = committee
            units.append(committee)
            for department in DEPARTMENTS:
                if department.county_suffix is None:
                    continue
                if department.key == "police" and name.endswith("区"):
                    unit_name = f"{CITY}公安局{short}分局"
                else:
                    unit_name = name + department.county_suffix
                unit = Unit(name=unit_name, kind=UnitKind.DEPARTMENT, county=county,
                            document_prefix=f"{abbreviation}{department.abbreviation}",
                            review_bodies=f"{name}人民政府或者{department.city_name}", court=court)
                self.county_departments[(id(county), department.key)] = unit
                self.abbreviations[id(unit)] = (abbreviation, department.abbreviation)
                units.append(unit)
        self.session.add_all(units)

        self.city_admin = self.user(Role.CITY_ADMIN, unit=city_committee, username="city")
        for county in counties:
            committee = self.county_committees[id(county)]
            username = "county" if county.name == "榆次区" else None
            self.county_admins[id(county)] = self.user(Role.COUNTY_ADMIN, unit=committee, username=username)
        # the city committee's own team runs the unannounced ("four nos, two straights") checks
        self.teams(city_committee, count=1)
        for unit in units:
            if unit.kind is UnitKind.DEPARTMENT:
                self.teams(unit, count=self.rng.randint(1, 2))
        yuci, taigu = counties[0], counties[1]
        self.demo_inspector = self.county_departments[(id(yuci), "emergency")].teams[0].members[0]
        self.demo_inspector.username = "inspector"
        self.demo_inspector2 = self.county_departments[(id(taigu), "emergency")].teams[0].members[0]
        self.demo_inspector2.username = "inspector2"

    def teams(self, unit: Unit, count: int) -> None:
        """The unit's teams; most officers have their enforcement card (执法证号), a few have not yet."""
        for number in range(count):
            members = [self.user(Role.INSPECTOR, unit=unit) for _ in range(self.rng.randint(2, 4))]
            for member in members:
                if self.card_rng.random() < 0.9 or member is members[0]:
                    self.cards += 1
                    member.card_number = f"{unit.county.code if unit.county else '140700'}{self.cards:05d}"
            self.session.add(Team(unit=unit, name=f"第{NUMERALS[number]}检查督导组", members=members))

    def enterprises(self, counties: list[County], sectors: dict[str, Sector]) -> list[Enterprise]:
        rng = self.rng
        codes = sorted(sectors)
        mining = [county for county in counties if county.name in MINING_COUNTIES]
        placements = [(county, code) for county in counties for code in codes if code != "coal"]
        if "coal" in sectors:
            placements += [(county, "coal") for county in mining for _ in range(4)]
        weights = [weight for *_, weight in COUNTIES]
        while len(placements) < TOTAL_ENTERPRISES:
            county = rng.choices(counties, weights)[0]
            eligible = [code for code in codes if code != "coal" or county in mining]
            sector_weights = [SECTOR_WEIGHTS.get(code, 2) for code in eligible]
            placements.append((county, rng.choices(eligible, sector_weights)[0]))
        ordinals: Counter = Counter()
        enterprises = []
        for county, code in placements:
            info = next(entry for entry in COUNTIES if entry[0] == county.name)
            department = next(d for d in DEPARTMENTS if code in d.sectors)
            supervisor = (self.county_departments.get((id(county), department.key))
                          or self.city_departments[department.key])
            enterprise = Enterprise(
                name=self.enterprise_name(code, county.name, info[2], ordinals),
                credit_code=self.credit_code(county.code),
                county=county, sector=sectors[code], supervising_unit=supervisor,
                address=self.address(county.name, code),
                contact_name=self.person(), contact_phone=self.phone(),
            )
            enterprises.append(enterprise)
        self.session.add_all(enterprises)
        return enterprises

    def enterprise_name(self, code: str, county: str, short: str, ordinals: Counter) -> str:
        rng = self.rng
        for _ in range(100):
            pattern = rng.choice(SECTOR_NAMES[code])
            number = ""
            if "{n}" in pattern:
                key = (county, pattern)
                ordinals[key] += 1
                number = NUMERALS[min(ordinals[key], len(NUMERALS)) - 1]
            name = pattern.format(county=county, short=short, brand=rng.choice(BRANDS),
                                  village=rng.choice(VILLAGES), n=number)
            if name not in self.names:
                self.names.add(name)
                return name
        raise RuntimeError(f"demo data: ran out of names for {code} in {county}")

    def credit_code(self, division: str) -> str:
        while True:
            code = credit_code.generate(division, self.rng)
            if code not in self.codes:
                self.codes.add(code)
                return code

    def address(self, county: str, sector_code: str) -> str:
        rng = self.rng
        if sector_code in RURAL_SECTORS:
            where = rng.choice(("东", "西", "南", "北"))
            return f"{CITY}{county}{rng.choice(VILLAGES)}村{where}{rng.randint(3, 20) * 100}米"
        return f"{CITY}{county}{rng.choice(STREETS)}{rng.randint(1, 300)}号"

    def logins(self, enterprises: list[Enterprise], counties: list[County]) -> list[DemoLogin]:
        """Bind the demo enterprise users and about twenty more, and set the demo passwords."""
        yuci = counties[0]
        emergency = self.county_departments[(id(yuci), "emergency")]
        in_yuci = [e for e in enterprises if e.county is yuci]
        first = next((e for e in in_yuci if e.sector.code == "hazardous_chemicals"), None) \
            or next(e for e in in_yuci if e.supervising_unit is emergency)
        elsewhere = [e for e in in_yuci if e.supervising_unit is not emergency]
        second = next((e for e in elsewhere if e.sector.code == "fire"), elsewhere[0])
        self.demo_enterprises = (first, second)
        for username, enterprise in (("enterprise", first), ("enterprise2", second)):
            self.enterprise_users[id(enterprise)] = self.user(
                Role.ENTERPRISE, enterprise=enterprise, username=username,
                name=enterprise.contact_name, phone=enterprise.contact_phone,
            )
        others = [e for e in enterprises if e not in self.demo_enterprises]
        for enterprise in self.rng.sample(others, ENTERPRISE_USERS):
            self.enterprise_users[id(enterprise)] = self.user(
                Role.ENTERPRISE, enterprise=enterprise, username=enterprise.credit_code,
                name=enterprise.contact_name, phone=enterprise.contact_phone,
            )
        users = {
            "city": self.city_admin, "county": self.county_admins[id(yuci)],
            "inspector": self.demo_inspector, "inspector2": self.demo_inspector2,
            "enterprise": self.enterprise_users[id(first)], "enterprise2": self.enterprise_users[id(second)],
        }
        logins = []
        for login in DEMO_LOGINS:
            users[login.username].password_hash = self.demo_hash
            if login.role == Role.ENTERPRISE.value:
                enterprise = users[login.username].enterprise
                login = replace(login, description=f"企业：{enterprise.name}（{enterprise.sector.name}）")
            logins.append(login)
        return logins

    # --- inspections --------------------------------------------------------------------------

    def day_in(self, first: date, last: date) -> date:
        span = (last - first).days
        for _ in range(5):  # fewer inspections at weekends
            day = first + timedelta(days=self.rng.randint(0, span))
            if day.weekday() < 5 or self.rng.random() < 0.25:
                return day
        return day

    def crew(self, unit: Unit, preferred: User | None = None) -> tuple[Team, User, list[User]]:
        team = self.rng.choice(unit.teams)
        if preferred is not None and preferred in unit.teams[0].members:
            team = unit.teams[0]
        lead = preferred if preferred in team.members else self.rng.choice(team.members)
        others = [member for member in team.members if member is not lead]
        return team, lead, self.rng.sample(others, self.rng.randint(0, min(2, len(others))))

    def plan(self, campaign: Campaign, day: date, enterprise: Enterprise, mode: InspectionMode,
             preferred: User | None = None) -> _Plan:
        rng = self.rng
        supervisor = enterprise.supervising_unit
        department = next(d for d in DEPARTMENTS if enterprise.sector.code in d.sectors)
        if mode is InspectionMode.SELF_CHECK:
            return _Plan(day, campaign, enterprise, self.enterprise_users[id(enterprise)], None, mode)
        if mode is InspectionMode.COUNTY_FULL and supervisor.is_city:
            mode = InspectionMode.CITY_SPOT
        if mode is InspectionMode.CITY_SPOT:
            unit = self.city_departments[department.key]
        elif mode is InspectionMode.SURPRISE and rng.random() < 0.5:
            unit = self.city_committee
        elif mode is InspectionMode.VIDEO and rng.random() < 0.4:
            unit = self.city_departments[department.key]
        else:
            unit = supervisor
        if preferred is None and unit.teams[0].members[0] in (self.demo_inspector, self.demo_inspector2):
            preferred = unit.teams[0].members[0] if rng.random() < 0.6 else None
        team, lead, companions = self.crew(unit, preferred)
        return _Plan(day, campaign, enterprise, lead, team, mode, companions)

    def plans(self, enterprises: list[Enterprise], notice: Campaign, current: Campaign) -> list[_Plan]:
        rng, last = self.rng, self.last_day
        plans: list[_Plan] = []
        start, inspector = current.starts_on, self.demo_inspector
        first, second = self.demo_enterprises
        # the demo enterprises' story: a county check, their own self-check, a city spot check, a surprise
        plans += [
            self.plan(current, start + timedelta(days=3), first, InspectionMode.COUNTY_FULL, inspector),
            self.plan(current, start + timedelta(days=30), first, InspectionMode.SELF_CHECK),
            self.plan(current, last - timedelta(days=18), first, InspectionMode.CITY_SPOT),
            self.plan(current, last - timedelta(days=4), first, InspectionMode.SURPRISE, inspector),
            self.plan(current, start + timedelta(days=20), second, InspectionMode.COUNTY_FULL),
            self.plan(current, last - timedelta(days=9), second, InspectionMode.SELF_CHECK),
        ]
        plans[0].fails, plans[0].major = 3, True
        plans[4].fails = 2
        for someone, count in ((self.demo_inspector, 8), (self.demo_inspector2, 6)):
            theirs = [e for e in enterprises if e.supervising_unit is someone.unit]
            for enterprise in rng.choices(theirs, k=count):
                plans.append(self.plan(current, self.day_in(start, last), enterprise,
                                       InspectionMode.COUNTY_FULL, someone))
        with_users = [e for e in enterprises if id(e) in self.enterprise_users]
        modes = (InspectionMode.COUNTY_FULL, InspectionMode.SURPRISE, InspectionMode.VIDEO,
                 InspectionMode.CITY_SPOT, InspectionMode.SELF_CHECK)
        notice_last = min(notice.ends_on, last)
        notice_count = NOTICE_INSPECTIONS if notice_last >= notice.starts_on else 0
        for number in range(TOTAL_INSPECTIONS - len(plans)):
            mode = rng.choices(modes, (64, 10, 8, 13, 5))[0]
            campaign = notice if number < notice_count else current
            if mode is InspectionMode.SELF_CHECK and campaign is current:
                enterprise = rng.choice(with_users)
            else:
                mode = InspectionMode.COUNTY_FULL if mode is InspectionMode.SELF_CHECK else mode
                enterprise = rng.choice(enterprises)
            day = self.day_in(campaign.starts_on, notice_last if campaign is notice else last)
            plans.append(self.plan(campaign, day, enterprise, mode))
        plans.sort(key=lambda plan: plan.day)
        # major hazards early enough to be overdue, and late enough to be still in time
        early = [p for p in plans if p.campaign is current and p.mode is not InspectionMode.SELF_CHECK]
        for plan in early[:4] + early[-3:]:
            plan.major, plan.fails = True, max(plan.fails or 1, 1)
        return plans

    def moment(self, day: date, earliest: datetime | None = None) -> datetime:
        """A working-hours time of a day in China, as naive UTC, later than earliest."""
        local = datetime.combine(day, time(8, 30), tzinfo=CHINA) + timedelta(minutes=self.rng.randint(0, 570))
        moment = local.astimezone(UTC).replace(tzinfo=None)
        if earliest is not None and moment <= earliest:
            moment = earliest + timedelta(minutes=self.rng.randint(10, 90))
        return self.capped(moment, earliest)

    def capped(self, moment: datetime, earliest: datetime | None = None) -> datetime:
        """Events late on the last day are squeezed before its end, still after earliest."""
        if moment <= self.ceiling:
            return moment
        return max(self.ceiling, earliest + timedelta(seconds=1)) if earliest is not None else self.ceiling

    def run(self, plan: _Plan) -> None:
        rng, session = self.rng, self.session
        inspection = start_inspection(
            session, self.catalogue, plan.user, plan.enterprise, mode=plan.mode, team=plan.team,
            client_uuid=str(uuid.UUID(int=rng.getrandbits(128))),
        )
        inspection.campaign = plan.campaign  # start_inspection takes the campaign running today
        items = inspection.checklist.items
        self_check = plan.mode is InspectionMode.SELF_CHECK
        if plan.fails is not None:
            fails = plan.fails
        elif self_check:
            fails = rng.choices((0, 1, 2), (50, 35, 15))[0]
        else:
            fails = rng.choices((0, 1, 2, 3), (30, 32, 24, 14))[0]
        candidates = [item for item in items if not _is_government_item(item)]
        failing = _weighted_sample(rng, candidates, [_fail_weight(item) for item in candidates], fails)
        started = self.moment(plan.day)
        inspection.started_at = started  # before the hazards: a deadline lies on or after the inspection's day
        fixes: dict[int, str] = {}
        if plan.companions:
            set_inspectors(session, plan.user, inspection, [plan.user, *plan.companions])
        self.answer(plan, inspection, items, failing, fixes)
        if inspection.hazards and not self_check and plan.team.unit is not self.city_committee:
            self.enforce(inspection, plan)
        submitted = started + timedelta(minutes=rng.randint(40, 180))
        submit_inspection(session, plan.user, inspection, now=submitted)
        inspection.started_at, inspection.submitted_at = started, submitted
        for action in inspection.actions:
            action.created_at = submitted
        for hazard in inspection.hazards:
            hazard.found_at = submitted
            self.found.append(_Found(hazard, inspection, submitted, fixes.get(hazard.item_id, ""),
                                     plan.campaign is not self.notice))

    def answer(self, plan: _Plan, inspection: Inspection, items: list[ChecklistItem],
               failing: list[ChecklistItem], fixes: dict[int, str]) -> None:
        """Record every item: the failing ones with a hazard, a few not applicable, the rest passed."""
        rng, session = self.rng, self.session
        self_check = plan.mode is InspectionMode.SELF_CHECK
        found_on = plan.day
        for item in items:
            if item in failing:
                major = (plan.major and item is failing[0]) or (not self_check and rng.random() < MAJOR_SHARE)
                level = HazardLevel.MAJOR if major else HazardLevel.GENERAL
                rule = _rule_for(item)
                hazard = HazardInput(
                    level=level, description=rng.choice(rule.problems),
                    deadline=found_on + timedelta(days=60 if major else 15),
                    responsible_person=plan.enterprise.contact_name,
                )
                record_result(session, plan.user, inspection, item, Outcome.FAIL, hazard=hazard)
                fixes[item.id] = rule.fix
            elif rng.random() < (0.6 if _is_government_item(item) else 0.03):
                record_result(session, plan.user, inspection, item, Outcome.NOT_APPLICABLE, NA_NOTE)
            else:
                record_result(session, plan.user, inspection, item, Outcome.PASS, rng.choice(PASS_NOTES))

    def enforce(self, inspection: Inspection, plan: _Plan) -> None:
        rng, session, user = self.rng, self.session, plan.user
        majors = any(hazard.level is HazardLevel.MAJOR for hazard in inspection.hazards)
        year = plan.day.year
        if majors or rng.random() < 0.3:
            add_enforcement(session, user, inspection, EnforcementKind.DOCUMENT,  # numbered when it issues
                            note="责令限期整改指令书")
        if majors and plan.enterprise.sector.code in ("coal", "non_coal_mine", "hazardous_chemicals",
                                                      "metallurgy_trade", "civil_explosives") \
                and rng.random() < 0.5:
            add_enforcement(session, user, inspection, EnforcementKind.SUSPENSION,  # its 现场处理措施决定书 issues
                            note="责令停产整顿，隐患消除并经验收合格后方可恢复生产")
        roll = rng.random()
        if roll < 0.08:
            add_enforcement(session, user, inspection, EnforcementKind.FINE,
                            self.document_number(plan.team.unit, "罚", year),
                            fine_wan=Decimal(rng.choice(FINES_WAN)),
                            note="依据《中华人民共和国安全生产法》第一百零二条，对未采取措施消除事故隐患的行为予以处罚")
        elif roll < 0.095:
            add_enforcement(session, user, inspection, EnforcementKind.LICENCE,
                            self.document_number(plan.team.unit, "罚", year), note="暂扣安全生产许可证")
        elif roll < 0.12:
            add_enforcement(session, user, inspection, EnforcementKind.OTHER, note="约谈企业主要负责人")

    def document_number(self, unit: Unit, kind: str, year: int) -> str:
        county, department = self.abbreviations[id(unit)]
        self.sequences[(id(unit), kind, year)] += 1
        return f"（{county}）{department}{kind}〔{year}〕{self.sequences[(id(unit), kind, year)]:03d}号"

    # --- hazards' lives -----------------------------------------------------------------------

    def fates(self) -> None:
        """Decide how far each hazard got, making sure every state occurs at both levels."""
        rng = self.rng
        for found in self.found:
            room = (self.last_day - found.at.date()).days
            if room < 3:
                continue
            if not found.current:  # the notice's campaign is long over: all fixed
                found.status, found.rejected = HazardStatus.CLOSED, room >= 6 and rng.random() < 0.1
                continue
            # the older the finding, the likelier it has been fixed and closed
            closed = min(0.8, 0.1 + room / 80)
            roll = rng.random()
            if roll < closed:
                found.status, found.rejected = HazardStatus.CLOSED, room >= 6 and rng.random() < 0.08
            elif roll < closed + 0.2:
                found.status, found.rejected = HazardStatus.SUBMITTED, room >= 6 and rng.random() < 0.25
            else:
                found.rejected = room >= 6 and rng.random() < 0.08
        for level in HazardLevel:
            mine = [f for f in self.found if f.current and f.hazard.level is level]
            for wanted in ("open", "overdue", "submitted", "closed", "rejected"):
                if any(self.category(f) == wanted for f in mine):
                    continue
                counts = Counter(self.category(f) for f in mine)
                spare = [f for f in mine if counts[self.category(f)] > 1 and self.feasible(f, wanted)]
                if spare:
                    self.assign(rng.choice(spare), wanted)

    def category(self, found: _Found) -> str:
        if found.rejected and found.status is HazardStatus.SUBMITTED:
            return "rejected"
        if found.status is HazardStatus.OPEN:
            return "overdue" if found.hazard.deadline < self.today else "open"
        return found.status.value

    def feasible(self, found: _Found, wanted: str) -> bool:
        room = (self.last_day - found.at.date()).days
        overdue = found.hazard.deadline < self.today
        return {"open": not overdue, "overdue": overdue, "submitted": room >= 3,
                "closed": room >= 3, "rejected": room >= 6}[wanted]

    @staticmethod
    def assign(found: _Found, wanted: str) -> None:
        found.rejected = wanted == "rejected"
        statuses = {"open": HazardStatus.OPEN, "overdue": HazardStatus.OPEN, "closed": HazardStatus.CLOSED}
        found.status = statuses.get(wanted, HazardStatus.SUBMITTED)

    def listings(self) -> None:
        """Place the open major hazards under listed supervision by the enterprise's supervising unit."""
        for found in self.found:
            hazard = found.hazard
            if hazard.level is not HazardLevel.MAJOR or found.status is not HazardStatus.OPEN:
                continue
            unit = hazard.enterprise.supervising_unit
            # a county lists under its own units; only the city places a hazard under a city unit
            admin = self.city_admin if unit.county_id is None else self.county_admins[id(hazard.enterprise.county)]
            moment = self.capped(found.at + timedelta(hours=self.rng.randint(2, 30)), found.at)
            list_hazard(self.session, admin, hazard, unit, hazard.deadline, now=moment)

    def lives(self) -> None:
        """Replay each hazard's steps after its discovery through the rules, with who, when and why: the
        enterprise sends proof (a photo of the fix), a verifier sends it back or closes the hazard."""
        rng, session = self.rng, self.session
        OPEN, SUBMITTED, CLOSED = HazardStatus.OPEN, HazardStatus.SUBMITTED, HazardStatus.CLOSED
        for found in self.found:
            steps = []
            if found.status is not OPEN or found.rejected:
                steps.append(SUBMITTED)
                if found.rejected:
                    steps.append(OPEN)
                    if found.status is not OPEN:
                        steps.append(SUBMITTED)
                if found.status is CLOSED:
                    steps.append(CLOSED)
            if not steps:
                continue
            hazard, inspection = found.hazard, found.inspection
            enterprise_user = self.enterprise_account(inspection.enterprise)
            finder = inspection.created_by
            supervisor = self.county_admins[id(inspection.enterprise.county)]
            checker = supervisor if finder.role is not Role.INSPECTOR or rng.random() < 0.4 else finder
            if not access.can_verify(checker, hazard):  # a listed hazard: its supervising unit or the city
                checker = self.city_admin
            first = found.at.date() + timedelta(days=1)
            last = min(self.last_day, found.at.date() + timedelta(days=45))
            days = sorted(first + timedelta(days=rng.randint(0, (last - first).days)) for _ in steps)
            moment, was_rejected = found.at, False
            for step, day in zip(steps, days, strict=True):
                moment = self.moment(day, earliest=moment)
                if step is SUBMITTED:
                    if was_rejected:
                        note = RESUBMIT_NOTE
                    else:
                        note = f"{SUBMIT_NOTE}：{found.fix}" if found.fix else SUBMIT_NOTE
                    submit_fix(session, enterprise_user, hazard, note=note, proof=[self.proof(hazard, moment)],
                               upload_dir=self.upload_dir, now=moment)
                elif step is OPEN:
                    reject_fix(session, checker, hazard, rng.choice(REJECT_NOTES), now=moment)
                    was_rejected = True
                else:
                    accept_fix(session, checker, hazard, rng.choice(CLOSE_NOTES), now=moment)

    def enterprise_account(self, enterprise: Enterprise) -> User:
        """The enterprise's login, opened for it when it has none yet: only an enterprise sends its proof."""
        if id(enterprise) not in self.enterprise_users:
            self.enterprise_users[id(enterprise)] = self.user(
                Role.ENTERPRISE, enterprise=enterprise, username=enterprise.credit_code,
                name=enterprise.contact_name, phone=enterprise.contact_phone,
            )
            self.session.flush()
        return self.enterprise_users[id(enterprise)]

    def proof(self, hazard: Hazard, moment: datetime, sender: User | None = None) -> ProcessedPhoto:
        """A photo of the fix, stamped as an upload is: when, where and by whom."""
        who = sender.name if sender else hazard.enterprise.contact_name
        return process_photo(_proof_jpeg(), [to_local(moment).strftime("%Y-%m-%d %H:%M"), hazard.target.name, who])

    def reviews(self) -> None:
        """Re-inspect (复查) a few hazards of the current campaign past their deadline, with the documents of
        their inspection issued: one found rectified, the others not, with a new deadline; and let the demo
        enterprise ask for more time for one of its open hazards."""
        done = 0
        for found in self.found:
            hazard, inspection = found.hazard, found.inspection
            if done == 4 or not found.current or hazard.status is not HazardStatus.OPEN or hazard.is_listed \
                    or hazard.deadline >= self.last_day or not inspection.documents:
                continue
            finder = inspection.created_by
            second = next((other for other in inspection.inspectors if other is not finder and other.card_number),
                          None)
            if second is None or not finder.card_number:
                continue
            moment = self.moment(self.last_day)
            verdict = Verdict(hazard, ReviewVerdict.FIXED, "现场复查，已整改到位") if done == 0 else Verdict(
                hazard, ReviewVerdict.NOT_FIXED, "现场复查，仍未整改", new_deadline=self.last_day + timedelta(days=15))
            review_hazards(self.session, finder, inspection, [verdict], [second],
                           uuid=str(uuid.UUID(int=self.rng.getrandbits(128))), upload_dir=self.upload_dir, now=moment)
            done += 1
        # A hazard not closed and due after the last day: a demo enterprise's if it has one (which hazards are
        # still due depends on the day the demo is seeded), else another enterprise's.
        due = [found.hazard for found in self.found if found.hazard.enterprise is not None
               and not found.hazard.is_closed and found.hazard.deadline > self.last_day]
        hazard = next((hazard for hazard in due if hazard.enterprise in self.demo_enterprises), due[0] if due else None)
        if hazard is not None:
            request_extension(self.session, self.enterprise_account(hazard.enterprise), hazard,
                              hazard.deadline + timedelta(days=30), "设备采购周期长，需延期一个月完成整改",
                              now=self.moment(self.last_day))

    # --- 督政 ----------------------------------------------------------------------------------

    def oversee(self, counties: list[County], campaign: Campaign) -> None:
        """督政 in the current campaign, through the rules: the city checks three counties' offices and two
        departments, 榆次区 two of its departments; a talk and a notice follow; the demo inspector's bureau
        has sent the proof of one fix, which waits for the city."""
        yuci = counties[0]
        checks = [(self.city_admin, self.county_committees[id(county)], InspectionMode.SURPRISE)
                  for county in counties[:3]]
        checks += [(self.city_admin, self.county_departments[(id(county), "emergency")], InspectionMode.CITY_SPOT)
                   for county in counties[:2]]
        checks += [(self.county_admins[id(yuci)], self.county_departments[(id(yuci), key)], InspectionMode.COUNTY_FULL)
                   for key in ("housing", "transport")]
        inspections = [self.oversee_unit(user, unit, mode, campaign) for user, unit, mode in checks]
        talked, noticed = inspections[3], inspections[0]
        for inspection, kind, persons in ((talked, MeasureKind.INTERVIEW, f"{self.person()}（分管副局长）"),
                                          (noticed, MeasureKind.NOTICE, "")):
            take_measure(self.session, self.city_admin, inspection.inspected_unit, MeasureInput(
                kind=kind, held_on=local_day(inspection.submitted_at) + timedelta(days=2), persons=persons,
                document_number=self.document_number(self.city_committee, "约" if persons else "通",
                                                     self.last_day.year),
                note="；".join(hazard.description for hazard in inspection.hazards),
            ), client_uuid=str(uuid.UUID(int=self.rng.getrandbits(128))), inspection=inspection)
        problem, sender = talked.hazards[0], self.demo_inspector
        moment = self.moment(local_day(talked.submitted_at) + timedelta(days=3), earliest=talked.submitted_at)
        submit_fix(self.session, sender, problem, note=f"{SUBMIT_NOTE}：已逐条整改并建立销号台账",
                   proof=[self.proof(problem, moment, sender)], upload_dir=self.upload_dir, now=moment)

    def oversee_unit(self, user: User, unit: Unit, mode: InspectionMode, campaign: Campaign) -> Inspection:
        rng, session = self.rng, self.session
        team = self.city_committee.teams[0] if user.unit is self.city_committee else None
        inspection = start_inspection(session, self.catalogue, user, unit, mode=mode, team=team,
                                      client_uuid=str(uuid.UUID(int=rng.getrandbits(128))))
        inspection.campaign = campaign
        last = self.last_day - timedelta(days=4)
        day = self.day_in(max(campaign.starts_on, last - timedelta(days=16)), last)
        started = self.moment(day)
        inspection.started_at = started
        items = [item for item in inspection.checklist.items if item.code in OVERSIGHT_PROBLEMS]
        failing = rng.sample(items, rng.randint(1, 2))
        for item in inspection.checklist.items:
            if item in failing:
                record_result(session, user, inspection, item, Outcome.FAIL, hazard=HazardInput(
                    level=HazardLevel.GENERAL, description=OVERSIGHT_PROBLEMS[item.code],
                    deadline=day + timedelta(days=20), responsible_person=self.person(),
                ))
            else:
                record_result(session, user, inspection, item, Outcome.PASS, rng.choice(PASS_NOTES))
        submit_inspection(session, user, inspection)
        submitted = started + timedelta(minutes=rng.randint(60, 150))
        inspection.started_at, inspection.submitted_at = started, submitted
        for hazard in inspection.hazards:
            hazard.found_at = submitted
            for row in hazard.history:
                row.at = submitted
        return inspection

    # --- everything ---------------------------------------------------------------------------

    def seed(self) -> list[DemoLogin]:
        session = self.session
        self.check_coverage()
        self.unusable_hash = _hash(secrets.token_urlsafe(32))
        self.demo_hash = _hash(DEMO_PASSWORD)
        self.notice, current = self.campaigns()
        sync_sectors(session, self.catalogue)
        sectors = {sector.code: sector for sector in session.scalars(select(Sector))
                   if sector.code in self.catalogue.sectors}
        counties = [County(name=name, code=code) for name, code, *_ in COUNTIES]
        session.add_all(counties)
        self.units(counties)
        enterprises = self.enterprises(counties, sectors)
        logins = self.logins(enterprises, counties)
        session.flush()
        for plan in self.plans(enterprises, self.notice, current):
            self.run(plan)
        # submit_inspection stamped the first history rows with the present: move them to the finding
        found_at = {found.hazard.id: found.at for found in self.found}
        for row in session.scalars(select(HazardHistory)):
            row.at = found_at.get(row.hazard_id, row.at)
        self.fates()
        self.listings()
        self.lives()
        self.oversee(counties, current)
        self.reviews()  # last: its draws change nothing drawn before
        session.flush()
        tallies.rebuild_coverage(session.connection())  # the inspections were back-dated after submission
        tallies.rebuild_cross_checks(session.connection())
        tallies.rebuild_statistics(session.connection())
        return logins


@cache
def _proof_jpeg() -> bytes:
    """The picture behind every demo proof photo: a plain grey-green 640 x 480 JPEG."""
    output = BytesIO()
    Image.new("RGB", (640, 480), (168, 190, 160)).save(output, "JPEG", quality=80)
    return output.getvalue()


def _hash(password: str) -> str:
    holder = User(username="", name="", role=Role.INSPECTOR)
    holder.set_password(password)
    return holder.password_hash


def _rule_for(item: ChecklistItem) -> _Rule:
    return _rule_for_text(item.text)


@cache
def _rule_for_text(text: str) -> _Rule:
    return next((rule for rule in RULES if any(word in text for word in rule.keywords)), GENERIC_RULE)


def _is_government_item(item: ChecklistItem) -> bool:
    return _is_government_text(item.text)


@cache
def _is_government_text(text: str) -> bool:
    return any(word in text for word in GOVERNMENT_KEYWORDS)


def _fail_weight(item: ChecklistItem) -> float:
    weight = 3.0 if item.section == "sector" else 1.0
    return weight if _rule_for(item) is not GENERIC_RULE else weight / 3


def _weighted_sample(rng: random.Random, population: list, weights: list[float], count: int) -> list:
    chosen, pool, pool_weights = [], list(population), list(weights)
    for _ in range(min(count, len(pool))):
        index = rng.choices(range(len(pool)), pool_weights)[0]
        chosen.append(pool.pop(index))
        pool_weights.pop(index)
    return chosen


def seed_demo(session: Session, catalogue: Catalogue, *, upload_dir: str, today: date | None = None,
              seed: int = 2021) -> list[DemoLogin]:
    """Fill an empty database with the demo city and return the demo logins; flushes, the caller commits.

    The proof photos of the fixes are stored under upload_dir, as uploads are.
    """
    for model in (Enterprise, County, Unit):
        if session.scalar(select(func.count()).select_from(model)):
            raise RuntimeError("seed_demo fills an empty database only, and this one already has data")
    return _Seeder(session, catalogue, upload_dir, today or local_today(), seed).seed()


