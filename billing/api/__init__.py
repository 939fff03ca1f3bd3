"""The REST API (`/api/v1`): views, serializers and the list machinery they share."""
