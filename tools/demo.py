"""Demo data for the fictional county 示范县: every table, realistic gaps, deterministic.

    python -m tools.demo --people 12000 [--seed 20261122] [--database-url URL] [--today 2026-11-22]

All persons, places and units are invented. `generate()` writes in bulk below the ORM
(ids assigned here; SQLite: DBAPI executemany, PostgreSQL: COPY, else Core executemany),
so the audit listeners — which watch ORM flushes — are bypassed on purpose: seeding demo
data is not a user action. On an Engine it runs in one transaction (all or nothing);
secondary indexes of the big tables are dropped for the load and rebuilt from their own
catalogue definitions before the commit.

Everything is relative to `today` (default: date.today()): 12 months of visits end at
today, the two latest assessment rounds (March / September) are the ones before today,
meetings were held about 12 and 6 months ago, and so on. The same seed and the same
`today` give identical rows.

Gaps are built in so every indicator and worklist has something to show: people without
a helper, overdue visits, children whose entrusted guardian has no signed agreement,
villages without a 儿童主任 or volunteer, a township without a 督导员 / 儿童之家 /
boarding school, townships above the dropout targets, overdue incident cards and tasks,
left-behind children who just turned 16, children who just turned 18.
"""
from __future__ import annotations

import argparse
import bisect
import itertools
import datetime as dt
import json
import os
import random
import sys
import time
from typing import Any, Callable, Sequence

import bcrypt
from faker import Faker
from sqlalchemy import JSON, Engine, Integer, func, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from core import idnumber
from core.categories import ACTIVE, EXITED, SERVICE_TYPES
from core.indicators import last_months, month_label
from areas.care import status as care_status
from db import maintenance, models as m
from tools.demo_geo import township_boundaries

UTC = dt.timezone.utc
BEIJING = dt.timezone(dt.timedelta(hours=8))
DAY = dt.timedelta(days=1)

COUNTY_NAME = "示范县"
COUNTY_CODE = "429901000000"
ID_REGION = "429901"  # first 6 digits of most ID numbers (fictional, 4299 is unused)
OTHER_ID_REGIONS = ("429902", "429903", "429905", "429921")  # born in a fictional neighbour

# Fixed order (not seeded) so the demo accounts' scope labels are constants.
TOWNSHIPS: tuple[str, ...] = (
    "青石镇", "云溪乡", "城关镇", "柳河镇", "桃坪乡", "白沙镇",
    "清江街道", "松林乡", "金竹镇", "石门乡", "鹤鸣镇", "枫香坪乡",
)

DEMO_PASSWORD = "Demo@2026care"  # demo data only; passes core.passwords.policy_errors
# (username, role, password, scope label) — printed at start-up by db.bootstrap.
DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("admin", "admin", DEMO_PASSWORD, "全县（系统管理员）"),
    ("office", "office", DEMO_PASSWORD, "全县（联席办/民政局）"),
    ("township", "township", DEMO_PASSWORD, TOWNSHIPS[0]),
    ("township2", "township", DEMO_PASSWORD, TOWNSHIPS[1]),
    ("unit", "unit", DEMO_PASSWORD, "县教育局"),
    ("leader", "leader", DEMO_PASSWORD, "全县（领导只读）"),
]
_ACCOUNT_NAMES = {
    "admin": "系统管理员",
    "office": "联席办 王晓燕",
    "township": f"{TOWNSHIPS[0]}民政办 谭春梅",
    "township2": f"{TOWNSHIPS[1]}民政办 向志军",
    "unit": "县教育局联络员 田静",
    "leader": "分管副县长 覃文华",
}

BATCH = 10_000
CHUNK_PEOPLE = 2_000
CREATED_BY = "demo"

# ---------------------------------------------------------------- vocabularies
_SURNAMES = (
    "王7 李7 张6 刘5 陈5 杨3 黄3 赵2 吴2 周2 徐2 孙2 马2 朱2 胡2 郭2 何2 高2 林1 罗2 郑1 梁1 "
    "谢1 宋1 唐1 许1 韩1 冯1 邓2 曹1 彭1 曾1 肖1 田4 董1 袁1 潘1 于1 蒋1 蔡1 余2 杜1 叶1 程1 "
    "苏1 魏1 吕1 丁1 任1 沈1 姚1 卢1 姜1 崔1 钟1 谭4 陆1 汪1 范1 金1 石2 廖1 贾1 夏1 韦1 付1 "
    "方1 白1 邹1 孟1 熊1 秦1 邱1 江1 尹1 薛1 段1 雷2 侯1 龙1 史1 陶1 黎1 贺1 顾1 毛1 郝1 "
    "龚1 邵1 万1 严1 覃4 向4 戴1 莫1 孔1 汤1 牟1 冉1 邬1 卜1"
).split()
SURNAMES = [s[0] for s in _SURNAMES]
_SURNAME_CUM = list(itertools.accumulate(int(s[1:]) for s in _SURNAMES))

_GIVEN = {
    ("child", "男"): "子浩宇轩梓俊博文泽睿铭晨杰皓然一诚航瑞逸鑫嘉豪明宸奕辰煜锦阳思天乐凯朗骏霖",
    ("child", "女"): "欣怡梓涵雨萱诗语可馨思佳悦彤琪若梦婷依妍雅晨心诺嘉紫芷安静雪瑶欢月茜蕊",
    ("adult", "男"): "建国军伟志明华平勇强德文红东海波斌春林刚峰永成俊金贵长祥忠兵涛新超亮辉",
    ("adult", "女"): "秀英丽芳红霞娟玉兰桂梅琴春燕艳珍凤萍敏丹莉翠云华慧静清美群小娅琳",
    ("old", "男"): "德福贵明国昌寿有仁义发才绍启光宗开守清树良正顺永安富荣茂厚宝传先",
    ("old", "女"): "秀英兰桂珍芝凤翠花菊香梅玉淑素春金银桃巧月莲琼荣芬娥云妹翠仙",
}

MOBILE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 "
                   "180 181 182 183 185 186 187 188 189 191 193 195 198 199").split()

_VILLAGE_A = "青白黄红石柳桃杨松竹马龙凤金银花茶枫柏梨樟双高大小长新太平三田沙水"
_VILLAGE_B = "坪坝岭溪河湾桥沟垭岗山园林口堡田塘岩池湖庄台冲"

POSITIONS = (("村支书", 10), ("村主任", 10), ("妇联主席", 12), ("儿童主任", 10), ("网格员", 20),
             ("驻村干部", 12), ("村民小组长", 10), ("乡镇干部", 10), ("党员志愿者", 6))

MIGRANT_PLACES = ("广东东莞", "广东深圳", "广东佛山", "浙江义乌", "浙江宁波", "上海", "江苏苏州",
                  "福建厦门", "湖北武汉", "湖北宜昌", "北京", "重庆")

EXTRA_MEASURES = ("低保", "临时救助", "医疗救助", "教育资助")
MEASURE_TEXT = {
    "生活照料": ("帮助打扫卫生、代购生活用品", "协助购物和洗涤衣物", "陪同就医、代办事项"),
    "精神陪伴": ("定期上门聊天谈心", "组织亲情视频通话", "社工开展心理疏导"),
    "就业创业指导": ("推荐就近就业岗位", "组织参加技能培训", "讲解返乡创业扶持政策"),
    "应急救助": ("登记应急联系人并张贴联系卡", "配备应急呼叫设备", "纳入应急救助志愿服务队联系名单"),
    "健康保健": ("家庭医生签约并定期随访", "组织免费健康体检", "慢病用药提醒"),
    "法律援助": ("提供法律咨询", "协助申请法律援助", "调解赡养纠纷"),
    "文体活动": ("参加儿童之家周末活动", "参加村老年协会文体活动", "参加暑期托管兴趣课堂"),
    "低保": ("纳入农村低保，按月发放保障金",),
    "临时救助": ("因病实施临时救助", "因灾实施临时救助"),
    "医疗救助": ("落实医疗救助和大病保险报销", "资助参加城乡居民医保"),
    "教育资助": ("落实义务教育“两免一补”", "发放生活补助", "金秋助学资助"),
}

FINDINGS = {
    "child": ("孩子状态良好，作业按时完成", "监护人照料到位，家中卫生整洁", "孩子与父母每周视频联系",
              "孩子在校表现良好", "孩子情绪稳定，饮食正常", "已提醒监护人注意防溺水安全",
              "孩子近期成绩下降，已与班主任沟通", "家中用电用火安全已检查"),
    "elder": ("老人身体状况稳定，生活能自理", "老人血压偏高，已提醒按时服药", "家中米面油充足",
              "子女近期电话联系较少，已电话督促", "协助老人打扫卫生", "老人情绪良好，参加村里活动",
              "检查了用电用火安全", "老人反映腿脚不便，已联系家庭医生"),
    "adult": ("家庭生活基本正常", "了解就业意愿，推荐了务工信息", "家中收入稳定", "身体状况良好",
              "已讲解救助政策", "情绪稳定，无特殊需求", "住房安全，已检查", "已协助办理医保缴费"),
}
PROBLEMS = ("房屋漏雨需修缮", "监护人身体欠佳", "冬季取暖物资不足", "医药费负担较重", "孩子沉迷手机",
            "需办理残疾证换证", "低保待遇待复核", "子女长期未联系")
FOLLOW_UPS = ("已报乡镇民政办", "已联系村委会协调", "下次走访复查", "已转介卫生院", "已联系学校老师")

SITUATION = {
    "family_lbc": ("父母均外出务工，与祖父母共同生活", "父亲外出务工，母亲患病无监护能力", "家中共5口人，父母在外务工",
                   "父母在外务工，与外祖父母共同生活", "父母在外务工，由姑姑代为照顾"),
    "family_child": ("单亲家庭，母亲外出务工", "父母离异，随祖母生活", "父亲服刑，母亲改嫁", "父亲患病，家庭经济困难",
                     "父母均为残疾人，家庭收入低"),
    "family_orphan": ("父母双亡，随祖父母生活", "父母双亡，由叔叔抚养", "父母双亡，在县儿童福利院集中养育"),
    "family_elder": ("子女均外出务工，独自居住", "老两口共同生活，子女在外地", "丧偶，独居",
                     "与孙辈同住，子女外出务工"),
    "family_other": ("家中3口人，主要劳动力外出务工", "家庭收入主要靠务农", "无赡养人，分散供养",
                     "因病致贫，家庭负担重", "丈夫长期在外务工，独自照顾老人小孩"),
    "living": ("基本生活有保障", "住房为砖混结构，安全", "住房老旧，已纳入危房改造", "生活自理",
               "需要他人照料", "饮水、用电正常"),
    "school_pre": ("在村幼儿园就读", "在本镇中心幼儿园就读", "未入园，在家由祖辈照看"),
    "school_primary": ("在村小就读", "在本镇中心小学就读", "在本镇中心小学寄宿"),
    "school_junior": ("在本镇初级中学寄宿", "在县城初中就读", "在本镇初级中学走读"),
    "school_senior": ("在县一中就读", "在县职教中心就读", "初中毕业后在家务农"),
    "school_grade": ("", "", "，学习成绩中等", "，成绩优良", "，学习较吃力"),
    "health_child": ("身体健康", "身体健康", "体弱多病", "患哮喘", "患先天性心脏病，已手术"),
    "health_ill": ("患白血病，正在治疗", "患肾病，定期透析", "患先天性心脏病，等待手术"),
    "health_disabled": ("肢体残疾，行动不便", "视力残疾", "智力残疾，需要专人照护", "精神残疾，病情稳定",
                        "听力言语残疾"),
    "health_elder": ("身体健康", "患高血压，长期服药", "患糖尿病", "听力下降", "腿脚不便", "患慢性支气管炎"),
    "health_adult": ("身体健康", "身体健康", "患慢性病，长期服药", "患高血压", "腰椎间盘突出"),
    "psych": ("性格开朗", "性格内向，不愿交流", "情绪稳定", "偶有孤独感", "思念父母，情绪低落"),
}

ASSESS_ISSUES = {"中": ("监护人年老体弱，照料能力有限", "学习跟不上，有厌学情绪", "家庭经济困难",
                        "与父母联系少，情绪低落"),
                 "高": ("监护缺失，无人实际照料", "疑似遭受家庭暴力", "长期不到校", "重病无人陪护就医")}
ASSESS_ACTIONS = {"中": ("增加走访频次，每两周一次", "协调学校老师结对帮扶", "申请临时救助"),
                  "高": ("纳入重点跟踪，每周走访", "启动监护干预，报乡镇和派出所", "转介心理咨询",
                         "协调落实委托监护人")}

INCIDENT_TYPES = ("监护缺失", "遭受侵害", "辍学", "重病", "生活无着", "意外伤害")
INCIDENT_SOURCES = ("学校", "医院", "公安", "村(居)", "群众", "热线")
INCIDENT_UNITS = {
    "监护缺失": ("民政局", "妇联", "公安局"),
    "遭受侵害": ("公安局", "检察院", "妇联"),
    "辍学": ("教育局",),
    "重病": ("卫健局", "民政局"),
    "生活无着": ("民政局",),
    "意外伤害": ("卫健局", "公安局", "教育局"),
}
INCIDENT_TEXT = {
    "监护缺失": ("委托监护人住院，孩子独自在家无人照料", "祖母去世，孩子无人照料", "父母外出后失联，孩子由邻居临时照看"),
    "遭受侵害": ("发现孩子身上有多处伤痕，疑似遭受家庭暴力", "孩子反映被同村成年人欺凌", "疑似遭受性侵害，已报警"),
    "辍学": ("开学两周仍未到校报到", "连续多日无故旷课，联系不上监护人", "初二学生外出打工，未办理休学"),
    "重病": ("孩子确诊重病，家庭无力承担医疗费用", "老人突发疾病，独居无人陪护就医"),
    "生活无着": ("家中断粮，监护人失联", "房屋倒塌，无处居住"),
    "意外伤害": ("放学途中被电动车撞伤", "在家中被开水烫伤", "在河边玩耍落水，经抢救脱险"),
}

# The 24 member units of seed 004 (names updated after the 2019 reform) plus the county
# government office, which holds the convenors' seats. Duties are paraphrased.
UNITS: tuple[tuple[str, str, str], ...] = (
    ("县人民政府办公室", "县政府办", "联席会议总召集人、召集人所在单位，统筹协调重大事项，督促议定事项落实。"),
    ("县委政法委(综治办)", "政法委", "把关爱保护工作纳入平安建设（综治）考核，对责任落实好的表扬奖励，对工作不力、后果严重的督导问责。"),
    ("县人大常委会内务司法工作委员会", "人大内司委", "推动完善家庭监护监督干预和未成年人行政保护制度，促进行政保护与司法保护衔接。"),
    ("县人民法院", "法院", "依法审理涉及特殊群体权益的案件，为无人监护或遭受监护侵害的儿童、老人指定监护人，严惩侵害犯罪。"),
    ("县人民检察院", "检察院", "依法惩治侵害特殊群体权益的犯罪，教育挽救涉罪留守儿童、救助被害儿童，开展法律监督。"),
    ("县公安局", "公安局", "接到强制报告后第一时间出警处置，做好带离护送、立案侦查，向乡镇通报处置情况，协助加强校园安全。"),
    ("县发展和改革局", "发改局", "把救助管理机构、福利机构、农村寄宿制学校等纳入专项规划，完善设施条件。"),
    ("县教育局", "教育局", "对留守儿童受教育情况全程管理，加强寄宿制学校建设和教师专题培训，开展控辍保学和强制报告。"),
    ("县民政局", "民政局", "牵头关爱保护工作（联席会议办公室设在本局），指导乡镇建立动态台账，落实救助政策，培育社会组织和志愿服务。"),
    ("县司法局", "司法局", "开展法治宣传教育，引导父母和子女履行监护、赡养责任，组织法律援助和法律服务。"),
    ("县财政局", "财政局", "多渠道筹措资金，把关爱服务列入政府购买服务目录，落实相关财税扶持政策。"),
    ("县人力资源和社会保障局", "人社局", "落实支持农民工返乡创业就业政策，开展就业创业技能培训，推送岗位信息。"),
    ("县住房和城乡建设局", "住建局", "把符合条件的农民工家庭纳入住房保障，通过公租房或租赁补贴解决基本居住需求。"),
    ("县农业农村局", "农业农村局", "培育家庭农场、合作社等新型经营主体，开展农村劳动力实用技术培训，保障外出务工人员土地权益。"),
    ("县卫生健康局", "卫健局", "指导医疗机构落实强制报告、及时救治受侵害或意外伤害人员，开展伤情鉴定、健康评估和送医下乡。"),
    ("县税务局", "税务局", "落实税费减免政策，支持社会组织和爱心企业举办托管服务机构，支持返乡创业。"),
    ("县文化和旅游局(广电)", "文旅局", "开展关爱保护法律政策宣传，建立舆情监测应对机制，宣传先进典型，营造良好网络环境。"),
    ("县统计局", "统计局", "把留守儿童、妇女、老人纳入人口普查和抽样调查，掌握基本状况。"),
    ("县司法局法制科", "法制科", "做好相关规范性文件的合法性审查，规范对失职监护人、侵害人的行政处罚裁量，办理行政复议案件。"),
    ("县乡村振兴局", "乡村振兴局", "研究留守问题与防返贫的关联，把符合条件的监测对象家庭纳入重点帮扶。"),
    ("县总工会", "总工会", "开展送温暖、金秋助学、农民工平安返乡和女职工关爱等活动，帮扶困难农民工家庭。"),
    ("团县委", "团县委", "动员团员青年和青年志愿者开展关爱服务，依托亲情小屋提供假期照料、课后辅导和心理疏导。"),
    ("县妇联(妇儿工委办)", "妇联", "督促做好留守儿童、留守妇女关爱保护，依托儿童之家开展服务，加强家庭教育指导，扶持留守妇女创业。"),
    ("县残联", "残联", "组织残疾人康复，依托残疾人服务设施提供日间照料和心理疏导。"),
    ("县关工委", "关工委", "组织离退休老同志开展留守儿童关爱服务和互助活动。"),
)
_MEMBER_TITLE = {
    "县政府办": "县政府办副主任", "政法委": "县委政法委副书记", "人大内司委": "县人大内司委主任",
    "法院": "县人民法院副院长", "检察院": "县人民检察院副检察长", "公安局": "县公安局政委",
    "民政局": "县民政局副局长", "总工会": "县总工会常务副主席", "团县委": "团县委书记", "妇联": "县妇联主席",
    "残联": "县残联副理事长", "关工委": "县关工委常务副主任", "法制科": "县司法局副局长",
}
_LIAISON_DEPT = {
    "县政府办": "秘书二科科长", "民政局": "社会事务股股长", "教育局": "基础教育股股长", "公安局": "治安大队副大队长",
    "卫健局": "妇幼健康股股长", "妇联": "家庭和儿童工作部部长", "团县委": "少年部部长", "残联": "康复部部长",
}

# (title, lead, co-units, detail, acceptance criterion)
TASK_POOL: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("开展农村留守儿童和困境儿童信息排查核实", "民政局", ("教育局", "公安局", "妇联"),
     "各乡镇逐村入户核实，与学籍、户籍数据比对，更新信息台账。", "台账与学籍、户籍比对差异清单全部核销"),
    ("推进乡镇儿童之家标准化建设", "妇联", ("民政局", "财政局"),
     "按标准配置场地、设施和管理人员，每周至少开放两次。", "每个乡镇至少建成1个标准化儿童之家并通过验收"),
    ("落实事实无人抚养儿童基本生活保障", "民政局", ("财政局", "法院", "公安局"),
     "全面排查事实无人抚养儿童，符合条件的纳入保障。", "符合条件儿童全部纳入保障，补贴按月足额发放"),
    ("开展控辍保学专项行动", "教育局", ("公安局", "乡村振兴局", "民政局"),
     "落实“七长”负责制，逐一劝返辍学学生。", "小学、初中辍学率分别控制在0.6%、1.8%以内，劝返台账全部销号"),
    ("建设标准化农村寄宿制学校", "教育局", ("发改局", "住建局", "财政局"),
     "完成寄宿制学校宿舍、食堂改造，配齐生活老师。", "每个乡镇建成1所标准化寄宿制学校"),
    ("开展强制报告制度全员培训", "检察院", ("公安局", "教育局", "卫健局", "民政局"),
     "对学校、医院、村(居)强制报告责任人开展培训。", "强制报告责任人培训覆盖率达到100%"),
    ("配齐村(居)儿童主任和乡镇儿童督导员", "民政局", ("妇联",),
     "空缺岗位一月内补齐，全员参加年度业务培训。", "儿童主任、儿童督导员全覆盖并完成年度培训"),
    ("开展留守儿童监护人家庭教育指导", "妇联", ("教育局", "关工委"),
     "依托家长学校和儿童之家开展家庭教育讲座。", "每个乡镇开展家庭教育讲座不少于2场"),
    ("组织青年志愿者结对关爱留守儿童", "团县委", ("妇联", "关工委", "教育局"),
     "招募青年志愿者，与留守儿童一对一结对。", "每个村(居)至少有1名关爱儿童志愿者"),
    ("开展农村留守老年人巡访关爱", "民政局", ("卫健局", "乡村振兴局"),
     "建立留守老年人巡访制度，落实巡访人员。", "留守老年人定期巡访覆盖率达到100%"),
    ("推进重度残疾人康复救助", "残联", ("卫健局", "民政局"),
     "为有需求的重度残疾人提供康复服务和辅具适配。", "有康复需求的重度残疾人康复服务覆盖率不低于90%"),
    ("开展农民工返乡创业就业培训", "人社局", ("农业农村局", "总工会"),
     "面向留守家庭劳动力开展技能培训和岗位推荐。", "全年培训不少于500人次，推荐岗位信息全覆盖"),
    ("加强涉未成年人案件办理和司法保护", "法院", ("检察院", "公安局"),
     "建立涉未成年人案件快速办理和司法救助机制。", "涉未成年人案件全部依法及时办结，司法救助应救尽救"),
    ("开展法治宣传进校园、进村(居)活动", "司法局", ("教育局", "团县委", "文旅局"),
     "组织法律讲座和以案释法，提高监护人法律意识。", "每个乡镇至少开展1次集中宣传活动"),
    ("将关爱服务纳入政府购买服务目录", "财政局", ("民政局",),
     "把农村“三留守”人员关爱服务列入政府购买服务指导性目录。", "目录印发并落实年度购买服务资金"),
    ("做好困难群众医疗救助和健康体检", "卫健局", ("民政局", "残联"),
     "组织家庭医生入户随访和免费健康体检。", "特困人员、留守老人年度健康体检覆盖率达到95%"),
    ("开展“三留守”人员统计监测", "统计局", ("民政局",),
     "在抽样调查中增加“三留守”人员相关指标。", "形成年度统计监测报告"),
    ("做好防止返贫动态监测和帮扶", "乡村振兴局", ("民政局", "人社局"),
     "对监测对象家庭落实针对性帮扶措施。", "监测对象帮扶措施落实率100%"),
    ("落实社会组织和爱心企业税费减免", "税务局", ("财政局",),
     "梳理托管服务机构适用的税费优惠政策并上门辅导。", "符合条件的机构全部享受优惠政策"),
    ("开展关爱保护主题宣传和舆情监测", "文旅局", ("政法委", "团县委"),
     "制作宣传片，开设专栏，建立舆情日报制度。", "全年发布宣传稿件不少于20篇，舆情处置及时率100%"),
    ("将关爱保护工作纳入平安建设考核", "政法委", ("民政局",),
     "修订平安建设考核细则，增加关爱保护内容。", "考核细则印发并在年度考核中执行"),
    ("加强校园安全“人防物防技防”建设", "公安局", ("教育局",),
     "中小学校配齐保安、视频监控和一键报警装置。", "中小学校“三防”建设达标率100%"),
    ("推进留守儿童心理健康辅导全覆盖", "教育局", ("卫健局", "团县委"),
     "每所学校配备心理辅导教师，开展心理健康筛查。", "义务教育学校心理辅导室和专兼职教师全覆盖"),
    ("将救助管理和福利机构改造纳入专项规划", "发改局", ("民政局", "住建局"),
     "在专项规划中安排救助管理站和福利院改造项目。", "项目纳入规划并完成立项"),
    ("开展金秋助学和送温暖活动", "总工会", ("教育局", "妇联"),
     "对困难农民工家庭子女开展助学帮扶。", "符合条件的困难家庭子女资助全覆盖"),
    ("组织“五老”结对关爱留守儿童", "关工委", ("教育局", "团县委"),
     "动员离退休老同志与留守儿童结对。", "每个乡镇组建1支“五老”关爱队伍"),
    ("开展关爱保护规范性文件合法性审查", "法制科", ("民政局",),
     "对涉及特殊群体的规范性文件开展合法性审查和清理。", "审查清理结果书面报联席办"),
    ("把符合条件的农民工家庭纳入住房保障", "住建局", ("人社局",),
     "摸排有住房困难的农民工家庭，落实公租房或租赁补贴。", "符合条件的申请家庭全部纳入保障"),
    ("开展委托监护协议补签和监护能力复核", "民政局", ("妇联", "司法局"),
     "对委托监护未签协议的逐户补签，复核受托人监护能力。", "委托监护协议签订率100%"),
    ("建立困境儿童个案会商转介机制", "民政局", ("公安局", "教育局", "卫健局", "检察院"),
     "对高风险个案建立联席会商和转介流程。", "机制文件印发，高风险个案全部建立个案档案"),
)
_SPECIAL_TASKS = (28, 29)  # index into TASK_POOL, decided at the 专题会议

UPDATE_TEXT = ("已召开专题部署会，制定工作方案", "已下发通知，明确责任分工", "正在组织各乡镇逐项推进",
               "已完成阶段性任务，正在整理台账", "已完成督查，发现问题正在整改", "已形成工作总结，报送佐证材料")
RETURN_TEXT = ("佐证材料不全，请补充乡镇汇总表后重新报送", "完成情况与验收标准不符，请继续推进",
               "数据口径与台账不一致，请核实后重报")
REMIND_TEXT = ("该事项已超过办理时限，请尽快报送进展", "请于本周内报送办理情况", "联席办电话催办，已通知联络员")


# ---------------------------------------------------------------- helpers
def _add_years(d: dt.date, years: int) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


def _clamp(d: dt.date, lo: dt.date, hi: dt.date) -> dt.date:
    return lo if d < lo else hi if d > hi else d


def _weekday(d: dt.date) -> dt.date:
    """Move a weekend date back to Friday."""
    return d - dt.timedelta(days=max(0, d.weekday() - 4))


def _at(d: dt.date, hour: int = 9, minute: int = 30) -> dt.datetime:
    """A Beijing wall-clock time on `d`, as an aware UTC datetime."""
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=BEIJING).astimezone(UTC)


class _Cache(dict):
    """value → converted value, computed once (dates, timestamps and JSON repeat a lot)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def __missing__(self, key):
        v = None if key is None else self.fn(key)
        self[key] = v
        return v


class _Writer:
    """Bulk inserts, fastest path per backend.

    - SQLite: DBAPI executemany; values converted by SQLAlchemy's own bind processors
      (cached per distinct value, so the stored text is exactly what the ORM would write).
    - PostgreSQL + psycopg 3: COPY FROM STDIN (JSON values serialised here, the rest is
      adapted by psycopg).
    - Anything else: Core executemany.
    """

    def __init__(self, conn: Connection, copy: bool = True):
        self.conn = conn
        self.dialect = conn.dialect
        self.sqlite = conn.dialect.name == "sqlite"
        # copy=False: the plain INSERT path on PostgreSQL too (tests compare the two).
        self.copy = copy and conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"
        self.freeze: set[str] = set()  # tables truncated in this transaction: COPY … FREEZE
        self.counts: dict[str, int] = {}
        self._plans: dict[tuple, tuple] = {}

    def processor(self, table, col: str) -> Callable[[Any], Any] | None:
        """What the writer does to a value of `col` before the driver sees it (None: nothing).
        Hot loops use it to convert repeated values once and pass them as `ready`."""
        typ = table.c[col].type
        if self.sqlite:
            return typ.dialect_impl(self.dialect).bind_processor(self.dialect)
        if self.copy and isinstance(typ, JSON):
            ser = getattr(self.dialect, "_json_serializer", None) or json.dumps
            return lambda v: ser(list(v) if isinstance(v, tuple) else v)
        return None

    def _plan(self, table, cols: tuple[str, ...]):
        key = (table.name, cols)
        if key not in self._plans:
            for c in table.columns:
                if c.name not in cols and not c.nullable and c.server_default is None and not c.primary_key:
                    raise ValueError(f"demo: {table.name}.{c.name} is NOT NULL and missing")
            q = self.dialect.identifier_preparer
            names = ", ".join(q.quote(c) for c in cols)
            if self.sqlite:
                sql = f"INSERT INTO {q.format_table(table)} ({names}) VALUES ({', '.join('?' * len(cols))})"
            else:
                sql = f"COPY {q.format_table(table)} ({names}) FROM STDIN"
                if table.name in self.freeze:
                    sql += " WITH (FREEZE)"
            convs = []
            for i, c in enumerate(cols):
                proc = self.processor(table, c)
                if proc is not None:
                    convs.append((c, i, _Cache(proc)))
            self._plans[key] = (sql, convs)
        return self._plans[key]

    def rows(self, table, cols: Sequence[str], rows: list[tuple], ready: Sequence[str] = ()) -> None:
        """Insert `rows` (tuples in `cols` order). `ready`: columns already passed through
        processor()."""
        if not rows:
            return
        cols = tuple(cols)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not (self.sqlite or self.copy):
            for k in range(0, len(rows), BATCH):
                self.conn.execute(insert(table), [dict(zip(cols, r)) for r in rows[k:k + BATCH]])
            return
        sql, convs = self._plan(table, cols)
        convs = [(i, cache) for c, i, cache in convs if c not in ready]
        for k in range(0, len(rows), BATCH):
            part = rows[k:k + BATCH]
            if convs:
                columns = list(zip(*part))
                for i, cache in convs:
                    try:
                        columns[i] = list(map(cache.__getitem__, columns[i]))
                    except TypeError:  # an unhashable value (a dict): convert without the cache
                        columns[i] = [None if v is None else cache.fn(v) for v in columns[i]]
                part = list(zip(*columns))
            if self.sqlite:
                self.conn.exec_driver_sql(sql, part)
            else:
                with self.conn.connection.driver_connection.cursor() as cur, cur.copy(sql) as cp:
                    for row in part:
                        cp.write_row(row)


# ---------------------------------------------------------------- the generator
class _Demo:
    def __init__(self, people: int, seed: int, today: dt.date, progress):
        self.n = int(people)
        self.seed = seed
        self.today = today
        self.rng = random.Random(seed)
        rnd = self.rnd = self.rng.random  # C-fast; random.choice/randint are 10x slower

        def pick(seq):
            return seq[int(rnd() * len(seq))]

        def rint(a: int, b: int) -> int:
            return a + int(rnd() * (b - a + 1))

        cums: dict[tuple, list[float]] = {}

        def wpick(items: tuple, weights: tuple):
            cum = cums.get((items, weights))
            if cum is None:
                cum = cums[(items, weights)] = list(itertools.accumulate(weights))
            return items[bisect.bisect_right(cum, rnd() * cum[-1])]

        self.pick, self.rint, self.wpick = pick, rint, wpick
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self._progress = progress
        self.now = _at(today, 8, 0)  # created_at of configuration rows (deterministic)
        self._dts: dict[int, _Cache] = {}
        self._ids_used: set[str] = set()
        # visit window: day index k → date, k = 0 is today - 365
        self.win_start = today - dt.timedelta(days=365)
        self.days = [self.win_start + dt.timedelta(days=k) for k in range(366)]
        self.day_dts = [self._dt(d, 10) for d in self.days]

    # -- small utilities
    def progress(self, stage: str, frac: float) -> None:
        if self._progress:
            self._progress(stage, max(0.0, min(1.0, frac)))

    def _dt(self, d: dt.date, hour: int = 9) -> dt.datetime:
        """Deterministic created_at: `hour`:30 Beijing time on `d` (cached)."""
        cache = self._dts.get(hour)
        if cache is None:
            cache = self._dts[hour] = _Cache(lambda day, h=hour: _at(day, h, 30))
        return cache[d]

    def surname(self) -> str:
        return SURNAMES[bisect.bisect_right(_SURNAME_CUM, self.rnd() * _SURNAME_CUM[-1])]

    def given(self, gender: str, age: int) -> str:
        pool = _GIVEN[("child" if age < 25 else "adult" if age < 58 else "old", gender)]
        pick = self.pick
        if self.rnd() < (0.1 if age < 25 else 0.2):
            return pick(pool)
        a, b = pick(pool), pick(pool)
        if a == b and self.rnd() < 0.7:
            b = pick(pool)
        return a + b

    def name(self, gender: str, age: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(gender, age)

    def phone(self) -> str:
        return f"{self.pick(MOBILE_PREFIXES)}{int(self.rnd() * 100_000_000):08d}"

    def id_number(self, birth: dt.date, gender: str) -> str:
        region = ID_REGION if self.rnd() < 0.92 else self.pick(OTHER_ID_REGIONS)
        while True:
            v = idnumber.make(region, birth, self.rint(1, 998), gender)
            if v not in self._ids_used:
                self._ids_used.add(v)
                return v

    def birth_for_age(self, age: int) -> dt.date:
        return _add_years(self.today, -age) - dt.timedelta(days=int(self.rnd() * 365))

    # ---------------------------------------------------------------- run
    def run(self, w: _Writer) -> dict:
        t0 = time.perf_counter()
        self.w = w
        self.progress("区划与边界", 0.0)
        self.make_regions()
        self.make_units()
        self.progress("成员单位与会议", 0.02)
        self.make_meetings_and_tasks()
        self.make_workforce_and_facilities()
        self.make_school_stats()
        self.make_rules_and_rounds()
        self.make_helpers()
        self.make_people()
        self.progress("通报处置卡", 0.97)
        self.make_incidents()
        self.progress("账户", 0.98)
        accounts = self.make_users()
        w.rows(m.AppSetting.__table__, ("key", "value", "updated_at"), [(
            "demo.generated",
            json.dumps({"seed": self.seed, "people": self.n, "today": self.today.isoformat()}),
            self.now,
        )])
        out: dict[str, Any] = dict(sorted(w.counts.items()))
        out["accounts"] = accounts
        out["seconds"] = round(time.perf_counter() - t0, 2)
        return out

    # ---------------------------------------------------------------- regions
    def make_regions(self) -> None:
        r = self.rng
        T = m.Region.__table__
        rows = [(1, COUNTY_CODE, COUNTY_NAME, "county", None, None, 0)]
        geoms = township_boundaries(len(TOWNSHIPS), self.seed)
        used_village_names: set[str] = set()
        self.townships: list[dict] = []
        self.villages: list[dict] = []
        rid = 2
        street_seq = jie_seq = 0
        zhen_seq, xiang_seq = 100, 200
        for ti, tname in enumerate(TOWNSHIPS):
            if tname.endswith("街道"):
                jie_seq += 1
                tcode = jie_seq
            elif tname.endswith("乡"):
                tcode = xiang_seq
                xiang_seq += 1
            else:
                tcode = zhen_seq
                zhen_seq += 1
            code9 = f"{COUNTY_CODE[:6]}{tcode:03d}"
            tw = {"id": rid, "name": tname, "code": code9 + "000", "villages": [],
                  "weight": r.uniform(0.7, 1.4) * (1.6 if tname in ("城关镇", "清江街道") else 1.0),
                  "kind": "街道" if tname.endswith("街道") else tname[-1]}
            rows.append((rid, tw["code"], tname, "township", 1, geoms[ti], ti + 1))
            rid += 1
            self.townships.append(tw)
            n_v = r.randint(12, 14)
            n_comm = {"街道": n_v, "镇": 2 if tname != "城关镇" else 5}.get(tw["kind"], 1)
            n_comm = min(n_comm, n_v)
            for vi in range(n_v):
                while True:
                    base = r.choice(_VILLAGE_A) + r.choice(_VILLAGE_B)
                    if base not in used_village_names and base[0] != base[1]:
                        used_village_names.add(base)
                        break
                is_comm = vi < n_comm
                vname = base + ("社区" if is_comm else "村")
                vcode = code9 + (f"{vi + 1:03d}" if is_comm else f"{200 + vi - n_comm:03d}")
                v = {"id": rid, "name": vname, "code": vcode, "tw": tw, "community": is_comm,
                     "weight": r.uniform(0.5, 1.6) * tw["weight"], "helpers": []}
                rows.append((rid, vcode, vname, "village", tw["id"], None, vi + 1))
                rid += 1
                tw["villages"].append(v)
                self.villages.append(v)
        self.w.rows(T, ("id", "code", "name", "level", "parent_id", "boundary", "sort_order"), rows)
        roads = ["幸福路", "人民路", "建设路", "解放路", "新华街", "滨江路", "朝阳路", "文化路", "学府路",
                 "健康路", "团结路", "光明街"]
        roads += [x for x in (self.fake.street_name() for _ in range(16)) if x.endswith("路") and x not in roads]
        self.roads = roads

    # ---------------------------------------------------------------- units
    def make_units(self) -> None:
        r = self.rng
        self.unit_ids: dict[str, int] = {}
        rows = []
        for i, (name, short, duties) in enumerate(UNITS):
            uid = i + 1
            self.unit_ids[short] = uid
            rows.append((uid, name, short, duties, i, True, 1, self.now, CREATED_BY))
        self.w.rows(m.Unit.__table__, ("id", "name", "short_name", "duties", "sort_order", "active",
                                       "version", "created_at", "created_by"), rows)
        start = _add_years(self.today, -3).replace(month=3, day=15)
        mrows = []
        mid = 1

        def seat(uid, role, title, frm, to=None, name=None):
            nonlocal mid
            g = "女" if r.random() < 0.35 else "男"
            mrows.append((mid, uid, name or self.name(g, 48), title, role, self.phone(), frm, to,
                          1, self._dt(frm), CREATED_BY))
            mid += 1

        gov, mz = self.unit_ids["县政府办"], self.unit_ids["民政局"]
        # The chief convenor changed once: the successor takes the seat (seed 004).
        switch = _weekday(self.today - dt.timedelta(days=r.randint(200, 300)))
        seat(gov, "总召集人", "县人民政府副县长", start, switch - DAY)
        seat(gov, "总召集人", "县人民政府副县长", switch, name="覃文华")
        seat(gov, "召集人", "县政府办副主任", start)
        seat(mz, "召集人", "县民政局局长", start)
        succession = set(r.sample(range(2, len(UNITS)), 4))
        for i, (name, short, _d) in enumerate(UNITS):
            uid = i + 1
            if short != "县政府办":
                title = _MEMBER_TITLE.get(short) or ("县" + short + ("局长" if short.endswith("局") else "主任"))
                if i in succession:
                    cut = _weekday(self.today - dt.timedelta(days=r.randint(60, 500)))
                    seat(uid, "成员", title, start, cut - DAY)
                    seat(uid, "成员", title, cut)
                else:
                    seat(uid, "成员", title, start)
            dept = _LIAISON_DEPT.get(short, "办公室主任")
            if short == "教育局":
                seat(uid, "联络员", dept, start, name="田静")
            elif i % 7 == 3:
                cut = _weekday(self.today - dt.timedelta(days=r.randint(30, 400)))
                seat(uid, "联络员", dept, start, cut - DAY)
                seat(uid, "联络员", dept, cut)
            else:
                seat(uid, "联络员", dept, start)
        self.w.rows(m.UnitMember.__table__, ("id", "unit_id", "person_name", "title", "seat_role", "phone",
                                             "from_on", "to_on", "version", "created_at", "created_by"), mrows)

    # ---------------------------------------------------------------- meetings and tasks
    def make_meetings_and_tasks(self) -> None:
        r, today = self.rng, self.today
        all_units = list(range(1, len(UNITS) + 1))
        p1 = _weekday(today - dt.timedelta(days=r.randint(355, 375)))
        l1 = _weekday(today - dt.timedelta(days=r.randint(250, 280)))
        p2 = _weekday(today - dt.timedelta(days=r.randint(170, 190)))
        sp = _weekday(today - dt.timedelta(days=r.randint(95, 115)))
        l2 = _weekday(today - dt.timedelta(days=r.randint(35, 55)))
        name = f"{COUNTY_NAME}农村“三留守”人员和困境儿童关爱保护工作联席会议"
        meetings = [
            (1, "全体会议", p1, f"{p1.year}年度{name}全体会议",
             "1. 通报上半年关爱保护工作情况；2. 审议年度工作要点；3. 部署重点任务", 10),
            (2, "联络员会议", l1, "联席会议联络员会议（议定事项推进情况）",
             "1. 各成员单位报告议定事项进展；2. 梳理问题清单", 0),
            (3, "全体会议", p2, f"{p2.year}年{name}第二次全体会议",
             "1. 通报风险评估和走访情况；2. 研究议定事项；3. 部署下半年工作", 10),
            (4, "专题会议", sp, "困境儿童监护落实专题会议",
             "1. 通报委托监护协议签订情况；2. 研究高风险个案会商转介", 2),
            (5, "联络员会议", l2, "联席会议联络员会议（年终考评准备）",
             "1. 议定事项办理情况对账；2. 年度考评材料准备", 0),
        ]
        mrows, att = [], []
        for mid, kind, held, title, agenda, _n in meetings:
            minutes = (f"会议由{'总召集人' if kind == '全体会议' else '联席办'}主持。" +
                       ("会议听取了各成员单位工作汇报，研究确定了议定事项，明确牵头单位、责任单位和完成时限。"
                        if _n else "各联络员逐项汇报议定事项进展，联席办梳理问题清单报召集人。"))
            mrows.append((mid, kind, held, title, agenda, minutes, 1, self._dt(held, 16), CREATED_BY))
            absent = set(r.sample(all_units[1:], r.randint(1, 3)))
            if kind == "专题会议":
                present = [self.unit_ids[s] for s in ("县政府办", "民政局", "妇联", "公安局", "教育局",
                                                     "法院", "检察院", "司法局")]
            else:
                present = [u for u in all_units if u not in absent]
            att.extend((mid, u) for u in present)
        self.w.rows(m.Meeting.__table__, ("id", "kind", "held_on", "title", "agenda", "minutes", "version",
                                          "created_at", "created_by"), mrows)
        self.w.rows(m.meeting_attendees, ("meeting_id", "unit_id"), att)

        # Tasks: 10 per plenary from the pool, the two special ones from the 专题会议.
        general = [i for i in range(len(TASK_POOL)) if i not in _SPECIAL_TASKS]
        r.shuffle(general)
        plan = [(1, p1, general[:10]), (3, p2, general[10:20]), (4, sp, list(_SPECIAL_TASKS))]
        tasks = []
        for mid, held, idxs in plan:
            for i in idxs:
                horizon = r.choice((60, 90, 120, 150, 180, 240, 300) if mid == 1 else (45, 60, 90, 150, 240, 300))
                tasks.append({"meeting": mid, "held": held, "pool": i, "due": held + dt.timedelta(days=horizon)})
        past = [t for t in tasks if t["due"] < today]
        future = [t for t in tasks if t["due"] >= today]
        for t in past:
            t["outcome"] = r.choices(("ontime", "late", "overdue", "claimed"), (45, 25, 20, 10))[0]
        for t in future:
            t["outcome"] = r.choices(("early", "progress", "claimed", "none"), (15, 50, 15, 20))[0]
        # Every state the 督办 screens show must be present.
        for want, pool in (("overdue", past), ("late", past), ("ontime", past), ("claimed", past + future)):
            if pool and not any(t["outcome"] == want for t in tasks):
                cands = [t for t in pool if t["outcome"] in ("ontime", "early", "progress", "none")] or pool
                r.choice(cands)["outcome"] = want

        trows, co_rows, urows, erows = [], [], [], []
        uid_ = self.unit_ids
        for tid, t in enumerate(tasks, start=1):
            title, lead, co, detail, acc = TASK_POOL[t["pool"]]
            held, due, oc = t["held"], t["due"], t["outcome"]
            claimed = closed = None
            if oc in ("ontime", "early"):
                closed = min(today, due - dt.timedelta(days=r.randint(0, 25)))
                closed = max(closed, held + dt.timedelta(days=20))
                if closed > today:
                    closed, oc = None, "progress"
            elif oc == "late":
                closed = due + dt.timedelta(days=r.randint(5, 60))
                if closed > today:
                    closed, oc = None, "overdue"
            if closed:
                claimed = max(held + dt.timedelta(days=15), closed - dt.timedelta(days=r.randint(1, 7)))
            elif oc == "claimed":
                claimed = _clamp(today - dt.timedelta(days=r.randint(1, 20)), held + dt.timedelta(days=15), today)
            closed = _weekday(closed) if closed else None
            claimed = min(_weekday(claimed), closed or today) if claimed else None
            trows.append((tid, t["meeting"], title, detail, acc, uid_[lead], held, due, claimed, closed,
                          "office" if closed else None, 1, self._dt(held, 17), CREATED_BY))
            co_rows.extend((tid, uid_[c]) for c in co)
            # progress reports
            end = claimed or min(today, due + dt.timedelta(days=40))
            if oc != "none" and end > held + dt.timedelta(days=14):
                k = r.randint(1, 4)
                span = (end - held).days
                points = sorted({r.randint(14, max(14, span)) for _ in range(k)})
                prog = 0
                for j, off in enumerate(points):
                    last = j == len(points) - 1
                    prog = 100 if (last and claimed) else min(95, prog + r.randint(15, 40))
                    unit = uid_[lead] if (not co or r.random() < 0.7 or last) else uid_[r.choice(co)]
                    on = held + dt.timedelta(days=off) if not (last and claimed) else claimed
                    urows.append((tid, unit, on, prog, r.choice(UPDATE_TEXT) if prog < 100 else
                                  "已全部完成，佐证材料已报联席办", 1, self._dt(on, 15), CREATED_BY))
            # office events
            if claimed and closed and r.random() < 0.3 and (claimed - held).days > 30:
                first = claimed - dt.timedelta(days=r.randint(12, 25))
                erows.append((tid, "claim", first, "单位报告已完成"))
                erows.append((tid, "return", first + dt.timedelta(days=3), r.choice(RETURN_TEXT)))
            if claimed:
                erows.append((tid, "claim", claimed, "单位报告已完成，申请销号"))
            if closed:
                erows.append((tid, "accept", closed, "经核验符合验收标准，予以销号"))
            if oc in ("late", "overdue"):
                for j in range(1 if oc == "late" else r.randint(1, 2)):
                    on = due + dt.timedelta(days=3 + 10 * j)
                    if on <= (closed or today):
                        erows.append((tid, "reminder", on, r.choice(REMIND_TEXT)))
            elif oc == "progress" and due - today < dt.timedelta(days=20) and r.random() < 0.5:
                erows.append((tid, "reminder", today - dt.timedelta(days=r.randint(1, 5)), "临近办理时限，请加快推进"))
        self.w.rows(m.Task.__table__, ("id", "meeting_id", "title", "detail", "acceptance", "lead_unit_id",
                                       "assigned_on", "due_on", "completion_claimed_on", "closed_on", "closed_by",
                                       "version", "created_at", "created_by"), trows)
        self.w.rows(m.task_co_units, ("task_id", "unit_id"), co_rows)
        urows.sort(key=lambda x: (x[2], x[0]))
        self.w.rows(m.TaskUpdate.__table__, ("id", "task_id", "unit_id", "reported_on", "progress", "text",
                                             "version", "created_at", "created_by"),
                    [(i,) + u for i, u in enumerate(urows, start=1)])
        erows.sort(key=lambda x: (x[2], x[0]))
        self.w.rows(m.TaskEvent.__table__, ("id", "task_id", "kind", "on", "text", "version", "created_at",
                                            "created_by"),
                    [(i,) + e + (1, self._dt(e[2], 16), CREATED_BY) for i, e in enumerate(erows, start=1)])

    # ---------------------------------------------------------------- workforce, facilities
    def make_workforce_and_facilities(self) -> None:
        r, today = self.rng, self.today
        rows = []
        wid = 1

        def worker(kind, region, appointed, left=None, gender="女", trained=True):
            nonlocal wid
            tr = None
            if trained:
                tr = _clamp(appointed + dt.timedelta(days=r.randint(20, 200)), appointed, left or today)
            rows.append((wid, kind, self.name(gender, r.randint(28, 55)), region, self.phone(), appointed,
                         left, tr, 1, self._dt(appointed), CREATED_BY))
            wid += 1

        def appointed_ago(lo=200, hi=1800):
            return today - dt.timedelta(days=r.randint(lo, hi))

        nv = len(self.villages)
        order = list(range(nv))
        r.shuffle(order)
        never = set(order[: max(1, round(nv * 0.04))])  # never had a 儿童主任
        left_vacant = set(order[len(never): len(never) + max(1, round(nv * 0.05))])
        no_volunteer = set(r.sample(range(nv), max(1, round(nv * 0.15))))
        for i, v in enumerate(self.villages):
            if i in left_vacant:
                a = appointed_ago(500, 1800)
                worker("儿童主任", v["id"], a, today - dt.timedelta(days=r.randint(20, 150)))
            elif i not in never:
                if r.random() < 0.12:  # replaced: history row plus the current holder
                    a = appointed_ago(700, 1800)
                    cut = today - dt.timedelta(days=r.randint(100, 600))
                    worker("儿童主任", v["id"], a, cut)
                    worker("儿童主任", v["id"], cut + DAY, trained=r.random() < 0.75)
                else:
                    worker("儿童主任", v["id"], appointed_ago(), trained=r.random() < 0.9)
            if i not in no_volunteer:
                for _ in range(r.choice((1, 1, 2, 3))):
                    worker("志愿者", v["id"], appointed_ago(30, 1200), gender=r.choice("男女"),
                           trained=r.random() < 0.6)
            if r.random() < 0.55:
                for _ in range(r.choice((1, 1, 2))):
                    worker("看护岗", v["id"], appointed_ago(30, 900), gender=r.choice("男女女"),
                           trained=r.random() < 0.8)
        nt = len(self.townships)
        no_supervisor = set(r.sample(range(1, nt), 2 if nt >= 6 else 1))
        for i, t in enumerate(self.townships):
            if i in no_supervisor:
                if r.random() < 0.5:
                    a = appointed_ago(400, 1500)
                    worker("儿童督导员", t["id"], a, today - dt.timedelta(days=r.randint(30, 200)), gender="男")
                continue
            worker("儿童督导员", t["id"], appointed_ago(), gender=r.choice("男女"))
        self.w.rows(m.Worker.__table__, ("id", "kind", "name", "region_id", "phone", "appointed_on", "left_on",
                                         "trained_on", "version", "created_at", "created_by"), rows)

        # Facilities. Township-level ones carry the township's region id, village-level the village's.
        frows = []
        fid = 1

        def facility(kind, region, name, status="运行", standard=True):
            nonlocal fid
            opened = None if status == "建设中" else today - dt.timedelta(days=r.randint(120, 2500))
            frows.append((fid, kind, name, region, status, standard, opened, 1,
                          self._dt(opened or today - dt.timedelta(days=60)), CREATED_BY))
            fid += 1

        no_home = set(r.sample(range(1, nt), 2 if nt >= 6 else 1))
        substandard_home = r.choice([i for i in range(nt) if i not in no_home])
        no_school = r.choice([i for i in range(1, nt) if i not in no_home] or [0])
        for i, t in enumerate(self.townships):
            tn = t["name"]
            if i not in no_home:
                facility("儿童之家", t["id"], f"{tn}儿童之家", standard=i != substandard_home)
            elif r.random() < 0.5:
                facility("儿童之家", t["id"], f"{tn}儿童之家", status="建设中", standard=False)
            if i != no_school:
                facility("寄宿制学校", t["id"], f"{tn}中心学校（寄宿制）", standard=r.random() < 0.9)
            if r.random() < 0.7:
                facility("心理咨询室", t["id"], f"{tn}初级中学心理咨询室")
        villages = list(self.villages)
        r.shuffle(villages)
        k = 0
        for kind, count, suffix in (("儿童之家", 0.25, "儿童之家"), ("希望之家", 0.05, "希望之家"),
                                    ("幸福之家", 0.05, "幸福之家"), ("四点半学校", 0.06, "四点半学校"),
                                    ("农村幸福院", 0.12, "农村幸福院")):
            for _ in range(max(2, round(len(villages) * count))):
                v = villages[k % len(villages)]
                k += 1
                status = r.choices(("运行", "建设中", "停用"), (90, 6, 4))[0]
                standard = r.random() < 0.8
                if kind == "儿童之家" and self.townships.index(v["tw"]) in no_home:
                    status, standard = "建设中", False  # keep the township's 儿童之家 gap visible
                facility(kind, v["id"], v["name"] + suffix, status=status, standard=standard)
        self.w.rows(m.Facility.__table__, ("id", "kind", "name", "region_id", "status", "standard", "opened_on",
                                           "version", "created_at", "created_by"), frows)

    def make_school_stats(self) -> None:
        r, today = self.rng, self.today
        y = today.year if today.month >= 9 else today.year - 1
        years = (f"{y - 2}-{y - 1}", f"{y - 1}-{y}")
        above = set(r.sample(range(len(self.townships)), 2))
        rows = []
        sid = 1
        for i, t in enumerate(self.townships):
            base_p, base_j = r.randint(800, 3000), r.randint(400, 1500)
            for yi, sy in enumerate(years):
                for level, enrolled, ok_rate, bad_rate in (("小学", base_p, 0.0045, 0.009),
                                                           ("初中", base_j, 0.014, 0.025)):
                    enr = int(enrolled * r.uniform(0.95, 1.05))
                    bad = i in above and (yi == 1 or r.random() < 0.5)
                    rate = r.uniform(0.6, 1.0) * bad_rate if bad else r.uniform(0.0, 1.0) * ok_rate
                    rows.append((sid, t["id"], sy, level, enr, int(round(enr * rate)), 1,
                                 self.now, CREATED_BY))
                    sid += 1
        self.w.rows(m.SchoolStat.__table__, ("id", "township_id", "school_year", "level", "enrolled", "dropouts",
                                             "version", "created_at", "created_by"), rows)

    def make_rules_and_rounds(self) -> None:
        today = self.today
        self.w.rows(m.VisitRule.__table__, ("id", "category", "difficulty", "period", "min_visits", "version",
                                            "created_at", "created_by"),
                    [(1, "*", "一般", "month", 2, 1, self.now, CREATED_BY),
                     (2, "*", "特别困难", "week", 1, 1, self.now, CREATED_BY)])
        # The two latest March/September rounds that opened on or before today.
        periods = []
        y = today.year
        for yy in (y, y - 1, y - 2):
            for mm in (9, 3):
                d = dt.date(yy, mm, 1)
                if d <= today:
                    periods.append(d)
        opened = sorted(periods)[-2:]
        self.rounds = []
        rows = []
        for i, op in enumerate(opened, start=1):
            close = (op + dt.timedelta(days=61)).replace(day=1) - DAY  # end of the following month
            closed_on = close if close < today else None
            self.rounds.append({"id": i, "period": f"{op:%Y-%m}", "opened": op, "close": close,
                                "closed_on": closed_on})
            rows.append((i, f"{op:%Y-%m}", op, closed_on, 1, self._dt(op), CREATED_BY))
        self.w.rows(m.AssessmentRound.__table__, ("id", "period", "opened_on", "closed_on", "version",
                                                  "created_at", "created_by"), rows)

    # ---------------------------------------------------------------- helpers
    def make_helpers(self) -> None:
        r = self.rng
        weights = [v["weight"] for v in self.villages]
        cum = list(itertools.accumulate(weights))
        self.person_village = [bisect.bisect_right(cum, r.random() * cum[-1]) for _ in range(self.n)]
        counts = [0] * len(self.villages)
        for vi in self.person_village:
            counts[vi] += 1
        pos_names = [p for p, _ in POSITIONS]
        pos_w = [w for _, w in POSITIONS]
        unit_names = [u[0] for u in UNITS[1:]]
        rows = []
        hid = 1

        def helper(tw, pos, unit, village=None):
            nonlocal hid
            g = "女" if pos in ("妇联主席", "儿童主任") or r.random() < 0.3 else "男"
            rows.append((hid, self.name(g, r.randint(26, 58)), pos, unit, self.phone(), tw["id"],
                         1, self.now - dt.timedelta(days=400), CREATED_BY))
            (village or tw)["helpers"].append((hid, rows[-1][1], pos))
            hid += 1

        # About one helper per 15–20 people: village cadres where a village has enough
        # people, township cadres (乡镇干部 / 驻村干部) covering the small villages.
        for tw in self.townships:
            tw["helpers"] = []
            tw_people = 0
            gov = tw["name"] + ("办事处" if tw["kind"] == "街道" else "人民政府")
            for v in tw["villages"]:
                vi = self.villages.index(v)
                tw_people += counts[vi]
                k = round(counts[vi] / r.uniform(15, 20))
                committee = v["name"] + ("居民委员会" if v["community"] else "村民委员会")
                for _ in range(k):
                    pos = r.choices(pos_names, pos_w)[0]
                    unit = {"驻村干部": r.choice(unit_names), "乡镇干部": gov}.get(pos, committee)
                    helper(tw, pos, unit, v)
            need = max(1, round(tw_people / 17.5)) if tw_people else 0
            have = sum(len(v["helpers"]) for v in tw["villages"])
            small = [v for v in tw["villages"] if not v["helpers"] and counts[self.villages.index(v)]]
            for _ in range(max(1 if small else 0, need - have)):
                pos = r.choice(("乡镇干部", "驻村干部"))
                helper(tw, pos, gov if pos == "乡镇干部" else r.choice(unit_names))
        self.w.rows(m.Helper.__table__, ("id", "name", "position", "unit", "phone", "township_id", "version",
                                         "created_at", "created_by"), rows)

    # ---------------------------------------------------------------- people
    _PROFILES = (("left_behind_child", 30.0), ("child_in_difficulty", 9.0), ("orphan", 1.5),
                 ("dropout_child", 1.0), ("extremely_poor", 8.0), ("left_behind_elderly", 22.0),
                 ("left_behind_woman", 10.0), ("severe_disability", 8.0), ("subsistence_allowance", 6.0),
                 ("poverty_risk", 4.5))
    _SPECIAL_P = {"left_behind_child": 0.06, "child_in_difficulty": 0.18, "orphan": 0.25, "dropout_child": 0.15,
                  "extremely_poor": 0.25, "left_behind_elderly": 0.08, "left_behind_woman": 0.03,
                  "severe_disability": 0.30, "subsistence_allowance": 0.10, "poverty_risk": 0.10}
    _EXIT_REASONS = {"left_behind_child": (("年满16周岁", 5), ("父母返乡", 4), ("迁出", 1)),
                     "child_in_difficulty": (("年满18周岁", 4), ("脱贫", 3), ("迁出", 1)),
                     "orphan": (("年满18周岁", 1),), "dropout_child": (("其他", 1),),
                     "extremely_poor": (("死亡", 6), ("迁出", 1)), "left_behind_elderly": (("死亡", 5), ("其他", 3)),
                     "left_behind_woman": (("其他", 3), ("迁出", 1)), "severe_disability": (("死亡", 2), ("脱贫", 1)),
                     "subsistence_allowance": (("脱贫", 4), ("死亡", 1)), "poverty_risk": (("脱贫", 5),)}

    def _age_for(self, prof: str) -> int:
        r, rnd, pick, rint, wpick = self.rng, self.rnd, self.pick, self.rint, self.wpick
        if prof == "left_behind_child":
            return wpick(range(16), (2, 3, 3, 5, 6, 6, 8, 8, 8, 8, 8, 8, 7, 7, 7, 6))
        if prof == "child_in_difficulty":
            return wpick(range(18), (2, 3, 4) + (6,) * 12 + (5, 4, 4))
        if prof == "orphan":
            return rint(2, 17)
        if prof == "dropout_child":
            return wpick((12, 13, 14, 15, 16), (1, 2, 3, 3, 2))
        if prof == "extremely_poor":
            return rint(60, 92) if rnd() < 0.8 else rint(30, 59)
        if prof == "left_behind_elderly":
            return int(r.triangular(60, 96, 70))
        if prof == "left_behind_woman":
            return int(r.triangular(22, 56, 38))
        if prof == "severe_disability":
            return int(r.triangular(6, 89, 55))
        if prof == "subsistence_allowance":
            return int(r.triangular(18, 86, 56))
        return int(r.triangular(25, 76, 50))

    def _categories(self, prof: str, age: int) -> list[tuple[str, str | None]]:
        r, rnd, pick, rint, wpick = self.rng, self.rnd, self.pick, self.rint, self.wpick
        cats: list[tuple[str, str | None]] = []
        if prof == "left_behind_child":
            cats.append((prof, None))
            if rnd() < 0.18:
                cats.append(("child_in_difficulty", wpick(("经济困难", "事实无人抚养", "残疾", "患大病", "人身安全缺失"),
                                                               (50, 20, 15, 10, 5))))
            if age >= 12 and rnd() < 0.03:
                cats.append(("dropout_child", None))
            if rnd() < 0.10:
                cats.append(("subsistence_allowance", None))
        elif prof == "child_in_difficulty":
            sub = wpick(("经济困难", "残疾", "事实无人抚养", "患大病", "人身安全缺失", "受侵害"),
                            (40, 18, 15, 12, 8, 7))
            cats.append((prof, sub))
            if sub == "残疾" and rnd() < 0.4:
                cats.append(("severe_disability", pick(("一级", "二级"))))
            if rnd() < 0.35:
                cats.append(("subsistence_allowance", None))
        elif prof == "orphan":
            cats.append((prof, None))
            if rnd() < 0.15:
                cats.append(("severe_disability", pick(("一级", "二级"))))
        elif prof == "dropout_child":
            cats.append((prof, None))
            if age < 16 and rnd() < 0.5:
                cats.append(("left_behind_child", None))
            if rnd() < 0.25:
                cats.append(("child_in_difficulty", "经济困难"))
        elif prof == "extremely_poor":
            cats.append((prof, "分散供养" if rnd() < 0.8 else "集中供养"))
            if rnd() < (0.15 if age >= 60 else 0.7):
                cats.append(("severe_disability", wpick(("一级", "二级"), (45, 55))))
        elif prof == "left_behind_elderly":
            cats.append((prof, "留守" if rnd() < 0.6 else "空巢"))
            if rnd() < 0.2:
                cats.append(("subsistence_allowance", None))
            if rnd() < 0.05:
                cats.append(("severe_disability", pick(("一级", "二级"))))
            if rnd() < 0.04:
                cats.append(("poverty_risk", None))
        elif prof == "left_behind_woman":
            cats.append((prof, None))
            if rnd() < 0.08:
                cats.append(("subsistence_allowance", None))
            if rnd() < 0.05:
                cats.append(("poverty_risk", None))
        elif prof == "severe_disability":
            cats.append((prof, wpick(("一级", "二级"), (45, 55))))
            if rnd() < 0.5:
                cats.append(("subsistence_allowance", None))
            if age >= 18 and rnd() < 0.1:
                cats.append(("extremely_poor", "分散供养"))
            if age < 18 and rnd() < 0.4:
                cats.append(("child_in_difficulty", "残疾"))
        elif prof == "subsistence_allowance":
            cats.append((prof, None))
            if rnd() < 0.15:
                cats.append(("poverty_risk", None))
        else:
            cats.append((prof, None))
            if rnd() < 0.2:
                cats.append(("subsistence_allowance", None))
        return cats

    def make_people(self) -> None:
        """People and everything hanging off them, written chunk by chunk. (A producer
        thread does not help: sqlite3 drops and retakes the GIL on every row it steps.)"""
        t_last = 0.0
        for upto, writes in self._people_chunks():
            for args in writes:
                self.w.rows(*args)
            now = time.perf_counter()
            if now - t_last > 0.5:
                t_last = now
                self.progress(f"人员台账 {upto:,}/{self.n:,}", 0.05 + 0.92 * upto / self.n)
        self.progress(f"人员台账 {self.n:,}/{self.n:,}", 0.97)

    def _people_chunks(self):
        r, today, n = self.rng, self.today, self.n
        rnd, pick, rint, wpick = self.rnd, self.pick, self.rint, self.wpick
        month_start = today.replace(day=1)
        prof_names = [p for p, _ in self._PROFILES]
        prof_cum = list(itertools.accumulate(w for _, w in self._PROFILES))
        # Aged-out children (exit-proposal worklist): spread evenly over the ids.
        quota = max(3, n // 400)
        lbc16_every = max(1, int(n * 0.30 / quota))
        ch18_every = max(1, int(n * 0.11 / quota))
        lbc_seen = ch_seen = 0
        # Column tuples
        P_COLS = ("id", "id_number", "name", "gender", "birth_date", "phone", "township_id", "village_id",
                  "address", "difficulty", "status", "enrolled_on", "exited_on", "exit_reason", "family_situation",
                  "living_situation", "parents_status", "school_situation", "health_situation",
                  "psychological_situation", "notes", "reviewed_on", "version", "created_at", "created_by",
                  "updated_at", "updated_by")
        C_COLS = ("id", "person_id", "category", "subtype", "start_on", "end_on", "version", "created_at",
                  "created_by")
        G_COLS = ("id", "person_id", "name", "relation", "phone", "id_number", "capacity", "entrusted",
                  "agreement_signed_on", "witnessed_by", "version", "created_at", "created_by")
        A_COLS = ("id", "helper_id", "person_id", "start_on", "end_on", "version", "created_at", "created_by")
        M_COLS = ("id", "person_id", "type", "text", "start_on", "end_on", "version", "created_at", "created_by")
        V_COLS = ("id", "person_id", "helper_id", "visited_on", "service_types", "findings", "problems",
                  "follow_up", "version", "created_at", "created_by")
        S_COLS = ("id", "person_id", "round_id", "period", "assessed_on", "risk_level", "issues", "actions",
                  "assessor", "version", "created_at", "created_by")
        combos = []
        for a in SERVICE_TYPES:
            combos.append((a,))
            for b in SERVICE_TYPES:
                if a < b:
                    combos.append((a, b))
        combos += [("生活照料", "精神陪伴", "健康保健"), ("精神陪伴", "文体活动", "生活照料"),
                   ("生活照料", "健康保健", "应急救助")]
        # Hot visit columns are converted once here (SQLite: to the exact strings SQLAlchemy's
        # own bind processors produce) instead of once per row in the writer.
        V_READY = ("visited_on", "service_types", "created_at")
        vt = m.Visit.__table__
        to_date, to_json, to_dt = (self.w.processor(vt, c) or (lambda v: v) for c in V_READY)
        v_days = [to_date(d) for d in self.days]
        v_dts = [to_dt(x) for x in self.day_dts]
        child_combos = [to_json(c) for c in combos if "就业创业指导" not in c]
        elder_combos = [to_json(c) for c in combos
                        if ("就业创业指导" not in c and "文体活动" not in c) or len(c) == 3]
        adult_combos = [to_json(c) for c in combos]
        n_prob, n_fu = len(PROBLEMS), len(FOLLOW_UPS)
        self.active_index: list[tuple[int, int, bool]] = []  # (person id, township id, child?)
        win_start = self.win_start
        rounds = self.rounds
        vid_next = 1

        people, cats, guards, assigns, measures, visits, assess, ledger = ([] for _ in range(8))
        # 台账月度更新率's history (ledger_touches): its own random stream, so the rest of the
        # county is the same as without it. The last 13 months, oldest first.
        lrnd = random.Random(self.seed ^ 0x1ED6E2).random
        months = [(dt.date(int(label[:4]), int(label[5:]), 1), label)
                  for label in last_months(month_label(month_start), 13)]

        def flush(upto: int):
            nonlocal people, cats, guards, assigns, measures, visits, assess, ledger, visits_append
            writes = [(m.Person.__table__, P_COLS, people), (m.PersonCategory.__table__, C_COLS, cats),
                      (m.Guardian.__table__, G_COLS, guards), (m.Assignment.__table__, A_COLS, assigns),
                      (m.CareMeasure.__table__, M_COLS, measures), (m.Visit.__table__, V_COLS, visits, V_READY),
                      (m.Assessment.__table__, S_COLS, assess),
                      (m.LedgerTouch.__table__, ("person_id", "month"), ledger)]
            people, cats, guards, assigns, measures, visits, assess, ledger = ([] for _ in range(8))
            visits_append = visits.append
            return upto, writes

        visits_append = visits.append
        cid = gid = aid = mid = sid = 1
        for pid in range(1, n + 1):
            v = self.villages[self.person_village[pid - 1]]
            tw = v["tw"]
            prof = prof_names[bisect.bisect_right(prof_cum, rnd() * prof_cum[-1])]
            age = self._age_for(prof)
            cat_list = self._categories(prof, age)
            codes = [c for c, _ in cat_list]
            # gender
            if prof == "left_behind_woman":
                gender = "女"
            else:
                p_male = {"extremely_poor": 0.65, "severe_disability": 0.58, "left_behind_elderly": 0.45}.get(prof, 0.52)
                gender = "男" if rnd() < p_male else "女"
            # exit, age-outs and dates
            exited_on = exit_reason = None
            birth = None
            aged_out = False
            if prof == "left_behind_child":
                lbc_seen += 1
                if lbc_seen % lbc16_every == 0:
                    birth = _add_years(today - dt.timedelta(days=rint(1, 80)), -16)
                    aged_out = True
            elif prof in ("child_in_difficulty", "orphan"):
                ch_seen += 1
                if ch_seen % ch18_every == 0:
                    birth = _add_years(today - dt.timedelta(days=rint(1, 80)), -18)
                    aged_out = True
            if not aged_out and rnd() < 0.05:
                exited_on = today - dt.timedelta(days=rint(10, 360))
                reasons = self._EXIT_REASONS[prof]
                exit_reason = wpick(tuple(x for x, _ in reasons), tuple(w for _, w in reasons))
                if exit_reason == "年满16周岁":
                    birth = _add_years(exited_on - dt.timedelta(days=rint(0, 20)), -16)
                elif exit_reason == "年满18周岁":
                    birth = _add_years(exited_on - dt.timedelta(days=rint(0, 20)), -18)
            if birth is None:
                birth = self.birth_for_age(age)
            age = idnumber.age_on(birth, today)
            earliest = min(birth + dt.timedelta(days=30), today)
            back = rint(20, 364) if rnd() < 0.1 else rint(365, 6 * 365)
            enrolled = today - dt.timedelta(days=back)
            if exited_on:
                enrolled = min(enrolled, exited_on - dt.timedelta(days=120))
            enrolled = _clamp(enrolled, earliest, today)
            if exited_on and exited_on < enrolled + dt.timedelta(days=30):
                exited_on = exit_reason = None  # too young a file to have exited; keep it active
            active = exited_on is None
            difficulty = "特别困难" if rnd() < self._SPECIAL_P[prof] else "一般"
            is_child = age < 18 or bool(set(codes) & {"left_behind_child", "child_in_difficulty", "orphan",
                                                       "dropout_child"})
            # names, ID, phone, address
            surname = self.surname()
            pname = self.name(gender, age, surname)
            idn = self.id_number(birth, gender)
            if is_child:
                phone = None
            else:
                phone = self.phone() if rnd() > (0.3 if age >= 60 else 0.08) else None
            if v["community"]:
                addr = f"{tw['name']}{v['name']}{pick(self.roads)}{rint(1, 180)}号"
            else:
                addr = f"{tw['name']}{v['name']}{rint(1, 12)}组{rint(1, 60)}号"
            # situation texts (a share of people)
            group = "child" if is_child else "elder" if age >= 60 else "adult"
            fam = liv = par = sch = hea = psy = note = None
            if "orphan" in codes:
                fam_key = "family_orphan"
            elif "left_behind_child" in codes:
                fam_key = "family_lbc"
            else:
                fam_key = {"child": "family_child", "elder": "family_elder"}.get(group, "family_other")
            if rnd() < 0.7:
                fam = pick(SITUATION[fam_key])
                liv = pick(SITUATION["living"])
            if "left_behind_child" in codes:
                par = f"父母在{pick(MIGRANT_PLACES)}务工，{pick(('春节返乡', '每周视频联系', '每月电话联系', '半年未联系'))}"
            elif group == "child" and "orphan" not in codes and rnd() < 0.3:
                par = f"{pick(('母亲', '父亲'))}在{pick(MIGRANT_PLACES)}务工，{pick(('每月电话联系', '很少联系'))}"
            elif group == "elder" and "left_behind_elderly" in codes:
                par = f"子女在{pick(MIGRANT_PLACES)}务工，{pick(('每月电话联系', '逢年过节回家', '很少联系'))}"
            elif prof == "left_behind_woman":
                par = f"丈夫在{pick(MIGRANT_PLACES)}务工"
            if group == "child" and age >= 3 and rnd() < 0.8:
                if "dropout_child" in codes:
                    sch = pick(("已辍学在家", "辍学，正在劝返", "辍学外出打工")) if age >= 15 else "已辍学在家，正在劝返"
                elif age < 6:
                    sch = pick(SITUATION["school_pre"])
                else:
                    level = "school_primary" if age < 12 else "school_junior" if age < 15 else "school_senior"
                    sch = pick(SITUATION[level]) + pick(SITUATION["school_grade"])
            if "severe_disability" in codes or ("child_in_difficulty", "残疾") in cat_list:
                hea = pick(SITUATION["health_disabled"])
            elif ("child_in_difficulty", "患大病") in cat_list:
                hea = pick(SITUATION["health_ill"])
            elif rnd() < 0.6:
                hea = pick(SITUATION["health_" + group])
            if group == "child" and rnd() < 0.5:
                psy = pick(SITUATION["psych"])
            if rnd() < 0.05:
                note = pick(("已纳入重点关注名单", "监护人联系电话已更新", "需核实户籍信息", "本月新增"))
            # ledger review: most this month, some older
            if not active:
                reviewed = exited_on
            elif rnd() < 0.85:
                reviewed = month_start + dt.timedelta(days=rint(0, (today - month_start).days))
            else:
                reviewed = month_start - dt.timedelta(days=rint(1, 150))
            reviewed = _clamp(reviewed, enrolled, today)
            people.append((pid, idn, pname, gender, birth, phone, tw["id"], v["id"], addr, difficulty,
                           ACTIVE if active else EXITED, enrolled, exited_on, exit_reason, fam, liv, par, sch, hea,
                           psy, note, reviewed, 1, self._dt(enrolled), CREATED_BY,
                           self._dt(reviewed, 16) if reviewed != enrolled else None,
                           CREATED_BY if reviewed != enrolled else None))
            # the months the file was created, checked or changed: its creation, the last check,
            # and most months in between (the ledger is checked monthly, seed 001); nothing after
            # the last check, which the file's 核查日期 says
            touched = {month_label(enrolled), month_label(reviewed)}
            touched.update(label for first, label in months
                           if enrolled <= first and first < reviewed.replace(day=1) and lrnd() < 0.9)
            ledger.extend((pid, label) for label in sorted(touched) if label >= months[0][1])
            # categories
            end_all = exited_on
            for j, (code, sub) in enumerate(cat_list):
                start = enrolled if j == 0 else _clamp(enrolled + dt.timedelta(days=rint(0, 400)), enrolled,
                                                       exited_on or today)
                end = end_all
                if end is None and j > 0 and rnd() < 0.04 and start < today - dt.timedelta(days=60):
                    end = start + dt.timedelta(days=rint(30, (today - start).days - 1))
                cats.append((cid, pid, code, sub, start, end, 1, self._dt(start), CREATED_BY))
                cid += 1
            # guardians
            if is_child:
                paternal = ("父亲", "祖父", "祖母", "叔叔", "伯伯")
                if "orphan" in codes:
                    rels = [wpick(("祖父", "祖母", "外祖母", "叔叔", "姑姑", "舅舅", "机构"),
                                      (15, 25, 10, 15, 15, 10, 10))]
                elif "left_behind_child" in codes:
                    rels = [wpick(("祖母", "祖父", "外祖母", "外祖父", "姑姑", "舅舅", "哥哥", "姐姐"),
                                      (35, 25, 15, 10, 5, 4, 3, 3))]
                    if rnd() < 0.35:
                        rels.append(pick(("父亲", "母亲")))
                else:
                    rels = [wpick(("母亲", "父亲", "祖母", "祖父", "姑姑"), (35, 30, 20, 10, 5))]
                for j, rel in enumerate(rels):
                    entrusted = "left_behind_child" in codes and j == 0 and rel not in ("父亲", "母亲")
                    if rel == "机构":
                        gname, grel, gphone, gidn = f"{COUNTY_NAME}儿童福利院", "机构", "0718-" + f"{rint(0, 9999999):07d}", None
                        capacity = "有"
                    else:
                        gg = "男" if rel in ("父亲", "祖父", "外祖父", "叔叔", "伯伯", "舅舅", "哥哥") else "女"
                        gage = age + (rint(24, 40) if rel in ("父亲", "母亲") else
                                      rint(45, 62) if rel.startswith(("祖", "外祖")) else
                                      rint(8, 14) if rel in ("哥哥", "姐姐") else rint(20, 35))
                        gage = max(gage, 20)
                        gname = self.name(gg, gage, surname if rel in paternal and rel != "祖母" else None)
                        grel = rel
                        gphone = self.phone() if rnd() < 0.95 else None
                        gidn = self.id_number(self.birth_for_age(gage), gg) if rnd() < 0.85 else None
                        capacity = wpick(("有", "无", "待评估"), (92, 3.5, 4.5))
                        if gage >= 75 and rnd() < 0.3:
                            capacity = pick(("无", "待评估"))
                    signed = witness = None
                    if entrusted and rnd() < 0.93:
                        signed = _clamp(enrolled + dt.timedelta(days=rint(-200, 60)), birth, today)
                        witness = v["name"] + ("居民委员会" if v["community"] else "村民委员会")
                    guards.append((gid, pid, gname, grel, gphone, gidn, capacity, entrusted, signed, witness, 1,
                                   self._dt(enrolled), CREATED_BY))
                    gid += 1
                    if phone is None and gphone and j == 0 and rnd() < 0.3:
                        people[-1] = people[-1][:5] + (gphone,) + people[-1][6:]
            # helper assignment
            helpers = v["helpers"] or tw["helpers"] or [(None, None, None)]
            hnow = pick(helpers)[0]
            hprev, switch = None, None
            a_start = _clamp(enrolled + dt.timedelta(days=rint(0, 20)), enrolled, today)
            roll = rnd()
            helper_end = None  # assignment ended, nobody since (gap)
            if hnow is None or roll < 0.05:
                hnow = None  # never assigned (gap)
            elif roll < 0.07 and active:
                helper_end = today - dt.timedelta(days=rint(30, 120))
                if helper_end <= a_start:
                    helper_end = None
            elif roll < 0.17 and (today - a_start).days > 60:
                hprev = hnow
                others = [h[0] for h in helpers if h[0] != hnow] or [
                    h[0] for h in itertools.chain(tw["helpers"], *(vv["helpers"] for vv in tw["villages"]))
                    if h[0] != hnow]
                hnow = pick(others) if others else hnow
                switch = a_start + dt.timedelta(days=rint(30, (today - a_start).days - 1))
                if exited_on and switch >= exited_on:
                    hprev, switch = None, None
            if hnow is not None:
                if hprev is not None:
                    assigns.append((aid, hprev, pid, a_start, switch - DAY, 1, self._dt(a_start), CREATED_BY))
                    aid += 1
                    assigns.append((aid, hnow, pid, switch, exited_on, 1, self._dt(switch), CREATED_BY))
                else:
                    assigns.append((aid, hnow, pid, a_start, exited_on or helper_end, 1, self._dt(a_start),
                                    CREATED_BY))
                aid += 1
            # care measures
            pool = (("精神陪伴", "文体活动", "教育资助", "生活照料", "应急救助") if group == "child" else
                    ("生活照料", "健康保健", "精神陪伴", "应急救助", "医疗救助", "法律援助") if group == "elder" else
                    ("就业创业指导", "健康保健", "法律援助", "临时救助", "医疗救助", "生活照料"))
            kinds = []
            for _ in range(rint(1, 3)):
                kind = pick(pool)
                if kind not in kinds:
                    kinds.append(kind)
            if "subsistence_allowance" in codes and "低保" not in kinds:
                kinds.append("低保")
            for kind in kinds:
                ms = _clamp(enrolled + dt.timedelta(days=rint(0, 90)), enrolled, exited_on or today)
                me = exited_on
                if kind == "临时救助":
                    me = min(exited_on or today, ms + dt.timedelta(days=rint(30, 90)))
                measures.append((mid, pid, kind, pick(MEASURE_TEXT[kind]), ms, me, 1, self._dt(ms), CREATED_BY))
                mid += 1
            # visits (day index k: 0 = today - 365)
            if hnow is not None:
                special = difficulty == "特别困难"
                lo, hi = (5, 7) if special else (11, 15)
                start_k = max(0, (a_start - win_start).days)
                end_k = 365
                lag = False
                if exited_on:
                    end_k = (exited_on - win_start).days
                elif helper_end:
                    end_k = (helper_end - win_start).days
                else:
                    lag = rnd() < 0.07
                if end_k >= start_k:
                    last = end_k - (rint(hi + 3, hi * 4) if lag else rint(0, hi - 3))
                    switch_k = (switch - win_start).days if switch else -1
                    fgroup = FINDINGS[group]
                    cmb = child_combos if group == "child" else elder_combos if group == "elder" else adult_combos
                    k = last
                    ncmb, nf, width = len(cmb), len(fgroup), hi - lo + 1
                    # The hot loop (~27 rows a person): inlined picks, values already DB-ready.
                    # Two draws a visit: the integer and fractional parts of x*n are both uniform.
                    while k >= start_k:
                        x = rnd() * ncmb
                        xi = int(x)
                        y = rnd() * width
                        yi = int(y)
                        if y - yi < 0.08:
                            prob, fu = PROBLEMS[xi % n_prob], FOLLOW_UPS[yi % n_fu]
                        else:
                            prob = fu = None
                        visits_append((vid_next, pid, hprev if k < switch_k else hnow, v_days[k], cmb[xi],
                                       fgroup[int((x - xi) * nf)], prob, fu, 1, v_dts[k], CREATED_BY))
                        vid_next += 1
                        # a missed round now and then (historic gaps), from the same draw
                        k -= lo + yi + (5 + int((x - xi) * 16) if 0.08 <= y - yi < 0.11 else 0)
            # risk assessments: ~95% in the older round, ~80% in the latest (scaled while it is open)
            if len(rounds) == 2:
                prev_level = None
                for ri, rd in enumerate(rounds):
                    if enrolled > rd["opened"] + dt.timedelta(days=15):
                        continue
                    if exited_on and exited_on < rd["opened"] + dt.timedelta(days=30):
                        continue
                    share = 0.95 if ri == 0 else 0.80 * min(1.0, (today - rd["opened"]).days / 45)
                    if rnd() >= share:
                        continue
                    last_day = min(rd["close"], today, exited_on or today)
                    span = (last_day - rd["opened"]).days
                    on = rd["opened"] + dt.timedelta(days=rint(0, max(0, min(span, 40))))
                    if prev_level is not None and rnd() < 0.75:
                        level = prev_level
                    else:
                        w = (50, 33, 17) if difficulty == "特别困难" else (73, 21, 6)
                        level = wpick(("低", "中", "高"), w)
                    prev_level = level
                    issues = actions = None
                    if level != "低":
                        issues, actions = pick(ASSESS_ISSUES[level]), pick(ASSESS_ACTIONS[level])
                    assessor = pick(helpers)[1] or f"{tw['name']}民政办"
                    assess.append((sid, pid, rd["id"], rd["period"], on, level, issues, actions, assessor, 1,
                                   self._dt(on, 15), CREATED_BY))
                    sid += 1
            if active:
                self.active_index.append((pid, tw["id"], is_child))
            if pid % CHUNK_PEOPLE == 0:
                yield flush(pid)
        yield flush(n)

    # ---------------------------------------------------------------- incidents
    def make_incidents(self) -> None:
        r, today = self.rng, self.today
        k = max(10, round(self.n / 150))
        statuses = ("discovered", "reported", "referred", "handled", "closed")
        forced_age = {"discovered": (0, 3), "reported": (1, 6), "referred": (4, 12), "handled": (10, 60),
                      "closed": (30, 330)}
        children = [p for p in self.active_index if p[2]] or self.active_index
        cap = _at(today, 17)  # nothing is stamped after today's office hours
        rows = []
        for iid in range(1, k + 1):
            typ = r.choice(INCIDENT_TYPES)
            if iid <= 5:  # one card in every state
                status = statuses[iid - 1]
                age = r.randint(*forced_age[status])
            elif iid == 6:  # the demo unit account (县教育局) has a card to handle
                status, typ, age = "referred", "辍学", r.randint(3, 6)
            else:  # older cards have moved further along
                age = r.randint(0, 330)
                if age < 3:
                    status = r.choices(("discovered", "reported", "referred"), (50, 30, 20))[0]
                elif age < 10:
                    status = r.choices(("reported", "referred", "handled"), (15, 55, 30))[0]
                elif age < 30:
                    status = r.choices(("referred", "handled", "closed"), (25, 45, 30))[0]
                else:
                    status = r.choices(("handled", "closed"), (8, 92))[0]
            person = r.choice(children) if (r.random() < 0.85 and children) else None
            township = person[1] if person else r.choice(self.townships)["id"]
            source = "学校" if typ == "辍学" else r.choice(INCIDENT_SOURCES)
            disc = today - dt.timedelta(days=age)
            rep = ref = handled = closed = None
            unit = deadline = None
            handling = resolution = closed_by = None
            needs_contact = False
            if status != "discovered":
                rep = min(cap, _at(disc, r.randint(9, 17), r.randint(0, 59)) + dt.timedelta(hours=r.randint(0, 20)))
            if status in ("referred", "handled", "closed"):
                ref = min(cap, rep + dt.timedelta(hours=r.randint(2, 48)))
                unit = self.unit_ids["教育局"] if iid == 6 else self.unit_ids[r.choice(INCIDENT_UNITS[typ])]
                deadline = ref.astimezone(BEIJING).date() + dt.timedelta(days=r.choice((7, 10, 15)))
                needs_contact = typ in ("遭受侵害", "监护缺失", "辍学") or r.random() < 0.3
                if iid == 3:
                    deadline = today - dt.timedelta(days=r.randint(1, 4))  # the overdue worklist is never empty
            if status in ("handled", "closed"):
                late = r.random() < 0.1
                target = deadline + dt.timedelta(days=r.randint(1, 10)) if late else \
                    deadline - dt.timedelta(days=r.randint(0, 6))
                hd = _clamp(target, ref.astimezone(BEIJING).date(), today)
                handled = min(cap, max(ref + dt.timedelta(hours=1), _at(hd, r.randint(9, 17))))
                handled = max(handled, ref + dt.timedelta(hours=1))
                handling = {"辍学": "学校和村委会上门劝返，学生已返校就读", "重病": "协助申请医疗救助和大病保险",
                            "生活无着": "实施临时救助并落实低保", "遭受侵害": "公安机关已立案调查，儿童由亲属临时照料",
                            "监护缺失": "落实临时委托监护人，签订委托监护协议",
                            "意外伤害": "送医救治，协调办理保险理赔"}[typ]
            if status == "closed":
                cd = min(today, handled.astimezone(BEIJING).date() + dt.timedelta(days=r.randint(1, 10)))
                closed = max(handled + dt.timedelta(hours=1), min(cap, _at(cd, r.randint(9, 17))))
                closed_by = r.choice(("office", "township"))
                resolution = "经回访，问题已解决，结案"
            desc = r.choice(INCIDENT_TEXT[typ])
            rows.append((iid, person[0] if person else None, township, source, typ, desc, status, disc, rep, ref,
                         unit, deadline, needs_contact, handled, handling, closed, closed_by, resolution, 1,
                         _at(disc, 18), CREATED_BY))
        self.w.rows(m.IncidentCard.__table__, ("id", "person_id", "township_id", "source", "type", "description",
                                               "status", "discovered_on", "reported_at", "referred_at",
                                               "referred_unit_id", "deadline", "needs_contact", "handled_at",
                                               "handling", "closed_at", "closed_by", "resolution", "version",
                                               "created_at", "created_by"), rows)

    # ---------------------------------------------------------------- users
    def make_users(self) -> list[tuple[str, str, str, str]]:
        rounds = int(os.environ.get("CAREDESK_BCRYPT_ROUNDS", "10"))
        scope = {"township": self.townships[0]["id"], "township2": self.townships[1]["id"]}
        rows = []
        for uid, (username, role, password, _label) in enumerate(DEMO_ACCOUNTS, start=1):
            h = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=rounds)).decode()
            rows.append((uid, username, _ACCOUNT_NAMES[username], h, role, scope.get(username),
                         self.unit_ids["教育局"] if role == "unit" else None, True, 0, self.now, False,
                         None, 1, self.now, CREATED_BY))
        self.w.rows(m.User.__table__, ("id", "username", "display_name", "password_hash", "role", "township_id",
                                       "unit_id", "active", "failed_logins", "password_changed_at",
                                       "must_change_password", "sessions_valid_after", "version", "created_at",
                                       "created_by"), rows)
        return [tuple(a) for a in DEMO_ACCOUNTS]


# ---------------------------------------------------------------- entry points
def _reset_sequences(conn: Connection) -> None:
    """PostgreSQL: ids were assigned here, so move each serial sequence past them."""
    if conn.dialect.name != "postgresql":
        return
    for table in m.Base.metadata.sorted_tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and pk[0].name == "id" and isinstance(pk[0].type, Integer):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false) "
                f"WHERE pg_get_serial_sequence('{table.name}', 'id') IS NOT NULL"))


_BULK_TABLES = ("people", "person_categories", "guardians", "assignments", "care_measures", "visits",
                "assessments", "ledger_touches")


def _drop_bulk_indexes(conn: Connection) -> list[str]:
    """Drop the secondary indexes of the big tables for the load and return their exact
    CREATE statements (from the catalogue) to rebuild them afterwards: building an index
    once is several times faster than maintaining it row by row. Same transaction, so a
    failure rolls the drop back too. Constraint-backed indexes (primary key, unique) stay."""
    marks = ", ".join(f"'{t}'" for t in _BULK_TABLES)
    if conn.dialect.name == "sqlite":
        rows = conn.exec_driver_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY name").fetchall()
    elif conn.dialect.name == "postgresql":
        rows = conn.exec_driver_sql(
            f"SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            f"AND i.tablename IN ({marks}) AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            f"WHERE c.conname = i.indexname) ORDER BY i.indexname").fetchall()
    else:
        return []
    for name, _sql in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return [sql for _name, sql in rows]


_INDEX_BUILD_MEM = "512MB"  # PostgreSQL maintenance_work_mem while the indexes are rebuilt


def _drop_bulk_foreign_keys(conn: Connection) -> list[str]:
    """PostgreSQL: drop the foreign keys of the big tables for the load and return the ALTER
    statements that add them back. A foreign key checks every COPY row with a locking lookup
    (2.7x slower COPY of visits, measured); adding it afterwards validates every row in one
    join (0.1 s for 200k rows). Same transaction as the load."""
    if conn.dialect.name != "postgresql":
        return []
    marks = ", ".join(f"'{t}'" for t in _BULK_TABLES)
    rows = conn.exec_driver_sql(
        f"SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        f"WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace "
        f"AND c.conrelid::regclass::text IN ({marks}) ORDER BY 1, 2").fetchall()
    for table, name, _definition in rows:
        conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in rows]


def _truncate_for_freeze(conn: Connection, w: _Writer) -> None:
    """PostgreSQL COPY path: truncate the (empty) big tables in the load's transaction so that
    COPY may write their rows frozen and mark their pages all-visible: the first reads after
    the load then neither rewrite every page to set hint bits nor wait for a vacuum before
    they can use index-only scans, and autovacuum has no 30-million-row table to freeze later.
    TRUNCATE must name incident_cards too (its foreign key to people); all are empty here."""
    if not w.copy:
        return
    tables = (*_BULK_TABLES, m.IncidentCard.__tablename__)
    if any(conn.scalar(select(1).select_from(m.Base.metadata.tables[t]).limit(1)) for t in tables):
        return
    conn.exec_driver_sql("TRUNCATE " + ", ".join(tables))
    w.freeze.update(tables)


def _analyze_and_store_status(demo: "_Demo", conn: Connection, today: dt.date, result: dict) -> None:
    """Statistics of every loaded table, then the stored visit status (areas/care/status.py) of
    everyone from the rule — the bulk load wrote its inputs below the ORM, so no flush saw
    them — planned with those statistics, then statistics of care_status. Without them
    PostgreSQL plans the visit rule as a nested loop (126 s instead of ~5 s for the
    registry's overdue filter at 200k) until autovacuum comes round."""
    demo.progress("统计信息", 0.992)
    maintenance.analyze(conn, [t for t, n in result.items() if isinstance(n, int) and n])
    demo.progress("走访状态", 0.995)
    care_status.refresh(conn, today=today)
    result[m.CareStatus.__tablename__] = conn.scalar(select(func.count()).select_from(m.CareStatus))
    maintenance.analyze(conn, [m.CareStatus.__tablename__])


class DatabaseNotEmpty(RuntimeError):
    pass


_MUST_BE_EMPTY = (("people", "人员"), ("regions", "区划"), ("units", "成员单位"), ("users", "账户"))


def _refuse_if_not_empty(conn: Connection) -> None:
    """The demo assigns its own ids, so it only writes into an empty database."""
    found = []
    for table, label in _MUST_BE_EMPTY:
        n = conn.scalar(select(func.count()).select_from(m.Base.metadata.tables[table])) or 0
        if n:
            found.append(f"{label} {n:,} 条")
    if found:
        raise DatabaseNotEmpty(f"数据库中已有数据（{'，'.join(found)}），演示数据只能写入空库。"
                               f"请用 --database-url 指定一个新的数据库，或先清空现有数据。")


def generate(
    session_or_engine: Engine | Session | Connection,
    people: int = 12000,
    seed: int = 20261122,
    today: dt.date | None = None,
    progress: Callable[[str, float], None] | None = None,
    copy: bool = True,
) -> dict:
    """Fill an empty, migrated database with the demo county. All or nothing.

    With an Engine the work runs in one transaction that is committed here. With a
    Session or Connection the rows are written in the caller's transaction and the
    caller commits. Returns row counts per table, 'accounts' (username, role, password,
    scope label) and 'seconds'. `copy=False` writes with INSERTs on PostgreSQL as well
    (the same rows, slower; tests/tools/test_demo_copy.py compares the two).
    The loaded tables are analysed before the commit (db/maintenance.py).
    """
    if people < 1:
        raise ValueError("people must be at least 1")
    today = today or dt.date.today()
    demo = _Demo(people, seed, today, progress)

    if isinstance(session_or_engine, Engine):
        engine = session_or_engine.execution_options(caredesk_write=True)
        with engine.connect() as conn:
            sqlite = conn.dialect.name == "sqlite"
            raw = conn.connection.driver_connection if sqlite else None
            if sqlite:
                # Outside any transaction: PRAGMA foreign_keys is a no-op inside one.
                fk_before = raw.execute("PRAGMA foreign_keys").fetchone()[0]
                raw.execute("PRAGMA foreign_keys=OFF")  # integrity is by construction (tested)
                raw.execute("PRAGMA cache_size=-262144")
                raw.execute("PRAGMA temp_store=MEMORY")
            try:
                _refuse_if_not_empty(conn)
                saved = _drop_bulk_indexes(conn) + _drop_bulk_foreign_keys(conn)
                writer = _Writer(conn, copy)
                _truncate_for_freeze(conn, writer)
                result = demo.run(writer)
                if saved:
                    demo.progress("建立索引", 0.99)
                    if not sqlite:  # one sort in memory per index instead of spilling to disk
                        conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{_INDEX_BUILD_MEM}'")
                    for sql in saved:  # indexes first, then the foreign keys (validated here)
                        conn.exec_driver_sql(sql)
                _analyze_and_store_status(demo, conn, today, result)
                _reset_sequences(conn)
                conn.commit()
                demo.progress("完成", 1.0)
            except BaseException:
                conn.rollback()
                raise
            finally:
                if sqlite:
                    raw.execute(f"PRAGMA foreign_keys={'ON' if fk_before else 'OFF'}")
                    raw.execute("PRAGMA cache_size=-2000")
                    raw.execute("PRAGMA temp_store=DEFAULT")
            if sqlite:
                try:  # fold the big write into the main file now rather than at some later reader
                    raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                except Exception:  # noqa: BLE001 — best effort
                    pass
        return result

    conn = session_or_engine.connection() if isinstance(session_or_engine, Session) else session_or_engine
    _refuse_if_not_empty(conn)
    result = demo.run(_Writer(conn, copy))
    _analyze_and_store_status(demo, conn, today, result)
    _reset_sequences(conn)
    demo.progress("完成", 1.0)
    return result


def _print_progress_factory(stream=sys.stderr):
    """One line per percent with the elapsed time; a stage after the people (indexes,
    statistics, visit status) gets a line of its own, so a log shows what each one took."""
    state = {"last": -1, "stage": "", "t0": time.perf_counter()}

    def progress(stage: str, frac: float) -> None:
        pct = int(frac * 100)
        secs = time.perf_counter() - state["t0"]
        if frac >= 0.99 and stage != state["stage"]:
            print(f"\n[{pct:3d}%] {stage:<32} {secs:7.1f} s", end="", file=stream, flush=True)
        elif pct != state["last"]:
            print(f"\r[{pct:3d}%] {stage:<32} {secs:7.1f} s", end="", file=stream, flush=True)
        state["last"], state["stage"] = pct, stage
        if frac >= 1.0:
            print(file=stream)

    return progress


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tools.demo", description="生成示范县演示数据（虚构人员）")
    ap.add_argument("--people", type=int, default=12000, help="人员数量（默认 12000）")
    ap.add_argument("--seed", type=int, default=20261122, help="随机种子（相同种子生成相同数据）")
    ap.add_argument("--database-url", default=None, help="数据库地址（默认取配置 DATABASE_URL）")
    ap.add_argument("--today", type=dt.date.fromisoformat, default=None, help="基准日期 YYYY-MM-DD（默认今天）")
    args = ap.parse_args(argv)

    from db.engine import get_engine
    from db.migrate import upgrade

    engine = get_engine(args.database_url)
    upgrade(engine)
    with engine.connect() as conn:
        try:
            _refuse_if_not_empty(conn)
        except DatabaseNotEmpty as e:
            print(e, file=sys.stderr)
            return 2
    print(f"正在生成示范县演示数据：{args.people:,} 人，种子 {args.seed} → {engine.url.render_as_string()}",
          file=sys.stderr)
    t0 = time.perf_counter()
    result = generate(engine, people=args.people, seed=args.seed, today=args.today,
                      progress=_print_progress_factory())
    secs = time.perf_counter() - t0
    print("写入行数：")
    for table, count in result.items():
        if isinstance(count, int):
            print(f"  {table:<20} {count:>12,}")
    print(f"完成：{args.people:,} 人，用时 {secs:.1f} 秒，约 {args.people / secs:,.0f} 人/秒。")
    print("演示账户（仅用于演示数据）：")
    for username, role, password, scope in result["accounts"]:
        print(f"  {username:<10} {password:<16} {role:<9} {scope}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
