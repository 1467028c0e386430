"""美团跑腿 / 美团配送 (peisongopen): signing, wire format, status mapping, adapter and sandbox twin."""
