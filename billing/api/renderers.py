"""JSON out: `Decimal` amounts render as exact JSON numbers (`1200.00`), never through float."""

import simplejson
from rest_framework.renderers import JSONRenderer


class DecimalJSONRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return simplejson.dumps(
            data,
            use_decimal=True,
            ensure_ascii=False,
            separators=(",", ":"),
            default=str,
            iterable_as_array=True,
        ).encode("utf-8")
