"""QiHang's own signed ERP API (for in-house ERPs): kind, adapter, signing and sandbox twin."""
