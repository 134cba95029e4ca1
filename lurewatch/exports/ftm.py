"""FollowTheMoney entities (JSON lines, one entity per line), for Aleph (``alephclient write-entities``) and
the ``ftm`` tools.

Each finding is an ``Article`` (title, body text, source URL, dates, language, country, mentions); each
contact is a ``UserAccount`` (service + username: Telegram, WhatsApp, LINE, WeChat, Signal, phone, email),
each wallet a ``CryptoWallet``, each located place an ``Address``; ``Documentation`` links the article to
them. Entity ids come from the values, so the same handle is one entity across findings and exports.
Every entity is validated against the FtM model before it is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.proxy import EntityProxy

from lurewatch.errors import ExportError
from lurewatch.exports.writers import Resource

if TYPE_CHECKING:
    from lurewatch.records import Finding

FILE = "entities.ftm.json"
PREFIX = "lurewatch"
SERVICES = (("phones", "Phone"), ("emails", "Email"), ("telegram", "Telegram"), ("whatsapp", "WhatsApp"),
            ("line", "LINE"), ("wechat", "WeChat"), ("signal", "Signal"))  # fmt: skip


def check_entity(data: dict[str, Any], reparse: bool = True) -> str | None:
    """Why ``data`` is not a valid FtM entity, or None: known non-abstract schema, known properties, valid values,
    required properties present; with ``reparse``, also read back as FtM reads a file (cleaning every value)."""
    schema = model.get(str(data.get("schema")))
    if schema is None or schema.abstract:
        return f"unknown or abstract schema {data.get('schema')!r}"
    if not data.get("id"):
        return "no id"
    properties = data.get("properties", {})
    unknown = sorted(set(properties) - set(schema.properties))
    if unknown:
        return f"{schema.name} has no properties {unknown}"
    missing = [name for name in schema.required if not properties.get(name)]
    if missing:
        return f"{schema.name} needs {missing}"
    try:
        schema.validate(data)  # type: ignore[arg-type]
        if reparse:
            EntityProxy.from_dict(data, cleaned=False)
    except InvalidData as exc:
        return f"{schema.name}: {exc} {getattr(exc, 'errors', '')}"
    return None


class FtmWriter:
    def __init__(self, folder: Path) -> None:
        self._fh = (folder / FILE).open("w", encoding="utf-8")
        self._written: set[str] = set()  # ids of entities several findings share
        self._linked: set[str] = set()  # entities the current finding is linked to
        self.rows = 0  # findings
        self.entities = 0

    def _emit(self, entity: EntityProxy, shared: bool = False) -> None:
        """Write ``entity``; ``shared`` ones (contacts, wallets, places) only the first time."""
        if shared and entity.id in self._written:
            return
        data = entity.to_dict()
        problem = check_entity(data, reparse=False)  # made through the model: its values are clean already
        if problem:
            raise ExportError(f"FollowTheMoney entity {entity.id} is not valid: {problem}",
                              hint="this is a bug; please report it with the finding's posting_id")  # fmt: skip
        if shared:
            self._written.add(str(entity.id))
        self._fh.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
        self.entities += 1

    def write(self, finding: Finding) -> None:
        self._linked = set()
        article = model.make_entity("Article")
        article.make_id(PREFIX, "finding", finding.posting_id)
        article.add("title", finding.title or finding.url)
        article.add("bodyText", finding.text)
        article.add("sourceUrl", finding.url)
        article.add("publishedAt", finding.posted_at)
        article.add("retrievedAt", finding.fetched_at)
        article.add("language", finding.language)
        article.add("country", finding.country)
        article.add("author", finding.author)
        article.add("publisher", finding.source)
        article.add("keywords", [i.code for i in finding.indicators])
        article.add("summary", f"risk score {finding.risk_score}/100"
                    + (f"; compound: {finding.compound}" if finding.compound else "")
                    + (f"; cluster: {finding.cluster_id}" if finding.cluster_id else ""))  # fmt: skip
        article.add("phoneMentioned", finding.contacts.phones, quiet=True)  # pseudonyms are not phones: dropped
        article.add("emailMentioned", finding.contacts.emails, quiet=True)
        article.add("locationMentioned", [loc.name for loc in finding.locations])
        self._emit(article)
        for attr, service in SERVICES:
            for value in getattr(finding.contacts, attr):
                account = model.make_entity("UserAccount")
                account.make_id(PREFIX, "account", service, value)
                account.add("service", service)
                account.add("username", value)
                if attr in ("phones", "whatsapp", "signal"):
                    account.add("phone", value, quiet=True)
                if attr == "emails":
                    account.add("email", value, quiet=True)
                self._link(article, account, f"contact ({service})", finding)
        for wallet in finding.wallets:
            entity = model.make_entity("CryptoWallet")
            entity.make_id(PREFIX, "wallet", wallet.chain, wallet.address)
            entity.add("publicKey", wallet.address)
            entity.add("currency", "USDT" if wallet.chain == "tron" else wallet.chain)
            entity.add("blockchain", wallet.chain, quiet=True)
            self._link(article, entity, "payment wallet", finding)
        for loc in finding.locations:
            if loc.lat is None or loc.lon is None:
                continue
            place = model.make_entity("Address")
            place.make_id(PREFIX, "place", loc.name, str(loc.country), f"{loc.lat:.4f}", f"{loc.lon:.4f}")
            place.add("full", loc.name)
            place.add("country", loc.country)
            place.add("region", loc.admin1)
            place.add("latitude", str(loc.lat))
            place.add("longitude", str(loc.lon))
            self._link(article, place, f"location ({loc.source})", finding)
        self.rows += 1

    def _link(self, article: EntityProxy, entity: EntityProxy, role: str, finding: Finding) -> None:
        self._emit(entity, shared=True)
        if str(entity.id) in self._linked:
            return
        self._linked.add(str(entity.id))
        link = model.make_entity("Documentation")
        link.make_id(PREFIX, "link", str(article.id), str(entity.id))
        link.add("document", article.id)
        link.add("entity", entity.id)
        link.add("role", role)
        link.add("date", finding.fetched_at)
        self._emit(link)

    def close(self) -> list[Resource]:
        self._fh.close()
        return [Resource(FILE, "entities", "ftm", "application/json+ftm",
                         "FollowTheMoney entities, one JSON object per line: Article (finding), UserAccount "
                         "(contact), CryptoWallet, Address, Documentation (links)", self.rows,
                         extra={"entities": self.entities})]  # fmt: skip
