"""Tell Amazon's block pages from product pages before anything is parsed.

Block pages are small and self-describing: the captcha form posts to `/errors/validateCaptcha`, the error pages
show the "dogs of Amazon" images under `/error/`, sign-in walls are the `/ap/signin` form. Markers are checked on
the page head and on image and form paths, so any storefront language is recognised.
"""

from __future__ import annotations

import re

from suppliers.plugins.base import CaptchaError, ErrorPageError, LoginWallError, ProductNotFoundError

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)

CAPTCHA_MARKERS = (
    "/errors/validatecaptcha",
    "opfcaptcha.amazon",
    "/captcha/",
    "type the characters you see in this image",
    "enter the characters you see below",
    "sorry, we just need to make sure you're not a robot",
)
NOT_FOUND_MARKERS = (
    "page not found",
    "the web address you entered is not a functioning page",
    "página no encontrada",
    "página não encontrada",
    "seite wurde nicht gefunden",
    "seite nicht gefunden",
    "page introuvable",
    "pagina non trovata",
    "ページが見つかりません",
    "/error/404",
    "404 - document not found",
)
ERROR_MARKERS = (
    "dogsofamazon",
    "/error/500",
    "500_503",
    "sorry! something went wrong",
    "service unavailable error",
    "algo deu errado",
    "algo salió mal",
    "es ist ein fehler aufgetreten",
    "une erreur s'est produite",
    "si è verificato un errore",
    "問題が発生しました",
)
# Every Amazon page links to /ap/signin from its header, so only the sign-in form itself or its title counts.
LOGIN_MARKERS = ('name="signin"', 'id="ap_email"', 'id="ap_password"', 'id="ap_login_form"')
LOGIN_FORM = re.compile(r"<form[^>]+action=\"[^\"]*/ap/signin")
LOGIN_TITLES = (
    "sign-in",
    "sign in",
    "anmelden",
    "iniciar sesión",
    "identifiez-vous",
    "accedi",
    "fazer login",
    "ログイン",
)
PRODUCT_MARKERS = ('id="productTitle"', 'id="dp-container"', 'id="dp"', 'data-component-type="s-search-result"')
HEAD_CHARS = 200_000


def detect_block(page: str) -> None:
    """Raise the typed error for a block page; return quietly for anything that looks like a real page."""
    if any(marker in page for marker in PRODUCT_MARKERS):
        return
    head = page[:HEAD_CHARS].lower()
    title = _title(head)
    if any(marker in head for marker in CAPTCHA_MARKERS):
        raise CaptchaError("Amazon answered with a captcha page")
    if any(marker in title or marker in head for marker in NOT_FOUND_MARKERS):
        raise ProductNotFoundError("Amazon answered with a page-not-found page")
    if any(marker in head for marker in ERROR_MARKERS):
        raise ErrorPageError(f"Amazon answered with an error page: {title or 'untitled'}")
    if any(marker in head for marker in LOGIN_MARKERS) or LOGIN_FORM.search(head) or _is_login_title(title):
        raise LoginWallError("Amazon answered with a sign-in page")


def block_kind(page: str) -> str | None:
    """The block kind (`captcha`, `error_page`, `login_wall`, `not_found`) or None for a real page."""
    try:
        detect_block(page)
    except (CaptchaError, ErrorPageError, LoginWallError, ProductNotFoundError) as exc:
        return exc.kind
    return None


def _is_login_title(title: str) -> bool:
    return title.startswith("amazon") and any(phrase in title for phrase in LOGIN_TITLES)


def _title(head: str) -> str:
    match = _TITLE.search(head)
    return match.group(1).strip() if match else ""
