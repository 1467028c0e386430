"""淘宝天猫 (Taobao / Tmall TOP): orders, refunds, items, 菜鸟电子面单 and the TMC message stream."""
