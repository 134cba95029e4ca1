"""Graph (GEXF 1.3, for Gephi): findings and the entities they share — phones, handles, emails, wallets,
domains, image hashes and near-duplicate clusters — one edge per finding and entity.

Written in two passes over small files: finding nodes and edges go to temporary files as they come, entity
counts stay in memory (one counter per distinct entity); at close, entities seen in two findings or more
become nodes, and only their edges are kept. An entity only one finding carries links nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING
from xml.sax.saxutils import quoteattr

from lurewatch.exports.writers import Resource

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "network.gexf"
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_BLANKS = re.compile(r"[\t\r\n]")
MIN_SHARED = 2
CONTACT_KINDS = (("phone", "phones"), ("email", "emails"), ("telegram", "telegram"), ("whatsapp", "whatsapp"),
                 ("line", "line"), ("wechat", "wechat"), ("signal", "signal"), ("domain", "domains"))  # fmt: skip
HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" version="1.3">
<meta><creator>LureWatch</creator><description>findings and the entities they share</description></meta>
<graph defaultedgetype="undirected" mode="static">
<attributes class="node">
<attribute id="kind" title="kind" type="string"/>
<attribute id="risk_score" title="risk_score" type="integer"/>
<attribute id="url" title="url" type="string"/>
<attribute id="country" title="country" type="string"/>
<attribute id="findings" title="findings" type="integer"/>
</attributes>
<attributes class="edge">
<attribute id="relation" title="relation" type="string"/>
</attributes>
"""


def entities_of(finding: Finding) -> list[tuple[str, str]]:
    """(kind, value) of everything a finding can share with another."""
    found = [(kind, value) for kind, attr in CONTACT_KINDS for value in getattr(finding.contacts, attr)]
    found += [("wallet", w.address) for w in finding.wallets]
    found += [("phash", i.phash) for i in finding.images if i.phash]
    if finding.cluster_id:
        found.append(("cluster", finding.cluster_id))
    return list(dict.fromkeys(found))


def _entity_id(kind: str, value: str) -> str:
    return f"{kind}:{_BLANKS.sub(' ', value)}"


def _xml_attr(value: str) -> str:
    """``value`` quoted for an XML attribute, without the control characters XML 1.0 forbids."""
    return quoteattr(_FORBIDDEN.sub("", value))


class GraphWriter:
    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._nodes_path = folder / ".graph-nodes.tmp"
        self._edges_path = folder / ".graph-edges.tmp"
        self._nodes = self._nodes_path.open("w", encoding="utf-8")
        self._edges = self._edges_path.open("w", encoding="utf-8")
        self._counts: Counter[str] = Counter()
        self.rows = 0

    def write(self, finding: Finding) -> None:
        attrs = (("kind", "finding"), ("risk_score", str(finding.risk_score)), ("url", finding.url),
                 ("country", finding.country or ""))  # fmt: skip
        self._nodes.write(f"<node id={_xml_attr('finding:' + finding.posting_id)} "
                          f"label={_xml_attr(finding.title[:200] or finding.posting_id)}>"
                          f"{_attvalues(attrs)}</node>\n")  # fmt: skip
        for kind, value in entities_of(finding):
            entity = _entity_id(kind, value)
            self._counts[entity] += 1
            # one line per edge: the finding, the entity, the relation (tab separated; ids have no tab)
            self._edges.write(f"finding:{finding.posting_id}\t{entity}\t{kind}\n")
        self.rows += 1

    def close(self) -> list[Resource]:
        self._nodes.close()
        self._edges.close()
        shared = {entity for entity, n in self._counts.items() if n >= MIN_SHARED}
        edges = 0
        with self.path.open("w", encoding="utf-8") as out:
            out.write(HEADER + "<nodes>\n")
            with self._nodes_path.open(encoding="utf-8") as nodes:
                for line in nodes:
                    out.write(line)
            for entity in sorted(shared):
                kind, _, value = entity.partition(":")
                attrs = (("kind", kind), ("findings", str(self._counts[entity])))
                out.write(f"<node id={_xml_attr(entity)} label={_xml_attr(value)}>{_attvalues(attrs)}</node>\n")
            out.write("</nodes>\n<edges>\n")
            with self._edges_path.open(encoding="utf-8") as lines:
                for line in lines:
                    source, target, relation = line.rstrip("\n").split("\t")
                    if target in shared:
                        out.write(f"<edge id=\"{edges}\" source={_xml_attr(source)} target={_xml_attr(target)}>"
                                  f"{_attvalues((('relation', relation),))}</edge>\n")  # fmt: skip
                        edges += 1
            out.write("</edges>\n</graph>\n</gexf>\n")
        self._nodes_path.unlink()
        self._edges_path.unlink()
        return [Resource(FILE, "network", "gexf", "application/gexf+xml",
                         "GEXF graph: a node per finding and per entity two findings or more share "
                         "(kind: phone, email, telegram, whatsapp, line, wechat, signal, domain, wallet, phash, "
                         "cluster), an edge per finding and entity", self.rows,
                         extra={"entities_shared": len(shared), "edges": edges})]  # fmt: skip


def _attvalues(pairs: tuple[tuple[str, str], ...]) -> str:
    values = "".join(f'<attvalue for="{name}" value={_xml_attr(value)}/>' for name, value in pairs if value != "")
    return f"<attvalues>{values}</attvalues>"
