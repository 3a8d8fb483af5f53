"""Demo posts for `make up`, and the generator the search benchmark loads from.

Deterministic: a fixed random seed and ids derived from the post's number, so a
second run adds nothing (existing ids are skipped).
"""

import random
import uuid
from datetime import timedelta

from common import clock, db, regions
from common.validators import credit_check_char
from services.postings import domain
from services.postings.store import PostingsStore

DEMO_COUNT = 360
NAMESPACE = uuid.UUID("5b0d7c1e-3f0a-4c55-9d2e-6a1f0e8b7c42")
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"

AREA_CODES = {
    "140100": "0351",
    "140200": "0352",
    "140300": "0353",
    "140400": "0355",
    "140500": "0356",
    "140600": "0349",
    "140700": "0354",
    "140800": "0359",
    "140900": "0350",
    "141000": "0357",
    "141100": "0358",
}
BRANDS = [
    "晋阳",
    "汾河",
    "龙城",
    "三晋",
    "恒泰",
    "华晟",
    "鼎盛",
    "瑞丰",
    "金鼎",
    "昌盛",
    "宏达",
    "众诚",
    "博远",
    "华远",
    "新元",
    "中泰",
    "兴晋",
    "锦程",
    "嘉禾",
    "太行",
    "吕梁山",
    "云冈",
    "五台",
    "黄河",
    "尧都",
    "舜和",
    "长青",
    "启航",
    "正源",
    "安泰",
    "泽源",
    "同创",
    "凯旋",
    "润通",
    "晋能",
    "晋商",
    "佳华",
    "天成",
]
# industry -> (employer words, organisation form, titles, majors, duties)
INDUSTRIES = {
    "信息传输、软件和信息技术服务业": (
        ["科技", "软件", "信息技术", "网络科技", "数据科技"],
        "有限公司",
        [
            "软件开发见习生",
            "Java开发工程师助理",
            "前端开发见习岗",
            "测试工程师助理",
            "运维工程师助理",
            "数据分析见习生",
            "产品助理",
        ],
        ["计算机科学与技术", "软件工程", "网络工程", "数据科学与大数据技术"],
        ["需求分析、代码编写与单元测试", "系统部署、巡检与故障处理", "数据整理、报表制作与分析"],
    ),
    "制造业": (
        ["机械制造", "装备", "新材料", "汽车零部件", "精密铸造"],
        "股份有限公司",
        ["机械设计助理", "质量检验员", "生产计划见习生", "设备维护技术员", "工艺技术员助理"],
        ["机械设计制造及其自动化", "材料成型及控制工程", "电气工程及其自动化"],
        ["生产现场工艺改进与质量控制", "设备点检、保养与维修", "生产计划编制与物料跟踪"],
    ),
    "采矿业": (
        ["煤业", "矿业", "煤炭开发"],
        "有限责任公司",
        ["采矿技术员助理", "通风安全见习员", "地质测量助理", "机电技术见习生"],
        ["采矿工程", "安全工程", "地质工程", "测绘工程"],
        ["井下安全巡查与隐患排查记录", "矿井测量、地质资料整理", "机电设备运行监测与维护"],
    ),
    "电力、热力、燃气及水生产和供应业": (
        ["能源", "热力", "燃气", "新能源", "供水"],
        "有限公司",
        ["电气运维见习员", "光伏电站运维助理", "管网巡检员", "调度中心见习生"],
        ["电气工程及其自动化", "能源与动力工程", "给排水科学与工程"],
        ["电站设备巡检与数据记录", "管网运行监测与抢修配合", "调度值班与运行分析"],
    ),
    "批发和零售业": (
        ["商贸", "超市连锁", "医药连锁", "电子商务", "物资"],
        "有限公司",
        ["门店运营见习生", "采购助理", "电商运营专员", "仓储管理助理", "销售代表"],
        ["市场营销", "电子商务", "物流管理", "工商管理"],
        ["门店日常运营与商品陈列", "供应商联络与采购订单跟踪", "网店运营、直播与客户服务"],
    ),
    "金融业": (
        ["农村商业银行", "村镇银行", "保险代理", "融资担保"],
        "股份有限公司",
        ["柜员见习生", "客户经理助理", "风险管理见习岗", "会计核算助理"],
        ["金融学", "会计学", "经济学", "财务管理"],
        ["柜面业务办理与客户咨询", "信贷资料收集与贷后检查", "会计凭证审核与报表编制"],
    ),
    "教育": (
        ["培训学校", "教育科技", "职业培训学校"],
        "有限公司",
        ["小学语文教师助理", "初中数学辅导教师", "职业技能培训讲师助理", "教务管理见习生", "幼儿教师见习岗"],
        ["汉语言文学", "数学与应用数学", "学前教育", "教育学"],
        ["课堂辅导、作业批改与学情记录", "课程安排与学员档案管理", "教学活动组织与家校沟通"],
    ),
    "卫生和社会工作": (
        ["医院", "康复医院", "健康管理", "养老服务"],
        "有限公司",
        ["护士见习岗", "药剂科见习生", "康复治疗师助理", "健康管理专员", "养老护理见习员"],
        ["护理学", "药学", "康复治疗学", "临床医学"],
        ["病房护理、医嘱执行与护理记录", "药品调剂、库存管理与用药咨询", "康复训练指导与评估记录"],
    ),
    "建筑业": (
        ["建设工程", "建筑安装", "路桥工程", "市政工程"],
        "有限公司",
        ["施工员助理", "造价员见习生", "资料员", "安全员见习岗", "测量员助理"],
        ["土木工程", "工程造价", "工程管理", "道路桥梁与渡河工程"],
        ["施工现场管理与进度记录", "工程量计算与预结算编制", "工程资料收集整理与归档"],
    ),
    "交通运输、仓储和邮政业": (
        ["物流", "运输", "快递", "供应链管理"],
        "有限公司",
        ["物流调度见习生", "仓库管理员助理", "运输计划专员", "客服专员"],
        ["物流管理", "交通运输", "供应链管理"],
        ["运输线路调度与在途跟踪", "出入库作业与库存盘点", "客户订单处理与异常跟进"],
    ),
    "住宿和餐饮业": (
        ["酒店管理", "餐饮管理", "文旅酒店"],
        "有限公司",
        ["前厅接待见习生", "餐饮服务管理助理", "厨房管理见习岗", "客房主管助理"],
        ["酒店管理", "烹饪与营养教育", "旅游管理"],
        ["前台接待、入住办理与宾客服务", "餐厅服务流程与食品安全管理", "客房质量检查与排班"],
    ),
    "文化、体育和娱乐业": (
        ["文化传媒", "文旅发展", "广告传媒", "体育发展"],
        "有限公司",
        ["新媒体运营见习生", "文案策划助理", "视频剪辑见习岗", "活动执行专员", "导游讲解员"],
        ["新闻学", "广告学", "数字媒体艺术", "旅游管理"],
        ["公众号与短视频内容策划制作", "文旅活动策划与现场执行", "景区讲解与游客服务"],
    ),
    "农、林、牧、渔业": (
        ["农业科技", "农牧", "林业发展", "杂粮开发"],
        "有限公司",
        ["农业技术推广助理", "种植基地管理见习生", "畜牧兽医技术员助理", "农产品电商专员"],
        ["农学", "园艺", "动物医学", "林学"],
        ["田间试验、农技推广与数据记录", "种植基地生产管理", "农产品线上销售与品牌推广"],
    ),
    "租赁和商务服务业": (
        ["人力资源服务", "企业管理咨询", "会计服务", "法律咨询"],
        "有限公司",
        ["人力资源助理", "会计助理", "行政专员", "法务助理", "招聘专员"],
        ["人力资源管理", "会计学", "法学", "行政管理"],
        ["招聘、入职与员工档案管理", "记账、报税与财务资料整理", "合同审查与法律文书整理"],
    ),
    "科学研究和技术服务业": (
        ["检验检测", "环境科技", "工程设计", "技术研究院"],
        "有限公司",
        ["检测员助理", "环境监测见习生", "工程设计助理", "实验室技术员"],
        ["化学", "环境工程", "生物工程", "分析化学"],
        ["样品采集、检测与数据处理", "环境监测点位巡查与报告编写", "实验室仪器维护与试剂管理"],
    ),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡郭何高林罗郑梁宋谢韩唐冯"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "晓东",
    "海燕",
    "建华",
    "志刚",
    "丽娟",
    "文博",
    "雅琴",
    "子涵",
]
ROADS = [
    "迎泽大街",
    "并州路",
    "长风街",
    "建设路",
    "解放路",
    "和平街",
    "新华街",
    "文化路",
    "人民路",
    "府西街",
    "滨河东路",
    "学府街",
    "体育路",
    "开化寺街",
    "北城街",
    "南环路",
]
EDUCATION_WEIGHTS = [("不限", 3), ("高中/中专", 2), ("大专", 4), ("本科", 5), ("硕士", 1), ("初中及以下", 1)]
BENEFITS = [
    "每月见习补贴按时发放，并缴纳意外伤害保险",
    "提供工作餐和宿舍，见习期满表现优秀者优先录用",
    "安排专人带教，见习期满择优留用并签订劳动合同",
    "享受带薪年休假，提供岗位技能培训",
]


def credit_code(rng, county_code, public):
    """A GB 32100 code: registration type, the county's administrative code, a random body."""
    first17 = ("12" if public else "91") + county_code + "".join(rng.choice(_CREDIT_CHARS) for _ in range(9))
    return first17 + credit_check_char(first17)


def generate(count, today, now, label="demo", seed=20260101):
    """`count` realistic posts spread over every city; ids derived from `label` and the number."""
    rng = random.Random(seed)
    cities = regions.load()["cities"]
    industries = list(INDUSTRIES)
    educations, weights = zip(*EDUCATION_WEIGHTS, strict=True)
    for number in range(count):
        city = cities[number % len(cities)]
        county = rng.choice(city["counties"])
        industry = rng.choice(industries)
        words, form, titles, majors, duties = INDUSTRIES[industry]
        word = rng.choice(words)
        public = word.endswith(("医院", "研究院"))
        employer = city["name"].removesuffix("市") + rng.choice(BRANDS) + word + ("" if public else form)
        title = rng.choice(titles)
        education = rng.choices(educations, weights)[0]
        major = rng.choice(majors + ["不限"])
        posting = {
            "title": title,
            "employer_name": employer,
            "employer_credit_code": credit_code(rng, county["code"], public),
            "city_code": city["code"],
            "county_code": county["code"],
            "industry": industry,
            "headcount": rng.choice([1, 1, 2, 2, 3, 4, 5, 6, 8, 10]),
            "education_requirement": education,
            "major_requirement": major,
            "duration_months": rng.choice([3, 6, 6, 6, 12, 12]),
            "monthly_subsidy": rng.randrange(1500, 3600, 100),
            "address": f"{city['name']}{county['name']}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
            "contact_name": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "contact_phone": (
                f"{AREA_CODES[city['code']]}-{rng.randint(2000000, 8999999)}"
                if rng.random() < 0.5
                else f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}"
            ),
            "description": (
                f"{employer}招募{title}。岗位职责：在带教老师指导下参与{rng.choice(duties)}等工作。"
                f"任职要求：{'学历不限' if education == '不限' else education + '及以上学历'}，"
                f"{'专业不限' if major == '不限' else major + '等相关专业'}，"
                f"工作认真负责，具备良好的沟通能力。{rng.choice(BENEFITS)}。"
            ),
            "deadline": today + timedelta(days=rng.randint(20, 180)),
        }
        published = now - timedelta(seconds=rng.randint(0, 60 * 86400))
        yield domain.with_search(
            {
                **posting,
                "posting_id": uuid.uuid5(NAMESPACE, f"{label}-{number}"),
                "published_at": published,
                "updated_at": published,
                "closed_at": None,
                "created_by": None,
                "closed_by": None,
            }
        )


def run():
    pool = db.create_pool("postings", max_size=1)
    try:
        added = PostingsStore(pool).insert_missing(generate(DEMO_COUNT, clock.today(), clock.now()))
    finally:
        pool.close()
    print(f"postings: {added} demo posts added ({DEMO_COUNT} in the demo set)")
