"""What several apps' admins share."""


class ReadOnlyAdminMixin:
    """An audit record in the admin: listed and read, never added, changed or
    deleted by hand (the tool that writes it is the only way in)."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
