"""Single sign-on through the council's OpenID provider (``/auth/oidc/...``).

Authlib does the protocol: discovery from ``AUDIT_OIDC_ISSUER``, the authorization code flow
with PKCE, state and nonce, and the ID token's signature, issuer, audience and expiry. The
service decides who gets in and with what role (``services.accounts.sign_on``). Groups are read
from the ID token, or from the userinfo endpoint when the provider keeps them there.
"""

from __future__ import annotations

from urllib.parse import urlencode

from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import OAuth
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from audit_service.domain.accounts.sign_on import RoleMap, identity_from
from audit_service.services.accounts import sign_on as sign_on_service
from audit_service.web.access import public, safe_next
from audit_service.web.sessions import SESSION_KEY, start_session

bp = Blueprint("sign_on", __name__, url_prefix="/auth/oidc")

NEXT_KEY = "sign_on_next"
SIGNED_ON_KEY = "signed_on"
REQUIRED = ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ROLE_MAP")


def init_app(app: Flask) -> None:
    """Register the provider when ``AUDIT_OIDC_ISSUER`` is set; a half-made configuration
    stops the app starting, naming what is missing, rather than failing at someone's sign-in."""
    issuer = (app.config.get("OIDC_ISSUER") or "").rstrip("/")
    if not issuer:
        if not app.config.get("LOCAL_LOGIN", True):
            raise ValueError("AUDIT_LOCAL_LOGIN=0 turns password sign-in off, so "
                             "AUDIT_OIDC_ISSUER must be set or nobody could sign in")
        return
    missing = [f"AUDIT_{name}" for name in REQUIRED if not app.config.get(name)]
    if missing:
        raise ValueError(f"AUDIT_OIDC_ISSUER is set, so {', '.join(missing)} must be too")
    roles = RoleMap.parse(app.config["OIDC_ROLE_MAP"])
    oauth = OAuth(app)
    client = oauth.register(
        "council", client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )
    app.extensions["sign_on"] = (client, roles)
    app.register_blueprint(bp)


def configured() -> bool:
    return "sign_on" in current_app.extensions


def _client():
    if not configured():
        abort(404)
    return current_app.extensions["sign_on"]


@bp.get("/login")
@public
def start():
    """Off to the provider; ``next`` waits in the session for the way back."""
    client, _roles = _client()
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    return client.authorize_redirect(url_for("sign_on.callback", _external=True))


@bp.get("/callback")
@public
def callback():
    client, roles = _client()
    try:
        token = client.authorize_access_token()
        claims = dict(token.get("userinfo") or {})
        groups_claim = current_app.config["OIDC_GROUPS_CLAIM"]
        if groups_claim not in claims:
            extra = dict(client.userinfo(token=token))
            if extra.get("sub") != claims.get("sub"):
                raise OAuthError("userinfo", "the userinfo endpoint described someone else")
            claims = {**extra, **claims}
        identity = identity_from(claims, issuer=client.load_server_metadata()["issuer"],
                                 groups_claim=groups_claim)
    except (OAuthError, ValueError) as exc:
        current_app.logger.warning("single sign-on failed: %s", exc)
        return render_template("auth/refused.html", message=(
            "Signing in through your organisation's account did not complete. Try again; if "
            "it happens again, tell the service's administrator the time it happened.")), 400
    next_url = session.pop(NEXT_KEY, None)
    attempt = sign_on_service.sign_on(
        identity, roles, replaces=session.get(SESSION_KEY), remote_addr=request.remote_addr,
        user_agent=request.headers.get("User-Agent"))
    if attempt.account is None:
        return render_template("auth/refused.html", message=attempt.refusal), 403
    start_session(attempt.account, attempt.session_id)
    session[SIGNED_ON_KEY] = True
    return redirect(next_url or url_for("home.index"))


def provider_logout_url() -> str | None:
    """Where to end the provider's own session too, back to the sign-in page afterwards."""
    if not configured():
        return None
    client, _roles = current_app.extensions["sign_on"]
    endpoint = client.load_server_metadata().get("end_session_endpoint")
    if not endpoint:
        return None
    return f"{endpoint}?" + urlencode({
        "client_id": current_app.config["OIDC_CLIENT_ID"],
        "post_logout_redirect_uri": url_for("auth.login", _external=True)})
