"""Realistic-looking Chinese retail data: catalog, buyers, addresses around a store, memos."""

from __future__ import annotations

import math
import random

# name, spec, price (fen), unit, box price (fen; hot food only)
CATALOG = [
    ("农夫山泉饮用天然水", "550ml", 200, "瓶", 0),
    ("可口可乐", "330ml*6罐", 1590, "组", 0),
    ("元气森林苏打气泡水 白桃味", "480ml", 550, "瓶", 0),
    ("伊利纯牛奶", "250ml*16盒", 5990, "箱", 0),
    ("蒙牛原味酸奶", "100g*8杯", 1980, "组", 0),
    ("康师傅红烧牛肉面", "五连包", 1450, "袋", 0),
    ("统一老坛酸菜牛肉面", "桶装 121g", 550, "桶", 0),
    ("乐事原味薯片", "135g", 850, "袋", 0),
    ("奥利奥原味夹心饼干", "388g", 1690, "盒", 0),
    ("三只松鼠每日坚果", "750g/30包", 12900, "箱", 0),
    ("德芙丝滑牛奶巧克力", "252g碗装", 4590, "碗", 0),
    ("金龙鱼东北大米", "5kg", 3990, "袋", 0),
    ("鲁花5S压榨一级花生油", "1.8L", 4690, "桶", 0),
    ("海天金标生抽", "1.28L", 1590, "瓶", 0),
    ("太太乐鸡精", "200g", 1090, "袋", 0),
    ("土鸡蛋", "10枚装", 1680, "盒", 0),
    ("红富士苹果", "约500g", 890, "份", 0),
    ("海南香蕉", "约1kg", 990, "把", 0),
    ("西红柿", "约500g", 590, "份", 0),
    ("黄心土豆", "约1kg", 690, "份", 0),
    ("云南小白菜", "约300g", 390, "把", 0),
    ("精品五花肉", "约400g", 2390, "盒", 0),
    ("清美老豆腐", "400g", 450, "盒", 0),
    ("关东煮套餐", "8串+汤", 1800, "份", 100),
    ("现煮玉米", "1根", 500, "根", 50),
    ("维达超韧抽纸", "3层100抽*6包", 1990, "提", 0),
    ("蓝月亮深层洁净洗衣液", "3kg", 4990, "瓶", 0),
    ("舒肤佳纯白清香型香皂", "108g*3块", 1390, "组", 0),
    ("高露洁冰爽薄荷牙膏", "180g", 1290, "支", 0),
    ("南孚碱性电池5号", "8粒装", 2990, "卡", 0),
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "子涵",
    "雨萱",
    "浩然",
    "一诺",
    "梓轩",
    "欣怡",
    "思远",
    "佳怡",
]
DISTRICTS = ["黄浦区", "静安区", "徐汇区", "长宁区", "普陀区", "虹口区", "杨浦区", "浦东新区"]
ROADS = [
    "南京西路",
    "淮海中路",
    "愚园路",
    "武宁路",
    "四平路",
    "张杨路",
    "天目西路",
    "漕溪北路",
    "长寿路",
    "延安西路",
    "衡山路",
    "大连路",
]
COMMUNITIES = [
    "静安新城",
    "中远两湾城",
    "仁恒河滨花园",
    "东方曼哈顿",
    "古北新城",
    "锦绣江南",
    "春江花月",
    "新梅共和城",
    "金色家园",
    "上海康城",
]
MEMOS = [
    "",
    "",
    "",
    "",
    "请放门口，谢谢",
    "少放辣",
    "到了打电话",
    "【如遇缺货】：缺货时电话与我沟通",
    "需要发票，抬头见备注",
    "小区门禁，请打电话",
    "不要塑料袋",
    "水果挑新鲜一点",
]


def ean13(rng: random.Random) -> str:
    """A Chinese (69x prefix) EAN-13 with a correct check digit."""
    digits = "69" + "".join(str(rng.randrange(10)) for _ in range(10))
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits))
    return digits + str((10 - total % 10) % 10)


def buyer_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    if rng.random() < 0.4:  # platforms often show only the surname and a title
        return surname + rng.choice(["先生", "女士"])
    return surname + rng.choice(GIVEN)


def privacy_phone(rng: random.Random) -> str:
    """Meituan privacy number: a virtual number plus an extension (`138xxxxxxxx_1234`, §0.8)."""
    return f"1{rng.choice('3578')}{rng.randrange(10**9):09d}_{rng.randrange(10**4):04d}"


def masked_phone(rng: random.Random) -> str:
    return f"1{rng.choice('3578')}{rng.randrange(10)}****{rng.randrange(10**4):04d}"


def address_near(rng: random.Random, lat: float, lng: float, max_metres: float = 3000) -> tuple[str, str, float, float]:
    """(typed address, reverse-geocoded address, lat, lng) within max_metres (GCJ-02 degrees)."""
    distance = max_metres * math.sqrt(rng.random())  # uniform over the disc
    angle = rng.uniform(0, 2 * math.pi)
    d_lat = distance * math.cos(angle) / 111_320
    d_lng = distance * math.sin(angle) / (111_320 * math.cos(math.radians(lat)))
    district, road, community = rng.choice(DISTRICTS), rng.choice(ROADS), rng.choice(COMMUNITIES)
    number = rng.randrange(1, 1500)
    typed = (
        f"{community}{rng.randrange(1, 30)}号楼{rng.randrange(1, 6)}单元"
        f"{rng.randrange(1, 33)}{rng.randrange(1, 5):02d}室"
    )
    geocoded = f"上海市{district}{road}{number}号"
    return typed, geocoded, round(lat + d_lat, 6), round(lng + d_lng, 6)
