"""Meituan Shangou / Waimai open platform (waimaiopen): signing, client, push checks, mapping."""
