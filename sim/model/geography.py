"""Regions and routes as a graph; things that travel along routes (columns, reinforcements)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import networkx as nx

from ..scenario.schema import Scenario


class Geography:
    """The map: a weighted graph of regions (km on each route) with the capital marked.

    ``regions``: (name, (lon, lat), is a capital) each; ``routes``: (a, b, km, road) each."""

    def __init__(self, capital: str, regions: tuple, routes: tuple) -> None:
        self.graph = nx.Graph()
        for name, pos, capital_here in regions:
            self.graph.add_node(name, pos=pos, capital=capital_here)
        for a, b, km, road in routes:
            self.graph.add_edge(a, b, km=km, road=road)
        self.capital = capital
        self._dist = dict(nx.all_pairs_dijkstra_path_length(self.graph, weight="km"))
        self.path = lru_cache(maxsize=None)(self._path)

    @staticmethod
    def of(scn: Scenario) -> Geography:
        """The map of ``scn``, made once for every run of the same map: a calibration or a sweep
        builds thousands of models of one scenario, and nothing changes a map once made."""
        return _geography(scn.capital, tuple((name, tuple(r.pos), r.capital) for name, r in scn.regions.items()),
                          tuple((route.a, route.b, route.km, route.road) for route in scn.routes))

    def _path(self, a: str, b: str) -> tuple[str, ...]:
        return tuple(nx.dijkstra_path(self.graph, a, b, weight="km"))

    def km(self, a: str, b: str) -> float:
        return float(self._dist[a][b])

    def leg_km(self, a: str, b: str) -> float:
        return float(self.graph.edges[a, b]["km"])

    def km_to_capital(self, region: str) -> float:
        return self.km(region, self.capital)


@lru_cache(maxsize=32)  # a long session of many maps (a sweep over routes) keeps the latest
def _geography(capital: str, regions: tuple, routes: tuple) -> Geography:
    return Geography(capital, regions, routes)


@dataclass
class Traveller:
    """Something moving along a path of regions at a speed (a column, a convoy)."""

    path: tuple[str, ...]
    speed_kmh: float
    leg: int = 0  # index of the region last reached in ``path``
    km_on_leg: float = 0.0

    @property
    def at(self) -> str:
        """The region last reached."""
        return self.path[self.leg]

    @property
    def destination(self) -> str:
        return self.path[-1]

    @property
    def done(self) -> bool:
        return self.leg >= len(self.path) - 1

    def km_left(self, geo: Geography) -> float:
        if self.done:
            return 0.0
        rest = sum(geo.leg_km(self.path[i], self.path[i + 1]) for i in range(self.leg, len(self.path) - 1))
        return rest - self.km_on_leg

    def advance(self, geo: Geography, hours: float) -> list[str]:
        """Move for ``hours``; return the regions reached on the way (in order)."""
        reached: list[str] = []
        budget = self.speed_kmh * hours
        while budget > 0 and not self.done:
            leg_len = geo.leg_km(self.path[self.leg], self.path[self.leg + 1])
            need = leg_len - self.km_on_leg
            if budget >= need:
                budget -= need
                self.leg += 1
                self.km_on_leg = 0.0
                reached.append(self.at)
            else:
                self.km_on_leg += budget
                budget = 0.0
        return reached

    def position(self, geo: Geography) -> tuple[float, float]:
        """Map position (lon, lat), interpolated along the current leg."""
        a = geo.graph.nodes[self.at]["pos"]
        if self.done:
            return a
        b = geo.graph.nodes[self.path[self.leg + 1]]["pos"]
        f = self.km_on_leg / geo.leg_km(self.at, self.path[self.leg + 1])
        return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
