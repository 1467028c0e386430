"""拼多多 (Pinduoduo) open platform adapter and its sandbox twin."""
