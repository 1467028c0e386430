"""What 测试连接 of a 聚水潭 / 旺店通 / 金蝶云星空 connection answers, in the reader's language
(integrations.erp_base.connection_words picks the key; `said` is the ERP's own code and words)."""

from __future__ import annotations

ERP_KIND_MESSAGES: dict[str, tuple[str, str]] = {
    "erp_check.ok": ("连接正常：{erp} 接受了这组密钥", "Connected: {erp} accepted these keys"),
    "erp_check.network": (
        "连不上 ERP 的服务器，请检查接口地址和网络",
        "Cannot reach the ERP; check the API address and the network",
    ),
    "erp_check.timeout": ("ERP 没有及时应答，请稍后重试", "The ERP did not answer in time; retry later"),
    "erp_check.unreadable": (
        "ERP 的应答无法识别，请检查接口地址是否正确",
        "The ERP's answer could not be read; check the API address",
    ),
    "erp_check.missing_key": ("还缺少这些设置：{said}", "These settings are still missing: {said}"),
    "erp_check.credentials": (
        "ERP 不认这组密钥（{said}），请核对 AppKey、密钥和令牌",
        "The ERP refused these keys ({said}); check the app key, secret and token",
    ),
    "erp_check.ip": (
        "ERP 拒绝了本服务器的 IP（{said}），请在 ERP 开放平台加入白名单",
        "The ERP refused this server's IP ({said}); add it to the whitelist in the ERP's open platform",
    ),
    "erp_check.permission": (
        "这个应用没有接口权限（{said}），请在 ERP 开放平台申请",
        "This app may not call the API ({said}); request the permission in the ERP's open platform",
    ),
    "erp_check.clock": (
        "ERP 认为请求时间不对（{said}），请检查服务器时钟",
        "The ERP says the request time is wrong ({said}); check the server clock",
    ),
    "erp_check.rate": (
        "调用太频繁，ERP 暂时限流（{said}），请一分钟后再试",
        "Too many calls; the ERP is throttling ({said}); try again in a minute",
    ),
    "erp_check.unavailable": (
        "ERP 服务暂时不可用（{said}），请稍后重试",
        "The ERP is temporarily unavailable ({said}); retry later",
    ),
    "erp_check.shop_unknown": (
        "密钥有效，但 ERP 里没有编号为 {shop} 的店铺，请核对店铺编号",
        "The keys work, but the ERP has no shop numbered {shop}; check the shop number",
    ),
    "erp_check.rejected": ("ERP 拒绝了请求：{said}", "The ERP refused the request: {said}"),
}
