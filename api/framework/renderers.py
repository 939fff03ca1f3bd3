"""JSON out: `Decimal` amounts render as exact JSON numbers (`1200.00`), never through float."""

import simplejson
from rest_framework.renderers import JSONRenderer


class DecimalJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        options = {
            "use_decimal": True,
            "separators": (",", ":"),
            "default": str,
            "iterable_as_array": True,
        }
        try:
            return simplejson.dumps(data, ensure_ascii=False, **options).encode("utf-8")
        except UnicodeEncodeError:
            # Text echoed from a request (an unknown field's name, say) may hold a lone
            # surrogate, which UTF-8 cannot carry; JSON's \\u escapes can.
            return simplejson.dumps(data, ensure_ascii=True, **options).encode("ascii")
