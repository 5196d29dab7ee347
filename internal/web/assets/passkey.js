// Passkeys for Padlock: the one script the site serves. A form marked
// data-webauthn="create" or "get" carries the server's options in
// data-options; one marked "signin" fetches them from its data-begin URL
// (a sign-in with a passkey alone, whose challenge is made per attempt).
// On submit the browser is asked for a passkey, its answer is put, as JSON,
// in the form's hidden "credential" field, and the form is posted as usual.
// Without WebAuthn the passkey parts stay hidden and the page works as
// before.
(function () {
  "use strict";
  if (!window.PublicKeyCredential || !navigator.credentials) {
    return;
  }

  function bytes(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) { s += "="; }
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) { out[i] = bin.charCodeAt(i); }
    return out.buffer;
  }

  function b64url(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) { s += String.fromCharCode(b[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function ids(list) {
    return (list || []).map(function (c) {
      var d = { type: c.type, id: bytes(c.id) };
      if (c.transports) { d.transports = c.transports; }
      return d;
    });
  }

  function creationOptions(o) {
    o.challenge = bytes(o.challenge);
    o.user.id = bytes(o.user.id);
    o.excludeCredentials = ids(o.excludeCredentials);
    return o;
  }

  function requestOptions(o) {
    o.challenge = bytes(o.challenge);
    o.allowCredentials = ids(o.allowCredentials);
    return o;
  }

  function answer(cred) {
    var r = cred.response, out = {
      id: cred.id, rawId: b64url(cred.rawId), type: cred.type,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: b64url(r.clientDataJSON) }
    };
    if (cred.authenticatorAttachment) { out.authenticatorAttachment = cred.authenticatorAttachment; }
    if (r.attestationObject) {
      out.response.attestationObject = b64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = b64url(r.authenticatorData);
      out.response.signature = b64url(r.signature);
      if (r.userHandle) { out.response.userHandle = b64url(r.userHandle); }
    }
    return JSON.stringify(out);
  }

  function wire(form) {
    var mode = form.getAttribute("data-webauthn");
    var field = form.querySelector("input[name=credential]");
    var status = form.querySelector("[data-webauthn-status]");
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      if (field.value) { return; }
      ev.preventDefault();
      if (status) { status.textContent = "Waiting for your passkey or security key…"; }
      var ask;
      if (mode === "signin") {
        ask = fetch(form.getAttribute("data-begin"), { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (res) { return res.json(); })
          .then(function (o) {
            if (o.error) { throw { server: o.error.message }; }
            return navigator.credentials.get({ publicKey: requestOptions(o.publicKey) });
          });
      } else {
        var opts = JSON.parse(form.getAttribute("data-options")).publicKey;
        ask = mode === "create" ?
          navigator.credentials.create({ publicKey: creationOptions(opts) }) :
          navigator.credentials.get({ publicKey: requestOptions(opts) });
      }
      ask.then(function (cred) {
        field.value = answer(cred);
        form.submit();
      }, function (err) {
        if (status && err.server) {
          status.textContent = err.server; // the server's refusal says what to do
        } else if (status) {
          status.textContent = "No passkey was used (" + err.name + "). Try again" +
            (mode === "get" ? ", or use your authenticator app or a recovery code below." :
              mode === "signin" ? ", or sign in with your email and password." : ".");
        }
      });
    });
  }

  var forms = document.querySelectorAll("form[data-webauthn]");
  for (var i = 0; i < forms.length; i++) { wire(forms[i]); }
  var hints = document.querySelectorAll("[data-webauthn-hint]");
  for (var j = 0; j < hints.length; j++) { hints[j].hidden = false; }
})();
