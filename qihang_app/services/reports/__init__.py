"""报表: report rollups kept equal to the orders, the reports read from them, and their exports.

rollups.py   buckets (store, Shanghai day) recomputed when their orders change
delivery_costs.py  rides, fees and tips per (store, day, carrier), kept equal to the deliveries
registry.py  the report definitions the page and the exports iterate
sales.py, fulfilment.py, …   one module per family of reports
"""

# Every process that opens sessions keeps the delivery cost rollup equal to the deliveries (its
# session listeners); importing the package is enough, as for the order rollups.
from . import delivery_costs  # noqa: E402, F401
