"""The site's icon: browsers ask for /favicon.ico on every page, and every page names it."""

from PIL import Image


def test_favicon_answers_an_icon(client, tmp_path):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    path = tmp_path / "favicon.ico"
    path.write_bytes(response.data)
    with Image.open(path) as icon:
        assert icon.format == "ICO"
        assert (32, 32) in icon.info["sizes"] and (16, 16) in icon.info["sizes"]


def test_every_page_links_the_icon(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<link rel="icon" href="/static/favicon.ico"' in html
