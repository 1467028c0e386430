#!/usr/bin/env bash
# Regenerates the voice lines in assets/sounds (new order per platform, cancelled, refund request) (needs Debian's espeak-ng, sox, libsox-fmt-mp3).
set -euo pipefail
cd "$(dirname "$0")/../assets/sounds"
declare -A LINES=(
  [meituan]="您有新的美团订单" [douyin_laike]="您有新的抖音订单" [eleme]="您有新的饿了么订单"
  [jd]="您有新的京东订单" [taobao]="您有新的淘宝订单" [pdd]="您有新的拼多多订单"
  [wechat]="您有新的微信订单" [kuaishou]="您有新的快手订单" [doudian]="您有新的抖店订单" [offline]="您有新的订单"
)
tmp="$(mktemp -d)"
for key in "${!LINES[@]}"; do
  espeak-ng -v cmn -s 150 -w "$tmp/$key.wav" "${LINES[$key]}"
  sox "$tmp/$key.wav" -r 22050 -c 1 "new-order-$key.mp3" norm -1
done
# Said once when an accepted order is cancelled, its buyer asks for a refund or its rider has a problem (as the merchant apps do).
declare -A EVENTS=([order-cancelled]="订单已取消" [refund-requested]="顾客申请退款" [rider-problem]="配送异常，请处理")
for key in "${!EVENTS[@]}"; do
  espeak-ng -v cmn -s 150 -w "$tmp/$key.wav" "${EVENTS[$key]}"
  sox "$tmp/$key.wav" -r 22050 -c 1 "$key.mp3" norm -1
done
sox -n -r 22050 -c 1 "$tmp/ding.wav" synth 0.12 sine 1320 fade 0 0.12 0.05 : synth 0.18 sine 1760 fade 0 0.18 0.1
sox "$tmp/ding.wav" ding.mp3
rm -rf "$tmp"
