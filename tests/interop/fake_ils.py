"""A small fake ILS on pysip2 (a third-party SIP2 ACS framework), for the kiosk's interop tests.

It requires a login, keeps a few patrons and items in memory (any 14-digit item barcode starting
with 3 is a book on the shelf the first time it is asked about), and misbehaves on cue the way
real links do:
  - the first reply to Item Information for item I2 goes out with a corrupted checksum;
  - after answering the checkin of item BYE it closes the connection.
And, when asked on the command line, the way some real servers do:
  --no-repeat-cache   runs a repeated request again (pysip2, like many ACSes, otherwise answers a
                      request with the same sequence number and checksum from a cache; nothing
                      in SIP2 obliges a server to, and a checkout run twice is a renewal);
  --slow ITEM=SECS    answers circulation of ITEM that many seconds late;
  --drop ITEM         closes the connection on any checkout, checkin or renewal of ITEM, as an
                      ACS does whose code chokes on one field of one record;
  --delay SECS        answers everything that many seconds late (a slow ILS);
  --crlf              ends each reply with CR LF (a common server setting), not CR alone;
  --charset NAME      the ACS's character set on the wire (default utf-8; the standard's is cp850);
  --port N            listens on N (default: any free port);
  --password PW       the kiosk's password (default "pw").
Each request is printed to stdout ("REQ <name>"), each circulation run by the ILS as
"RAN <checkout|checkin|renew> <item>", after "PORT <n>" once it listens.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from datetime import datetime, timedelta

import anyio
from pysip2 import (
    CHECKIN,
    CHECKOUT,
    END_PATRON_SESSION,
    ITEM_INFORMATION,
    LOGIN,
    PATRON_INFORMATION,
    RENEW,
    CheckinResponse,
    CheckoutResponse,
    EndSessionResponse,
    ItemInformationResponse,
    LoginResponse,
    PatronInformationResponse,
    RenewResponse,
    SIP2Server,
)
from pysip2.errors import SIP2ProtocolError
from pysip2.models import ItemInformationResponse as ItemInfoModel

PATRONS = {
    "P100": {"name": "Ada Lovelace", "pin": "1234", "email": "ada@example.org"},
    # The kiosk's simulated library's cards, for runs of the kiosk with its example configuration.
    "20234000000019": {"name": "Li Hua", "pin": "1234", "email": None},
    "20234000000050": {"name": "Wang Fang", "pin": "5678", "email": None},
}
ITEMS = {
    "I1": {"title": "Sketch of the Analytical Engine", "holder": None, "hold_for": None},
    "I2": {"title": "Notes by the Translator", "holder": None, "hold_for": None},
    "HOLD1": {"title": "Reserved Reading", "holder": None, "hold_for": "P999"},
    "BYE": {"title": "Goodbye Book", "holder": "P100", "hold_for": None},
    "30234000001130": {"title": "Café Müller", "holder": None, "hold_for": None},
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--password", default="pw")
    parser.add_argument("--no-repeat-cache", action="store_true")
    parser.add_argument("--slow", action="append", default=[], metavar="ITEM=SECS")
    parser.add_argument("--drop", action="append", default=[], metavar="ITEM")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--crlf", action="store_true")
    parser.add_argument("--charset", default="utf-8")
    args = parser.parse_args()
    args.slow = {item: float(secs) for item, secs in (s.split("=", 1) for s in args.slow)}
    return args


ARGS = parse_args()
# pysip2 says why it closes a connection (a field it will not take) at level WARNING.
logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="fake ILS: %(message)s")


def item_record(barcode: str | None):
    """The item, made on first sight for a kiosk-style barcode (14 digits starting with 3)."""
    if not barcode:
        return None
    if barcode not in ITEMS and len(barcode) == 14 and barcode.isdigit() and barcode[0] == "3":
        ITEMS[barcode] = {"title": f"Book {barcode}", "holder": None, "hold_for": None}
    return ITEMS.get(barcode)


def emit(line: str) -> None:
    print(line, flush=True)


def due(days: int) -> str:
    return sip_date(datetime.now() + timedelta(days=days))


def sip_date(when: datetime) -> str:
    return when.strftime("%Y%m%d") + "    " + when.strftime("%H%M%S")


def ran(kind: str, barcode: str) -> None:
    """A circulation the ILS carries out (after its delay, if it is slow to answer)."""
    emit(f"RAN {kind} {barcode}")
    pause = ARGS.slow.get(barcode, 0.0)
    if pause:
        time.sleep(pause)


class FakeIls(SIP2Server):
    corrupted_once = False

    async def _dispatch(self, stream, state, decoded):
        message = decoded.message
        emit(f"REQ {type(message).__name__}")
        if ARGS.delay:
            await anyio.sleep(ARGS.delay)
        item = getattr(message, "item_identifier", None)
        if item in ARGS.drop and type(message).__name__ in (
            "CheckoutRequest",
            "CheckinRequest",
            "RenewRequest",
        ):
            emit(f"DROP {type(message).__name__} {item}")
            raise SIP2ProtocolError(f"cannot process item {item}")
        if ARGS.no_repeat_cache:
            state.last_seq = None
        await super()._dispatch(stream, state, decoded)

    async def _send(self, stream, state, frame: bytes) -> None:
        # Corrupt the first Item Information reply about I2, but remember the intact frame,
        # so a 97 gets the good one.
        if frame.startswith(b"18") and b"ABI2|" in frame and not FakeIls.corrupted_once:
            FakeIls.corrupted_once = True
            bad = bytearray(frame)
            bad[-2] = ord("0") if bad[-2] != ord("0") else ord("1")
            emit("CORRUPTED 18")
            await stream.send(bytes(bad))
            state.last_response = frame
            return
        if ARGS.crlf:
            await stream.send(frame + b"\n")
            state.last_response = frame
            return
        await super()._send(stream, state, frame)

    async def _write_response(self, stream, state, decoded, response):
        await super()._write_response(stream, state, decoded, response)
        if isinstance(response, CheckinResponse) and response.item_identifier == "BYE":
            emit("CLOSING")
            await stream.aclose()
            emit("CLOSED")


app = FakeIls(
    institution_id="INTEROP",
    library_name="pysip2 fake ILS",
    encoding=ARGS.charset,
    login_required=True,
    offline_ok=False,
)


@app.route(LOGIN)
def login(req, ctx) -> LoginResponse:
    ok = req.login_user_id == "kiosk" and req.login_password == ARGS.password
    emit(f"LOGIN {req.login_user_id} {'ok' if ok else 'refused'}")
    return LoginResponse(ok="1" if ok else "0")


@app.route(PATRON_INFORMATION)
def patron_information(req, ctx) -> PatronInformationResponse:
    patron = PATRONS.get(req.patron_identifier)
    charged = tuple(i for i, item in ITEMS.items() if item["holder"] == req.patron_identifier)
    pin_ok = None
    if req.patron_password is not None and patron is not None:
        pin_ok = "Y" if req.patron_password == patron["pin"] else "N"
    return PatronInformationResponse(
        patron_status=" " * 14,
        language=req.language,
        transaction_date=ctx.now_18(),
        hold_items_count="0000",
        overdue_items_count="0000",
        charged_items_count=f"{len(charged):04d}",
        fine_items_count="0000",
        recall_items_count="0000",
        unavailable_holds_count="0000",
        institution_id=req.institution_id,
        patron_identifier=req.patron_identifier,
        personal_name=patron["name"] if patron else "",
        valid_patron="Y" if patron else "N",
        valid_patron_password=pin_ok,
        email_address=patron["email"] if patron else None,
        charged_items=charged if req.summary[2:3] == "Y" else (),
        screen_message=() if patron else ("Patron not found",),
    )


def circulation(req, ctx, model, renewing: bool):
    item = item_record(req.item_identifier)
    ok, message, title = True, (), item["title"] if item else ""
    if item is None:
        ok, message = False, ("Item not found",)
    elif item["hold_for"] not in (None, req.patron_identifier):
        ok, message = False, ("Item on hold for another patron",)
    elif renewing and item["holder"] != req.patron_identifier:
        ok, message = False, ("Item not checked out to you",)
    elif not renewing and item["holder"] is not None:
        ok, message = False, ("Item already checked out",)
    if ok:
        item["holder"] = req.patron_identifier
        # A renewal runs from the later of today and the current due date.
        start = max(datetime.now(), item.get("due") or datetime.now()) if renewing else datetime.now()
        item["due"] = start + timedelta(days=14)
        ran("renew" if renewing else "checkout", req.item_identifier)
    return model(
        ok="1" if ok else "0",
        renewal_ok="Y" if renewing and ok else "N",
        magnetic_media="N",
        desensitize="Y" if ok else "N",
        transaction_date=ctx.now_18(),
        institution_id=req.institution_id,
        patron_identifier=req.patron_identifier,
        item_identifier=req.item_identifier or "",
        title_identifier=title,
        due_date=sip_date(item["due"]) if ok else "",
        screen_message=message,
    )


@app.route(CHECKOUT)
def checkout(req, ctx) -> CheckoutResponse:
    return circulation(req, ctx, CheckoutResponse, renewing=False)


@app.route(RENEW)
def renew(req, ctx) -> RenewResponse:
    return circulation(req, ctx, RenewResponse, renewing=True)


@app.route(CHECKIN)
def checkin(req, ctx) -> CheckinResponse:
    item = item_record(req.item_identifier)
    ok = item is not None and item["holder"] is not None
    if ok:
        item["holder"] = None
        item["due"] = None
        ran("checkin", req.item_identifier)
    return CheckinResponse(
        ok="1" if ok else "0",
        resensitize="Y" if ok else "N",
        magnetic_media="N",
        alert="N",
        transaction_date=ctx.now_18(),
        institution_id=req.institution_id,
        item_identifier=req.item_identifier,
        permanent_location="Main stacks",
        title_identifier=item["title"] if item else None,
        screen_message=() if ok else ("Item not checked out",),
    )


@app.route(ITEM_INFORMATION)
def item_information(req, ctx) -> ItemInfoModel:
    item = item_record(req.item_identifier)
    return ItemInformationResponse(
        circulation_status=("04" if item["holder"] else "03") if item else "01",
        security_marker="02",
        fee_type="01",
        transaction_date=ctx.now_18(),
        due_date=sip_date(item.get("due") or datetime.now()) if item and item["holder"] else None,
        item_identifier=req.item_identifier,
        title_identifier=item["title"] if item else "",
    )


@app.route(END_PATRON_SESSION)
def end_session(req, ctx) -> EndSessionResponse:
    return EndSessionResponse(
        end_session="Y",
        transaction_date=ctx.now_18(),
        institution_id=req.institution_id,
        patron_identifier=req.patron_identifier,
    )


async def main() -> None:
    async with app.start(port=ARGS.port) as port:
        emit(f"PORT {port}")
        await anyio.sleep_forever()


if __name__ == "__main__":
    try:
        anyio.run(main)
    except KeyboardInterrupt:
        sys.exit(0)
