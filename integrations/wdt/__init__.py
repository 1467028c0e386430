"""旺店通 企业版 (qyb, the *.php API): ERP kind, adapter and sandbox twin."""
