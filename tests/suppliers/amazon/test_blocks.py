import pytest

from suppliers.plugins.amazon.blocks import block_kind, detect_block
from suppliers.plugins.base import CaptchaError, ErrorPageError, LoginWallError, ProductNotFoundError

CAPTCHA = """<html><head><title>Amazon.de</title></head><body><h4>Geben Sie die Zeichen unten ein</h4>
<form method="get" action="/errors/validateCaptcha"><img src="https://images-na.ssl-images-amazon.com/captcha/abc/Captcha_x.jpg">
<input name="field-keywords"></form></body></html>"""
DOGS_DE = """<html><head><title>Amazon.de Es ist ein Fehler aufgetreten</title></head><body>
<img src="https://images-na.ssl-images-amazon.com/images/G/03/error/500-title._TTD_.png"></body></html>"""
SIGN_IN = """<html><head><title>Amazon Sign-In</title></head><body>
<form name="signIn" method="post" action="https://www.amazon.com/ap/signin"><input type="email" id="ap_email"></form>
</body></html>"""
NOT_FOUND = """<html><head><title>Page Not Found</title></head><body><img alt="Sorry! We couldn't find that page."
src="https://images-na.ssl-images-amazon.com/images/G/01/error/title._TTD_.png"></body></html>"""
PRODUCT = '<html><body><span id="productTitle"> A kettle </span><a href="/ap/signin">Sign in</a></body></html>'


def test_image_captcha_in_any_language_is_a_captcha():
    with pytest.raises(CaptchaError):
        detect_block(CAPTCHA)


def test_localized_dogs_page_is_an_error_page():
    with pytest.raises(ErrorPageError):
        detect_block(DOGS_DE)


def test_sign_in_form_is_a_login_wall():
    with pytest.raises(LoginWallError):
        detect_block(SIGN_IN)


def test_page_not_found_is_a_missing_product_not_an_error_page():
    with pytest.raises(ProductNotFoundError):
        detect_block(NOT_FOUND)


def test_product_page_with_a_sign_in_link_is_not_blocked():
    assert block_kind(PRODUCT) is None


def test_block_errors_say_whether_retrying_can_help():
    kinds = {block_kind(page): page for page in (CAPTCHA, DOGS_DE, SIGN_IN, NOT_FOUND)}

    assert set(kinds) == {"captcha", "error_page", "login_wall", "not_found"}
    assert not CaptchaError.permanent
    assert ProductNotFoundError.permanent


def test_header_sign_in_link_on_an_unknown_page_is_not_a_login_wall():
    page = '<html><head><title>Amazon.com: Kettles</title></head><body><a href="/ap/signin">Hello, sign in</a></body>'

    assert block_kind(page) is None


def test_localized_sign_in_title_is_a_login_wall():
    assert block_kind("<html><head><title>Amazon Anmelden</title></head><body></body></html>") == "login_wall"
