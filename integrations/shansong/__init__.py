"""闪送 (Shansong open platform v5): signing, wire format, BD-09 edge, adapter and sandbox twin."""
