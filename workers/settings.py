"""arq worker entry: `arq workers.settings.WorkerSettings`.

Every task is thin (load → service → commit). Nothing here may assume it is the only worker:
crons are `unique` (one worker runs each tick), shop pulls hold a Redis lock, and ingest claims
inbox rows inside its transaction.
"""

from __future__ import annotations

from arq import cron, func
from arq.connections import RedisSettings

from qihang_app.config import get_settings
from workers.context import shutdown, startup
from workers.tasks.alerts import check_alerts, prune_alerts, send_test_alert
from workers.tasks.auto_dispatch import auto_dispatch
from workers.tasks.backup import daily_backup
from workers.tasks.connection import test_shop_connection
from workers.tasks.delivery import book_delivery, cancel_delivery, quote_delivery, test_carrier_account, tip_delivery
from workers.tasks.delivery_poll import poll_rides
from workers.tasks.delivery_retry import retry_rides
from workers.tasks.erp import poll_erp_shipments, test_erp_connection
from workers.tasks.heartbeat import heartbeat
from workers.tasks.ingest import drain_inbox, ingest_inbox
from workers.tasks.outbox import relay_outbox
from workers.tasks.refund_pull import pull_refunds, schedule_refund_pulls
from workers.tasks.retention import prune_inbox
from workers.tasks.stock import sync_stock
from workers.tasks.streams import schedule_streams, stream_shop
from workers.tasks.sweep import run_pull, schedule_pulls, sweep_shop
from workers.tasks.tokens import refresh_tokens
from workers.tasks.waybills import cancel_waybill, issue_waybills

_settings = get_settings()
_settings.check_for_production()  # prod refuses default keys here too, not only in the app

DRAIN_EVERY = 3  # seconds: received rows whose job was lost are processed within ~6 s
SCHEDULE_EVERY = 2  # seconds: due sweeps and queued manual pulls start within ~2 s


def _every(seconds: int) -> set[int]:
    return set(range(0, 60, max(1, min(seconds, 60))))


class WorkerSettings:
    redis_settings = RedisSettings.from_dsn(_settings.redis_url)
    on_startup = startup
    on_shutdown = shutdown
    functions = [
        heartbeat,
        func(ingest_inbox, keep_result=60, timeout=120),
        func(sweep_shop, keep_result=300, timeout=600, max_tries=1),
        func(run_pull, keep_result=300, timeout=1800, max_tries=1),
        func(pull_refunds, keep_result=300, timeout=600, max_tries=1),
        func(stream_shop, keep_result=120, timeout=90, max_tries=1),  # a ~50 s consuming session
        func(test_shop_connection, keep_result=60, timeout=30, max_tries=1),
        func(test_erp_connection, keep_result=60, timeout=30, max_tries=1),
        func(send_test_alert, keep_result=60, timeout=30, max_tries=1),
        # 呼叫骑手 and friends: the board waits for these, so they are short and never retried
        *(
            func(f, keep_result=60, timeout=40, max_tries=1)
            for f in (quote_delivery, book_delivery, cancel_delivery, tip_delivery, test_carrier_account)
        ),
        # 电子面单: the 打印面单 dialog waits for a batch's numbers; never retried (the app asks again)
        func(issue_waybills, keep_result=120, timeout=120, max_tries=1),
        func(cancel_waybill, keep_result=60, timeout=30, max_tries=1),
    ]
    cron_jobs = [
        # unique (the default): with several workers one of them records each tick.
        cron(heartbeat, second=_every(_settings.heartbeat_seconds), run_at_startup=True),
        cron(drain_inbox, second=_every(DRAIN_EVERY), run_at_startup=True, keep_result=30, timeout=60, max_tries=1),
        cron(schedule_pulls, second=_every(SCHEDULE_EVERY), keep_result=30, timeout=30, max_tries=1),
        # OAuth tokens refreshed before they lapse; message streams (one session per shop a minute);
        # refund pulls on their own cursor (e-commerce platforms that declare them).
        cron(refresh_tokens, minute=set(range(0, 60, 5)), second={13}, keep_result=300, timeout=240, max_tries=1),
        cron(schedule_streams, second={0}, run_at_startup=True, keep_result=30, timeout=30, max_tries=1),
        cron(schedule_refund_pulls, second=_every(10), keep_result=30, timeout=30, max_tries=1),
        # Platform write-backs (接单, 备货完成, …): every second, so a tap reaches the platform fast.
        cron(relay_outbox, second=_every(1), run_at_startup=True, keep_result=5, timeout=30, max_tries=1),
        # Stock changes reach every shop selling the SKU (debounced in the service, batched per shop).
        cron(sync_stock, second=_every(2), keep_result=5, timeout=30, max_tries=1),
        # Auto-dispatch rules of the stores: book, and give up on rides nobody took in time.
        cron(auto_dispatch, second=_every(5), keep_result=5, timeout=60, max_tries=1),
        # Carrier calls (book, tip, cancel) that failed for a passing reason: their next try.
        cron(retry_rides, second=_every(5), keep_result=5, timeout=120, max_tries=1),
        # Rides whose callbacks may be lost, and riders on their way (position): ask the carrier.
        cron(poll_rides, second={13}, keep_result=30, timeout=60, max_tries=1),
        # Shipments of the ERPs that are polled (the others call our inbound API).
        cron(poll_erp_shipments, second={7, 37}, keep_result=30, timeout=60, max_tries=1),
        # Processed inbox rows past their retention: once a day, at a quiet hour (worker's clock).
        cron(prune_inbox, hour={4}, minute={17}, keep_result=3600, timeout=1800, max_tries=1),
        # Alert rules twice a minute; resolved problems past keeping once a day.
        cron(check_alerts, second={5, 35}, keep_result=30, timeout=60, max_tries=1),
        cron(prune_alerts, hour={4}, minute={41}, keep_result=3600, timeout=600, max_tries=1),
        # The database backup (BACKUP_DIR, newest BACKUP_KEEP kept), daily at a quiet hour.
        cron(daily_backup, hour={3}, minute={23}, keep_result=86400, timeout=3600, max_tries=1),
    ]
    max_jobs = 20
    # A worker killed mid-job (OOM, SIGKILL) leaves its jobs marked "in progress" for the longest
    # job timeout (30 min). They sit at the front of the queue, and arq reads only this many ids
    # per poll: with its default (100) a few crashes could hide every newer job — the drain cron
    # included — for that long. Reading further costs one Redis round trip per stuck id.
    queue_read_limit = 1000
    # arq looks for new jobs this often (its default, 0.5 s, is most of a push's latency).
    poll_delay = 0.05
    job_timeout = 300
    health_check_interval = 10
