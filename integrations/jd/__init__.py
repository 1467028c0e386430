"""京东 POP (JOS / 宙斯): signed routerjson client, OAuth, order/refund pulls, 无界电子面单, twin."""
