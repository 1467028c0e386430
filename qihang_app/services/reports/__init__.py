"""报表: report rollups kept equal to the orders, the reports read from them, and their exports.

rollups.py   buckets (store, Shanghai day) recomputed when their orders change
registry.py  the report definitions the page and the exports iterate
sales.py, fulfilment.py, …   one module per family of reports
"""
