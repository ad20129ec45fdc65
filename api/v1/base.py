from rest_framework import viewsets


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """Ids in URLs through the project's ``id`` converter (tracker/converters.py)."""

    lookup_value_converter = "id"


class ViewSet(viewsets.GenericViewSet):
    lookup_value_converter = "id"
