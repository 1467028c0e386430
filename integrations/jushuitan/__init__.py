"""聚水潭 Jushuitan (new openapi): ERP kind, adapter and sandbox twin."""
