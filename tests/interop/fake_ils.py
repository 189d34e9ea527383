"""A small fake ILS on pysip2 (a third-party SIP2 ACS framework), for the kiosk's interop test.

It requires a login, keeps a few patrons and items in memory, and misbehaves on cue the way
real links do:
  - the first reply to Item Information for item I2 goes out with a corrupted checksum;
  - after answering the checkin of item BYE it closes the connection.
Each request is printed to stdout ("REQ <name>"), after "PORT <n>" once it listens.
"""

from __future__ import annotations

import sys
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
from pysip2.models import ItemInformationResponse as ItemInfoModel

PATRONS = {"P100": {"name": "Ada Lovelace", "pin": "1234", "email": "ada@example.org"}}
ITEMS = {
    "I1": {"title": "Sketch of the Analytical Engine", "holder": None, "hold_for": None},
    "I2": {"title": "Notes by the Translator", "holder": None, "hold_for": None},
    "HOLD1": {"title": "Reserved Reading", "holder": None, "hold_for": "P999"},
    "BYE": {"title": "Goodbye Book", "holder": "P100", "hold_for": None},
}


def emit(line: str) -> None:
    print(line, flush=True)


def due(days: int) -> str:
    when = datetime.now() + timedelta(days=days)
    return when.strftime("%Y%m%d") + "    " + "235900"


class FakeIls(SIP2Server):
    corrupted_once = False

    async def _dispatch(self, stream, state, decoded):
        emit(f"REQ {type(decoded.message).__name__}")
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
        await super()._send(stream, state, frame)

    async def _write_response(self, stream, state, decoded, response):
        await super()._write_response(stream, state, decoded, response)
        if isinstance(response, CheckinResponse) and response.item_identifier == "BYE":
            emit("CLOSING")
            await stream.aclose()


app = FakeIls(
    institution_id="INTEROP",
    library_name="pysip2 fake ILS",
    encoding="utf-8",
    login_required=True,
    offline_ok=False,
)


@app.route(LOGIN)
def login(req, ctx) -> LoginResponse:
    ok = req.login_user_id == "kiosk" and req.login_password == "pw"
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
    item = ITEMS.get(req.item_identifier or "")
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
        due_date=due(21 if renewing else 14) if ok else "",
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
    item = ITEMS.get(req.item_identifier)
    ok = item is not None and item["holder"] is not None
    if ok:
        item["holder"] = None
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
    item = ITEMS.get(req.item_identifier)
    return ItemInformationResponse(
        circulation_status=("04" if item["holder"] else "03") if item else "01",
        security_marker="02",
        fee_type="01",
        transaction_date=ctx.now_18(),
        due_date=due(14) if item and item["holder"] else None,
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
    async with app.start() as port:
        emit(f"PORT {port}")
        await anyio.sleep_forever()


if __name__ == "__main__":
    try:
        anyio.run(main)
    except KeyboardInterrupt:
        sys.exit(0)
