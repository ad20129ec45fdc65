from rest_framework import viewsets

# Ids in URLs go through the project's ``id`` converter (tracker/converters.py).
# (Comments, not docstrings: a view's docstring is its description in the schema.)


class ReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_converter = "id"


class ViewSet(viewsets.GenericViewSet):
    lookup_value_converter = "id"
