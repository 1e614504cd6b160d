"""What a self-contained HTML report may not contain: an audit shared by the verdict and district tests."""

from html.parser import HTMLParser


class PageAudit(HTMLParser):
    """Everything in a page that could load or run something."""

    def __init__(self):
        super().__init__()
        self.tags, self.external, self.images, self.csp = [], [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        for key in ("src", "href", "data", "action", "xlink:href"):
            value = attrs.get(key) or ""
            if value and not value.startswith(("#", "data:")):
                self.external.append((tag, key, value))
        if tag == "img":
            self.images.append(attrs.get("src") or "")
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy":
            self.csp = attrs.get("content")
