"""达达 (Dada open platform): signing, wire format, status mapping, adapter and sandbox twin."""
