"""A local Torznab/Newznab indexer on 127.0.0.1 for tests and benches.

    from tests.indexerserver import IndexerServer, indexer_server, indexer_servers

    with IndexerServer(items=100, delay=0.2) as srv:     # torrent (Torznab) by default
        srv.url          # "http://127.0.0.1:<port>" (no trailing slash)
        srv.api_url      # srv.url + srv.api_path ("/api" unless api_path= is given)
        srv.api_key      # "test-indexer-key" unless api_key= is given
        srv.items        # the generated Item rows the feeds are made of (id 1..N, newest first)
        srv.requests     # every request, recorded before it is answered
        srv.api_requests("tvsearch")   # only /api requests, optionally of one ``t``

Constructor options (keyword only; all are plain attributes afterwards and may be
changed while the server runs):

* ``protocol`` "torrent" (Torznab namespace, .torrent enclosures, seeders/peers/infohash)
  or "usenet" (Newznab namespace, .nzb enclosures, grabs).
* ``items`` how many items to generate (realistic scene/P2P/anime/daily titles, sizes,
  seeders, infohashes matching the served .torrent, pubDates going back from now);
  ``magnets=True`` adds a ``magneturl`` attr to torrent items.
* ``filter_queries`` (False): when true, ``q``/``tvdbid``/``imdbid``/``tmdbid``/``season``/
  ``ep``/``cat`` narrow the items like a real indexer; when false every search answers
  with all items (what benches want). ``limit``/``offset`` always apply (``limit`` capped
  by ``limit_max``; ``limit_default`` when absent).
* caps: ``title``, ``search_params`` ("q"), ``tv_params`` ("q,season,ep,tvdbid,imdbid,
  tvmazeid,rid"), ``movie_params`` ("q,imdbid,tmdbid"), ``categories`` (id → name, parents
  and their subcategories), ``limit_max`` (100), ``limit_default`` (100). A params value of
  ``None`` marks the mode unavailable (``t=`` for it answers error 203).
  ``caps_xml=bytes`` serves that document instead; ``feed_xml=bytes`` answers every
  search with that document instead of generated items.
* ``api_key`` (None: no key checked); a wrong key answers ``<error code="100"
  description="Incorrect user credentials"/>``, a missing one ``code="200"
  "Missing parameter"``. ``caps_needs_key`` (True): false answers ``t=caps`` to anyone
  (as many Newznab servers do), so only searches reveal a bad key.
* ``delay`` seconds before every answer (``/api`` and downloads).

Misbehaviour, for the next ``times`` matching requests (None: until ``clear_fault()``),
on ``/api`` requests (``on="api"``, optionally only ``t=only_t``), downloads
(``on="download"``) or both (``on="all"``)::

    srv.fault("error", code=500, description="Request limit reached", status=200)
    srv.fault("http", status=429, retry_after=60, body=b"")   # any status, optional body
    srv.fault("html")                      # HTTP 200 text/html login page
    srv.fault("close")                     # drop the connection without answering
    srv.fault("hang")                      # answer only after srv.release() / stop()
    srv.fault("huge", size=50 * 2**20)     # stream ``size`` bytes of a never-ending RSS item
    srv.fault("body", data=b"...", content_type="application/xml", gzip=False, status=200)
    srv.clear_fault()

Downloads: ``/download/<id>.torrent`` (a real bencoded single-file torrent whose
infohash is the item's ``infohash``), ``/download/<id>.nzb`` (a small NZB),
``/download/<id>/magnet`` (302 to the item's magnet URI) and ``/download/<id>/redirect``
(302 to its .torrent or .nzb). Download links in feeds carry ``?apikey=`` like real
indexers' do; a wrong key gets the error document.

``indexer_server`` (pytest fixture) is a factory: ``indexer_server(**options)`` starts a
server and stops it after the test; call it several times for several indexers.
``indexer_servers(n, **options)`` is a plain context manager yielding ``n`` started
servers (for bench/); ``indexer_servers(n, process=True, **options)`` runs them in a child
process and yields their addresses (``url``, ``api_url``, ``api_key``), so a fan-out bench
does not share its GIL with the servers. ``delay`` applies to ``t=caps`` too: hand the
providers their caps (``known_caps``) to time searches alone.
"""

from __future__ import annotations

from .documents import caps_document, error_document, feed_document, nzb_document
from .items import DEFAULT_CATEGORIES, DEFAULT_KEY, NEWZNAB_NS, TORZNAB_NS, Item, make_items
from .server import IndexerServer, ServedRequest, indexer_server, indexer_servers, wait_until

__all__ = [
    "DEFAULT_CATEGORIES",
    "DEFAULT_KEY",
    "NEWZNAB_NS",
    "TORZNAB_NS",
    "IndexerServer",
    "Item",
    "ServedRequest",
    "caps_document",
    "error_document",
    "feed_document",
    "indexer_server",
    "indexer_servers",
    "make_items",
    "nzb_document",
    "wait_until",
]
