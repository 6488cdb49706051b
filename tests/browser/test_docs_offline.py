"""/docs (Swagger UI) and /redoc (ReDoc) render in a real browser with the network cut."""

import pytest

from api.routes.docs import FILES
from maps.offline import VENDOR_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not all((VENDOR_DIR / name).is_file() for name in FILES),
        reason="swagger-ui-dist and redoc not installed: run 'npm ci --prefix maps/static'",
    ),
]


def test_swagger_ui_lists_every_operation_offline(live_server, watched):
    page = watched.page
    page.goto(f"{live_server}/docs", wait_until="load")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert "riskmap" in page.inner_text(".swagger-ui .info .title")
    paths = page.locator(".swagger-ui .opblock-summary-path").all_inner_texts()
    assert {"/plans/outreach", "/runs", "/layers/{name}"} <= {
        p.replace("\u200b", "") for p in paths
    }
    page.locator(".swagger-ui .opblock-summary", has_text="/runs/{run_id}").first.click()
    page.wait_for_selector(".swagger-ui .responses-table")
    codes = page.locator(".swagger-ui .response .response-col_status").all_inner_texts()
    assert {"200", "401", "404", "422"} <= {c.strip()[:3] for c in codes}
    watched.screenshot("docs-swagger")


def test_redoc_renders_the_reference_offline(live_server, watched):
    page = watched.page
    page.goto(f"{live_server}/redoc", wait_until="load")
    page.wait_for_selector(".api-content h1", timeout=20_000)
    assert "riskmap" in page.inner_text(".api-content h1")
    text = page.inner_text(".api-content")
    assert "application/problem+json" in text or "422" in text, text[:2000]
    assert page.locator("[data-section-id^='tag/']").count() >= 5
    watched.screenshot("docs-redoc")
