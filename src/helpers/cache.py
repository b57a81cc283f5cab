"""Command-line entry point ``python -m helpers.cache``: verify (and repair) the raw-data cache.

``python -m helpers.cache --verify [--source kolada] [--repair]`` checks that
every file in ``data/raw/<source>/`` matches its manifest line (exists, same
sha256), lists unreadable manifest lines and files without a manifest line,
and exits with 0 when everything is in order, 1 otherwise (2 for a usage
error). With ``--repair`` what fails is fetched again with the recorded
request through the same HTTP client and response checks the source clients
use (Kolada, SCB), and the synthetic demo data are generated again; nothing is
deleted (damaged files are moved to ``_karantan/``). The logic lives in
:mod:`helpers.core.cache_check`; this module only wires in the source clients.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from urllib.parse import urlsplit

from helpers.core import cache_check
from helpers.core.cache import CacheError
from helpers.core.errors import DataError
from helpers.core.http import HttpClient, check_same_origin, decode_json
from helpers.core.jsonbody import check_json_response
from helpers.sources import fohm_client, kolada_client, scb


def source_hosts() -> dict[str, set[str]]:
    """Return the hosts each downloadable source may be fetched from (its API's host)."""
    return {
        "kolada": {urlsplit(kolada_client.DEFAULT_BASE_URL).hostname or ""},
        "scb": {urlsplit(scb.DEFAULT_BASE_URL).hostname or ""},
        "fohm": {urlsplit(fohm_client.DEFAULT_BASE_URL).hostname or ""},
    }


def check_body(source: str, request: cache_check.Request, content: bytes) -> None:
    """Run the source's own checks on a fetched body (raises ``SourceError``).

    The same checks a normal fetch makes: Kolada's envelope, its ``next_url``
    host and (for ``/data/`` answers) every data object; SCB's JSON and, for a
    data query, the json-stat2 table.
    """
    if source == "kolada":
        envelope = kolada_client.parse_envelope(content, request.url)
        if envelope["next_url"]:
            check_same_origin(
                envelope["next_url"],
                request.url,
                f"Koladas länk till nästa sida (next_url) i svaret från {request.url}",
            )
        if "/data/" in urlsplit(request.url).path:
            kolada_client.check_data_objects(envelope["values"], request.url)
    elif source == "scb":
        obj = decode_json(content, request.url)
        if request.method == "POST":
            scb.jsonstat2_to_frame(obj, request.url)
    elif source == "fohm":
        url = request.url.split("#", 1)[0]
        fohm_client.check_body(url, request.method, request.body or "{}", content)


def make_fetch(http: HttpClient | None = None) -> cache_check.Fetch:
    """Return ``fetch(source, request)`` built on one :class:`HttpClient` (retries, throttle)."""
    client = http or HttpClient()

    def fetch(source: str, request: cache_check.Request) -> bytes:
        response = client.request(
            request.method, request.url, json_body=request.json, same_origin_as=request.url
        )
        body = check_json_response(response, request.url)
        check_body(source, request, body)
        return body

    return fetch


def _regenerate_demo() -> None:
    from helpers.sources.demo.build import build_all

    build_all()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; return the exit code (0 all in order, 1 problems, 2 usage error)."""
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cache",
        description="Kontrollera (och reparera) rådatacachen data/raw mot dess manifest.",
    )
    parser.add_argument(
        "--verify", action="store_true", help="kontrollera filerna mot manifestet (standard)"
    )
    parser.add_argument(
        "--source", action="append", metavar="KÄLLA", help="bara denna källa (kan upprepas)"
    )
    parser.add_argument(
        "--repair",
        action="store_true",
        help="hämta om (eller skapa om) det som inte klarar kontrollen; inget tas bort",
    )
    args = parser.parse_args(argv)
    cache_log = logging.getLogger("helpers.core.cache")
    level = cache_log.level
    cache_log.setLevel(logging.ERROR)  # the report lists every problem itself
    try:
        result = cache_check.verify(sources=args.source)
        print(result.report())
        if args.repair and not result.ok:
            repairs = cache_check.repair(
                result,
                make_fetch(),
                hosts=source_hosts(),
                regenerate={"demo": _regenerate_demo},
            )
            print()
            print(cache_check.format_repairs(repairs))
            result = cache_check.verify(sources=args.source)
            print()
            print("Efter reparationen:")
            print(result.report())
    except CacheError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 1
    except DataError as exc:
        print(f"Fel: {exc}", file=sys.stderr)
        return 2
    finally:
        cache_log.setLevel(level)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
