"""DynamoDB requests to read statistics (a cost figure, not a timed test).

In one process, with moto (`mock_aws`) and `infra/template.yaml` deployed into it as the functional tests
do, counter cells are seeded for N applications spread over one province's communes, the catalog's
procedures and the last 12 months (as the application store would have ADDed them), and the status
function's Flask app answers getPublicStatistics for the province over 12 months, then for one commune.
Every botocore client gets a `before-call` hook (as bench/lifecycle_requests.py does), so each DynamoDB
API call is counted once. Goal: the count does not grow with the number of applications.

Usage: .venv/bin/python bench/stats_read.py [10 1000 100000]
"""

from __future__ import annotations

import logging
import os
import random
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import botocore.session

ROOT = Path(__file__).resolve().parents[1]
os.environ.update({"MOTCUA_STAGE": "test", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_SESSION_TOKEN": "bench", "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_REGION": "ap-southeast-1",
                   "MOTCUA_SESSION_SECRET": "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"})
for _key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MOTCUA_TABLE_PREFIX"):
    os.environ.pop(_key, None)
sys.path.insert(0, str(ROOT))

PROVINCE = "33"
CALLS: Counter[str] = Counter()


def install_hook() -> None:
    """Count every API call of every botocore client created from now on (boto3's and PynamoDB's)."""
    original = botocore.session.Session.create_client

    def create_client(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        client = original(session, *args, **kwargs)
        client.meta.events.register("before-call", lambda event_name, **_: CALLS.update([event_name.split(".", 2)[2]]))
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


def seed(applications: int, months: list[str]) -> int:
    """Counter cells for `applications` received, decided, paid and rated over the months; returns cells."""
    from functions.core import models
    from functions.core.domain import divisions
    from functions.core.domain.procedures import catalog
    from functions.core.domain.stats import cell_key, scope_key

    rng = random.Random(applications)
    communes = [c.code for c in divisions.communes() if c.province_code == PROVINCE]
    procedures = sorted(catalog())
    cells: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)
    for _ in range(applications):
        key = (rng.choice(months), rng.choice(communes), rng.choice(procedures))
        cells[key].update(received_online=1, decided=1, on_time=rng.random() < 0.9, fee_bearing=1,
                          paid_online=rng.random() < 0.4, rating_5=1, decision_working_days=rng.randint(1, 7))
    with models.StatCell.batch_write() as batch:
        for (month, commune, procedure), counts in cells.items():
            batch.save(models.StatCell(scope_key(PROVINCE), cell_key(month, commune, procedure),
                                       province_code=PROVINCE, commune_code=commune, procedure_id=procedure,
                                       month=month, **{k: int(v) for k, v in counts.items()}))
    return len(cells)


def measure(applications: int) -> tuple[int, int, int, int]:
    """(cells, requests for the province, requests for one commune, applications counted) in a fresh account."""
    from moto import mock_aws

    from functions.core import config as config_mod
    from functions.core import models
    from functions.core.adapters.clock import FakeClock
    from functions.core.domain.stats import month_of
    from functions.core.domain.stats_report import shift
    from functions.local import emulator
    from functions.status.app import create_app

    cfg = config_mod.load()
    clock = FakeClock()
    last = month_of(clock.now())
    months = [shift(last, -i) for i in range(12)]
    with mock_aws():
        models.bind(cfg)
        outputs = emulator.deploy("motcua-bench", {"Stage": cfg.stage, "AppOrigin": cfg.app_origin}, cfg.region)
        app = create_app(cfg.with_overrides(documents_bucket=outputs["DocumentsBucketName"]), clock=clock)
        cells = seed(applications, months)
        client = app.test_client()
        CALLS.clear()
        body = client.get(f"/statistics?province={PROVINCE}").json
        province_calls = sum(CALLS.values())
        commune = _a_commune()
        CALLS.clear()
        client.get(f"/statistics?commune={commune}")
        return cells, province_calls, sum(CALLS.values()), body["received"]


def _a_commune() -> str:
    from functions.core.domain import divisions

    return next(c.code for c in divisions.communes() if c.province_code == PROVINCE)


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [10, 1000]
    logging.disable(logging.WARNING)  # moto's notes on the template's unsupported resources
    install_hook()
    print(f"getPublicStatistics, province {PROVINCE} over 12 months (moto, in process)")
    print(f"  {'applications':>12}  {'cells':>6}  {'requests (province)':>19}  {'requests (commune)':>18}")
    for size in sizes:
        cells, province, commune, counted = measure(size)
        assert counted == size, (counted, size)
        print(f"  {size:>12,}  {cells:>6,}  {province:>19}  {commune:>18}")
    print("Requests are DynamoDB API calls (one Query per 1 MB page); no Scan.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
