"""金蝶云星空 Kingdee K/3 Cloud WebAPI: ERP kind, adapter and sandbox twin."""
