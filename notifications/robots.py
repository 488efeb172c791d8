"""Group-robot message bodies and signing for WeCom (企业微信) and DingTalk (钉钉). Pure: no Django.

WeCom group robot: POST JSON to https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…
  text:     {"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": [phones]}}  (≤ 2048 bytes)
  markdown: {"msgtype": "markdown", "markdown": {"content": …}}                              (≤ 4096 bytes)
DingTalk custom robot: POST JSON to https://oapi.dingtalk.com/robot/send?access_token=…
  text:     {"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": [phones], "isAtAll": false}}
  markdown: {"msgtype": "markdown", "markdown": {"title": …, "text": …}, "at": {…}}
  A mention shows only when "@<phone>" also appears in the content.
  Signed robots (加签): timestamp = now in milliseconds, string_to_sign = f"{timestamp}\\n{secret}",
  sign = urlencode(base64(HMAC-SHA256(key=secret, msg=string_to_sign))), appended as
  "&timestamp=…&sign=…"; DingTalk refuses a timestamp more than an hour off.
Both answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a failure.
"""

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field
from urllib.parse import quote_plus, urlsplit, urlunsplit

WECOM = "wecom"
DINGTALK = "dingtalk"
WECOM_TEXT_LIMIT = 2048
WECOM_MARKDOWN_LIMIT = 4096
DINGTALK_SECRET = re.compile(r"^SEC[0-9A-Za-z]{16,128}$")


@dataclass(frozen=True)
class RobotMessage:
    title: str
    body: str = ""
    link: str = ""  # absolute URL of the item in Luoshi, or ""
    link_label: str = "查看详情"
    names: list[str] = field(default_factory=list)  # people the message is for
    phones: list[str] = field(default_factory=list)  # their mobile numbers, to @-mention them


def _clip(text: str, limit: int) -> str:
    """Cut text to at most `limit` UTF-8 bytes without breaking a character."""
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _plain(message: RobotMessage) -> str:
    lines = [message.title]
    if message.body:
        lines.append(message.body)
    if message.link:
        lines.append(f"{message.link_label}：{message.link}")
    if message.names:
        lines.append("、".join(message.names))
    return "\n".join(lines)


def _markdown_lines(message: RobotMessage, *, heading: str) -> list[str]:
    lines = [f"{heading} {message.title}"]
    if message.body:
        lines += ["", *[f"> {line}" if line else ">" for line in message.body.splitlines()]]
    if message.link:
        lines += ["", f"[{message.link_label}]({message.link})"]
    return lines


def wecom_payload(message: RobotMessage, *, fmt: str = "markdown") -> dict:
    if fmt == "text":
        text: dict = {"content": _clip(_plain(message), WECOM_TEXT_LIMIT)}
        if message.phones:
            text["mentioned_mobile_list"] = list(message.phones)
        return {"msgtype": "text", "text": text}
    # WeCom markdown has no headings worth using in a chat and no @mobile: bold title, names in grey.
    lines = [f"**{message.title}**"]
    if message.body:
        lines += [f"> {line}" for line in message.body.splitlines() if line.strip()]
    if message.link:
        lines.append(f"[{message.link_label}]({message.link})")
    if message.names:
        lines.append(f'<font color="comment">{"、".join(message.names)}</font>')
    return {"msgtype": "markdown", "markdown": {"content": _clip("\n".join(lines), WECOM_MARKDOWN_LIMIT)}}


def dingtalk_payload(message: RobotMessage, *, fmt: str = "markdown") -> dict:
    at = {"atMobiles": list(message.phones), "isAtAll": False}
    mentions = " ".join(f"@{p}" for p in message.phones)
    if fmt == "text":
        content = _plain(message) + (f"\n{mentions}" if mentions else "")
        return {"msgtype": "text", "text": {"content": content}, "at": at}
    lines = _markdown_lines(message, heading="####")
    names = "、".join(message.names)
    tail = " ".join(x for x in (names, mentions) if x)
    if tail:
        lines += ["", tail]
    return {"msgtype": "markdown", "markdown": {"title": message.title, "text": "\n".join(lines)}, "at": at}


def payload(kind: str, message: RobotMessage, *, fmt: str = "markdown") -> dict:
    if kind == WECOM:
        return wecom_payload(message, fmt=fmt)
    if kind == DINGTALK:
        return dingtalk_payload(message, fmt=fmt)
    raise ValueError(f"unknown robot kind {kind!r}")


def encode(body: dict) -> bytes:
    # ensure_ascii=False: the robots take UTF-8, and the message stays readable in a packet capture.
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded."""
    string_to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode("utf-8"), string_to_sign, hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """The robot URL with "&timestamp=…&sign=…" appended (or "?…" when the URL has no query)."""
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def is_dingtalk_secret(secret: str) -> bool:
    return bool(DINGTALK_SECRET.match(secret))


def url_problem(url: str) -> str | None:
    """Why the webhook URL cannot be used ("scheme", "host", "space"), or None when it can."""
    if any(c.isspace() for c in url):
        return "space"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "host"
    if parts.scheme not in ("http", "https"):
        return "scheme"
    if not parts.hostname:
        return "host"
    return None


def redact_url(url: str) -> str:
    """The URL without its query string: robot tokens (key=…, access_token=…) are secrets, never logged."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def response_error(status: int, body: bytes) -> str | None:
    """The robot's refusal as text, or None when it accepted the message."""
    text = body.decode("utf-8", errors="replace")[:500]
    if status != 200:
        return f"HTTP {status}: {text}"
    try:
        answer = json.loads(text or "{}")
    except ValueError:
        return f"not JSON: {text}"
    errcode = answer.get("errcode", 0) if isinstance(answer, dict) else 0
    if errcode not in (0, "0"):
        return f"errcode {errcode}: {answer.get('errmsg', '')}"
    return None
