"""The fake Zalo Bot API server, checked with a plain HTTP client.

There is no trusted Zalo client library to check it against (see the Zalo reference), so
these tests pin the protocol as the reference describes it: envelopes, status codes, one
update per getUpdates, 408 idle polls, webhook exclusivity and the webhook delivery shape.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from aiohttp import web

from tests.fakes.zalo_server import FakeZalo


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZalo]:
    async with FakeZalo() as server:
        yield server


@pytest.fixture
async def api(zalo: FakeZalo) -> AsyncIterator[httpx.AsyncClient]:
    """A client already rooted at /bot<token>/; trust_env=False keeps proxies out of it."""
    async with httpx.AsyncClient(base_url=f"{zalo.base_url}/bot{zalo.token}/",
                                 trust_env=False, timeout=5) as client:
        yield client


def envelope(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("ok"), bool)
    return body


# ---------------------------------------------------------------- basic methods

async def test_get_me(api: httpx.AsyncClient) -> None:
    response = await api.get("getMe")
    assert response.status_code == 200
    assert envelope(response) == {"ok": True, "result": {
        "id": "2345678901234567890", "account_name": "bot.luanchuyen", "account_type": "BASIC",
        "can_join_groups": False, "display_name": "Bot Luân chuyển"}}


async def test_send_message_is_recorded_in_every_encoding(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    as_json = await api.post("sendMessage", json={"chat_id": "u1", "text": "Xin chào"})
    as_form = await api.post("sendMessage", data={"chat_id": "u1", "text": "123"})
    as_query = await api.get("sendMessage", params={"chat_id": "u1", "text": "qua query"})
    as_multipart = await api.post("sendMessage", data={"chat_id": "u1", "text": "multipart"},
                                  files={"unused": ("a.txt", b"x", "text/plain")})

    results = [envelope(r)["result"] for r in (as_json, as_form, as_query, as_multipart)]
    assert all(isinstance(r["message_id"], str) for r in results)
    assert len({r["message_id"] for r in results}) == 4
    assert all(isinstance(r["date"], int) and r["date"] > 10**12 for r in results)  # ms
    assert [m["text"] for m in zalo.sent(chat_id="u1")] == [
        "Xin chào", "123", "qua query", "multipart"]  # "123" stays text
    assert zalo.sent(chat_id="u2") == []
    assert (await zalo.wait_for(count=4, chat_id="u1"))[0]["chat_id"] == "u1"


async def test_text_length_and_chat_id_are_checked(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    too_long = await api.post("sendMessage", json={"chat_id": "u1", "text": "a" * 2001})
    assert too_long.status_code == 400
    assert envelope(too_long) == {"ok": False, "error_code": 400,
                                  "description": "text must be 1 to 2000 characters"}
    assert (await api.post("sendMessage", json={"chat_id": "u1", "text": ""})).status_code == 400
    assert (await api.post("sendMessage", json={"text": "ai?"})).status_code == 400
    assert (await api.post("sendMessage", json={"chat_id": "u1", "text": "ầ" * 2000})).is_success
    assert [c.status for c in zalo.calls] == [400, 400, 400, 200]


async def test_other_send_methods_are_recorded(zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    action = await api.post("sendChatAction", json={"chat_id": "u1", "action": "typing"})
    photo = await api.post("sendPhoto", json={"chat_id": "u1", "photo": "https://x/a.jpg",
                                              "caption": "ảnh"})
    sticker = await api.post("sendSticker", json={"chat_id": "u1", "sticker": "s1"})
    assert envelope(action)["result"] is True
    assert isinstance(envelope(photo)["result"]["message_id"], str)
    assert isinstance(envelope(sticker)["result"]["message_id"], str)
    assert zalo.sent("sendPhoto")[0]["caption"] == "ảnh"
    assert zalo.sent("sendChatAction", chat_id="u1") == [{"chat_id": "u1", "action": "typing"}]


async def test_wrong_token_unknown_and_miscased_methods(zalo: FakeZalo) -> None:
    async with httpx.AsyncClient(trust_env=False) as client:
        wrong = await client.get(f"{zalo.base_url}/botWRONG/getMe")
        miscased = await client.get(f"{zalo.base_url}/bot{zalo.token}/getme")
        unknown = await client.post(f"{zalo.base_url}/bot{zalo.token}/editMessageText")
    assert wrong.status_code == 401
    assert envelope(wrong) == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    assert (miscased.status_code, envelope(miscased)["error_code"]) == (404, 404)
    assert (unknown.status_code, envelope(unknown)["error_code"]) == (404, 404)


# ---------------------------------------------------------------- updates

async def test_get_updates_returns_one_update_object(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    first = zalo.user_sends("u7", "Thời hạn luân chuyển là bao lâu?")
    zalo.user_sends_image("u7", caption="xem giúp")
    assert len(zalo.pending_updates) == 2

    response = await api.post("getUpdates", json={"timeout": 0})

    assert response.status_code == 200
    update = envelope(response)["result"]
    assert update == first
    assert update["event_name"] == "message.text.received"
    message = update["message"]
    assert message["from"] == {"id": "u7", "display_name": "Cán bộ", "is_bot": False}
    assert message["chat"] == {"id": "u7", "chat_type": "PRIVATE"}
    assert isinstance(message["message_id"], str) and message["date"] > 10**12
    image = envelope(await api.get("getUpdates", params={"timeout": "0"}))["result"]
    assert image["event_name"] == "message.image.received"
    assert image["message"]["caption"] == "xem giúp" and image["message"]["photo_url"]
    assert zalo.pending_updates == []  # consumed when returned: there is no offset


async def test_other_update_kinds_and_raw_updates(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    sticker = zalo.user_sends_sticker("u1")
    voice = zalo.user_sends_voice("u1")
    odd = zalo.user_sends_unsupported("u1")
    group = zalo.user_sends("g1", "@bot hỏi", chat_type="GROUP")
    raw = zalo.queue({"event_name": "message.reaction.received"})
    again = zalo.resend(sticker)

    got = [envelope(await api.post("getUpdates", json={"timeout": 0}))["result"]
           for _ in range(6)]

    assert got == [sticker, voice, odd, group, raw, again]
    assert [u.get("event_name") for u in got[:3]] == [
        "message.sticker.received", "message.voice.received", "message.unsupported.received"]
    assert group["message"]["from"]["id"] != "g1"  # a group id is not its member's id
    assert again["message"]["message_id"] == sticker["message"]["message_id"]
    message_ids = [u["message"]["message_id"] for u in (sticker, voice, odd, group)]
    assert len(set(message_ids)) == 4


async def test_idle_poll_answers_408_after_its_timeout(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    started = time.monotonic()
    response = await api.post("getUpdates", json={"timeout": 1})
    elapsed = time.monotonic() - started
    assert response.status_code == 408
    assert envelope(response) == {"ok": False, "error_code": 408,
                                  "description": "Request timeout"}
    assert 0.9 < elapsed < 2


async def test_waiting_poll_returns_as_soon_as_a_user_sends(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    poll = asyncio.create_task(api.post("getUpdates", json={"timeout": 5}))
    await zalo.wait_until_polling()
    started = time.monotonic()

    sent = zalo.user_sends("u3", "có ai không?")

    response = await asyncio.wait_for(poll, timeout=1)
    assert time.monotonic() - started < 1
    assert envelope(response)["result"] == sent
    assert zalo.polling == 0


async def test_stop_releases_a_waiting_poll() -> None:
    async with FakeZalo() as zalo, httpx.AsyncClient(trust_env=False) as client:
        poll = asyncio.create_task(
            client.post(f"{zalo.base_url}/bot{zalo.token}/getUpdates", json={"timeout": 30}))
        await zalo.wait_until_polling()
        await zalo.stop()
        response = await asyncio.wait_for(poll, timeout=2)
    assert response.status_code == 408


# ---------------------------------------------------------------- faults

async def test_fail_answers_429_then_succeeds(zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    zalo.fail("sendMessage")
    refused = await api.post("sendMessage", json={"chat_id": "u1", "text": "a"})
    accepted = await api.post("sendMessage", json={"chat_id": "u1", "text": "b"})

    assert refused.status_code == 429
    assert envelope(refused) == {"ok": False, "error_code": 429,
                                 "description": "Too Many Requests"}
    assert accepted.status_code == 200
    assert [m["text"] for m in zalo.sent()] == ["b"]
    assert zalo.too_many_requests_sent == 1


async def test_fail_5xx_for_one_chat_and_blocked_user(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    zalo.fail("sendMessage", status=502, times=2, chat_id="u2")
    zalo.block("u4")

    assert (await api.post("sendMessage", json={"chat_id": "u1", "text": "x"})).is_success
    for _ in range(2):
        bad = await api.post("sendMessage", json={"chat_id": "u2", "text": "x"})
        assert (bad.status_code, envelope(bad)["description"]) == (502, "Bad Gateway")
    assert (await api.post("sendMessage", json={"chat_id": "u2", "text": "x"})).is_success
    blocked = await api.post("sendMessage", json={"chat_id": "u4", "text": "x"})
    assert blocked.status_code == 403 and "blocked" in envelope(blocked)["description"]

    zalo.unblock("u4")
    assert (await api.post("sendMessage", json={"chat_id": "u4", "text": "x"})).is_success


async def test_listeners_and_wait_for_failure_message(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    seen: list[str] = []
    zalo.listeners.append(lambda call: seen.append(f"{call.status} {call.method}"))
    await api.post("sendMessage", json={"chat_id": "u8", "text": "khác"})
    assert seen == ["200 sendMessage"]
    with pytest.raises(AssertionError, match=r"(?s)expected 1 successful sendMessage.*u9.*khác"):
        await zalo.wait_for(chat_id="u9", timeout=0.1)


# ---------------------------------------------------------------- webhook

async def test_set_webhook_checks_the_secret(zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    info = await api.get("getWebhookInfo")
    assert (info.status_code, envelope(info)["error_code"]) == (404, 404)

    short = await api.post("setWebhook", json={"url": "https://bot.example/zalo",
                                                "secret_token": "1234567"})
    assert short.status_code == 400 and zalo.webhook is None

    ok = await api.post("setWebhook", json={"url": "https://bot.example/zalo",
                                             "secret_token": "s" * 8})
    assert ok.is_success
    assert zalo.webhook == ("https://bot.example/zalo", "s" * 8)
    info_body = envelope(await api.get("getWebhookInfo"))["result"]
    assert info_body["url"] == "https://bot.example/zalo"
    assert isinstance(info_body["updated_at"], int)


async def test_polling_is_refused_while_a_webhook_is_set(
        zalo: FakeZalo, api: httpx.AsyncClient) -> None:
    await api.post("setWebhook", data={"url": "https://bot.example/zalo",
                                       "secret_token": "secret-123"})
    zalo.user_sends("u1", "alo")

    refused = await api.post("getUpdates", json={"timeout": 0})
    assert refused.status_code == 409
    assert "webhook" in envelope(refused)["description"].lower()

    assert (await api.post("deleteWebhook")).is_success
    assert zalo.webhook is None
    assert envelope(await api.post("getUpdates", json={"timeout": 0}))["result"]["message"][
        "text"] == "alo"
    idle = await api.post("getUpdates", json={"timeout": 0})
    assert idle.status_code == 408


async def test_deliver_webhook_wrapped_and_flat(zalo: FakeZalo) -> None:
    received: list[tuple[str | None, Any]] = []

    async def hook(request: web.Request) -> web.Response:
        received.append((request.headers.get("X-Bot-Api-Secret-Token"), await request.json()))
        return web.Response(status=200 if len(received) < 3 else 403)

    app = web.Application()
    app.router.add_post("/zalo", hook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/zalo"
    try:
        update = zalo.user_sends("u1", "qua webhook")
        assert await zalo.deliver_webhook(url, update, secret="secret-123") == 200
        assert await zalo.deliver_webhook(url, update, secret="secret-123", wrapped=False) == 200
        assert await zalo.deliver_webhook(url, update, secret=None) == 403
    finally:
        await runner.cleanup()

    assert received == [
        ("secret-123", {"ok": True, "result": update}),
        ("secret-123", update),
        (None, {"ok": True, "result": update}),
    ]
