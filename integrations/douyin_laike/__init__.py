"""Douyin Laike (抖音来客, life services takeout): token, client, webhook checks, mapping."""
