"""Messages of the catalog: 商品 (ERP products, import and export) and 店铺商品 (shop products,
pulls and links), as (简体中文, English); qihang_app/i18n.py merges them into its catalog."""

from __future__ import annotations

CATALOG_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.products": ("商品", "Products"),
    "nav.shop_products": ("店铺商品", "Shop products"),
    # refusals of services
    "catalog.err.not_found": ("商品不存在（{id}）", "No such product ({id})"),
    "catalog.err.no_skus": ("至少要有一个 SKU", "A product needs at least one SKU"),
    "catalog.err.too_many_skus": ("一个商品最多 {n} 个 SKU", "At most {n} SKUs per product"),
    "catalog.err.sku_twice": ("SKU编码 {code} 填了两次", "SKU code {code} is entered twice"),
    "catalog.err.code_taken": ("商品编码 {code} 已被其他商品使用", "Product code {code} belongs to another product"),
    "catalog.err.sku_taken": ("SKU编码 {code} 已属于其他商品", "SKU code {code} belongs to another product"),
    "catalog.err.bad_status": ("状态应为“启用”或“停用”", "Status must be 启用 (enabled) or 停用 (disabled)"),
    "catalog.err.formula": (
        "单元格是公式，请在表格里复制后“粘贴为数值”再导入",
        "The cell holds a formula; paste it as values in your spreadsheet, then import again",
    ),
    "catalog.err.duplicate_sku": ("SKU编码 {code} 与第 {first} 行重复", "SKU code {code} repeats line {first}"),
    "catalog.err.product_disagrees": (
        "商品编码 {code} 的名称、分类或单位与第 {first} 行不一致",
        "Product {code} has a different name, category or unit than on line {first}",
    ),
    "catalog.err.sku_elsewhere": (
        "SKU编码 {code} 已属于商品 {product}，不会移动",
        "SKU code {code} already belongs to product {product}; it is not moved",
    ),
    "catalog.err.empty_file": ("文件是空的", "The file is empty"),
    "catalog.err.file_too_big": ("文件超过 {mb} MB", "The file is larger than {mb} MB"),
    "catalog.err.too_many_rows": ("一次最多导入 {n} 行", "At most {n} rows per import"),
    "catalog.err.encoding": (
        "无法识别文件编码，请另存为 UTF-8 或 GBK 的 CSV，或 .xlsx",
        "Unknown text encoding: save as CSV in UTF-8 or GBK, or as .xlsx",
    ),
    "catalog.err.not_a_table": (
        "读不出表格，请上传 .csv 或 .xlsx 文件",
        "This is not a table we can read: upload a .csv or .xlsx file",
    ),
    "catalog.err.missing_columns": ("缺少列：{columns}", "Missing columns: {columns}"),
    "catalog.err.no_rows": ("文件里没有商品行", "The file has no product rows"),
    "catalog.err.file_has_problems": (
        "文件还有 {n} 处问题，改好后再导入",
        "The file still has {n} problems; fix them, then import",
    ),
    "links.err.no_shop_sku": ("店铺商品不存在（{id}）", "No such shop SKU ({id})"),
    "links.err.no_erp_sku": ("ERP商品不存在或已停用（{id}）", "The ERP SKU does not exist or is disabled ({id})"),
    "links.err.reason_required": ("请填写解除关联的原因", "Say why the link is removed"),
    "links.err.not_linked": ("该店铺商品还没有关联", "This shop SKU is not linked"),
    "shopsku.err.unsupported": ("该平台暂不支持拉取商品", "Products cannot be pulled from this platform yet"),
    "shopsku.err.busy": ("该店铺已有商品拉取在进行", "A product pull of this shop is already queued or running"),
}
