"""End-to-end test of the web assistant in a real headless Chromium, driven through
chromedriver's W3C WebDriver HTTP protocol with only the standard library.

It signs in through the loopback OpenID provider (oidc_provider.py), sends a message and
watches the answer stream in, checks an XSS payload renders as text, switches to Thinking mode
and opens its reasoning panel, adds a memory fact, asks for a chat-app link code, turns
personalisation on, exports the data, asks in Shopping mode (product cards with a picture that
loads, a price, a reason; Dismiss keeps the product out of the regenerated answer; hostile
catalogue text stays text), and deletes the account; screenshots of the main screens at desktop
and phone widths go to SHOTS. scripts/web-e2e.sh starts the provider, `muse serve` and
chromedriver and runs it.

Environment: MUSE_URL, WEBDRIVER_URL, SHOTS (folder), CHROMIUM (binary).
"""
import base64
import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

MUSE = os.environ["MUSE_URL"]
DRIVER = os.environ["WEBDRIVER_URL"]
SHOTS = os.environ["SHOTS"]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LABEL = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "ImagingTests", "Fixtures", "nutrition-label.png"))
# Answers of the 135M model on two shared cores (a debug build is several times slower).
ANSWER_TIMEOUT_S = 480
STEP_TIMEOUT_S = 20
DESKTOP = (1280, 860)
PHONE = (390, 844)


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(DRIVER + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=ANSWER_TIMEOUT_S) as response:
            return json.loads(response.read() or b"{}").get("value")
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"webdriver {method} {path}: {error.code} {error.read()[:500]!r}") from None


class Browser:
    def __init__(self):
        options = {"binary": CHROMIUM, "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                 f"--window-size={DESKTOP[0]},{DESKTOP[1]}"]}
        value = call("POST", "/session", {"capabilities": {"alwaysMatch": {"browserName": "chrome", "goog:chromeOptions": options}}})
        self.session = "/session/" + value["sessionId"]

    def go(self, url):
        call("POST", self.session + "/url", {"url": url})

    def js(self, script, *args):
        return call("POST", self.session + "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        value = call("POST", self.session + "/element", {"using": "css selector", "value": css})
        return next(iter(value.values()))

    def click(self, css):
        call("POST", f"{self.session}/element/{self.find(css)}/click", {})

    def type(self, css, text):
        call("POST", f"{self.session}/element/{self.find(css)}/value", {"text": text})

    def wait(self, script, what, timeout=STEP_TIMEOUT_S):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.js(script)
            if value:
                return value
            time.sleep(0.1)
        error = self.js("return document.querySelector('#error').hidden ? '' : document.querySelector('#error').textContent")
        raise AssertionError(f"timed out waiting for {what}; page error: {error!r}")

    def viewport(self, size, mobile):
        call("POST", self.session + "/goog/cdp/execute", {"cmd": "Emulation.setDeviceMetricsOverride",
             "params": {"width": size[0], "height": size[1], "deviceScaleFactor": 1, "mobile": mobile}})

    def shot(self, name):
        png = base64.b64decode(call("GET", self.session + "/screenshot"))
        with open(os.path.join(SHOTS, name + ".png"), "wb") as file:
            file.write(png)
        print(f"e2e: screenshot {name}.png ({len(png)} bytes)", flush=True)

    def quit(self):
        call("DELETE", self.session)


VISIBLE = "const e = document.querySelector(%r); return !!e && !e.hidden && e.offsetParent !== null;"
ANSWER_DONE = """const a = [...document.querySelectorAll('.message.assistant .bubble')];
return a.length >= %d && !document.body.dataset.busy && document.querySelector('#stop').hidden
  && a[a.length - 1].textContent.trim().length > 0 ? a[a.length - 1].textContent : null;"""
# Counts the changes of the answer's text while it is still marked as typing: more than one
# means it arrived in pieces (streamed), not in one go.
# The product ids of the cards on the page that were not dismissed.
CARDS = "return [...document.querySelectorAll('.message.assistant .product:not(.dismissed)')].map(c => c.dataset.product)"
# Catalogue text that tries to be markup, rendered by the page's own card code.
HOSTILE_CARD = """const hostile = {product_id: 'x"><img src=x onerror=window.__xss=2>', title: '<img src=x onerror="window.__xss=2">',
  brand: '<b>b</b>', price: '<i>1.00</i>', currency: 'EUR', in_stock: true, reason: '<script>window.__xss=2</script>',
  sponsored: true, post_id: '"><script>window.__xss=2</script>', image_url: 'javascript:window.__xss=2'};
const view = productCardsView([hostile]); view.id = 'hostile-card'; document.querySelector('#messages').append(view);"""
WATCH_STREAM = """window.__updates = 0;
new MutationObserver(() => { if (document.querySelector('.typing')) window.__updates++; })
  .observe(document.querySelector('#messages'), {childList: true, subtree: true, characterData: true});"""


def send(browser, text, answers):
    browser.js(WATCH_STREAM)
    browser.type("#input", text)
    browser.click("#send")
    answer = browser.wait(ANSWER_DONE % answers, f"answer {answers}", ANSWER_TIMEOUT_S)
    return answer, browser.js("return window.__updates")


def shopping(browser):
    """Shopping mode on the seeded world (scripts/web-e2e.sh): cards, a picture, Dismiss, escaping."""
    browser.viewport(DESKTOP, False)
    browser.click("#new-chat")
    browser.js("const m = document.querySelector('#mode'); m.value = 'shopping'; m.dispatchEvent(new Event('change'));")
    send(browser, "A cosy throw blanket or candle for my home under 60", 1)
    cards = browser.wait(CARDS, "the product cards")
    browser.wait("const i = document.querySelector('.message.assistant .product img');"
                 " return !!i && i.complete && i.naturalWidth > 0", "a product picture that loads")
    price = browser.js("return document.querySelector('.message.assistant .product .product-price').textContent")
    assert re.search(r"\d+\.\d\d", price), f"no price on the card: {price!r}"
    reason = browser.js("return document.querySelector('.message.assistant .product .product-reason').textContent")
    assert reason.strip(), "no reason on the card"
    browser.shot("desktop-shopping")
    print(f"e2e: Shopping answered with {len(cards)} cards, the first at {price!r}: {reason[:80]!r}", flush=True)

    browser.js("document.querySelector('.message.assistant .product button[aria-label^=\"Dismiss\"]').click()")
    browser.wait("return document.querySelectorAll('.message.assistant .product.dismissed').length === 1", "the dismissed card")
    browser.js("[...document.querySelectorAll('.message.assistant button')].find(b => b.textContent === 'Regenerate').click()")
    after = browser.wait("const c = [...document.querySelectorAll('.message.assistant .product:not(.dismissed)')];"
                         " return !document.body.dataset.busy && c.length ? c.map(e => e.dataset.product) : null", "the regenerated cards")
    assert cards[0] not in after, f"the dismissed {cards[0]} came back: {after}"
    print(f"e2e: dismissed {cards[0]}; the regenerated answer leaves it out", flush=True)

    browser.js(HOSTILE_CARD)
    time.sleep(0.3)
    assert browser.js("return window.__xss === undefined"), "hostile catalogue text ran"
    assert browser.js("return document.querySelectorAll('#hostile-card b, #hostile-card i, #hostile-card script,"
                      " #hostile-card img:not(.product-image)').length === 0"), "catalogue text was rendered as markup"
    assert "<b>b</b>" in browser.js("return document.querySelector('#hostile-card').textContent")
    browser.js("document.querySelector('#hostile-card').remove()")
    print("e2e: hostile catalogue text rendered as text", flush=True)


def main():
    os.makedirs(SHOTS, exist_ok=True)
    browser = Browser()
    try:
        browser.viewport(DESKTOP, False)
        browser.go(MUSE + "/")
        browser.wait(VISIBLE % "#oidc", "the sign-in page with the OpenID button")
        assert "Test OpenID" in browser.js("return document.querySelector('#oidc').textContent")
        browser.shot("desktop-signin")

        # Sign in through the provider: discovery, PKCE, state, nonce, the signed ID token.
        browser.click("#oidc")
        browser.wait(VISIBLE % "#app", "the app after the OpenID sign-in")
        assert "E2E Tester" in browser.js("return document.querySelector('#who').textContent")
        cookies = call("GET", browser.session + "/cookie")
        session = next(c for c in cookies if c["name"] == "muse_session")
        assert session["httpOnly"] and session.get("sameSite") == "Lax", session
        print("e2e: signed in through the OpenID provider", flush=True)

        answer, updates = send(browser, "What is the capital of France?", 1)
        assert updates > 1, f"the answer did not stream ({updates} updates)"
        print(f"e2e: streamed answer in {updates} updates: {answer[:80]!r}", flush=True)
        browser.shot("desktop-chat")

        payload = '<img src=x onerror="window.__xss=1"><b>bold?</b>'
        send(browser, payload, 2)
        assert browser.js("return window.__xss === undefined"), "the XSS payload ran"
        assert browser.js("return document.querySelectorAll('#messages img, #messages b').length === 0"), "markup from text was rendered"
        assert payload in browser.js("return [...document.querySelectorAll('.message.user .bubble')].map(b => b.textContent).join('|')")
        print("e2e: the XSS payload rendered as text", flush=True)

        browser.js("const m = document.querySelector('#mode'); m.value = 'thinking'; m.dispatchEvent(new Event('change'));")
        send(browser, "If I have 3 apples and buy 2 more, how many apples do I have?", 3)
        browser.wait("const t = [...document.querySelectorAll('.message.assistant .thinking')].pop();"
                     " return t && !t.hidden && t.querySelector('pre').textContent.length > 0", "the Thinking panel")
        assert browser.js("return [...document.querySelectorAll('.message.assistant .who')].pop().textContent").endswith("thinking")
        browser.js("[...document.querySelectorAll('.message.assistant .thinking')].pop().open = true")
        browser.shot("desktop-thinking")
        print("e2e: Thinking mode answered with its reasoning panel", flush=True)

        # A picture through the file picker (a phone offers its camera there): the rendered label
        # of the Imaging tests, read by OCR on the server before the model answers.
        browser.js("const m = document.querySelector('#mode'); m.value = 'instant'; m.dispatchEvent(new Event('change'));")
        call("POST", f"{browser.session}/element/{browser.find('#attach-input')}/value", {"text": LABEL})
        browser.wait(VISIBLE % "#attachment", "the attached picture's preview")
        answer, _ = send(browser, "What does the label say about energy?", 4)
        assert browser.js("return document.querySelectorAll('.message.user img.bubble-image').length === 1"), "the picture is not shown"
        assert browser.js("return document.querySelector('#attachment').hidden"), "the preview stayed after sending"
        browser.shot("desktop-image")
        print(f"e2e: a picture went with a message; the answer: {answer[:100]!r}", flush=True)

        browser.click("#open-memory")
        browser.wait(VISIBLE % "#fact-form", "the memory page")
        browser.type("#fact-input", "I prefer metric units")
        browser.click("#fact-form button")
        browser.wait("return document.querySelectorAll('#facts input').length === 1", "the new fact")
        browser.shot("desktop-memory")

        # Chat apps: a one-time link code to send from WhatsApp, Messenger or Instagram.
        browser.click("#open-chat-links")
        browser.wait("return document.querySelector('#linked-chats').textContent.includes('No chat app is linked')", "the chat apps page")
        browser.click("#link-code-button")
        command = browser.wait("const c = document.querySelector('#link-command');"
                               " return !document.querySelector('#link-code-box').hidden && c.textContent", "the link code")
        assert re.fullmatch(r"link [A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", command), command
        browser.shot("desktop-chat-links")
        print(f"e2e: the chat apps page shows {command!r}", flush=True)

        browser.click("#open-privacy")
        browser.wait(VISIBLE % "#export", "the privacy page")
        assert not browser.js("return document.querySelector('#personalisation').checked"), "personalisation must start off"
        browser.click("#personalisation")
        browser.click("#export")
        exported = browser.wait("const p = document.querySelector('#export-preview'); return !p.hidden && p.textContent", "the export")
        data = json.loads(exported)
        assert data["settings"]["personalisation"] is True and data["memory"][0]["text"] == "I prefer metric units"
        assert len(data["conversations"]) == 1 and len(data["conversations"][0]["messages"]) == 8
        assert data["conversations"][0]["messages"][6]["image"].startswith("data:image/png;base64,")
        assert data["identities"][0]["subject"] == "e2e-user-0001"
        browser.shot("desktop-privacy")
        print("e2e: exported the account's data", flush=True)

        browser.viewport(PHONE, True)
        browser.click("#menu")
        browser.wait("return document.querySelector('#sidebar').classList.contains('open')", "the phone menu")
        time.sleep(0.4)  # the slide-in transition
        browser.shot("phone-menu")
        browser.click("#conversations button")
        browser.wait("return document.querySelectorAll('.message').length === 8", "the conversation on the phone")
        browser.shot("phone-chat")

        shopping(browser)
        browser.viewport(PHONE, True)

        browser.click("#menu")
        browser.click("#open-privacy")
        browser.type("#delete-confirm", "DELETE")
        browser.click("#delete-account")
        browser.wait(VISIBLE % "#signin", "the sign-in page after deletion")
        browser.shot("phone-signin")
        assert "deleted" in browser.js("return document.querySelector('#error').textContent")
        browser.click("#error")  # dismisses the notice
        # Signing in again with the same provider account makes a new, empty account.
        browser.viewport(DESKTOP, False)
        browser.click("#oidc")
        browser.wait(VISIBLE % "#app", "the app after signing in again")
        listed = browser.js("return fetch('/web/conversations').then(r => r.text())")
        assert listed == "[]", f"the new account sees {listed}"
        print("e2e: the deleted account's data is gone", flush=True)
    finally:
        browser.quit()
    print("e2e: all checks passed", flush=True)


if __name__ == "__main__":
    try:
        main()
    except (AssertionError, RuntimeError) as error:
        print(f"e2e: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
