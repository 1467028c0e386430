"""QiHang OMS: order management for instant-retail and e-commerce merchants."""

__version__ = "0.1.0"
