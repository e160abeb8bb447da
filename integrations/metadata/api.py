"""Asking a metadata source, beyond the generic family endpoints
(``/api/v1/metadata/``): search series and movies, read one with its ids, a
series' episodes, images, and a lookup by another database's id."""

from __future__ import annotations

from typing import Any, Literal

from django.shortcuts import get_object_or_404
from ninja import Query, Router, Status

from integrations.errors import NotFoundError
from integrations.schemas import ErrorOut

from .base import to_json
from .models import MetadataSource

router = Router()
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 502: ErrorOut}
Answer = dict[str, Any]


def _provider(config_id: int):
    source = get_object_or_404(MetadataSource, pk=config_id)
    source.require_enabled()
    return source.build_provider()


@router.get("/{int:config_id}/series/search", response={200: list[Answer], **ERRORS})
def search_series(
    request, config_id: int, q: str = Query(..., min_length=1), year: int | None = None
):
    with _provider(config_id) as provider:
        return Status(200, [s.to_dict() for s in provider.search_series(q, year)])


@router.get("/{int:config_id}/series/{series_id}", response={200: Answer, **ERRORS})
def series(request, config_id: int, series_id: str):
    with _provider(config_id) as provider:
        return Status(200, provider.series(series_id).to_dict())


@router.get("/{int:config_id}/series/{series_id}/episodes", response={200: list[Answer], **ERRORS})
def episodes(request, config_id: int, series_id: str, season: int | None = Query(None, ge=0)):
    with _provider(config_id) as provider:
        return Status(200, [e.to_dict() for e in provider.episodes(series_id, season)])


@router.get("/{int:config_id}/movies/search", response={200: list[Answer], **ERRORS})
def search_movies(
    request, config_id: int, q: str = Query(..., min_length=1), year: int | None = None
):
    with _provider(config_id) as provider:
        return Status(200, [m.to_dict() for m in provider.search_movies(q, year)])


@router.get("/{int:config_id}/movies/{movie_id}", response={200: Answer, **ERRORS})
def movie(request, config_id: int, movie_id: str):
    with _provider(config_id) as provider:
        return Status(200, provider.movie(movie_id).to_dict())


@router.get("/{int:config_id}/find", response={200: Answer, **ERRORS})
def find(
    request,
    config_id: int,
    source: Literal["tvdb", "tmdb", "imdb"],
    value: str = Query(..., min_length=1),
    media_type: Literal["series", "movie"] = "series",
):
    """The series or movie another database knows as ``value``."""
    with _provider(config_id) as provider:
        finder = provider.find_series if media_type == "series" else provider.find_movie
        found = finder(source, value)
        if found is None:
            raise NotFoundError(f"{provider.name} knows no {media_type} with {source} id {value}")
        return Status(200, found.to_dict())


@router.get("/{int:config_id}/images/{media_type}/{item_id}", response={200: Answer, **ERRORS})
def images(request, config_id: int, media_type: Literal["series", "movie"], item_id: str):
    with _provider(config_id) as provider:
        return Status(200, to_json(provider.images(item_id, media_type)))
