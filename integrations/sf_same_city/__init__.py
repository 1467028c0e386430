"""顺丰同城 (SF same-city, openic): signing, wire format, status mapping, adapter and sandbox twin."""
