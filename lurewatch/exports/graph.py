"""Graph: findings and the entities they share — phones, handles, emails, wallets, domains, image hashes and
near-duplicate clusters — one edge per finding and entity, as GEXF 1.3 (Gephi), GraphML (Gephi, yEd, Cytoscape,
networkx, igraph) and FollowTheMoney entities (Aleph): each finding's network (``lurewatch networks``) an
``Organization``, linked to its postings.

Written in two passes over small files: finding nodes and edges go to temporary files as they come, entity
counts stay in memory (one counter per distinct entity); at close, entities seen in two findings or more become
nodes, and only their edges are kept. An entity only one finding carries links nothing, and neither does a
generic host or value (``lurewatch/networks/data/generic.txt``), as in the networks themselves.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr

from followthemoney import model
from followthemoney.proxy import EntityProxy
from followthemoney.util import make_entity_id

from lurewatch.errors import ExportError
from lurewatch.exports.ftm import PREFIX, check_entity
from lurewatch.exports.writers import Resource
from lurewatch.networks.links import is_generic

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "network.gexf"
GRAPHML = "network.graphml"
FTM = "network.ftm.json"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLANKS = re.compile(r"[\t\r\n]")
MIN_SHARED = 2
CONTACT_KINDS = (("phone", "phones"), ("email", "emails"), ("telegram", "telegram"), ("whatsapp", "whatsapp"),
                 ("line", "line"), ("wechat", "wechat"), ("signal", "signal"), ("domain", "domains"))  # fmt: skip
SERVICES = {"phone": "Phone", "email": "Email", "telegram": "Telegram", "whatsapp": "WhatsApp", "line": "LINE",
            "wechat": "WeChat", "signal": "Signal"}  # fmt: skip
NODE_ATTRIBUTES = (("kind", "string"), ("risk_score", "integer"), ("url", "string"), ("country", "string"),
                   ("network", "string"), ("findings", "integer"))  # fmt: skip
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
<meta><creator>LureWatch</creator><description>findings and the entities they share</description></meta>
<graph defaultedgetype="undirected" mode="static">
<attributes class="node">
{attributes}
</attributes>
<attributes class="edge">
<attribute id="relation" title="relation" type="string"/>
</attributes>
""".format(attributes="\n".join(f'<attribute id="{n}" title="{n}" type="{t}"/>' for n, t in NODE_ATTRIBUTES))
GRAPHML_HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
{keys}
<key id="label" for="node" attr.name="label" attr.type="string"/>
<key id="relation" for="edge" attr.name="relation" attr.type="string"/>
<graph id="lurewatch" edgedefault="undirected">
""".format(keys="\n".join(f'<key id="{n}" for="node" attr.name="{n}" attr.type="{"int" if t == "integer" else t}"/>'
                          for n, t in NODE_ATTRIBUTES))  # fmt: skip
NetworkLookup = Callable[[list[str]], dict[str, str]]  # posting ids -> their network ids


def entities_of(finding: Finding) -> list[tuple[str, str]]:
    """(kind, value) of everything a finding can share with another (generic hosts and values left out)."""
    found = [(kind, value) for kind, attr in CONTACT_KINDS for value in getattr(finding.contacts, attr)]
    found += [("wallet", w.address) for w in finding.wallets]
    found += [("phash", i.phash) for i in finding.images if i.phash]
    if finding.cluster_id:
        found.append(("cluster", finding.cluster_id))
    return [(kind, value) for kind, value in dict.fromkeys(found) if not is_generic(f"{kind}:{value}")]


def _entity_id(kind: str, value: str) -> str:
    return f"{kind}:{_BLANKS.sub(' ', value)}"


def _xml_attr(value: str) -> str:
    """``value`` quoted for an XML attribute, without the control characters XML 1.0 forbids."""
    return quoteattr(_FORBIDDEN.sub("", value))


def _xml_text(value: str) -> str:
    return _xml_attr(value)[1:-1]


class GraphWriter:
    def __init__(self, folder: Path, networks: NetworkLookup | None = None) -> None:
        self.folder = folder
        self.path = folder / FILE
        self.networks = networks
        self._nodes_path = folder / ".graph-nodes.tmp"
        self._edges_path = folder / ".graph-edges.tmp"
        self._nodes = self._nodes_path.open("w", encoding="utf-8")
        self._edges = self._edges_path.open("w", encoding="utf-8")
        self._counts: Counter[str] = Counter()
        self.rows = 0

    def write(self, finding: Finding) -> None:
        node = {"id": "finding:" + finding.posting_id, "label": finding.title[:200] or finding.posting_id,
                "kind": "finding", "risk_score": str(finding.risk_score), "url": finding.url,
                "country": finding.country or "", "posting_id": finding.posting_id, "fetched_at": finding.fetched_at,
                "source": finding.source, "language": finding.language}  # fmt: skip
        self._nodes.write(json.dumps(node, ensure_ascii=False) + "\n")
        for kind, value in entities_of(finding):
            entity = _entity_id(kind, value)
            self._counts[entity] += 1
            # one line per edge: the finding, the entity, the relation (tab separated; ids have no tab)
            self._edges.write(f"finding:{finding.posting_id}\t{entity}\t{kind}\n")
        self.rows += 1

    def _finding_nodes(self) -> Iterator[dict[str, str]]:
        with self._nodes_path.open(encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)

    def _edges_kept(self, shared: set[str]) -> Iterator[tuple[str, str, str]]:
        with self._edges_path.open(encoding="utf-8") as lines:
            for line in lines:
                source, target, relation = line.rstrip("\n").split("\t")
                if target in shared:
                    yield source, target, relation

    def _network_ids(self) -> dict[str, str]:
        if self.networks is None:
            return {}
        found: dict[str, str] = {}
        batch: list[str] = []
        for node in self._finding_nodes():
            batch.append(node["posting_id"])
            if len(batch) >= 1000:
                found.update(self.networks(batch))
                batch = []
        found.update(self.networks(batch) if batch else {})
        return found

    def close(self) -> list[Resource]:
        self._nodes.close()
        self._edges.close()
        shared = {entity for entity, n in self._counts.items() if n >= MIN_SHARED}
        networks = self._network_ids()
        try:
            edges = self._gexf(shared, networks)
            self._graphml(shared, networks)
            ftm_entities = self._ftm(shared, networks)
        finally:
            self._nodes_path.unlink()
            self._edges_path.unlink()
        described = ("a node per finding (with its network) and per entity two findings or more share (kind: phone, "
                     "email, telegram, whatsapp, line, wechat, signal, domain, wallet, phash, cluster), an edge per "
                     "finding and entity")  # fmt: skip
        extra = {"entities_shared": len(shared), "edges": edges, "networks": len(set(networks.values()))}
        return [Resource(FILE, "network", "gexf", "application/gexf+xml", f"GEXF graph (Gephi): {described}",
                         self.rows, extra=extra),
                Resource(GRAPHML, "network-graphml", "graphml", "application/graphml+xml",
                         f"GraphML graph (Gephi, yEd, Cytoscape, networkx, igraph): {described}", self.rows,
                         extra=extra),
                Resource(FTM, "network-entities", "ftm", "application/json+ftm",
                         "FollowTheMoney entities of the graph, one JSON object per line: Organization (a network), "
                         "Article (finding), UserAccount and CryptoWallet (shared entities), Documentation (a finding "
                         "names an entity), UnknownLink (a network posted a finding)", self.rows,
                         extra={"entities": ftm_entities})]  # fmt: skip

    def _gexf(self, shared: set[str], networks: dict[str, str]) -> int:
        edges = 0
        with self.path.open("w", encoding="utf-8") as out:
            out.write(HEADER + "<nodes>\n")
            for node in self._finding_nodes():
                attrs = tuple((name, node.get(name, "")) for name, _ in NODE_ATTRIBUTES[:4])
                attrs += (("network", networks.get(node["posting_id"], "")),)
                out.write(f"<node id={_xml_attr(node['id'])} label={_xml_attr(node['label'])}>"
                          f"{_attvalues(attrs)}</node>\n")  # fmt: skip
            for entity in sorted(shared):
                kind, _, value = entity.partition(":")
                attrs = (("kind", kind), ("findings", str(self._counts[entity])))
                out.write(f"<node id={_xml_attr(entity)} label={_xml_attr(value)}>{_attvalues(attrs)}</node>\n")
            out.write("</nodes>\n<edges>\n")
            for source, target, relation in self._edges_kept(shared):
                out.write(f"<edge id=\"{edges}\" source={_xml_attr(source)} target={_xml_attr(target)}>"
                          f"{_attvalues((('relation', relation),))}</edge>\n")  # fmt: skip
                edges += 1
            out.write("</edges>\n</graph>\n</gexf>\n")
        return edges

    def _graphml(self, shared: set[str], networks: dict[str, str]) -> None:
        def data(pairs: tuple[tuple[str, str], ...]) -> str:
            return "".join(f'<data key="{k}">{_xml_text(v)}</data>' for k, v in pairs if v != "")

        with (self.folder / GRAPHML).open("w", encoding="utf-8") as out:
            out.write(GRAPHML_HEADER)
            for node in self._finding_nodes():
                pairs = (("label", node["label"]), *((n, node.get(n, "")) for n, _ in NODE_ATTRIBUTES[:4]),
                         ("network", networks.get(node["posting_id"], "")))  # fmt: skip
                out.write(f"<node id={_xml_attr(node['id'])}>{data(pairs)}</node>\n")
            for entity in sorted(shared):
                kind, _, value = entity.partition(":")
                pairs = (("label", value), ("kind", kind), ("findings", str(self._counts[entity])))
                out.write(f"<node id={_xml_attr(entity)}>{data(pairs)}</node>\n")
            for n, (source, target, relation) in enumerate(self._edges_kept(shared)):
                out.write(f'<edge id="e{n}" source={_xml_attr(source)} target={_xml_attr(target)}>'
                          f"{data((('relation', relation),))}</edge>\n")  # fmt: skip
            out.write("</graph>\n</graphml>\n")

    def _ftm(self, shared: set[str], networks: dict[str, str]) -> int:
        written = 0
        with (self.folder / FTM).open("w", encoding="utf-8") as out:

            def emit(entity: EntityProxy) -> str:
                nonlocal written
                data = entity.to_dict()
                problem = check_entity(data, reparse=False)
                if problem:
                    raise ExportError(f"FollowTheMoney entity {entity.id} is not valid: {problem}",
                                      hint="this is a bug; please report it with the command that made it")  # fmt: skip
                out.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
                written += 1
                return str(entity.id)

            for network_id in sorted(set(networks.values())):
                org = model.make_entity("Organization")
                org.make_id(PREFIX, "network", network_id)
                org.add("name", f"LureWatch network {network_id}")
                org.add("description", "recruiters behind postings linked by the phones, handles, wallets, images "
                        "and templates they share")  # fmt: skip
                emit(org)
            accounts: dict[str, str] = {}
            for entity in sorted(shared):
                kind, _, value = entity.partition(":")
                if kind in SERVICES:
                    proxy = model.make_entity("UserAccount")
                    proxy.make_id(PREFIX, "account", SERVICES[kind], value)
                    proxy.add("service", SERVICES[kind])
                    proxy.add("username", value)
                elif kind == "wallet":
                    proxy = model.make_entity("CryptoWallet")
                    proxy.make_id(PREFIX, "wallet", value)
                    proxy.add("publicKey", value)
                else:
                    continue  # domains, image hashes and clusters are GEXF/GraphML nodes only
                accounts[entity] = emit(proxy)
            for node in self._finding_nodes():
                article = model.make_entity("Article")
                article.make_id(PREFIX, "finding", node["posting_id"])
                article.add("title", node["label"])
                article.add("sourceUrl", node["url"])
                article.add("retrievedAt", node["fetched_at"])
                article.add("language", node["language"])
                article.add("country", node["country"])
                article.add("publisher", node["source"])
                emit(article)
                posted_by = networks.get(node["posting_id"])
                if posted_by:
                    link = model.make_entity("UnknownLink")
                    link.make_id(PREFIX, "posted", posted_by, node["posting_id"])
                    link.add("subject", make_entity_id(PREFIX, "network", posted_by))
                    link.add("object", article.id)
                    link.add("role", "posting of the network")
                    emit(link)
            for source, target, relation in self._edges_kept(shared):
                if target in accounts:
                    doc = model.make_entity("Documentation")
                    doc.make_id(PREFIX, "link", source, target)
                    doc.add("document", make_entity_id(PREFIX, "finding", source.removeprefix("finding:")))
                    doc.add("entity", accounts[target])
                    doc.add("role", f"contact ({relation})")
                    emit(doc)
        return written


def network_lookup(settings: Any) -> tuple[NetworkLookup, Callable[[], None]]:
    """A lookup of findings' networks in the configured index, and how to close it."""
    from lurewatch.index.networks import open_network_store

    store = open_network_store(settings)

    def lookup(posting_ids: list[str]) -> dict[str, str]:
        return {pid: m.network_id for pid, m in store.members_by_id(posting_ids).items()}

    return lookup, store.close


def _attvalues(pairs: tuple[tuple[str, str], ...]) -> str:
    values = "".join(f'<attvalue for="{name}" value={_xml_attr(value)}/>' for name, value in pairs if value != "")
    return f"<attvalues>{values}</attvalues>"



