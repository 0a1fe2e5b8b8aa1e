"""Benchmark of GET /api/v1/rounds/{id}/ranking: builds a synthetic round straight through the models
(bulk inserts, seeded random scores), then times the request in-process and prints one JSON line.

    python bench/ranking.py --applications 1000 --experts 7 --indicators 18 [--db URL]

The database is reset first (SQLite: a fresh temporary file by default; PostgreSQL: every table is
dropped and migrated again), so point --db only at a database meant for benchmarks.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import secrets
import statistics
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient
from sqlalchemy import event, insert, text
from sqlalchemy.engine import Engine

from criteria.schema import Figure, Gate, Indicator, Rubric, Section
from scoring.core.actors import SYSTEM
from scoring.core.credit_code import make_credit_code
from scoring.services.admin import passwords
from scoring.services.admin.accounts import UserIn, create_user, open_session
from scoring.services.admin.rubrics import freeze
from scoring.services.review import ranking as ranking_service
from scoring.services.review import ranking_cache
from scoring.settings import Settings, normalise_database_url
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker, read_only, unit_of_work
from scoring.store.models import Application, Expert, Organisation, Panel, Round, Sheet
from scoring.store.models.aggregates import rebuild

KIND = "enterprise"
HALF = Decimal("0.5")
PER_SECTION = 6


def synthetic_rubric(indicators: int) -> Rubric:
    """`indicators` expert indicators sharing about 90 points, plus one data indicator tied to a gate."""
    each = Decimal(int(Decimal(90) / indicators / HALF)) * HALF
    data_points = Decimal(100) - each * indicators
    sections: list[Section] = []
    expert = [
        Indicator(code=f"i{n}", text_zh=f"指标{n}", text_en=f"Indicator {n}", kind="expert", max_points=each)
        for n in range(1, indicators + 1)
    ]
    groups = [expert[i : i + PER_SECTION] for i in range(0, len(expert), PER_SECTION)]
    for g, group in enumerate(groups, start=1):
        inds = list(group)
        if g == len(groups):
            inds.append(
                Indicator(
                    code="platform_points", text_zh="研发平台", text_en="R&D platform", kind="data",
                    max_points=data_points, gate="platform",
                )
            )  # fmt: skip
        weight = sum((i.max_points for i in inds), Decimal(0))
        sections.append(
            Section(
                code=f"s{g}",
                title_zh=f"部分{g}",
                title_en=f"Section {g}",
                weight=weight,
                indicators=tuple(inds),
            )
        )
    return Rubric(
        kind=KIND,
        purpose="designation",
        title_zh="基准测试评价标准",
        title_en="Benchmark rubric",
        figures=(Figure(code="platforms", name_zh="研发平台数", name_en="R&D platforms", type="count"),),
        gates=(
            Gate(
                code="platform",
                text_zh="建设1家以上研发平台",
                text_en="At least one platform",
                op="at_least",
                figures=("platforms",),
                threshold=Decimal(1),
            ),
        ),
        sections=tuple(sections),
    )


def reset_database(url: str) -> None:
    if url.startswith("postgresql"):
        migrate.downgrade(url, "base")
    migrate.upgrade(url)


def seed(
    engine: Engine, *, applications: int, experts: int, indicators: int, rng: random.Random
) -> dict[str, Any]:
    """The round, its panel, experts, applications (status scored) and submitted sheets, in bulk."""
    factory = make_sessionmaker(engine)
    rubric = synthetic_rubric(indicators)
    codes = [ind.code for ind in rubric.indicators() if ind.kind == "expert"]
    maxima = [ind.max_points for ind in rubric.indicators() if ind.kind == "expert"]
    with unit_of_work(factory) as session:
        version = freeze(session, actor=SYSTEM, rubric=rubric, source="bench").version
        staff = create_user(
            session,
            actor=SYSTEM,
            data=UserIn(username=f"bench{secrets.token_hex(4)}", password="Bench-Passw0rd!", role="staff"),
        )
        session.flush()
        rnd = Round(
            year=2026, title="基准测试评选", status="deciding", kinds=[KIND], rubric_versions={KIND: version},
            references={}, method="trimmed_mean", panel_size=experts, reserves=0, pass_line=Decimal(60),
            quotas={KIND: max(1, applications // 10)}, outlier_threshold=Decimal(20), notice_days=5,
        )  # fmt: skip
        session.add(rnd)
        session.flush()
        panel = Panel(round_id=rnd.id, kind=KIND, size=experts, reserves=0, seed=1, result={})
        session.add(panel)
        session.flush()
        round_id, panel_id, staff_id = rnd.id, panel.id, staff.id

    with unit_of_work(factory) as session:
        session.execute(
            insert(Organisation),
            [
                {
                    "id": n,
                    "name": f"基准企业{n:06d}",
                    "credit_code": make_credit_code("9", "1", "130102", f"{n + 10_000_000:08d}"),
                    "kind": "enterprise",
                    "district": "长安区",
                }
                for n in range(1_000_001, 1_000_001 + applications)
            ],
        )
        session.execute(
            insert(Expert),
            [
                {
                    "id": 1_000_000 + e,
                    "name": f"专家{e}",
                    "pool": "expert",
                    "fields": [],
                    "declared_conflict_org_ids": [],
                }
                for e in range(1, experts + 1)
            ],
        )
        session.execute(
            insert(Application),
            [
                {
                    "id": 1_000_000 + n,
                    "round_id": round_id,
                    "kind": KIND,
                    "organisation_id": 1_000_000 + n,
                    "title": f"申报{n}",
                    "figures": {"platforms": str(rng.choice((0, 1, 1, 2, 3)))},
                    "verified_figures": {},
                    "narratives": {},
                    "status": "scored",
                }
                for n in range(1, applications + 1)
            ],
        )
        bias = [rng.uniform(-0.08, 0.08) for _ in range(experts)]
        batch: list[dict[str, Any]] = []
        sheet_id = 1_000_000
        for n in range(1, applications + 1):
            quality = rng.uniform(0.45, 0.95)
            for e in range(experts):
                scores: dict[str, str] = {}
                total = Decimal(0)
                for code, top in zip(codes, maxima, strict=True):
                    share = min(1.0, max(0.0, quality + bias[e] + rng.gauss(0, 0.06)))
                    value = min(top, Decimal(round(share * float(top) * 2)) / 2)  # steps of 0.5
                    scores[code] = str(value)
                    total += value
                sheet_id += 1
                batch.append(
                    {
                        "id": sheet_id, "panel_id": panel_id, "application_id": 1_000_000 + n,
                        "expert_id": 1_000_001 + e, "status": "submitted", "scores": scores, "total": total,
                    }
                )  # fmt: skip
            if len(batch) >= 20_000:
                session.execute(insert(Sheet), batch)
                batch = []
        if batch:
            session.execute(insert(Sheet), batch)
        # Bulk inserts bypass the ORM flush that stores panel aggregates: store them as `ranking repair` does.
        rebuild(session.connection())
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    return {"round_id": round_id, "staff_id": staff_id}


def seeded(url: str, args: argparse.Namespace) -> tuple[Engine, dict[str, Any], float]:
    """The database reset and seeded from the command's workload options, and the seconds it took."""
    passwords.use_fast_hashing()  # the seeded staff password: a server verifies it by its own hash
    reset_database(url)
    engine = make_engine(url)
    started = time.perf_counter()
    ids = seed(
        engine, applications=args.applications, experts=args.experts, indicators=args.indicators,
        rng=random.Random(args.seed),
    )  # fmt: skip
    return engine, ids, time.perf_counter() - started


def _timed(call: Any) -> float:
    t0 = time.perf_counter()
    resp = call()
    elapsed = (time.perf_counter() - t0) * 1000
    assert resp.status_code == 200, resp.text
    return elapsed


def touch_one_application(engine: Engine, round_id: int, run: int) -> None:
    """Change one application's declared figures (a different one each run), committed: the next
    build must prepare it again, as after any real change, while the rest is unchanged."""
    with engine.begin() as conn:
        app_id = conn.execute(
            text("SELECT id FROM applications WHERE round_id = :r ORDER BY id LIMIT 1 OFFSET :n"),
            {"r": round_id, "n": run},
        ).scalar_one()
        conn.execute(
            text("UPDATE applications SET figures = :f WHERE id = :i"),
            {"f": json.dumps({"platforms": str(run % 4)}), "i": app_id},
        )


def in_process(engine: Engine, round_id: int, repeat: int) -> dict[str, Any]:
    """The floor and the ranking service in-process, interleaved run by run (the machine is noisy).

    The floor: the bare SQL a ranking cannot do without, every stored sheet total of the kind's
    panel fetched into Python, on a read-only session like a GET's. Cold: built from the stored panel
    aggregates after a change to one application (the ranking cache emptied; what an earlier build
    decoded and prepared for the unchanged applications is reused, exactly: see
    panel_aggregate.DecodedCache and ranking.PreparedRows); first build: nothing cached or decoded yet;
    recomputed: the same build reading every sheet instead (the reference path).
    """
    factory = make_sessionmaker(engine)
    floor_sql = text(
        "SELECT s.application_id, s.total FROM sheets s JOIN panels p ON p.id = s.panel_id "
        "WHERE p.round_id = :r AND p.kind = :k AND s.status = 'submitted'"
    )
    floor: list[float] = []
    cold: list[float] = []
    recomputed: list[float] = []
    first: list[float] = []
    warm: list[float] = []
    with factory(bind=read_only(engine)) as session:
        rnd = session.get(Round, round_id)
        assert rnd is not None
        ranking_service.compute_ranking(session, rnd, KIND)  # warm-up: rubric parse cache
        session.rollback()
    for run in range(repeat):
        with factory(bind=read_only(engine)) as session:
            t0 = time.perf_counter()
            fetched = session.execute(floor_sql, {"r": round_id, "k": KIND}).all()
            floor.append((time.perf_counter() - t0) * 1000)
            assert fetched
        touch_one_application(engine, round_id, run)  # a change, as an expert's submission would be
        with factory(bind=read_only(engine)) as session:
            rnd = session.get(Round, round_id)
            assert rnd is not None
            ranking_cache.clear()
            t0 = time.perf_counter()
            ranking_service.compute_ranking(session, rnd, KIND)
            cold.append((time.perf_counter() - t0) * 1000)
        with factory(bind=read_only(engine)) as session:
            rnd = session.get(Round, round_id)
            assert rnd is not None
            ranking_cache.clear()
            ranking_service.DECODED.clear()  # nothing decoded or prepared yet: a new process's first build
            ranking_service.PREPARED.clear()
            t0 = time.perf_counter()
            ranking_service.compute_ranking(session, rnd, KIND)
            first.append((time.perf_counter() - t0) * 1000)
        with factory(bind=read_only(engine)) as session:
            rnd = session.get(Round, round_id)
            assert rnd is not None
            t0 = time.perf_counter()
            with ranking_service.bulk():  # as a cold build, but from every sheet, not the stored aggregates
                ranking_service._compute_ranking(session, rnd, KIND, stored=False)
            recomputed.append((time.perf_counter() - t0) * 1000)
        with factory(bind=read_only(engine)) as session:
            rnd = session.get(Round, round_id)
            assert rnd is not None
            t0 = time.perf_counter()
            ranking_service.compute_ranking(session, rnd, KIND)
            warm.append((time.perf_counter() - t0) * 1000)
    return {
        "floor_ms_median": round(statistics.median(floor), 2),
        "cold_ms_median": round(statistics.median(cold), 2),
        "first_build_ms_median": round(statistics.median(first), 2),
        "recomputed_from_sheets_ms_median": round(statistics.median(recomputed), 2),
        "warm_ms_median": round(statistics.median(warm), 3),
        "ratio_cold_to_floor": round(statistics.median(cold) / statistics.median(floor), 2),
        "ratio_first_build_to_floor": round(statistics.median(first) / statistics.median(floor), 2),
        "ratio_recomputed_to_floor": round(statistics.median(recomputed) / statistics.median(floor), 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=7)
    parser.add_argument("--indicators", type=int, default=18)
    parser.add_argument("--db", default=None, help="database URL (default: a fresh temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=20260301)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="bench-ranking-")
    url = normalise_database_url(args.db) if args.db else f"sqlite:///{Path(tmp.name) / 'bench.sqlite3'}"
    engine, ids, seed_seconds = seeded(url, args)

    settings = Settings(
        environment="test", var_dir=Path(tmp.name), database_url=url, secret_key=secrets.token_urlsafe(40)
    )
    from api.app import create_app
    from scoring.store.models import User

    factory = make_sessionmaker(engine)
    with unit_of_work(factory) as session:
        user = session.get(User, ids["staff_id"])
        assert user is not None
        token = open_session(session, settings=settings, user=user, kind="api").token
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/api/v1/rounds/{ids['round_id']}/ranking?kind={KIND}&limit=50000"  # the whole list

    statements = 0

    def _count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    inproc = in_process(engine, ids["round_id"], args.repeat)
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        first = client.get(path, headers=headers)  # warm-up: rubric parse cache, connection pool
        assert first.status_code == 200, first.text
        rows = len(first.json()["rows"])
        timings: list[float] = []
        cpu: list[float] = []
        per_request: list[int] = []
        event.listen(engine, "before_cursor_execute", _count)
        for _ in range(args.repeat):
            statements = 0
            ranking_cache.clear()  # cold: built from the database every time
            t0, c0 = time.perf_counter(), time.process_time()
            resp = client.get(path, headers=headers)
            timings.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            assert resp.status_code == 200
            per_request.append(statements)
        event.remove(engine, "before_cursor_execute", _count)
        warm = [_timed(lambda: client.get(path, headers=headers)) for _ in range(args.repeat)]
        page = f"/api/v1/rounds/{ids['round_id']}/ranking?kind={KIND}"  # the first page, 250 rows
        ranking_cache.clear()
        page_cold = _timed(lambda: client.get(page, headers=headers))
        page_warm = [_timed(lambda: client.get(page, headers=headers)) for _ in range(args.repeat)]
        for _ in range(50):
            client.get(path, headers=headers)
        rss_after_50 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        tracemalloc.start()
        client.get(path, headers=headers)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        response_bytes = len(resp.content)

    result = {
        "workload": {
            "applications": args.applications,
            "experts": args.experts,
            "indicators": args.indicators,
            "sheets": args.applications * args.experts,
            "scores": args.applications * args.experts * args.indicators,
            "rows_returned": rows,
        },
        "database": engine.dialect.name,
        "seed_seconds": round(seed_seconds, 2),
        "ranking_ms_median": round(statistics.median(timings), 1),
        "ranking_ms_runs": [round(t, 1) for t in timings],
        # CPU time of this process per request: what the request costs when the machine is shared.
        "ranking_cpu_ms_median": round(statistics.median(cpu), 1),
        "in_process": inproc,
        "http_warm_ms_median": round(statistics.median(warm), 2),
        "http_page250_cold_ms": round(page_cold, 1),
        "http_page250_warm_ms_median": round(statistics.median(page_warm), 2),
        "ratio_http_cold_to_floor": round(statistics.median(timings) / inproc["floor_ms_median"], 2),
        "process_rss_mb_after_50_rankings": round(rss_after_50, 1),
        "sql_queries_per_request": per_request[-1],
        "sql_queries_constant_across_runs": len(set(per_request)) == 1,
        "response_bytes": response_bytes,
        "peak_memory_mb": {
            "request_traced": round(traced_peak / 2**20, 1),
            "process_rss": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
    }
    engine.dispose()
    tmp.cleanup()
    print(json.dumps(result, ensure_ascii=False))
    return result


if __name__ == "__main__":
    main()
