/// The web assistant's page and style: no CDN, no build step. The script (WebScript) builds
/// every dynamic part with textContent or escaped Markdown, never raw model or user HTML.
enum WebPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Muse Spark</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body>
<div id="error" role="alert" hidden></div>
<section id="signin" class="card" hidden>
  <h1>Muse Spark</h1>
  <p class="muted">Your private assistant. Conversations are yours alone; memory is off until you turn it on.</p>
  <a id="oidc" class="button primary" href="/web/oidc/start" hidden>Continue with <span id="oidc-name">OpenID</span></a>
  <form id="local-form">
    <label>User name <input id="username" name="username" autocomplete="username" required minlength="3"></label>
    <label>Password <input id="password" name="password" type="password" autocomplete="current-password" required minlength="8"></label>
    <div class="row">
      <button id="signin-button" type="submit" class="primary">Sign in</button>
      <button id="signup-button" type="button">Create account</button>
    </div>
  </form>
</section>
<div id="app" hidden>
  <aside id="sidebar">
    <button id="new-chat" class="primary">+ New chat</button>
    <nav id="conversations" aria-label="Conversations"></nav>
    <div class="links">
      <button id="open-memory" class="link">Memory</button>
      <button id="open-privacy" class="link">Privacy</button>
      <button id="open-chat-links" class="link">Chat apps</button>
      <a id="open-results" class="link" href="/results">Results</a>
      <button id="signout" class="link">Sign out</button>
      <div id="who" class="muted"></div>
    </div>
  </aside>
  <main>
    <header>
      <button id="menu" aria-label="Conversations" aria-controls="sidebar">☰</button>
      <h2 id="title">New chat</h2>
      <label class="mode">Mode <select id="mode" aria-label="Mode"></select></label>
    </header>
    <section id="chat">
      <div id="messages" aria-live="polite"></div>
      <form id="composer">
        <div id="editing" class="muted" hidden>Editing an earlier message. <button type="button" id="cancel-edit" class="link">Cancel</button></div>
        <div id="attachment" hidden><img id="attachment-image" alt="Picture to send"><button type="button" id="remove-attachment" class="link" aria-label="Remove the picture">✕</button></div>
        <label class="button" id="attach" tabindex="0" title="Attach a picture (or drop or paste one)">Attach<span class="sr"> a picture</span><input id="attach-input" type="file" accept="image/*" hidden></label>
        <textarea id="input" rows="2" placeholder="Message Muse (Enter to send, Shift+Enter for a new line)" aria-label="Message"></textarea>
        <button id="send" type="submit" class="primary">Send</button>
        <button id="stop" type="button" hidden>Stop</button>
      </form>
    </section>
    <section id="memory" class="page" hidden>
      <h2>Memory</h2>
      <p class="muted" id="memory-note"></p>
      <form id="fact-form" class="row"><input id="fact-input" placeholder="Something Muse may remember about you" aria-label="New fact"><button type="submit">Add</button></form>
      <ul id="facts"></ul>
      <button class="back link">← Back to chat</button>
    </section>
    <section id="chat-links" class="page" hidden>
      <h2>Chat apps</h2>
      <p class="muted">Link WhatsApp, Messenger or Instagram to this account: Muse answers there with the memory and privacy settings you chose here.</p>
      <button id="link-code-button" class="primary">Get a link code</button>
      <p id="link-code-box" hidden>Send <code id="link-command"></code> to Muse on WhatsApp, Messenger or Instagram. The code works once, for 10 minutes. Whoever sends it gets answers that use your memory: never share it.</p>
      <h3>Linked chats</h3>
      <ul id="linked-chats"></ul>
      <button class="back link">← Back to chat</button>
    </section>
    <section id="privacy" class="page" hidden>
      <h2>Privacy</h2>
      <label class="check"><input type="checkbox" id="personalisation"> Use my memory to personalise answers</label>
      <label class="check"><input type="checkbox" id="health-consent"> Let Health mode use health details I shared</label>
      <h3>What personalisation used</h3>
      <ul id="uses"></ul>
      <h3>Your data</h3>
      <p class="muted">Nothing you write here is public or shared.</p>
      <button id="export">Export everything (JSON)</button>
      <a id="export-link" download="muse-export.json" hidden>Download the export</a>
      <pre id="export-preview" hidden></pre>
      <h3>Delete account</h3>
      <p class="muted">Deletes your account, conversations, memory and settings for good. Type DELETE to confirm.</p>
      <div class="row"><input id="delete-confirm" aria-label="Type DELETE to confirm"><button id="delete-account" class="danger">Delete my account</button></div>
      <button class="back link">← Back to chat</button>
    </section>
  </main>
</div>
</body>
</html>
"""#

    static let css = #"""
:root { --bg:#f7f7f8; --panel:#fff; --ink:#1d1d1f; --muted:#6b6b76; --line:#e3e3e8; --accent:#4f46e5; --danger:#c62828; }
* { box-sizing: border-box; }
[hidden] { display:none !important; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
button, .button { font:inherit; border:1px solid var(--line); background:var(--panel); border-radius:8px; padding:.45em .9em; cursor:pointer; color:inherit; text-decoration:none; display:inline-block; }
button.primary, .button.primary { background:var(--accent); color:#fff; border-color:var(--accent); }
button.danger { background:var(--danger); color:#fff; border-color:var(--danger); }
button.link { border:0; background:none; color:var(--accent); padding:.2em 0; text-align:left; }
button:focus-visible, a:focus-visible, textarea:focus-visible, input:focus-visible, select:focus-visible { outline:2px solid var(--accent); outline-offset:2px; }
input, textarea, select { font:inherit; border:1px solid var(--line); border-radius:8px; padding:.45em .6em; background:#fff; color:inherit; }
.muted { color:var(--muted); font-size:.9em; }
.row { display:flex; gap:.5em; flex-wrap:wrap; align-items:center; }
#error { position:fixed; top:.6em; left:50%; transform:translateX(-50%); background:#fdecea; color:#8a1c1c; border:1px solid #f5c2c0; padding:.6em 1em; border-radius:8px; z-index:10; max-width:90vw; }
.card { max-width:380px; margin:10vh auto; background:var(--panel); padding:1.6em; border-radius:14px; border:1px solid var(--line); display:flex; flex-direction:column; gap:.8em; }
.card form { display:flex; flex-direction:column; gap:.7em; }
.card label { display:flex; flex-direction:column; gap:.2em; }
#app { display:flex; height:100vh; }
#sidebar { width:260px; flex:none; background:var(--panel); border-right:1px solid var(--line); display:flex; flex-direction:column; padding:.8em; gap:.6em; }
#conversations { flex:1; overflow:auto; display:flex; flex-direction:column; gap:2px; }
#conversations button { border:0; text-align:left; overflow:hidden; white-space:nowrap; text-overflow:ellipsis; background:none; }
#conversations button.current { background:#eef0ff; }
.links { display:flex; flex-direction:column; gap:.2em; border-top:1px solid var(--line); padding-top:.5em; }
main { flex:1; display:flex; flex-direction:column; min-width:0; }
header { display:flex; align-items:center; gap:.8em; padding:.6em 1em; border-bottom:1px solid var(--line); background:var(--panel); }
header h2 { flex:1; margin:0; font-size:1.05em; overflow:hidden; white-space:nowrap; text-overflow:ellipsis; }
#menu { display:none; }
#chat { flex:1; display:flex; flex-direction:column; min-height:0; }
#messages { flex:1; overflow:auto; padding:1em; display:flex; flex-direction:column; gap:.9em; }
.message { max-width:760px; width:100%; margin:0 auto; }
.message .bubble { padding:.6em .9em; border-radius:12px; background:var(--panel); border:1px solid var(--line); overflow-wrap:anywhere; }
.message.user .bubble { background:#eef0ff; border-color:#dcdffb; }
.message .who { font-size:.8em; color:var(--muted); margin-bottom:.2em; }
.message .actions { display:flex; gap:.8em; font-size:.85em; }
.message details { font-size:.9em; color:var(--muted); margin-bottom:.4em; }
.message details pre { white-space:pre-wrap; }
.bubble pre { background:#f1f1f4; padding:.6em; border-radius:8px; overflow:auto; }
.bubble code { background:#f1f1f4; padding:0 .25em; border-radius:4px; }
.bubble p { margin:.3em 0; }
.typing::after { content:"▍"; animation:blink 1s steps(1) infinite; }
@keyframes blink { 50% { opacity:0; } }
#composer { display:flex; gap:.5em; padding:.8em 1em; border-top:1px solid var(--line); background:var(--panel); align-items:flex-end; flex-wrap:wrap; }
#composer textarea { flex:1; min-width:12em; resize:vertical; }
#composer.dropping { outline:2px dashed var(--accent); }
#attachment { flex-basis:100%; display:flex; align-items:flex-start; gap:.3em; }
#attachment img, .bubble-image { max-height:8em; max-width:60%; border-radius:8px; border:1px solid var(--line); }
.sr { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
#editing { width:100%; }
.page { padding:1em 1.4em; overflow:auto; max-width:760px; }
.page li { margin:.3em 0; }
.check { display:block; margin:.4em 0; }
.products { list-style:none; margin:.5em 0; padding:0; display:grid; grid-template-columns:repeat(auto-fill, minmax(300px, 1fr)); gap:.6em; }
.product { display:flex; gap:.7em; background:var(--panel); border:1px solid var(--line); border-radius:12px; padding:.6em; }
.product-image { flex:none; width:96px; height:96px; border-radius:8px; object-fit:cover; background:#f1f1f4; }
.product-body { display:flex; flex-direction:column; gap:.1em; min-width:0; }
.product-title { font-weight:600; overflow-wrap:anywhere; }
.product-price { font-weight:600; }
.product-reason { margin:.2em 0; font-size:.88em; }
.sponsored { align-self:flex-start; font-size:.75em; font-weight:600; text-transform:uppercase; letter-spacing:.04em; background:#fff4d6; color:#6b4e00; border-radius:4px; padding:0 .4em; }
.post-page .page { margin:0 auto; }
.post-body { white-space:pre-wrap; }
#link-command { font-size:1.2em; padding:.2em .5em; }
#export-preview { max-height:14em; overflow:auto; background:#f1f1f4; padding:.6em; border-radius:8px; font-size:.8em; }
@media (max-width: 720px) {
  #sidebar { position:fixed; inset:0 auto 0 0; z-index:5; transform:translateX(-100%); transition:transform .2s; box-shadow:0 0 20px rgba(0,0,0,.2); }
  #sidebar.open { transform:none; }
  #menu { display:inline-block; }
  .mode { font-size:.9em; }
  #messages { padding:.6em; }
}
"""#
}
