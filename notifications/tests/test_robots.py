"""The pure robot module: message bodies, DingTalk's signature, URL checks, robot answers."""

import base64
import hashlib
import hmac
import json
from urllib.parse import parse_qs, unquote_plus, urlsplit

from notifications import robots

MESSAGE = robots.RobotMessage(
    title="报送逾期3个工作日：T005 老旧小区改造提升",
    body="区住建局尚未报送2021年12月19日的进展。\n请尽快报送。",
    link="http://luoshi.example/reports/",
    names=["区住建局填报员", "区住建局负责人"],
    phones=["13800000001"],
)


def test_dingtalk_signature_matches_the_published_rule():
    secret, timestamp = "SECabc123", 1700000000000
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert unquote_plus(robots.dingtalk_sign(secret, timestamp)) == base64.b64encode(digest).decode()


def test_the_signature_is_url_encoded_and_appended_to_the_token():
    url = robots.signed_url("https://oapi.dingtalk.com/robot/send?access_token=T", "SECabc123", 1700000000000)
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert query["access_token"] == ["T"] and query["timestamp"] == ["1700000000000"]
    assert "+" not in url.split("sign=")[1] and "/" not in url.split("sign=")[1]  # base64 escaped
    assert query["sign"] == [unquote_plus(robots.dingtalk_sign("SECabc123", 1700000000000))]


def test_a_url_without_a_query_gets_one():
    assert robots.signed_url("http://robot.local/send", "SECx" * 5, 1).startswith(
        "http://robot.local/send?timestamp=1&"
    )


def test_wecom_markdown_body():
    body = robots.wecom_payload(MESSAGE)
    assert body == {
        "msgtype": "markdown",
        "markdown": {
            "content": "**报送逾期3个工作日：T005 老旧小区改造提升**\n"
            "> 区住建局尚未报送2021年12月19日的进展。\n"
            "> 请尽快报送。\n"
            "[查看详情](http://luoshi.example/reports/)\n"
            '<font color="comment">区住建局填报员、区住建局负责人</font>'
        },
    }


def test_wecom_text_body_mentions_by_mobile_and_stays_under_2048_bytes():
    long = robots.RobotMessage(title="标题", body="很长的正文" * 1000, phones=["13800000001"])
    body = robots.wecom_payload(long, fmt="text")
    assert body["msgtype"] == "text"
    assert body["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert len(body["text"]["content"].encode("utf-8")) <= 2048
    assert body["text"]["content"].endswith("…")


def test_dingtalk_markdown_and_text_bodies():
    md = robots.dingtalk_payload(MESSAGE)
    assert md["msgtype"] == "markdown"
    assert md["markdown"]["title"] == MESSAGE.title
    assert md["markdown"]["text"].splitlines()[0] == "#### 报送逾期3个工作日：T005 老旧小区改造提升"
    assert md["markdown"]["text"].endswith("区住建局填报员、区住建局负责人 @13800000001")
    assert md["at"] == {"atMobiles": ["13800000001"], "isAtAll": False}
    text = robots.dingtalk_payload(MESSAGE, fmt="text")
    assert text["msgtype"] == "text" and text["text"]["content"].endswith("@13800000001")


def test_bodies_are_utf8_json_not_escaped():
    raw = robots.encode(robots.payload("wecom", MESSAGE))
    assert "老旧小区".encode() in raw
    assert json.loads(raw.decode("utf-8"))["msgtype"] == "markdown"


def test_url_problems():
    assert robots.url_problem("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=1") is None
    assert robots.url_problem("http://robot-gw:8080/send") is None  # intranet gateway without a dot
    assert robots.url_problem("ftp://robot/send") == "scheme"
    assert robots.url_problem("file:///etc/passwd") == "scheme"
    assert robots.url_problem("javascript:alert(1)") == "scheme"
    assert robots.url_problem("https://") == "host"
    assert robots.url_problem("https://robot:99999/send") == "host"
    assert robots.url_problem("https://robot/send key") == "space"


def test_dingtalk_secret_shape():
    assert robots.is_dingtalk_secret("SEC" + "a1" * 32)
    assert not robots.is_dingtalk_secret("a1" * 32)  # no SEC prefix
    assert not robots.is_dingtalk_secret("SEC short")
    assert not robots.is_dingtalk_secret("SEC" + "中" * 20)


def test_robot_answers():
    assert robots.response_error(200, b'{"errcode":0,"errmsg":"ok"}') is None
    assert robots.response_error(200, b'{"errcode":310000,"errmsg":"sign not match"}') == (
        "errcode 310000: sign not match"
    )
    assert robots.response_error(502, b"Bad gateway") == "HTTP 502: Bad gateway"
    assert robots.response_error(200, b"<html>") == "not JSON: <html>"


def test_redacted_urls_drop_the_token():
    assert robots.redact_url("https://oapi.dingtalk.com/robot/send?access_token=secret") == (
        "https://oapi.dingtalk.com/robot/send"
    )
