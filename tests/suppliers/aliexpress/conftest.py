import pytest

OLD_PAGE = "fixtures/aliexpress/jshemas__openGraphScraperPages__ca7e60e__aliexpress.html"
CSR_ES = "fixtures/aliexpress/fares21__AliexpressTelegramBotBasic__91bfbd5__aliexpress_page.html"
CSR_PT = "fixtures/aliexpress/duduzinho15__Ainda-nao-funciona__b39a2fc__aliexpress_page.html"


@pytest.fixture
def old_page(shared_dir) -> str:
    return (shared_dir / OLD_PAGE).read_text(encoding="utf-8")


@pytest.fixture
def csr_es_page(shared_dir) -> str:
    return (shared_dir / CSR_ES).read_text(encoding="utf-8")


@pytest.fixture
def csr_pt_page(shared_dir) -> str:
    return (shared_dir / CSR_PT).read_text(encoding="utf-8")
