"""The demo's constants, staff list and synthetic vocabulary (names, places, memos)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, Protocol

from corebank.config import Settings
from corebank.db.uow import UnitOfWork

DEMO_DAYS = 60

DEMO_CUSTOMERS = 1000
DEMO_PASSWORD = "Demo-pass-2026"  # development demo only: printed at the end of the load
SEED = 20261122
CNY = "CNY"
HEAD = "0001"  # head office, as `corebank init` creates it
BRANCH = "0002"
TELLERS = ("teller01", "teller02", "teller21", "teller22")  # who works a till every day
CLASSES: dict[int, Literal[1, 2, 3]] = {1: 1, 2: 2, 3: 3}
BRANCH_FUNDING = 200_000_000  # minor units: 2,000,000.00 of vault cash allocated from head office
CHUNK = 250  # commands per transaction

# username, role, branch, full name
STAFF = (
    ("admin01", "admin", HEAD, "周建国"),
    ("manager01", "branch_manager", HEAD, "郑海燕"),
    ("supervisor01", "supervisor", HEAD, "王立新"),
    ("teller01", "teller", HEAD, "李晓雯"),
    ("teller02", "teller", HEAD, "陈思远"),
    ("accountant01", "accountant", HEAD, "林佳慧"),
    ("credit01", "credit_officer", HEAD, "赵志强"),
    ("approver01", "credit_approver", HEAD, "钱伟东"),
    ("risk01", "risk_officer", HEAD, "孙明哲"),
    ("auditor01", "auditor", HEAD, "何静怡"),
    ("channel01", "channel_manager", HEAD, "冯晓东"),
    ("product01", "product_manager", HEAD, "黄子涵"),
    ("product02", "product_manager", HEAD, "高文博"),
    ("manager21", "branch_manager", BRANCH, "吴国平"),
    ("supervisor21", "supervisor", BRANCH, "徐丽娟"),
    ("teller21", "teller", BRANCH, "张雨萱"),
    ("teller22", "teller", BRANCH, "刘浩然"),
)
OPENING_TILL = {HEAD: 20_000_000, BRANCH: 15_000_000}  # minor units taken from the vault each morning


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Synthetic people. Region codes are city level (XX0100): the ID validator knows them for every birth year.
REGIONS = _words(
    "110100 120100 310100 320100 330100 340100 350100 370100 410100 420100 430100 440100 510100 610100"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建国志成文博天翔子豪宏亮晨轩哲睿"
FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰梅琳雪慧婷颖倩琪欣怡佳悦萍红燕丹蕾薇雅晶洁璐瑶"
DISTRICTS = {HEAD: ("西湖区", "上城区", "拱墅区", "余杭区"), BRANCH: ("滨江区", "萧山区", "钱塘区")}
ROADS = _words(
    "文一路 文二路 天目山路 延安路 解放路 凤起路 庆春路 江南大道 滨盛路 莫干山路 古墩路 紫金港路 建国路"
)
OCCUPATIONS = _words(
    "教师 工程师 医生 护士 会计 销售 个体工商户 公务员 司机 厨师 程序员 设计师 律师 退休 学生 自由职业 "
    "工人 快递员 服务员 银行职员 店主 保安 研究员 编辑"
)
MOBILE_PREFIXES = _words("130 131 132 135 136 137 138 139 150 151 152 158 159 177 186 187 188 189 199")
BRANDS = _words(
    "恒通 华信 鑫源 瑞丰 中联 宏达 金诚 汇通 东方 新世纪 天成 博远 嘉禾 永盛 正泰 海川 凯越 明德 "
    "同创 锦程 和美 兴业 长青 卓越 润泽"
)
INDUSTRIES = _words(
    "科技 贸易 餐饮管理 建筑工程 物流 食品 服装 医药 文化传媒 电子 家居 教育咨询 汽车服务 印务"
)
P2P_MEMOS = ("房租", "还款", "生活费", "红包", "AA聚餐", "学费", "借款", "份子钱")
SHOP_MEMOS = ("购物", "餐费", "物业费", "培训费", "维修费", "水电费")
B2B_MEMOS = ("货款", "服务费", "租金", "运费", "设备款")

Op = Callable[[UnitOfWork], object]


class DemoBank(Protocol):
    """What the demo needs of a bank (`corebank.bootstrap.Bank` provides it)."""

    settings: Settings
    _tree_at: float  # float ok: monotonic seconds, not money

    def run(self, fn: Any, *args: Any, readonly: bool = False, eod: bool = False, **kwargs: Any) -> Any:
        """Run one command in its own transaction."""

    def branch_tree(self) -> dict[str, str | None]:
        """Branch code -> parent code."""
